"""HTTP load: many agents shopping at once through real server processes, as a harness would run them.

Starts `--processes` `shopmcp serve --transport http` processes (bearer tokens on, so stateless) on
one database, fills it with a demo store, then runs `--agents` concurrent agents, each doing
`--trips` whole trips over Streamable HTTP (search_products, get_product, new_session, add_to_cart,
view_cart, preview_checkout, place_order), every agent on its own principal and spread over the
processes round-robin; half the agents speak the 2026-07-28 era, half the handshake era.
Reports trips per second and per-tool latency percentiles as the agents saw them:

    .venv/bin/python -m bench.http_load --database-url sqlite:////tmp/bench-http.db
    .venv/bin/python -m bench.http_load --database-url postgresql+psycopg://postgres@127.0.0.1/bench_http \\
        --processes 2

The database must be empty or hold an earlier run's store. Results recorded in bench/http_load_results.md.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from sqlmodel import col, select

from bench.servers import free_port
from shopmcp import migrations
from shopmcp.auth.static_tokens import create_token
from shopmcp.db import Database
from shopmcp.models.catalog import Offer, Product
from shopmcp.services.ingest.generator import seed_demo_catalog

ADDRESS = {
    "name": "Bench Buyer",
    "line1": "1 Market St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}
PUBLIC_URL = "http://shop.bench/mcp"
STARTUP_TIMEOUT = 60.0

Timings = dict[str, list[float]]


def prepare(url: str, products: int) -> list[tuple[int, str]]:
    """Migrate and seed; return (product id, title) of products with plenty of stock."""
    db = Database(url)
    migrations.upgrade(db.engine)
    seed_demo_catalog(db, products=products, seed=42)
    with db.read() as tx:
        rows = tx.exec(
            select(Product.id, Product.title)
            .join(Offer, col(Offer.product_id) == Product.id)
            .where(Product.status == "active", col(Offer.active), col(Offer.stock) >= 50)
            .distinct()
            .limit(200)
        ).all()
    db.dispose()
    return [(product_id, title) for product_id, title in rows if product_id is not None]


def start_servers(url: str, count: int, tokens_file: Path, work: Path) -> list[tuple[subprocess.Popen[bytes], int]]:
    servers = []
    for index in range(count):
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPMCP_", "OTEL_"))}
        env.update(
            SHOPMCP_DATABASE_URL=url,
            SHOPMCP_SEED_DEMO_CATALOG="false",
            SHOPMCP_TOKENS_FILE=str(tokens_file),
            SHOPMCP_PUBLIC_URL=PUBLIC_URL,
            SHOPMCP_RATE_LIMIT="",
            SHOPMCP_LOG_LEVEL="WARNING",
            SHOPMCP_DATA_DIR=str(work),
        )
        command = [sys.executable, "-m", "shopmcp", "serve", "--transport", "http", "--port", str(port)]
        log = (work / f"server{index}.log").open("wb")
        servers.append((subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log), port))
    for process, port in servers:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"server on {port} exited; see {work}")
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit(f"server on {port} did not get ready; see {work}")
    return servers


async def timed(client: Client, timings: Timings, tool: str, **args: Any) -> dict[str, Any]:
    started = time.perf_counter()
    result = await client.call_tool(tool, args)
    timings[tool].append((time.perf_counter() - started) * 1000)
    if result.is_error or result.structured_content is None:
        raise RuntimeError(f"{tool}: {result.structured_content or result.content}")
    content: dict[str, Any] = result.structured_content
    return content


async def agent(url: str, token: str, mode: str, products: list[tuple[int, str]], trips: int, timings: Timings) -> int:
    placed = 0
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        for trip in range(trips):
            product_id, title = products[(hash(token) + trip) % len(products)]
            await timed(client, timings, "search_products", query=title.split()[0], limit=10)
            detail = await timed(client, timings, "get_product", product_id=product_id)
            offer = next(offer for offer in detail["offers"] if offer["stock"] is None or offer["stock"] >= 2)
            session_id = (await timed(client, timings, "new_session"))["session_id"]
            await timed(client, timings, "add_to_cart", offer_id=offer["id"], quantity=1, session_id=session_id)
            await timed(client, timings, "view_cart", session_id=session_id)
            quote = await timed(client, timings, "preview_checkout", shipping_address=ADDRESS, session_id=session_id)
            key = f"bench-{secrets.token_hex(8)}"
            await timed(
                client, timings, "place_order", quote_id=quote["quote_id"], idempotency_key=key, session_id=session_id
            )
            placed += 1
    return placed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(args: argparse.Namespace, products: list[tuple[int, str]], ports: list[int], tokens: list[str]) -> None:
    timings: Timings = defaultdict(list)
    placed: list[int] = []

    async def one(index: int) -> None:
        url = f"http://127.0.0.1:{ports[index % len(ports)]}/mcp"
        mode = "auto" if index % 2 == 0 else "legacy"
        placed.append(await agent(url, tokens[index], mode, products, args.trips, timings))

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for index in range(args.agents):
            group.start_soon(one, index)
    elapsed = time.perf_counter() - started
    calls = sum(len(values) for values in timings.values())
    print(f"{args.agents} agents x {args.trips} trips over {len(ports)} process(es), {args.database_url.split(':')[0]}")
    print(
        f"{sum(placed)} orders in {elapsed:.1f} s: {sum(placed) / elapsed:.1f} trips/s, {calls / elapsed:.0f} calls/s"
    )
    print(f"{'tool':<18} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for tool, values in timings.items():
        print(
            f"{tool:<18} {len(values):>6} {statistics.median(values):>8.1f} {percentile(values, 0.95):>8.1f}"
            f" {statistics.fmean(values):>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--agents", type=int, default=16)
    parser.add_argument("--trips", type=int, default=5)
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()

    products = prepare(args.database_url, args.products)
    with tempfile.TemporaryDirectory(prefix="shopmcp-bench-") as directory:
        work = Path(directory)
        tokens_file = work / "tokens.json"
        tokens = [
            create_token(tokens_file, principal=f"agent-{index}", audience=PUBLIC_URL).token
            for index in range(args.agents)
        ]
        servers = start_servers(args.database_url, args.processes, tokens_file, work)
        try:
            anyio.run(run, args, products, [port for _, port in servers], tokens)
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait(15)


if __name__ == "__main__":
    main()
