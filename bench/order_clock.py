"""Order clock benchmark: what catching up costs the order reads.

One store, three servers over it: the clock off, the clock on with nothing due (delays of a day),
and the clock on with every move due at once (zero delays). A session places 20 orders; then
get_order and list_orders are timed on each server, interleaved so that load on the machine falls
on all three alike. The first get_order of an order on the zero-delay server makes its moves (a
write); its later reads find nothing due.

    .venv/bin/python -m bench.order_clock --database-url sqlite:////tmp/bench-clock.db
    .venv/bin/python -m bench.order_clock --database-url postgresql+psycopg://postgres@127.0.0.1/bench_clock

Results in bench/order_clock_results.md.
"""

import argparse
import statistics
import time
from typing import Any

import anyio
from mcp import Client
from sqlmodel import col, select

from shopmcp import migrations
from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.models.catalog import Offer
from shopmcp.server import build_server
from shopmcp.services.ingest.generator import seed_demo_catalog

ADDRESS = {
    "name": "Bench Buyer",
    "line1": "1 Market St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}
ORDERS = 20
ROUNDS = 300
SERVERS: dict[str, dict[str, str]] = {
    "off": {"order_processing_after": "off"},
    "on, nothing due": {"order_processing_after": "1d"},
    "on, all due": {"order_processing_after": "0s", "order_shipping_after": "0s", "order_delivery_after": "0s"},
}


async def _call(client: Client, tool: str, args: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    result = await client.call_tool(tool, args)
    elapsed = (time.perf_counter() - started) * 1000
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return elapsed, result.structured_content


async def _place_orders(client: Client, offer_id: int) -> tuple[str, list[str]]:
    _, session = await _call(client, "new_session", {})
    sid = session["session_id"]
    orders = []
    for number in range(ORDERS):
        await _call(client, "add_to_cart", {"session_id": sid, "offer_id": offer_id})
        _, quote = await _call(client, "preview_checkout", {"session_id": sid, "shipping_address": ADDRESS})
        args = {"session_id": sid, "quote_id": quote["quote_id"], "idempotency_key": f"k{number}"}
        _, order = await _call(client, "place_order", args)
        orders.append(order["order_id"])
    return sid, orders


async def run(url: str) -> None:
    db = Database(url)
    migrations.upgrade(db.engine)
    with db.read() as tx:
        has_catalog = tx.exec(select(Offer.id).limit(1)).first() is not None
    if not has_catalog:
        seed_demo_catalog(db, products=200, seed=42)
    with db.read() as tx:
        offer_id = tx.exec(select(Offer.id).where(~col(Offer.track_inventory) | (col(Offer.stock) >= 100))).first()
    assert offer_id is not None
    base = {"database_url": url, "seed_demo_catalog": False, "confirm_orders": "never", "log_level": "WARNING"}
    servers = {name: build_server(load_settings(**base, **extra), db=db) for name, extra in SERVERS.items()}
    timings: dict[tuple[str, str], list[float]] = {}
    async with (
        Client(servers["off"]) as off,
        Client(servers["on, nothing due"]) as idle,
        Client(servers["on, all due"]) as due,
    ):
        clients = {"off": off, "on, nothing due": idle, "on, all due": due}
        sid, orders = await _place_orders(off, offer_id)
        for order_id in orders:  # the first look makes the moves
            elapsed, view = await _call(due, "get_order", {"session_id": sid, "order_id": order_id})
            assert view["status"] == "delivered"
            timings.setdefault(("on, all due", "get_order, first look (writes)"), []).append(elapsed)
        for round_number in range(ROUNDS):
            order_id = orders[round_number % ORDERS]
            for name, client in clients.items():
                elapsed, _ = await _call(client, "get_order", {"session_id": sid, "order_id": order_id})
                timings.setdefault((name, "get_order"), []).append(elapsed)
                elapsed, _ = await _call(client, "list_orders", {"session_id": sid, "limit": 20})
                timings.setdefault((name, "list_orders"), []).append(elapsed)
    db.dispose()
    baseline = {tool: statistics.median(timings[("off", tool)]) for tool in ("get_order", "list_orders")}
    print(f"backend {db.dialect}; {ORDERS} orders, {ROUNDS} rounds")
    print("| clock | call | median ms | p95 ms | ratio to off (median) |")
    print("|---|---|---:|---:|---:|")
    for (name, tool), values in timings.items():
        median = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[18]
        reference = baseline.get(tool, baseline["get_order"])
        print(f"| {name} | {tool} | {median:.2f} | {p95:.2f} | {median / reference:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    anyio.run(run, parser.parse_args().database_url)


if __name__ == "__main__":
    main()
