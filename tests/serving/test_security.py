"""Origin and Host checks, the body size limit, health routes, and refusing unsafe binds."""

import subprocess
import sys
from pathlib import Path

import httpx2

from shopmcp.db import Database
from tests.serving.conftest import ServerProcess, database_url, free_port, make_server, server_env

PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def _post(server: ServerProcess, *, content: bytes | None = None, **headers: str) -> httpx2.Response:
    headers = {**JSON_HEADERS, "Authorization": f"Bearer {server.tokens['alice']}", **headers}
    if content is None:
        return httpx2.post(server.mcp_url, json=PING, headers=headers, timeout=10)
    return httpx2.post(server.mcp_url, content=content, headers=headers, timeout=10)


def test_a_browser_page_from_a_foreign_origin_gets_403(http_server: ServerProcess) -> None:
    assert _post(http_server, Origin="http://evil.example").status_code == 403


def test_a_page_from_the_servers_own_origin_is_served(http_server: ServerProcess) -> None:
    assert _post(http_server, Origin=http_server.base_url).status_code == 200


def test_a_request_for_another_host_name_is_refused(http_server: ServerProcess) -> None:
    # What a DNS-rebinding attack looks like: the right address, someone else's name.
    assert _post(http_server, Host="attacker.example").status_code == 421


def test_the_sse_transport_checks_origin_too(sse_server: ServerProcess) -> None:
    headers = {"Authorization": f"Bearer {sse_server.tokens['alice']}", "Origin": "http://evil.example"}
    with httpx2.stream("GET", f"{sse_server.base_url}/sse", headers=headers, timeout=10) as response:
        assert response.status_code == 403


def test_a_body_over_the_limit_is_refused_with_413(http_server: ServerProcess) -> None:
    # The package's server allows 64 KiB.
    oversized = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "' + b"x" * 70_000 + b'"}}'

    assert _post(http_server, content=oversized).status_code == 413


def test_a_body_under_the_limit_is_served(http_server: ServerProcess) -> None:
    padded = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"_meta": {"pad": "' + b"x" * 60_000 + b'"}}}'

    assert _post(http_server, content=padded).status_code == 200


def test_liveness_and_readiness_answer_without_a_token(http_server: ServerProcess) -> None:
    live = httpx2.get(f"{http_server.base_url}/healthz", timeout=10)
    ready = httpx2.get(f"{http_server.base_url}/readyz", timeout=10)

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "ok"})


def _serve_refused(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "shopmcp", "serve", "--transport", "http", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_serving_beyond_loopback_without_auth_is_refused(database: Database, tmp_path: Path) -> None:
    env = server_env(tmp_path, database_url(database), public_url="http://shop.test/mcp")

    finished = _serve_refused(env, "--host", "0.0.0.0", "--port", str(free_port()))

    assert finished.returncode == 2
    assert "without authentication" in finished.stderr


def test_serving_beyond_loopback_needs_the_public_url(database: Database, tmp_path: Path) -> None:
    env = server_env(tmp_path, database_url(database), jwt_secret="s" * 32)

    finished = _serve_refused(env, "--host", "0.0.0.0", "--port", str(free_port()))

    assert finished.returncode == 2
    assert "SHOPMCP_PUBLIC_URL" in finished.stderr


def test_the_server_stops_cleanly_on_sigint(database: Database, tmp_path: Path) -> None:
    server = make_server(tmp_path, database).start()

    server.stop()

    assert server.process is not None
    assert server.process.returncode == 0
    assert "Traceback" not in server.log()
