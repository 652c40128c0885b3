"""SIGKILL a writing server at random moments; after every restart the database still adds up.

A real `shopmcp serve --transport http` process serves `AGENTS` concurrent
agents, each looping new_session, add_to_cart, preview_checkout, place_order
and (often) cancel_order. After a random delay (seeded; the seed is printed
and in every failure message) the server gets SIGKILL, mid-transaction as
often as not. It is restarted; each agent's place_order that was in flight
at the kill is retried with the same quote and key (exactly one order must
come of it); then the invariants are checked by SQL (`invariants.py`) and
every order an agent was told about is looked up.

Bounded form: `KILLS_BOUNDED` kills per database. Long form
(`SHOPMCP_RELIABILITY_LONG=1`): `KILLS_LONG`. Seed: `SHOPMCP_RELIABILITY_SEED`.
"""

import random
import secrets
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from shopmcp.db import Database
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, store_offer
from tests.reliability.invariants import check_orders, check_stock, order_statuses, placed_quotes
from tests.reliability.report import LONG, record, run_seed
from tests.serving.conftest import ServerProcess, connect, make_server
from tests.serving.shopping import ADDRESS

KILLS_BOUNDED = 10
KILLS_LONG = 110
AGENTS = 4
STOCK = 1_000_000
MAX_KILL_DELAY = 2.0
"""Seconds after the first order of a cycle; a trip takes tens of milliseconds, so kills land all over it."""


@dataclass
class Ledger:
    """What the agents were told, and what they were in the middle of when the server died."""

    orders: dict[str, str] = field(default_factory=dict)
    """order id -> the status the last answer gave."""
    in_flight: list[dict[str, Any]] = field(default_factory=list)
    """place_order arguments sent without an answer (the server died first)."""
    cancelling: set[str] = field(default_factory=set)
    """Orders whose cancel_order was sent without an answer: either status is right."""
    business_errors: list[str] = field(default_factory=list)
    first_order: anyio.Event = field(default_factory=anyio.Event)
    kills_during_place_order: int = 0
    committed_before_kill: int = 0
    """In-flight place_order calls whose order was in the database before the retry (the answer was lost)."""


async def _agent(server: ServerProcess, token: str, offers: list[int], rng: random.Random, ledger: Ledger) -> None:
    """Shop until the server dies; every outcome goes into `ledger`."""
    placing: dict[str, Any] | None = None
    try:
        async with connect(server.mcp_url, token=token) as client:
            while True:
                session_id = (await _ok(client, "new_session", {}, ledger))["session_id"]
                cart = {"offer_id": rng.choice(offers), "quantity": rng.randint(1, 3), "session_id": session_id}
                await _ok(client, "add_to_cart", cart, ledger)
                quote = await _ok(
                    client, "preview_checkout", {"shipping_address": ADDRESS, "session_id": session_id}, ledger
                )
                placing = {
                    "quote_id": quote["quote_id"],
                    "idempotency_key": secrets.token_hex(8),
                    "session_id": session_id,
                }
                order = await _ok(client, "place_order", placing, ledger)
                placing = None
                ledger.orders[order["order_id"]] = order["status"]
                ledger.first_order.set()
                if rng.random() < 0.4:
                    cancel = {"order_id": order["order_id"], "reason": "changed_mind", "session_id": session_id}
                    ledger.cancelling.add(order["order_id"])
                    ledger.orders[order["order_id"]] = (await _ok(client, "cancel_order", cancel, ledger))["status"]
                    ledger.cancelling.discard(order["order_id"])
    except Exception:  # the server was killed under us: a connection error of some kind
        if placing is not None:
            ledger.in_flight.append(placing)


async def _ok(client: Client, tool: str, args: dict[str, Any], ledger: Ledger) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    content: dict[str, Any] | None = result.structured_content
    if result.is_error or content is None:
        ledger.business_errors.append(f"{tool}: {content or result.content}")
        raise RuntimeError(tool)
    return content


async def _retry_in_flight(server: ServerProcess, database: Database, token: str, ledger: Ledger) -> None:
    """Each place_order cut short by the kill, again with the same quote and key: it must give the order."""
    ledger.kills_during_place_order += bool(ledger.in_flight)
    ledger.committed_before_kill += len(placed_quotes(database, [args["quote_id"] for args in ledger.in_flight]))
    async with connect(server.mcp_url, token=token) as client:
        for args in ledger.in_flight:
            result = await client.call_tool("place_order", args)
            assert not result.is_error, f"retry after restart failed: {result.structured_content}"
            assert result.structured_content is not None
            ledger.orders[result.structured_content["order_id"]] = result.structured_content["status"]
    ledger.in_flight.clear()


def _offers(database: Database) -> dict[int, int]:
    build = CatalogBuilder(database)
    seller = build.seller("Crash Test Supply")
    offers: dict[int, int] = {}
    for title in ("Anvil", "Crash Helmet", "Safety Net"):
        product = build.product(title, variants=[VariantSpec(offers=[OfferSpec(seller, 1999, stock=STOCK)])])
        offers[store_offer(database, product.id)] = STOCK
    return offers


def _kill(server: ServerProcess) -> None:
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(15)


def _check(database: Database, principal: str, offers: dict[int, int], ledger: Ledger, context: str) -> None:
    broken = check_orders(database, [principal])
    broken.failures.update(check_stock(database, offers).failures)
    assert not broken, f"{context}: {broken.failures}"
    found = order_statuses(database, ledger.orders)
    lost = {
        order_id: status
        for order_id, status in ledger.orders.items()
        if found.get(order_id) != status and not (order_id in ledger.cancelling and order_id in found)
    }
    assert not lost, f"{context}: orders answered but not in the database as answered: {lost}"


async def test_sigkill_at_random_moments_never_leaves_a_half_written_order(database: Database, tmp_path: Path) -> None:
    seed = run_seed()
    rng = random.Random(seed)
    kills = KILLS_LONG if LONG else KILLS_BOUNDED
    principal = f"crash-{secrets.token_hex(4)}"
    offers = _offers(database)
    server = make_server(tmp_path, database, principals=(principal,), rate_limit="")
    token = server.tokens[principal]
    ledger = Ledger()
    delays: list[float] = []
    try:
        for kill in range(kills):
            context = f"seed {seed}, kill {kill + 1}/{kills}"
            server.start()
            with anyio.fail_after(120):
                await _retry_in_flight(server, database, token, ledger)
            _check(database, principal, offers, ledger, context)
            delay = rng.uniform(0.0, MAX_KILL_DELAY)
            delays.append(delay)
            agent_rngs = [random.Random(rng.random()) for _ in range(AGENTS)]
            ledger.first_order = anyio.Event()
            with anyio.fail_after(120):
                async with anyio.create_task_group() as group:
                    for agent_rng in agent_rngs:
                        group.start_soon(_agent, server, token, list(offers), agent_rng, ledger)
                    await ledger.first_order.wait()  # the agents are writing
                    await anyio.sleep(delay)  # the random moment of the kill, not a synchronisation
                    _kill(server)
        server.start()
        with anyio.fail_after(120):
            await _retry_in_flight(server, database, token, ledger)
        _check(database, principal, offers, ledger, f"seed {seed}, after the last restart")
    finally:
        server.stop()
    assert ledger.kills_during_place_order > 0, f"seed {seed}: no kill landed during a place_order"
    unexpected = [error for error in ledger.business_errors if "insufficient_stock" not in error]
    assert not unexpected, f"seed {seed}: business errors before the kills: {unexpected[:5]}"
    record(
        f"SIGKILL of a writing HTTP server ({database.engine.dialect.name})",
        tries=kills,
        outcome=(
            f"invariants held after every restart; {len(ledger.orders)} orders answered, all found as answered; "
            f"{ledger.kills_during_place_order} kills cut a place_order short ({ledger.committed_before_kill} had "
            "committed, the answer lost); each retried after the restart gave exactly one order"
        ),
        seed=seed,
        extra={"delays_s": [round(delay, 3) for delay in delays[:5]]},
    )
