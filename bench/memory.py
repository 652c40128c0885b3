"""Memory: the shopmcp server process's RSS after start, after 10,000 and after 50,000 calls of a realistic mix.

One `shopmcp serve --transport http` process per backend, all driven at once; per server, a few concurrent
clients make calls drawn by weight from the mix in bench/workload.py (search, get_product, add_to_cart,
view_cart, new_session). RSS is VmRSS of /proc/<pid>/status. The clients skip the SDK client's check of
each result against the tool's output schema: it costs the client, not the server, and would only make
the run longer. Target: growth from 10,000 to 50,000 calls under 10%.
"""

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import anyio
from mcp import Client
from mcp.client.session import ClientSession

from bench import servers
from bench.harness import BenchContext, Row, rss_kib
from bench.workload import Caller, Catalog, mix_sequence

NAME = "memory"
CATALOG_PRODUCTS = 10_000
QUICK_PRODUCTS = 500
CLIENTS = 8
MAX_GROWTH_PERCENT = 10.0
MIB = 1024


def run(ctx: BenchContext) -> list[Row]:
    first, second = (200, 600) if ctx.quick else (10_000, 50_000)
    rows: list[Row] = []
    catalogs = {
        backend: ctx.catalog(backend, QUICK_PRODUCTS if ctx.quick else CATALOG_PRODUCTS) for backend in ctx.backends
    }
    with ExitStack() as stack:
        started = {
            backend: stack.enter_context(servers.http_process("shopmcp", url)) for backend, url in catalogs.items()
        }
        loaded = {backend: Catalog.load(url) for backend, url in catalogs.items()}
        at_start = {backend: rss_kib(process.pid) for backend, process in started.items()}
        ctx.log(f"memory: {first:,} calls per backend")
        with _no_client_schema_check():
            rates = anyio.run(_phase, started, loaded, first, 1)
            after_first = {backend: rss_kib(process.pid) for backend, process in started.items()}
            ctx.log(f"memory: {second - first:,} more calls per backend")
            anyio.run(_phase, started, loaded, second - first, 2)
        after_second = {backend: rss_kib(process.pid) for backend, process in started.items()}
    for backend in catalogs:
        growth = (after_second[backend] - after_first[backend]) / after_first[backend] * 100
        rows += [
            Row.measured(NAME, "RSS after start", at_start[backend] / MIB, "MiB", backend=backend),
            Row.measured(
                NAME,
                f"RSS after {first:,} calls",
                after_first[backend] / MIB,
                "MiB",
                backend=backend,
                extra={"calls_per_second": rates[backend]},
            ),
            Row.measured(NAME, f"RSS after {second:,} calls", after_second[backend] / MIB, "MiB", backend=backend),
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


@contextmanager
def _no_client_schema_check() -> Iterator[None]:
    original = ClientSession.validate_tool_result

    async def no_check(_self: ClientSession, _name: str, _result: Any) -> None:
        return None

    ClientSession.validate_tool_result = no_check  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        ClientSession.validate_tool_result = original  # type: ignore[method-assign]


async def _phase(
    started: dict[str, servers.HttpServer], loaded: dict[str, Catalog], count: int, seed: int
) -> dict[str, float]:
    """`count` calls of the mix on every server at once; calls per second per backend."""
    rates: dict[str, float] = {}

    async def drive(backend: str) -> None:
        rates[backend] = await _calls(started[backend], loaded[backend], count, seed)

    async with anyio.create_task_group() as group:
        for backend in started:
            group.start_soon(drive, backend)
    return rates


async def _calls(process: servers.HttpServer, catalog: Catalog, count: int, seed: int) -> float:
    """Make `count` calls of the mix over CLIENTS concurrent clients; return calls per second."""
    operations = mix_sequence(count, seed=seed)
    began = time.perf_counter()

    async def client(share: list[str]) -> None:
        async with Client(process.url) as mcp_client:
            caller = Caller(mcp_client, catalog)
            for operation in share:
                await caller.call(operation)

    async with anyio.create_task_group() as group:
        for index in range(CLIENTS):
            group.start_soon(client, operations[index::CLIENTS])
    return count / (time.perf_counter() - began)
