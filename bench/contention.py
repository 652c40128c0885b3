"""Contention: many concurrent clients ordering the same few offers, whose stock runs out mid-run.

A fresh demo store of 500 products (100 with --quick) gets `HOT_OFFERS` offers with `HOT_STOCK` tracked units
each. 16, then 64, in-memory clients of one server each run shopping trips on those offers (new
session, add_to_cart of one hot offer, 1 to 3 units, preview_checkout, place_order) until their trips
are done; together they ask for about twice the stock. Afterwards the database is the judge:

- oversell: units in order lines of the hot offers beyond their initial stock, plus units below zero
  in their stock, must be 0; and sold + remaining stock must equal the initial stock;
- orders per second: orders placed over the wall time of the run;
- errors: business outcomes (`insufficient_stock`, `out_of_stock`, a stale quote: the agent is told
  what to do) are counted apart from any other failure, which must be 0.

One server process: writes on SQLite are serialized by the database (BEGIN IMMEDIATE), on PostgreSQL
by the conditional stock update, so the figure is the write path's throughput under contention, not
a scaling figure.
"""

import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import anyio
from mcp import Client
from mcp.server import MCPServer
from sqlalchemy import text

from bench.checkout import ADDRESS
from bench.harness import BenchContext, Row
from shopmcp import migrations
from shopmcp.app_context import AppContext
from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.observability import configure_logging
from shopmcp.server import build_server
from shopmcp.services.ingest.generator import seed_demo_catalog

NAME = "contention"
HOT_OFFERS = 3
HOT_STOCK = 40
QUICK_STOCK = 4
CLIENTS = (16, 64)
STORE_PRODUCTS = 500
QUICK_PRODUCTS = 100
BUSINESS_CODES = frozenset({"insufficient_stock", "out_of_stock", "quote_stale", "quote_expired"})


@dataclass
class Outcome:
    """What one concurrent run did, as the clients saw it and as the database says."""

    clients: int
    seconds: float
    orders: int
    business_errors: Counter[str]
    other_errors: Counter[str]
    initial_stock: int
    sold: int
    remaining: int
    negative: int

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.initial_stock) + self.negative


def run(ctx: BenchContext) -> list[Row]:
    configure_logging(log_format="console", level="WARNING")  # no line per tool call on the progress channel
    rows: list[Row] = []
    stock = QUICK_STOCK if ctx.quick else HOT_STOCK
    for backend in ctx.backends:
        store = Store(ctx.scratch_url(backend, "contention"), QUICK_PRODUCTS if ctx.quick else STORE_PRODUCTS)
        try:
            for round_number, clients in enumerate(CLIENTS):
                ctx.log(f"contention: {backend}, {clients} clients")
                rows += _rows(backend, store.measure(round_number, clients, stock))
        finally:
            store.close()
    return rows


class Store:
    """A fresh demo store and one server over it; each measurement takes its own hot offers."""

    def __init__(self, url: str, products: int) -> None:
        self.db = Database(url)
        migrations.upgrade(self.db.engine)
        seed_demo_catalog(self.db, products=products, seed=42)
        settings = load_settings(env="test", database_url=url, seed_demo_catalog=False, log_level="WARNING")
        self.server = build_server(settings, db=self.db)
        with self.db.read() as tx:
            self.offers = [
                int(row[0])
                for row in tx.execute(
                    text(
                        "SELECT offer.id FROM offer JOIN product ON product.id = offer.product_id "
                        "WHERE offer.active AND product.status = 'active' ORDER BY offer.id"
                    )
                )
            ]

    def close(self) -> None:
        self.db.dispose()

    def measure(self, round_number: int, clients: int, stock: int) -> Outcome:
        """Give `HOT_OFFERS` offers `stock` units, run the clients, and read the verdict from the database."""
        hot = self.offers[round_number * HOT_OFFERS : (round_number + 1) * HOT_OFFERS]
        ids = _ids(hot)
        with self.db.write() as tx:
            tx.execute(
                text(f"UPDATE offer SET stock = :stock, track_inventory = true WHERE id IN ({ids})"),
                {"stock": stock},
            )
        # Enough trips that the clients ask for about twice the stock (2 units a trip on average).
        trips = max(1, -(-len(hot) * stock // clients))
        seconds, orders, business, other = anyio.run(_shop, self.server, hot, clients, trips)
        with self.db.read() as tx:
            sold = tx.execute(
                text(f"SELECT coalesce(sum(quantity), 0) FROM order_line WHERE offer_id IN ({ids})")
            ).scalar_one()
            remaining, negative = tx.execute(
                text(
                    "SELECT coalesce(sum(stock), 0), coalesce(sum(CASE WHEN stock < 0 THEN -stock ELSE 0 END), 0) "
                    f"FROM offer WHERE id IN ({ids})"
                )
            ).one()
        return Outcome(
            clients, seconds, orders, business, other, stock * len(hot), int(sold), int(remaining), int(negative)
        )


def _ids(ids: list[int]) -> str:
    return ", ".join(str(int(number)) for number in ids)


async def _shop(
    server: MCPServer[AppContext], hot: list[int], clients: int, trips: int
) -> tuple[float, int, Counter[str], Counter[str]]:
    orders = 0
    business: Counter[str] = Counter()
    other: Counter[str] = Counter()

    async def client(seed: int) -> None:
        nonlocal orders
        rng = random.Random(seed)
        async with Client(server) as shop:
            for _ in range(trips):
                outcome = await _trip(shop, rng, hot)
                if outcome == "ordered":
                    orders += 1
                elif outcome in BUSINESS_CODES:
                    business[outcome] += 1
                elif outcome != "ok":
                    other[outcome] += 1

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for seed in range(clients):
            group.start_soon(client, 1000 + seed)
    return time.perf_counter() - started, orders, business, other


async def _trip(shop: Client, rng: random.Random, hot: list[int]) -> str:
    """One trip: "ordered", or the error code that ended it (an unexpected failure: "unexpected: ...")."""
    session = await _call(shop, "new_session", {})
    if "error" in session:
        return str(session["error"])
    sid = session["session_id"]
    added = await _call(
        shop, "add_to_cart", {"offer_id": rng.choice(hot), "quantity": rng.randint(1, 3), "session_id": sid}
    )
    if "error" in added:
        return str(added["error"])
    quote = await _call(shop, "preview_checkout", {"shipping_address": ADDRESS, "session_id": sid})
    if "error" in quote:
        return str(quote["error"])
    key = f"contention-{rng.getrandbits(64):x}"
    order = await _call(shop, "place_order", {"quote_id": quote["quote_id"], "idempotency_key": key, "session_id": sid})
    return str(order["error"]) if "error" in order else "ordered"


async def _call(shop: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The tool's structured result, or {"error": code} (a failure without a code: "unexpected: ...")."""
    try:
        result = await shop.call_tool(tool, arguments)
    except Exception as error:  # a transport or protocol failure is an "other" error, counted, not raised
        return {"error": f"unexpected: {type(error).__name__}"}
    content = result.structured_content or {}
    if not result.is_error:
        return content
    code = content.get("error", {}).get("code") if isinstance(content.get("error"), dict) else None
    return {"error": code if code and code != "internal_error" else f"unexpected: {tool} {code or 'no code'}"}


def _rows(backend: str, outcome: Outcome) -> list[Row]:
    label = f"{outcome.clients} clients"
    extra = {
        "orders": outcome.orders,
        "seconds": round(outcome.seconds, 2),
        "initial_stock": outcome.initial_stock,
        "sold": outcome.sold,
        "remaining": outcome.remaining,
        "business_errors": dict(outcome.business_errors),
        "other_errors": dict(outcome.other_errors),
    }
    return [
        Row.measured(NAME, f"{label}: orders/s", outcome.orders / outcome.seconds, "1/s", backend=backend, extra=extra),
        Row.measured(NAME, f"{label}: oversold units", outcome.oversold, "units", backend=backend, limit=0),
        Row.measured(
            NAME,
            f"{label}: sold + stock left - initial stock",
            outcome.sold + outcome.remaining - outcome.initial_stock,
            "units",
            backend=backend,
            limit=0,
            floor=0,
        ),
        Row.measured(
            NAME,
            f"{label}: business errors (out of stock)",
            sum(outcome.business_errors.values()),
            "calls",
            backend=backend,
            extra=dict(outcome.business_errors),
        ),
        Row.measured(
            NAME,
            f"{label}: other errors",
            sum(outcome.other_errors.values()),
            "calls",
            backend=backend,
            limit=0,
            extra=dict(outcome.other_errors),
        ),
    ]
