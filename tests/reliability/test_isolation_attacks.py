"""Isolation attacks over the in-memory client and over HTTP with bearer tokens, checked against the database.

tests/tools/test_isolation.py compares each answer to a foreign id with the
answer to an id that never existed, and the owner's state as the tools show
it. This adds what an attacker on the network has: the same attacks over
Streamable HTTP with static tokens and JWTs, a second connection of the same
principal, and a snapshot of every row of the victim's sessions (and the
stock) taken from the database before and after: nothing may change.
"""

import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from mcp import Client
from sqlalchemy import text

from shopmcp.db import Database
from shopmcp.server import build_server
from tests.conftest import make_settings
from tests.reliability.report import record
from tests.serving.conftest import ServerProcess, connect, make_server
from tests.tools.shopping import Shopper, Store, make_coupon, small_store
from tests.tools.test_isolation import _fill, _normalized, _object_calls, _session_calls

# Every table holding a session's rows, with the column naming the session (or its order).
_SESSION_TABLES = {
    "shopping_session": "SELECT * FROM shopping_session WHERE id IN :ids",
    "cart_line": "SELECT * FROM cart_line WHERE session_id IN :ids",
    "quote": "SELECT * FROM quote WHERE session_id IN :ids",
    "customer_order": "SELECT * FROM customer_order WHERE session_id IN :ids",
    "idempotency_record": "SELECT * FROM idempotency_record WHERE session_id IN :ids",
    "coupon_redemption": "SELECT * FROM coupon_redemption WHERE session_id IN :ids",
    "order_line": "SELECT * FROM order_line WHERE order_id IN (SELECT id FROM customer_order WHERE session_id IN :ids)",
    "order_status_change": (
        "SELECT * FROM order_status_change WHERE order_id IN (SELECT id FROM customer_order WHERE session_id IN :ids)"
    ),
}


def snapshot(database: Database, session_ids: list[str], store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of these sessions, and the stock of the store's offers, as the database holds them."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with database.engine.connect() as connection:
        for table, query in _SESSION_TABLES.items():
            statement = text(query.replace(":ids", "(" + ", ".join(f":s{i}" for i in range(len(session_ids))) + ")"))
            params = {f"s{i}": session_id for i, session_id in enumerate(session_ids)}
            rows[table] = sorted(tuple(map(repr, row)) for row in connection.execute(statement, params))
        products = [store.headphones.id, store.shirt.id, store.cable.id]
        offers = connection.execute(
            text("SELECT id, stock, price FROM offer WHERE product_id IN (:a, :b, :c) ORDER BY id"),
            dict(zip("abc", products, strict=True)),
        )
        rows["offer"] = [tuple(row) for row in offers]
    assert rows["shopping_session"], "the snapshot found no sessions"
    assert rows["customer_order"], "the snapshot found no orders"
    return rows


async def attack(alice: list[Client], bob: Client, store: Store, database: Database) -> int:
    """Bob, and Alice's other connection, try every id of Alice's first sessions; nothing changes or shows.

    `alice` are two connections of one principal, `bob` a connection of another. Returns the number of
    attacking calls.
    """
    tries = 0
    coupon = make_coupon(database)
    victims = [await Shopper.start(alice[0]) for _ in range(2)]
    victim_ids = [await _fill(shopper, store, coupon) for shopper in victims]
    sibling = await Shopper.start(alice[1])  # same principal, a session of its own
    intruder = await Shopper.start(bob)
    await _fill(sibling, store, coupon)
    await _fill(intruder, store, coupon)
    before = snapshot(database, [ids["session"] for ids in victim_ids], store)

    missing_session = f"ses_{secrets.token_urlsafe(18)}"
    for ids in victim_ids:
        for tool, args in _session_calls(store, ids):
            foreign = await Shopper(bob, ids["session"]).fail(tool, **args)
            missing = await Shopper(bob, missing_session).fail(tool, **args)
            assert foreign["code"] == "not_found", tool
            assert _normalized(foreign, ids["session"]) == _normalized(missing, missing_session), tool
            tries += 1

    nowhere = (2**31 - 2, f"quo_{secrets.token_urlsafe(18)}", f"ord_{secrets.token_urlsafe(18)}")
    for attacker in (intruder, sibling):
        for ids in victim_ids:
            for line in ids["lines"]:
                calls = zip(
                    _object_calls(ids, line, ids["quote"], ids["order"]), _object_calls(ids, *nowhere), strict=True
                )
                for (tool, args, foreign_id), (_, missing_args, missing_id) in calls:
                    foreign = await attacker.fail(tool, **args)
                    missing = await attacker.fail(tool, **missing_args)
                    assert foreign["code"] == "not_found", tool
                    assert _normalized(foreign, foreign_id) == _normalized(missing, missing_id), tool
                    tries += 1

    assert snapshot(database, [ids["session"] for ids in victim_ids], store) == before
    return tries


def report(transport: str, database: Database, tries: int) -> None:
    record(
        f"Another session's and principal's session, line, quote and order ids, {transport} ({database.dialect})",
        tries=tries,
        outcome="all not_found, identical to the answer for a random id; no row of the victim's changed",
    )


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


async def test_in_memory_attacks_change_no_row_of_the_victim(database: Database, store: Store) -> None:
    tag = secrets.token_hex(3)
    alice, bob = (build_server(make_settings(database, principal=f"{who}-{tag}"), db=database) for who in "ab")
    async with Client(alice) as first, Client(alice) as second, Client(bob) as intruder:
        report("in memory", database, await attack([first, second], intruder, store, database))


@pytest.fixture(scope="module")
def token_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = make_server(tmp_path_factory.mktemp("isolation"), database).start()
    yield server
    server.stop()


@asynccontextmanager
async def connections(server: ServerProcess, mode: str) -> AsyncIterator[tuple[list[Client], Client]]:
    """Alice twice (her static token, then a JWT for her), Bob once (a JWT)."""
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(connect(server.mcp_url, token=server.tokens["alice"], mode=mode))
        second = await stack.enter_async_context(connect(server.mcp_url, token=server.make_jwt("alice"), mode=mode))
        bob = await stack.enter_async_context(connect(server.mcp_url, token=server.make_jwt("bob"), mode=mode))
        yield [first, second], bob


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_http_attacks_with_other_tokens_change_no_row_of_the_victim(
    token_server: ServerProcess, database: Database, store: Store, mode: str
) -> None:
    async with connections(token_server, mode) as (alice, bob):
        tries = await attack(alice, bob, store, database)
    report(f"HTTP with static tokens and JWTs ({mode} protocol)", database, tries)
    assert "Traceback" not in token_server.log()
