"""Memory: the shopmcp server process's RSS after start, after 10,000 and after 50,000 calls of a realistic mix.

One `shopmcp serve --transport http` process; a few concurrent clients make calls drawn by weight from
the mix in bench/workload.py (search, get_product, add_to_cart, view_cart, new_session). RSS is VmRSS of
/proc/<pid>/status. Target: growth from 10,000 to 50,000 calls under 10%.
"""

import anyio
from mcp import Client

from bench import servers
from bench.harness import BenchContext, Row, rss_kib
from bench.workload import Caller, Catalog, mix_sequence

NAME = "memory"
CATALOG_PRODUCTS = 10_000
QUICK_PRODUCTS = 500
CLIENTS = 8
MAX_GROWTH_PERCENT = 10.0


def run(ctx: BenchContext) -> list[Row]:
    first, second = (200, 600) if ctx.quick else (10_000, 50_000)
    rows: list[Row] = []
    for backend in ctx.backends:
        url = ctx.catalog(backend, QUICK_PRODUCTS if ctx.quick else CATALOG_PRODUCTS)
        catalog = Catalog.load(url)
        ctx.log(f"memory: {backend}, {second:,} calls")
        with servers.http_process("shopmcp", url) as process:
            at_start = rss_kib(process.pid)
            after_first = anyio.run(_calls, process, catalog, first, 1)
            rss_first = rss_kib(process.pid)
            anyio.run(_calls, process, catalog, second - first, 2)
            rss_second = rss_kib(process.pid)
        growth = (rss_second - rss_first) / rss_first * 100
        mib = 1024
        rows += [
            Row.measured(NAME, "RSS after start", at_start / mib, "MiB", backend=backend),
            Row.measured(
                NAME,
                f"RSS after {first:,} calls",
                rss_first / mib,
                "MiB",
                backend=backend,
                extra={"calls_per_second": after_first},
            ),
            Row.measured(NAME, f"RSS after {second:,} calls", rss_second / mib, "MiB", backend=backend),
            Row.measured(
                NAME,
                f"RSS growth {first:,} -> {second:,} calls",
                growth,
                "%",
                backend=backend,
                limit=MAX_GROWTH_PERCENT,
            ),
        ]
    return rows


async def _calls(process: servers.HttpServer, catalog: Catalog, count: int, seed: int) -> float:
    """Make `count` calls of the mix over CLIENTS concurrent clients; return calls per second."""
    import time

    operations = mix_sequence(count, seed=seed)
    started = time.perf_counter()

    async def client(share: list[str]) -> None:
        async with Client(process.url) as mcp_client:
            caller = Caller(mcp_client, catalog)
            for operation in share:
                await caller.call(operation)

    async with anyio.create_task_group() as group:
        for index in range(CLIENTS):
            group.start_soon(client, operations[index::CLIENTS])
    return count / (time.perf_counter() - started)
