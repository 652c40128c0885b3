"""Tool-call cost: median and p99 of four shopmcp tools against the echo tool, per transport and backend.

Per transport (in memory, stdio, Streamable HTTP) an echo server and a shopmcp server run side by side;
the calls go one at a time, in rounds that take turns between echo and each tool, so a burst of load
from elsewhere on the machine falls on all of them alike. Target: get_product's median at most 2x echo's.
"""

import time
from typing import Any

import anyio

from bench import servers
from bench.harness import BenchContext, Row, summarize
from bench.servers import TRANSPORTS, Transport
from bench.workload import Caller, Catalog

NAME = "calls"
TOOLS = ("get_product", "search_products", "add_to_cart", "view_cart")
CATALOG_PRODUCTS = 10_000
QUICK_PRODUCTS = 500
GET_PRODUCT_MAX_RATIO = 2.0


def run(ctx: BenchContext) -> list[Row]:
    rows: list[Row] = []
    rounds, per_round, warmup = (2, 5, 3) if ctx.quick else (10, 30, 30)
    for backend in ctx.backends:
        url = ctx.catalog(backend, QUICK_PRODUCTS if ctx.quick else CATALOG_PRODUCTS)
        catalog = Catalog.load(url)
        # --quick: every transport on SQLite, PostgreSQL in memory only (each transport spawns two servers).
        transports = TRANSPORTS if not ctx.quick or backend == "sqlite" else ("memory",)
        for transport in transports:
            ctx.log(f"calls: {backend}, {transport}")
            samples = anyio.run(_measure, transport, url, catalog, rounds, per_round, warmup)
            rows += _rows(samples, backend, transport)
        rows.append(_service_alone(url, catalog, backend, rounds * per_round))
        rows.append(anyio.run(_without_schema_check, url, catalog, backend, rounds * per_round))
    return rows


async def _without_schema_check(url: str, catalog: Catalog, backend: str, count: int) -> Row:
    """get_product in memory with the SDK client's output-schema check switched off, against it on.

    The client validates every structured result against the tool's outputSchema (jsonschema); this
    shows that check's share of the call, in the same process and the same minute.
    """
    from mcp.client.session import ClientSession

    checked: list[float] = []
    unchecked: list[float] = []
    original = ClientSession.validate_tool_result

    async def no_check(_self: ClientSession, _name: str, _result: Any) -> None:
        return None

    async with servers.connect("shopmcp", "memory", url) as client:
        caller = Caller(client, catalog)
        for _ in range(10):
            await caller.call("get_product")
        try:
            for index in range(count):
                samples = checked if index % 2 else unchecked
                ClientSession.validate_tool_result = original if index % 2 else no_check  # type: ignore[method-assign,assignment]
                started = time.perf_counter()
                await caller.call("get_product")
                samples.append(time.perf_counter() - started)
        finally:
            ClientSession.validate_tool_result = original  # type: ignore[method-assign]
    stats = summarize(unchecked)
    return Row.versus(
        NAME,
        "get_product median, memory, client's output-schema check off",
        stats.median_ms,
        summarize(checked).median_ms,
        "ms",
        baseline_name="check on",
        backend=backend,
        extra=stats.as_dict(),
    )


def _service_alone(url: str, catalog: Catalog, backend: str, count: int) -> Row:
    """get_product's service function called directly (no MCP, no thread hop): the database part of the cost."""
    from shopmcp.db import Database
    from shopmcp.services.catalog.product import get_product

    db = Database(url)
    try:
        samples = []
        for index in range(count + 10):
            started = time.perf_counter()
            db.run_read(get_product, product_id=catalog.product_ids[index % len(catalog.product_ids)])
            if index >= 10:  # the first calls warm the connection pool and statement cache
                samples.append(time.perf_counter() - started)
    finally:
        db.dispose()
    stats = summarize(samples)
    return Row.measured(
        NAME, "get_product service alone, no MCP, median", stats.median_ms, "ms", backend=backend, extra=stats.as_dict()
    )


async def _measure(
    transport: Transport, url: str, catalog: Catalog, rounds: int, per_round: int, warmup: int
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in ("echo", *TOOLS)}
    async with servers.connect("echo", transport) as echo, servers.connect("shopmcp", transport, url) as shop:
        callers = {"echo": Caller(echo, None), **{tool: Caller(shop, catalog) for tool in TOOLS}}
        for name, caller in callers.items():
            await caller.prepare(name)
            for _ in range(warmup):
                await caller.call(name)
        for _ in range(rounds):
            for name, caller in callers.items():
                for _ in range(per_round):
                    started = time.perf_counter()
                    await caller.call(name)
                    samples[name].append(time.perf_counter() - started)
    return samples


def _rows(samples: dict[str, list[float]], backend: str, transport: str) -> list[Row]:
    echo = summarize(samples["echo"])
    rows = [
        Row.measured(NAME, f"echo median, {transport}", echo.median_ms, "ms", extra=echo.as_dict()),
        Row.measured(NAME, f"echo p99, {transport}", echo.p99_ms, "ms"),
    ]
    for tool in TOOLS:
        stats = summarize(samples[tool])
        limit = GET_PRODUCT_MAX_RATIO if tool == "get_product" else None
        rows.append(
            Row.versus(
                NAME,
                f"{tool} median, {transport}",
                stats.median_ms,
                echo.median_ms,
                "ms",
                baseline_name="echo",
                backend=backend,
                max_ratio=limit,
                extra=stats.as_dict(),
            )
        )
        rows.append(
            Row.versus(
                NAME, f"{tool} p99, {transport}", stats.p99_ms, echo.p99_ms, "ms", baseline_name="echo", backend=backend
            )
        )
    for row in rows[:2]:
        row.backend = backend
    return rows
