"""Servers under test and the clients that talk to them: echo or shopmcp, in memory, over stdio or HTTP.

`connect(target, transport, url)` yields an `mcp.Client` connected to a fresh server. In memory the server
lives in this process; over stdio the SDK's client spawns it; over HTTP a real server process is started
on a free loopback port (`http_process`) and stopped afterwards. shopmcp runs as it would for a user:
`shopmcp serve`, INFO logging (one JSON line per tool call, to a log file), no demo seeding unless asked,
the HTTP rate limit raised out of reach (every client here is the same anonymous principal).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TextIO

import httpx2
from mcp import Client, StdioServerParameters

from bench.harness import REPO, SHOPMCP

Target = Literal["echo", "shopmcp"]
Transport = Literal["memory", "stdio", "http"]
TRANSPORTS: tuple[Transport, ...] = ("memory", "stdio", "http")
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
LOG_DIR = Path(tempfile.gettempdir()) / "shopmcp-bench-logs"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shopmcp_env(url: str, *, seed: bool = False, data_dir: Path | None = None) -> dict[str, str]:
    """Environment of a `shopmcp serve` process on `url` (empty url: SQLite in data_dir)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SHOPMCP_")}
    env.update(
        SHOPMCP_ENV="production",  # as deployed: JSON logs at INFO, PostgreSQL migrated beforehand
        SHOPMCP_DATABASE_URL=url,
        SHOPMCP_SEED_DEMO_CATALOG="true" if seed else "false",
        SHOPMCP_LOG_FORMAT="json",
        SHOPMCP_LOG_LEVEL="INFO",
        SHOPMCP_DATA_DIR=str(data_dir or Path(tempfile.gettempdir()) / "shopmcp-bench-data"),
        # All benchmark clients are one anonymous principal: the limiter still runs (its cost counts)
        # but at a rate no benchmark reaches.
        SHOPMCP_RATE_LIMIT="10000000/minute",
    )
    return env


def echo_command() -> list[str]:
    """argv of the echo server over stdio."""
    return [sys.executable, "-m", "bench.echo_server"]


def stdio_params(target: Target, url: str, *, env: dict[str, str] | None = None) -> StdioServerParameters:
    """How the SDK's stdio client spawns the server."""
    if target == "echo":
        command = echo_command()
        return StdioServerParameters(command=command[0], args=command[1:], cwd=REPO, env=dict(os.environ))
    return StdioServerParameters(command=SHOPMCP, args=["serve"], cwd=REPO, env=env or shopmcp_env(url))


@dataclass
class HttpServer:
    """A server process on a loopback port."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    @property
    def pid(self) -> int:
        return self.process.pid


@contextmanager
def http_process(target: Target, url: str = "") -> Iterator[HttpServer]:
    """Start the server over Streamable HTTP, wait until it accepts connections, stop it afterwards."""
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{target}-{port}.log"
    if target == "echo":
        command = [*echo_command(), "--transport", "http", "--port", str(port)]
        env = dict(os.environ)
    else:
        command = [SHOPMCP, "serve", "--transport", "http", "--port", str(port)]
        env = shopmcp_env(url)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file
        )
    server = HttpServer(process, port, log_path)
    try:
        _wait_listening(server)
        yield server
    finally:
        stop(process)


def _wait_listening(server: HttpServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}: {server.log_path.read_text()[-2000:]}")
        try:
            # Any HTTP answer means uvicorn is serving (the echo server has no health route).
            httpx2.get(f"http://127.0.0.1:{server.port}/healthz", timeout=2.0)
            return
        except httpx2.TransportError:
            time.sleep(0.05)  # polling a child process's port; bounded by the deadline
    raise RuntimeError(f"server did not listen within {STARTUP_TIMEOUT} s: {server.log_path.read_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT, then SIGKILL if it does not exit in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


def in_memory_shopmcp(url: str) -> Any:
    """shopmcp's MCPServer in this process on `url`, logging each call at INFO to a file (as a server does)."""
    from shopmcp.config import load_settings
    from shopmcp.db import Database
    from shopmcp.observability import configure_logging
    from shopmcp.server import build_server

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    stderr = sys.stderr
    # configure_logging binds its handler to sys.stderr as it is now: point that at a file for the call.
    sys.stderr = (LOG_DIR / "in-memory.log").open("a")
    try:
        configure_logging(log_format="json", level="INFO")
    finally:
        sys.stderr = stderr
    settings = load_settings(env="production", database_url=url, seed_demo_catalog=False)
    return build_server(settings, db=Database(url))


def stdio_client(params: StdioServerParameters) -> Client:
    """A client that spawns the server over stdio, its stderr (one log line per call) going to a file."""
    from mcp.client.stdio import stdio_client as transport

    return Client(transport(params, errlog=_stdio_log()))


@cache
def _stdio_log() -> TextIO:
    """One append-mode log for every stdio server of the run, open until the run ends."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return (LOG_DIR / "stdio.log").open("a")


@asynccontextmanager
async def connect(target: Target, transport: Transport, url: str = "") -> AsyncIterator[Client]:
    """An `mcp.Client` connected to a fresh server of `target` over `transport`."""
    if transport == "memory":
        from bench import echo_server

        server = echo_server.build() if target == "echo" else in_memory_shopmcp(url)
        async with Client(server) as client:
            yield client
    elif transport == "stdio":
        async with stdio_client(stdio_params(target, url)) as client:
            yield client
    else:
        with http_process(target, url) as process:
            async with Client(process.url) as client:
                yield client
