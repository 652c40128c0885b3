"""Start-up: from spawning the server over stdio to the first tool result, shopmcp against the echo server.

Each start is a fresh process spawned by the SDK's stdio client, timed until the first `call_tool` returns
(`get_product` for shopmcp, `echo` for the echo server), the two taking turns. shopmcp starts on an
existing, already-seeded SQLite database (the common case: demo seeding on, so the seeding check runs and
finds the catalog); a first-ever start with demo seeding into an empty data directory is noted once.
Target: shopmcp's median at most 1.3x echo's.
"""

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import StdioServerParameters

from bench import servers
from bench.harness import BenchContext, Row
from bench.workload import Catalog

NAME = "startup"
CATALOG_PRODUCTS = 10_000
QUICK_PRODUCTS = 500
MAX_RATIO = 1.3


def run(ctx: BenchContext) -> list[Row]:
    starts = 2 if ctx.quick else 12
    url = ctx.catalog("sqlite", QUICK_PRODUCTS if ctx.quick else CATALOG_PRODUCTS)
    product_id = Catalog.load(url, limit=1, cart=False).product_ids[0]
    shop_params = servers.stdio_params("shopmcp", url, env=servers.shopmcp_env(url, seed=True))
    echo_params = servers.stdio_params("echo", "")
    echo: list[float] = []
    shop: list[float] = []
    for index in range(starts):
        ctx.log(f"startup: {index + 1}/{starts}")
        echo.append(anyio.run(_first_result, echo_params, "echo", {"text": "hello"}))
        shop.append(anyio.run(_first_result, shop_params, "get_product", {"product_id": product_id}))
    echo_median, shop_median = statistics.median(echo), statistics.median(shop)
    rows = [
        Row.measured(
            NAME,
            "echo server, spawn to first result",
            echo_median * 1000,
            "ms",
            backend="sqlite",
            extra={"samples_ms": [round(s * 1000, 1) for s in echo]},
        ),
        Row.versus(
            NAME,
            "shopmcp, seeded database, spawn to first result",
            shop_median * 1000,
            echo_median * 1000,
            "ms",
            baseline_name="echo",
            backend="sqlite",
            max_ratio=MAX_RATIO,
            extra={"samples_ms": [round(s * 1000, 1) for s in shop]},
        ),
    ]
    rows.append(_first_ever(ctx, echo_median))
    return rows


def _first_ever(ctx: BenchContext, echo_median: float) -> Row:
    """One start into an empty data directory: migrations, demo catalog and coupons, then the first result."""
    products = 300 if ctx.quick else 5000
    with tempfile.TemporaryDirectory(prefix="shopmcp-bench-first-") as data_dir:
        env = servers.shopmcp_env("", seed=True, data_dir=Path(data_dir))
        env["SHOPMCP_DEMO_PRODUCTS"] = str(products)
        params = servers.stdio_params("shopmcp", "", env=env)
        seconds = anyio.run(_first_result, params, "search_products", {"query": ""})
    return Row.versus(
        NAME,
        f"shopmcp, first-ever start seeding {products:,} demo products",
        seconds * 1000,
        echo_median * 1000,
        "ms",
        baseline_name="echo",
        backend="sqlite",
    )


async def _first_result(params: StdioServerParameters, tool: str, arguments: dict[str, Any]) -> float:
    started = time.perf_counter()
    with anyio.fail_after(600):
        async with servers.stdio_client(params) as client:
            result = await client.call_tool(tool, arguments)
            elapsed = time.perf_counter() - started
    if result.is_error:
        raise RuntimeError(f"{tool} failed on start: {result.content}")
    return elapsed
