"""Many agents shopping at once over HTTP for a while: only expected business errors, no lost order, flat memory.

`--agents` agents (each its own principal and static token, half in each
protocol era) run the whole walk-through against `--processes` `shopmcp serve
--transport http` processes for `--duration` seconds: search_products,
get_product, new_session, add_to_cart, apply_coupon (every other trip; one
coupon needs a larger cart, so `coupon_not_applicable` is expected),
preview_checkout, place_order, list_orders and, every fourth trip,
cancel_order. Afterwards every order an agent was answered must be in the
database with the status it was told, the database must hold no other order
of theirs, and the order invariants must hold (`tests/reliability/invariants.py`).
Server RSS is sampled every `SAMPLE_SECONDS`.

    .venv/bin/python -m reliability.load --database sqlite --duration 300 --agents 200
"""

import argparse
import contextlib
import random
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
from bench.http_load import ADDRESS, PUBLIC_URL, prepare, start_servers
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from sqlalchemy import bindparam, text, update
from sqlmodel import col, select
from tests.reliability.invariants import check_orders, order_statuses

from shopmcp.auth.static_tokens import create_token
from shopmcp.db import Database
from shopmcp.models.cart import Coupon
from shopmcp.models.catalog import Offer

SAMPLE_SECONDS = 10.0
WARM_UP_SAMPLES = 6
"""The first minute: the server makes its worker threads and database connections as the agents arrive."""
EXPECTED = {"insufficient_stock", "out_of_stock", "coupon_not_applicable"}
"""Business outcomes a shop under load gives honestly: someone else bought the last units; a cart too small."""
COUPONS = ("LOAD10", "BIGSPEND")
CALL_TIMEOUT = 120.0


@dataclass
class Tally:
    calls: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    orders: dict[str, str] = field(default_factory=dict)
    """order id -> status the agent was last told."""
    trips: int = 0


class TripEndedError(Exception):
    """An expected business error ended this trip."""


async def _call(client: Client, tally: Tally, tool: str, **args: Any) -> dict[str, Any]:
    """The tool's answer; TripEndedError after an error (counted as expected or not)."""
    tally.calls[tool] += 1
    try:
        result = await client.call_tool(tool, args, read_timeout_seconds=CALL_TIMEOUT)
    except Exception as failure:
        tally.unexpected.append(f"{tool}: {type(failure).__name__}: {failure}")
        raise TripEndedError from failure
    content = result.structured_content
    if result.is_error:
        code = (content or {}).get("error", {}).get("code", "no structured error")
        if code in EXPECTED:
            tally.expected[f"{tool}: {code}"] += 1
        else:
            tally.unexpected.append(f"{tool}: {code}: {content or result.content}")
        raise TripEndedError
    assert content is not None
    return dict(content)


async def _trip(client: Client, rng: random.Random, products: list[tuple[int, str]], trip: int, tally: Tally) -> None:
    product_id, title = rng.choice(products)
    await _call(client, tally, "search_products", query=title.split()[0], limit=10)
    detail = await _call(client, tally, "get_product", product_id=product_id)
    offer = rng.choice(detail["offers"])
    session_id = (await _call(client, tally, "new_session"))["session_id"]
    await _call(client, tally, "add_to_cart", offer_id=offer["id"], quantity=rng.randint(1, 2), session_id=session_id)
    if trip % 2 == 0:
        # A coupon that does not apply is a message to the agent, who checks out without it.
        with contextlib.suppress(TripEndedError):
            await _call(client, tally, "apply_coupon", code=rng.choice(COUPONS), session_id=session_id)
    quote = await _call(client, tally, "preview_checkout", shipping_address=ADDRESS, session_id=session_id)
    key = secrets.token_hex(8)
    order = await _call(
        client, tally, "place_order", quote_id=quote["quote_id"], idempotency_key=key, session_id=session_id
    )
    tally.orders[order["order_id"]] = order["status"]
    await _call(client, tally, "list_orders", session_id=session_id)
    if trip % 4 == 3:
        cancelled = await _call(
            client, tally, "cancel_order", order_id=order["order_id"], reason="changed_mind", session_id=session_id
        )
        tally.orders[order["order_id"]] = cancelled["status"]


async def _agent(
    url: str, token: str, mode: str, seed: int, products: list[tuple[int, str]], stop: float, tally: Tally
) -> None:
    rng = random.Random(seed)
    trip = 0
    while time.monotonic() < stop:
        try:
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=CALL_TIMEOUT) as http,
                Client(streamable_http_client(url, http_client=http), mode=mode) as client,
            ):
                while time.monotonic() < stop:
                    with contextlib.suppress(TripEndedError):
                        await _trip(client, rng, products, trip, tally)
                    trip += 1
                    tally.trips += 1
        except Exception as failure:
            # The SDK client does not fail the one request on a transport error: it tears the whole
            # client down. Counted as unexpected; the agent reconnects and shops on.
            tally.unexpected.append(f"client torn down: {_describe(failure)}")
            tally.trips += 1
            trip += 1


def _describe(failure: BaseException) -> str:
    """The innermost exception of a (nested) exception group, by type and message."""
    while isinstance(failure, BaseExceptionGroup) and failure.exceptions:
        failure = failure.exceptions[0]
    return f"{type(failure).__name__}: {failure}"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _sample_memory(pids: list[int], samples: list[list[int]], done: anyio.Event) -> None:
    """RSS of each server every SAMPLE_SECONDS, and once more when the agents are done."""
    while not done.is_set():
        samples.append([_rss_kib(pid) for pid in pids])
        with anyio.move_on_after(SAMPLE_SECONDS):
            await done.wait()
    samples.append([_rss_kib(pid) for pid in pids])


def _stock_up(url: str, products: list[tuple[int, str]]) -> None:
    """Plenty of stock on most products (trips complete), 20 units on every tenth (agents race for the last ones).

    And the coupons: one for any cart, one for carts over $500.
    """
    db = Database(url)
    scarce = [product_id for index, (product_id, _) in enumerate(products) if index % 10 == 0]
    with db.write() as tx:
        tx.execute(update(Offer).where(col(Offer.product_id).in_([p for p, _ in products])).values(stock=1_000_000))
        tx.execute(update(Offer).where(col(Offer.product_id).in_(scarce)).values(stock=20))
        for code in COUPONS:
            if tx.exec(select(Coupon).where(Coupon.code == code)).first() is None:
                big = code == "BIGSPEND"
                tx.add(
                    Coupon(
                        code=code,
                        kind="percent",
                        value=1500 if big else 1000,
                        currency="USD",
                        min_subtotal=500_00 if big else None,
                    )
                )
    db.dispose()


@dataclass
class LoadResult:
    database: str
    agents: int
    processes: int
    duration_s: float
    trips: int
    calls: int
    orders: int
    expected: dict[str, int]
    unexpected: list[str]
    lost: dict[str, str]
    extra_in_db: int
    broken: dict[str, list[Any]]
    rss_mib: list[list[float]]

    @property
    def ok(self) -> bool:
        return not (self.unexpected or self.lost or self.extra_in_db or self.broken)

    def growth_mib(self) -> list[float]:
        """Per process: RSS at the end minus RSS after the first minute (threads, connections and their
        caches are made while the agents first arrive); from the first sample in runs shorter than that."""
        if len(self.rss_mib) < 2:
            return []
        start = self.rss_mib[WARM_UP_SAMPLES] if len(self.rss_mib) > WARM_UP_SAMPLES + 1 else self.rss_mib[0]
        return [round(end - begin, 1) for begin, end in zip(start, self.rss_mib[-1], strict=True)]


async def _drive(
    ports: list[int], tokens: list[str], products: list[tuple[int, str]], duration: float, pids: list[int], seed: int
) -> tuple[Tally, list[list[int]], float]:
    tally = Tally()
    samples: list[list[int]] = []
    started = time.monotonic()
    stop = started + duration
    done = anyio.Event()
    async with anyio.create_task_group() as sampling:
        sampling.start_soon(_sample_memory, pids, samples, done)
        async with anyio.create_task_group() as group:
            for index, token in enumerate(tokens):
                url = f"http://127.0.0.1:{ports[index % len(ports)]}/mcp"
                mode = "auto" if index % 2 == 0 else "legacy"
                group.start_soon(_agent, url, token, mode, seed + index, products, stop, tally)
        done.set()
    return tally, samples, time.monotonic() - started


def _orders_in_db(db: Database, principals: list[str]) -> set[str]:
    statement = text(
        "SELECT o.id FROM customer_order o JOIN shopping_session s ON s.id = o.session_id WHERE s.principal IN :p"
    ).bindparams(bindparam("p", expanding=True))
    with db.engine.connect() as connection:
        return {str(row[0]) for row in connection.execute(statement, {"p": principals}).all()}


def run_load(url: str, *, agents: int, duration: float, processes: int, seed: int, products: int = 300) -> LoadResult:
    """Seed the database at `url` (empty or an earlier run's), run the load, check the outcome."""
    catalog = prepare(url, products)
    _stock_up(url, catalog)
    principals = [f"load-{secrets.token_hex(3)}-{index}" for index in range(agents)]
    with tempfile.TemporaryDirectory(prefix="shopmcp-load-") as directory:
        work = Path(directory)
        tokens_file = work / "tokens.json"
        tokens = [create_token(tokens_file, principal=p, audience=PUBLIC_URL).token for p in principals]
        servers = start_servers(url, processes, tokens_file, work)
        try:
            pids = [process.pid for process, _ in servers]
            tally, samples, elapsed = anyio.run(
                _drive, [port for _, port in servers], tokens, catalog, duration, pids, seed
            )
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait(30)
    db = Database(url)
    try:
        in_db = _orders_in_db(db, principals)
        found = order_statuses(db, tally.orders)
        broken = check_orders(db, principals).failures
    finally:
        db.dispose()
    lost = {order_id: status for order_id, status in tally.orders.items() if found.get(order_id) != status}
    return LoadResult(
        database=url.split(":")[0].split("+")[0],
        agents=agents,
        processes=processes,
        duration_s=round(elapsed, 1),
        trips=tally.trips,
        calls=sum(tally.calls.values()),
        orders=len(tally.orders),
        expected=dict(tally.expected),
        unexpected=tally.unexpected[:20],
        lost=lost,
        extra_in_db=len(in_db - set(tally.orders)),
        broken=broken,
        rss_mib=[[round(kib / 1024, 1) for kib in sample] for sample in samples],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    result = run_load(
        args.database_url, agents=args.agents, duration=args.duration, processes=args.processes, seed=seed
    )
    print(f"seed {seed}: {result}")
    print(f"RSS growth MiB per process: {result.growth_mib()}")
    print(f"RSS MiB every {SAMPLE_SECONDS:.0f} s: {result.rss_mib}")
    raise SystemExit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
