"""Timing of isolation: does an id of another session answer faster or slower than one that never existed?

For each id type (session, cart line, quote, order) Bob calls the tools that take it, alternating
between Alice's real id and a random one of the same form, through the in-memory MCP client, and
the median and 90th percentile of each are compared. A systematic gap would tell an attacker which
ids exist; both paths run the same single query (id and owner in one WHERE), so none is expected.

    .venv/bin/python -m bench.isolation_timing --database-url sqlite:////tmp/bench-isolation.db
    .venv/bin/python -m bench.isolation_timing --database-url postgresql+psycopg://postgres@127.0.0.1/bench_iso

Results of the runs recorded in docs/reliability.md.
"""

import argparse
import os
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client

from shopmcp import migrations
from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.observability import configure_logging
from shopmcp.server import build_server
from shopmcp.services.ingest.generator import seed_demo_catalog

ADDRESS = {"name": "A", "line1": "1 St", "city": "LA", "region": "CA", "postal_code": "90001", "country": "US"}


async def call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert isinstance(result.structured_content, dict), result.content
    return result.structured_content


async def victim(client: Client) -> dict[str, Any]:
    """A session with an order, an open quote and a cart line; returns its ids."""
    found = await call(client, "search_products", {"in_stock": True, "limit": 5})
    session_id = (await call(client, "new_session", {}))["session_id"]
    products = [item["id"] for item in found["items"]]
    for product in products[:2]:
        detail = await call(client, "get_product", {"product_id": product})
        offer = detail["offers"][0]["id"]
        await call(client, "add_to_cart", {"offer_id": offer, "session_id": session_id})
        quote = await call(client, "preview_checkout", {"shipping_address": ADDRESS, "session_id": session_id})
        if product == products[0]:
            key = secrets.token_hex(8)
            order = await call(
                client, "place_order", {"quote_id": quote["quote_id"], "idempotency_key": key, "session_id": session_id}
            )
    cart = await call(client, "view_cart", {"session_id": session_id})
    return {"session": session_id, "line": cart["lines"][0]["line_id"], "quote": quote["quote_id"], "order": order}


def cases(ids: dict[str, Any], own: str) -> dict[str, Callable[[bool], tuple[str, dict[str, Any]]]]:
    """Per id type, a call naming Alice's id (True) or a random one (False), from Bob's own session `own`."""

    def token(prefix: str) -> str:
        return f"{prefix}_{secrets.token_urlsafe(18)}"

    return {
        "session (view_cart)": lambda real: ("view_cart", {"session_id": ids["session"] if real else token("ses")}),
        "line (update_cart_item)": lambda real: (
            "update_cart_item",
            {"line_id": ids["line"] if real else 2**31 - 2, "quantity": 1, "session_id": own},
        ),
        "quote (place_order)": lambda real: (
            "place_order",
            {"quote_id": ids["quote"] if real else token("quo"), "idempotency_key": "k1", "session_id": own},
        ),
        "order (get_order)": lambda real: (
            "get_order",
            {"order_id": ids["order"]["order_id"] if real else token("ord"), "session_id": own},
        ),
    }


async def measure(url: str, rounds: int) -> list[str]:
    db = Database(url)
    migrations.upgrade(db.engine)
    seed_demo_catalog(db, products=200, seed=7)
    tag = secrets.token_hex(3)

    def server(principal: str) -> Any:
        settings = load_settings(
            env="test", database_url=url, seed_demo_catalog=False, log_level="WARNING", principal=principal
        )
        return build_server(settings, db=db)

    rows = []
    async with Client(server(f"alice-{tag}")) as alice, Client(server(f"bob-{tag}")) as bob:
        ids = await victim(alice)
        own = (await call(bob, "new_session", {}))["session_id"]
        for name, make in cases(ids, own).items():
            times: dict[bool, list[float]] = {True: [], False: []}
            for index in range(rounds * 2):
                real = index % 2 == 0
                tool, args = make(real)
                started = time.perf_counter()
                answer = await call(bob, tool, args)
                times[real].append((time.perf_counter() - started) * 1000)
                assert answer["error"]["code"] == "not_found", answer
            foreign, missing = (sorted(times[k]) for k in (True, False))
            p90 = int(len(foreign) * 0.9)
            rows.append(
                f"| {name} | {statistics.median(foreign):.2f} | {statistics.median(missing):.2f} | "
                f"{statistics.median(foreign) / statistics.median(missing):.2f} | "
                f"{foreign[p90]:.2f} | {missing[p90]:.2f} |"
            )
    db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=300, help="Calls of each kind per id type.")
    args = parser.parse_args()
    configure_logging(log_format="console", level="WARNING")
    rows = anyio.run(measure, args.database_url, args.rounds)
    print(f"{args.database_url.split(':')[0]}, {args.rounds} calls each, load {os.getloadavg()[0]:.1f}")
    print("| id type (tool) | foreign median ms | missing median ms | ratio | foreign p90 | missing p90 |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
