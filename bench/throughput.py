"""Throughput: calls per second of ONE server process over Streamable HTTP with 32 concurrent clients.

`get_product` and `search_products` on shopmcp against the echo tool on the echo server. The 32 clients
are `mcp.Client`s in this process, each calling in a loop for a fixed time. On a 2-core machine the
clients share the CPU with the server, so the server's own CPU time per call is recorded too (from
/proc/<pid>/stat): it shows what bounds the rate. Target: get_product at least 75% of echo's rate.
"""

import os
import time
from pathlib import Path

import anyio

from bench import servers
from bench.harness import BenchContext, Row
from bench.workload import Caller, Catalog

NAME = "throughput"
CLIENTS = 32
CATALOG_PRODUCTS = 10_000
QUICK_PRODUCTS = 500
MIN_RATIO = 0.75


def run(ctx: BenchContext) -> list[Row]:
    seconds = 2.0 if ctx.quick else 20.0
    # --quick: get_product only (the tool with a target); the echo server has no database, measured once.
    tools = ("get_product",) if ctx.quick else ("get_product", "search_products")
    ctx.log("throughput: echo")
    echo, echo_cpu = _rate("echo", "", "echo", None, seconds)
    rows = [Row.measured(NAME, f"echo, {CLIENTS} clients", echo, "calls/s", extra={"server_cpu_ms_per_call": echo_cpu})]
    for backend in ctx.backends:
        url = ctx.catalog(backend, QUICK_PRODUCTS if ctx.quick else CATALOG_PRODUCTS)
        catalog = Catalog.load(url)
        for tool in tools:
            ctx.log(f"throughput: {backend}, {tool}")
            rate, cpu = _rate("shopmcp", url, tool, catalog, seconds)
            rows.append(
                Row.versus(
                    NAME,
                    f"{tool}, {CLIENTS} clients",
                    rate,
                    echo,
                    "calls/s",
                    baseline_name="echo",
                    backend=backend,
                    min_ratio=MIN_RATIO if tool == "get_product" else None,
                    extra={"server_cpu_ms_per_call": cpu, "echo_server_cpu_ms_per_call": echo_cpu},
                )
            )
    return rows


def _rate(
    target: servers.Target, url: str, operation: str, catalog: Catalog | None, seconds: float
) -> tuple[float, float]:
    """(calls per second, server CPU milliseconds per call) over `seconds` of CLIENTS looping clients."""
    with servers.http_process(target, url) as process:
        return anyio.run(_drive, process, operation, catalog, seconds)


async def _drive(
    process: servers.HttpServer, operation: str, catalog: Catalog | None, seconds: float
) -> tuple[float, float]:
    from mcp import Client

    done = 0
    connected = 0
    deadline = 0.0
    all_connected, go = anyio.Event(), anyio.Event()

    async def client() -> None:
        nonlocal done, connected
        async with Client(process.url) as mcp_client:
            caller = Caller(mcp_client, catalog)
            await caller.call(operation)  # warm: connection and first-call costs stay out of the count
            connected += 1
            if connected == CLIENTS:
                all_connected.set()
            await go.wait()
            while time.perf_counter() < deadline:
                await caller.call(operation)
                done += 1

    async with anyio.create_task_group() as group:
        for _ in range(CLIENTS):
            group.start_soon(client)
        with anyio.fail_after(120):
            await all_connected.wait()
        cpu_before = _cpu_seconds(process.pid)
        started = time.perf_counter()
        deadline = started + seconds
        go.set()
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds(process.pid) - cpu_before
    return done / elapsed, cpu / max(done, 1) * 1000


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
