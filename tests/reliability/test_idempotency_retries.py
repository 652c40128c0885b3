"""The same place_order(quote_id, idempotency_key) retried over HTTP: always exactly one order, stock taken once.

Three ways an agent retries: its client gave up waiting (the first call may
still be running, or be cancelled by the disconnect, on the server); several
of its clients sent the call at once, through two server processes; the
server died right after the call was sent and was restarted. In-memory
concurrency with one key is `tests/tools/test_checkout_concurrency.py`.
"""

import random
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from shopmcp.db import Database
from tests.calls import ok
from tests.factories import offer_stock, store_offer
from tests.reliability.invariants import check_orders, placed_quotes
from tests.reliability.report import LONG, record, run_seed
from tests.serving.conftest import ServerProcess, connect, make_server, running_pair
from tests.serving.shopping import ADDRESS, stocked_product

PUBLIC_URL = "http://shop.reliability/mcp"
PRINCIPAL = f"retrier-{secrets.token_hex(3)}"
TIMEOUT_ROUNDS = 40 if LONG else 12
CONCURRENT_ROUNDS = 20 if LONG else 4
CLIENTS_PER_PROCESS = 4
RESTART_ROUNDS = 20 if LONG else 3
STOCK = 500
QUANTITY = 2

Pair = tuple[ServerProcess, ServerProcess]


@pytest.fixture(scope="module")
def pair(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Two processes on one database, as behind a load balancer; tokens for one principal."""
    first = make_server(
        tmp_path_factory.mktemp("retry1"), database, principals=(PRINCIPAL,), public_url=PUBLIC_URL, rate_limit=""
    )
    second = make_server(
        tmp_path_factory.mktemp("retry2"), database, public_url=PUBLIC_URL, tokens_from=first, rate_limit=""
    )
    yield from running_pair(first, second)


async def _quote(client: Client, product_id: int) -> dict[str, Any]:
    """A new session with QUANTITY units in its cart and its quote; the place_order arguments, fresh key."""
    session_id = (await ok(client, "new_session"))["session_id"]
    await ok(client, "add_to_cart", product_id=product_id, quantity=QUANTITY, session_id=session_id)
    quote = await ok(client, "preview_checkout", shipping_address=ADDRESS, session_id=session_id)
    return {"quote_id": quote["quote_id"], "idempotency_key": secrets.token_hex(8), "session_id": session_id}


def _orders_of(database: Database, quote_ids: list[str]) -> int:
    return len(placed_quotes(database, quote_ids))


async def test_a_retry_after_the_client_gave_up_waiting_returns_the_one_order(pair: Pair, database: Database) -> None:
    seed = run_seed()
    rng = random.Random(seed)
    server = pair[0]
    product = stocked_product(database, stock=STOCK)
    assert product.id is not None
    token = server.tokens[PRINCIPAL]
    committed_first = 0
    async with connect(server.mcp_url, token=token) as client:
        for _ in range(TIMEOUT_ROUNDS):
            args = await _quote(client, product.id)
            # The client stops waiting after a few milliseconds; the server may be anywhere in the call.
            give_up = rng.uniform(0.001, 0.08)
            try:
                gave_up = await client.call_tool("place_order", args, read_timeout_seconds=give_up)
            except Exception:  # the SDK raises on its own timeout
                gave_up = None
            committed_first += _orders_of(database, [args["quote_id"]])
            again = await ok(client, "place_order", **args)
            if gave_up is not None and not gave_up.is_error:
                assert gave_up.structured_content is not None
                assert again["order_id"] == gave_up.structured_content["order_id"], f"seed {seed}"
            assert _orders_of(database, [args["quote_id"]]) == 1, f"seed {seed}"
    assert offer_stock(database, store_offer(database, product.id)) == STOCK - QUANTITY * TIMEOUT_ROUNDS, f"seed {seed}"
    assert not check_orders(database, [PRINCIPAL]), f"seed {seed}"
    record(
        f"place_order retried after a client timeout ({database.engine.dialect.name})",
        tries=TIMEOUT_ROUNDS,
        outcome=f"one order per quote, stock taken once; {committed_first} first calls had committed when retried",
        seed=seed,
    )


@pytest.mark.parametrize("era", ["auto", "legacy"])
async def test_identical_place_orders_sent_at_once_through_two_processes_make_one_order(
    pair: Pair, database: Database, era: str
) -> None:
    product = stocked_product(database, stock=STOCK)
    assert product.id is not None
    token = pair[0].tokens[PRINCIPAL]
    async with connect(pair[0].mcp_url, token=token) as setup:
        rounds = [await _quote(setup, product.id) for _ in range(CONCURRENT_ROUNDS)]
    answers: list[list[dict[str, Any]]] = [[] for _ in rounds]

    async def retrier(server: ServerProcess) -> None:
        async with connect(server.mcp_url, token=token, mode=era) as client:
            for index, args in enumerate(rounds):
                result = await client.call_tool("place_order", args)
                assert result.structured_content is not None
                answers[index].append(result.structured_content)

    with anyio.fail_after(180):
        async with anyio.create_task_group() as group:
            for server in pair:
                for _ in range(CLIENTS_PER_PROCESS):
                    group.start_soon(retrier, server)

    for per_round in answers:
        assert len(per_round) == 2 * CLIENTS_PER_PROCESS
        assert per_round[0].get("status") == "placed", per_round[0]
        assert {answer["order_id"] for answer in per_round} == {per_round[0]["order_id"]}
    assert _orders_of(database, [args["quote_id"] for args in rounds]) == CONCURRENT_ROUNDS
    assert offer_stock(database, store_offer(database, product.id)) == STOCK - QUANTITY * CONCURRENT_ROUNDS
    record(
        f"{2 * CLIENTS_PER_PROCESS} identical place_order at once via 2 processes, {era} era "
        f"({database.engine.dialect.name})",
        tries=CONCURRENT_ROUNDS,
        outcome="every caller got the same order; one order per quote; stock taken once",
    )


async def test_a_retry_after_the_server_was_killed_right_after_the_call_returns_one_order(
    database: Database, tmp_path: Path
) -> None:
    seed = run_seed()
    rng = random.Random(seed)
    principal = f"restarter-{secrets.token_hex(3)}"
    server = make_server(tmp_path, database, principals=(principal,), rate_limit="").start()
    token = server.tokens[principal]
    product = stocked_product(database, stock=STOCK)
    assert product.id is not None
    committed_first = 0
    try:
        for _ in range(RESTART_ROUNDS):
            async with connect(server.mcp_url, token=token) as client:
                args = await _quote(client, product.id)
            with anyio.fail_after(60):
                await _send_then_kill(server, token, args, rng.uniform(0.0, 0.05))
            committed_first += _orders_of(database, [args["quote_id"]])
            server.start()
            async with connect(server.mcp_url, token=token) as client:
                again = await ok(client, "place_order", **args)
            assert again["status"] == "placed"
            assert _orders_of(database, [args["quote_id"]]) == 1, f"seed {seed}"
    finally:
        server.stop()
    assert offer_stock(database, store_offer(database, product.id)) == STOCK - QUANTITY * RESTART_ROUNDS, f"seed {seed}"
    assert not check_orders(database, [principal]), f"seed {seed}"
    record(
        f"place_order retried after SIGKILL right after sending, and a restart ({database.engine.dialect.name})",
        tries=RESTART_ROUNDS,
        outcome=f"one order per quote, stock taken once; {committed_first} first calls had committed",
        seed=seed,
    )


async def _send_then_kill(server: ServerProcess, token: str, args: dict[str, Any], delay: float) -> None:
    """Send place_order and SIGKILL the server `delay` seconds later, whatever the call is doing."""

    async def place(client: Client) -> None:
        try:
            await client.call_tool("place_order", args)
        except Exception:  # the server is killed under the call
            return

    try:
        async with connect(server.mcp_url, token=token) as client, anyio.create_task_group() as group:
            group.start_soon(place, client)
            await anyio.sleep(delay)  # a random moment just after sending, not a synchronisation
            assert server.process is not None
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(15)
    except Exception:  # closing a connection to a dead server fails too
        return
