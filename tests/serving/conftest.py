"""Real server processes on free loopback ports, and SDK clients that talk to them.

Servers are started as `python -m shopmcp serve --transport http|sse` over
the shared test database of each backend, with a static-token file and a
JWT secret, and stopped at the end of the package (or module) that started
them. Every wait is bounded: a server that does not answer `/healthz` within
`STARTUP_TIMEOUT` fails the test with its log.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from shopmcp.auth.static_tokens import create_token
from shopmcp.db import Database

STARTUP_TIMEOUT = 40.0
STOP_TIMEOUT = 15.0
CLIENT_TIMEOUT = 30.0
JWT_SECRET = "test-secret-" + "x" * 32
JWT_ISSUER = "https://issuer.test"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


@dataclass
class ServerProcess:
    """One `shopmcp serve` child process."""

    port: int
    transport: str
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    """principal -> static token issued for this server."""
    audience: str = ""
    """The public URL tokens must be issued for (default: this process's own URL)."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> "ServerProcess":
        command = [sys.executable, "-m", "shopmcp", "serve", "--transport", self.transport, "--port", str(self.port)]
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file, env=self.env
            )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            try:
                if httpx2.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"server did not answer /healthz within {timeout} s:\n{self.log()[-4000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def make_jwt(self, subject: str, **claims: Any) -> str:
        """A JWT this server accepts for `subject`, unless `claims` override what makes it valid."""
        payload = {"sub": subject, "aud": self.audience, "iss": JWT_ISSUER, "exp": int(time.time()) + 600}
        payload.update(claims)
        return jwt.encode({k: v for k, v in payload.items() if v is not None}, JWT_SECRET, algorithm="HS256")


def server_env(tmp_dir: Path, db_url: str, **settings: str) -> dict[str, str]:
    """The child's environment: ours minus any SHOPMCP_/OTEL_ setting, plus `settings` (SHOPMCP_<NAME>)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPMCP_", "OTEL_"))}
    env.update(
        {
            "SHOPMCP_ENV": "test",
            "SHOPMCP_DATA_DIR": str(tmp_dir),
            "SHOPMCP_DATABASE_URL": db_url,
            "SHOPMCP_SEED_DEMO_CATALOG": "false",
            "SHOPMCP_LOG_FORMAT": "json",
            "SHOPMCP_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({f"SHOPMCP_{name.upper()}": value for name, value in settings.items()})
    return env


def make_server(
    tmp_dir: Path,
    db: Database,
    *,
    transport: str = "http",
    principals: tuple[str, ...] = ("alice", "bob"),
    auth: bool = True,
    tokens_from: ServerProcess | None = None,
    **settings: str,
) -> ServerProcess:
    """A server (not yet started) with static tokens for `principals` and JWTs signed with `JWT_SECRET`.

    `tokens_from` shares another server's token file, as processes behind one
    load balancer do; they then also need the same `public_url`.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    audience = settings.get("public_url") or f"http://127.0.0.1:{port}/mcp"
    tokens: dict[str, str] = dict(tokens_from.tokens) if tokens_from else {}
    if auth:
        tokens_file = tmp_dir / "tokens.json"
        if tokens_from is not None:
            tokens_file = Path(tokens_from.env["SHOPMCP_TOKENS_FILE"])
        else:
            for principal in principals:
                tokens[principal] = create_token(tokens_file, principal=principal, audience=audience).token
        settings = {
            "tokens_file": str(tokens_file),
            "jwt_secret": JWT_SECRET,
            "jwt_issuer": JWT_ISSUER,
            **settings,
        }
    env = server_env(tmp_dir, database_url(db), http_port=str(port), **settings)
    return ServerProcess(
        port=port, transport=transport, log_path=tmp_dir / "server.log", env=env, tokens=tokens, audience=audience
    )


def running_pair(first: ServerProcess, second: ServerProcess) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Start two servers (as behind a load balancer), yield them, stop both; the first stops if the second fails."""
    first.start()
    try:
        second.start()
    except BaseException:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture(scope="package")
def http_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Streamable HTTP with auth (static tokens and JWTs), shared by the package, per backend."""
    server = make_server(tmp_path_factory.mktemp("http"), database, max_request_bytes="65536").start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def sse_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The legacy SSE transport with auth, shared by the package, per backend."""
    server = make_server(tmp_path_factory.mktemp("sse"), database, transport="sse").start()
    yield server
    server.stop()


def _auth_headers(token: str | None) -> dict[str, str] | None:
    return {"Authorization": f"Bearer {token}"} if token else None


@asynccontextmanager
async def connect(url: str, *, token: str | None = None, mode: str = "auto") -> AsyncIterator[Client]:
    """An SDK client over Streamable HTTP: `mode="legacy"` for the handshake era, `"auto"` negotiates 2026-07-28."""
    http = httpx2.AsyncClient(headers=_auth_headers(token), timeout=httpx2.Timeout(CLIENT_TIMEOUT))
    async with http, Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        yield client


@asynccontextmanager
async def connect_sse(base_url: str, *, token: str | None = None) -> AsyncIterator[Client]:
    """An SDK client over the legacy SSE transport."""
    transport = sse_client(f"{base_url}/sse", headers=_auth_headers(token), timeout=CLIENT_TIMEOUT)
    async with Client(transport, mode="legacy") as client:
        yield client
