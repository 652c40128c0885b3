"""Checkout benchmark: latency of each write-side tool, and orders per second under concurrent clients.

Runs whole shopping trips (new_session, two add_to_cart, apply_coupon, view_cart, preview_checkout,
place_order) through the in-memory MCP client against a fresh demo store:

    .venv/bin/python -m bench.checkout --database-url sqlite:////tmp/bench-checkout.db
    .venv/bin/python -m bench.checkout --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The database must be empty or hold an earlier run's store (its catalog is reused). Results of the
runs recorded in bench/checkout_results.md.
"""

import argparse
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
from mcp import Client
from mcp.server import MCPServer
from sqlalchemy import or_
from sqlmodel import col, select

from shopmcp import migrations
from shopmcp.app_context import AppContext
from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.models.catalog import Offer, Product
from shopmcp.server import build_server
from shopmcp.services.ingest.demo_coupons import seed_demo_coupons
from shopmcp.services.ingest.generator import seed_demo_catalog

ADDRESS = {
    "name": "Bench Buyer",
    "line1": "1 Market St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}

Timings = dict[str, list[float]]
Outcomes = Counter[str]


def prepare(url: str, products: int) -> tuple[MCPServer[AppContext], list[int]]:
    db = Database(url)
    migrations.upgrade(db.engine)
    seed_demo_catalog(db, products=products, seed=42)
    db.run_write(seed_demo_coupons, currency="USD")
    with db.read() as tx:
        offers = tx.exec(
            select(Offer.id)
            .join(Product, col(Product.id) == Offer.product_id)
            .where(col(Offer.active), Product.status == "active")
            .where(or_(col(Offer.stock) >= 20, ~col(Offer.track_inventory)))
        ).all()
    settings = load_settings(env="test", database_url=url, seed_demo_catalog=False, log_level="WARNING")
    return build_server(settings, db=db), [offer for offer in offers if offer is not None]


async def trip(client: Client, offers: list[int], rng: random.Random, timings: Timings, outcomes: Outcomes) -> bool:
    """One shopping trip; True when it ended in an order."""

    async def timed(tool: str, args: dict[str, Any]) -> dict[str, Any] | None:
        started = time.perf_counter()
        result = await client.call_tool(tool, args)
        timings[tool].append(time.perf_counter() - started)
        content = result.structured_content or {}
        outcomes[f"{tool}: {content['error']['code'] if result.is_error and 'error' in content else 'ok'}"] += 1
        return None if result.is_error else content

    session = await timed("new_session", {})
    assert session is not None
    sid = session["session_id"]
    for offer_id in rng.sample(offers, 2):
        await timed("add_to_cart", {"offer_id": offer_id, "quantity": 1, "session_id": sid})
    await timed("apply_coupon", {"code": "SAVE5", "session_id": sid})
    await timed("view_cart", {"session_id": sid})
    quote = await timed("preview_checkout", {"shipping_address": ADDRESS, "session_id": sid})
    if quote is None:
        return False
    key = f"bench-{rng.getrandbits(64):x}"
    order = await timed("place_order", {"quote_id": quote["quote_id"], "idempotency_key": key, "session_id": sid})
    return order is not None


async def sequential(server: MCPServer[AppContext], offers: list[int], trips: int) -> tuple[Timings, Outcomes]:
    timings: Timings = defaultdict(list)
    outcomes: Outcomes = Counter()
    rng = random.Random(1)
    async with Client(server) as client:
        for _ in range(trips):
            await trip(client, offers, rng, timings, outcomes)
    return timings, outcomes


async def concurrent(
    server: MCPServer[AppContext], offers: list[int], clients: int, trips: int
) -> tuple[int, float, Outcomes]:
    placed = 0
    outcomes: Outcomes = Counter()

    def worker(seed: int) -> Callable[[], Coroutine[Any, Any, None]]:
        async def run() -> None:
            nonlocal placed
            rng = random.Random(seed)
            async with Client(server) as client:
                for _ in range(trips):
                    ordered = await trip(client, offers, rng, defaultdict(list), outcomes)
                    placed += ordered

        return run

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for seed in range(clients):
            group.start_soon(worker(100 + seed))
    return placed, time.perf_counter() - started, outcomes


def report(timings: Timings, outcomes: Outcomes) -> None:
    print(f"{'tool':<18} {'calls':>6} {'median ms':>10} {'p95 ms':>8}")
    for tool, samples in timings.items():
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(f"{tool:<18} {len(samples):>6} {statistics.median(samples) * 1000:>10.2f} {p95 * 1000:>8.2f}")
    print("outcomes:", dict(sorted(outcomes.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--trips", type=int, default=200, help="Sequential trips, for latency.")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients, for throughput.")
    parser.add_argument("--trips-per-client", type=int, default=10)
    args = parser.parse_args()

    server, offers = prepare(args.database_url, args.products)
    print(f"{len(offers)} offers to choose from")
    report(*anyio.run(sequential, server, offers, args.trips))
    placed, seconds, outcomes = anyio.run(concurrent, server, offers, args.clients, args.trips_per_client)
    print(f"{args.clients} concurrent clients: {placed} orders in {seconds:.2f} s = {placed / seconds:.1f} orders/s")
    print("outcomes:", dict(sorted(outcomes.items())))


if __name__ == "__main__":
    main()
