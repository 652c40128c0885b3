"""Malformed traffic at the transport: stdio and Streamable HTTP answer with protocol errors and keep serving.

stdio: raw bytes go to one `shopmcp serve` child; each attack gets its JSON-RPC
answer (or, for a notification, none), then an `mcp.Client` over the very same
pipes creates a session. HTTP: raw requests (and raw sockets, for bodies that
lie about their length or stop halfway) against a real `shopmcp serve
--transport http`, each followed by a tool call from a parallel SDK client.
"""

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client

from shopmcp.db import Database
from tests.reliability.pipes import PipeServer, stdio_server
from tests.serving.conftest import ServerProcess, connect, database_url, make_server, server_env

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
HEADER_MISMATCH = -32020
"""2026-07-28 over HTTP: routing headers (`Mcp-Method`, `Mcp-Name`) that the body contradicts."""
BODY_LIMIT = 65536
MODERN = "2026-07-28"

_META = (
    b'"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'
)
"""The envelope every 2026-07-28 request carries (the session is in that era once a client has called)."""

STDIO_ATTACKS: list[tuple[str, bytes, int | None]] = [
    ("broken JSON", b'{"jsonrpc": "2.0", "id": 1, "method": ', PARSE_ERROR),
    ("binary garbage", b"\xff\xfe\x00\x80garbage\x01\x02", PARSE_ERROR),
    ("blank line", b"   ", PARSE_ERROR),
    ("truncated request", b'{"jsonrpc":"2.0","id":8,"method":"tools/li', PARSE_ERROR),
    ("nesting 100,000 deep", b"[" * 100_000, PARSE_ERROR),
    ("an 8 MB line", b"x" * (8 * 1024 * 1024), PARSE_ERROR),
    ("JSON that is not JSON-RPC", b'{"hello": "world"}', INVALID_REQUEST),
    ("a bare number", b"42", INVALID_REQUEST),
    ("JSON-RPC 1.0", b'{"jsonrpc":"1.0","id":9,"method":"tools/list"}', INVALID_REQUEST),
    ("a batch array", b'[{"jsonrpc":"2.0","id":2,"method":"tools/list"}]', INVALID_REQUEST),
    ("an empty batch", b"[]", INVALID_REQUEST),
    ("params not an object", b'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":"x"}', INVALID_REQUEST),
    (
        "an unknown method",
        b'{"jsonrpc":"2.0","id":4,"method":"shop/steal","params":{' + _META + b"}}",
        METHOD_NOT_FOUND,
    ),
    (
        "a tool name of the wrong type",
        b'{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":7,' + _META + b"}}",
        INVALID_PARAMS,
    ),
    ("an unknown tool", b'{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"x",' + _META + b"}}", 0),
    ("a request without the envelope", b'{"jsonrpc":"2.0","id":7,"method":"tools/list"}', INVALID_PARAMS),
    ("a huge id", b'{"jsonrpc":"2.0","id":' + b"9" * 400 + b',"method":"tools/list","params":{' + _META + b"}}", 0),
    ("an unknown notification", b'{"jsonrpc":"2.0","method":"shop/ping"}', None),
]


async def _still_serves(server: PipeServer) -> None:
    """A real client on the same pipes creates a shopping session."""
    with anyio.fail_after(60):
        async with Client(server.transport()) as client:
            result = await client.call_tool("new_session", {})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["session_id"].startswith("ses_")


def _check_answer(name: str, attack: bytes, code: int, answer: dict[str, Any]) -> None:
    if code == 0:  # a request the protocol accepts: its own answer, by id
        assert answer["id"] == json.loads(attack)["id"], (name, answer)
        return
    assert answer["error"]["code"] == code, (name, answer)
    if code in (PARSE_ERROR, INVALID_REQUEST):
        assert answer["id"] is None, (name, answer)


def _stdio_env(tmp_path: Path, database: Database) -> dict[str, str]:
    return server_env(tmp_path, database_url(database), log_level="WARNING")


async def test_the_stdio_server_answers_every_malformed_line_and_keeps_its_session(
    database: Database, tmp_path: Path
) -> None:
    async with stdio_server(_stdio_env(tmp_path, database), tmp_path / "server.log") as server:
        await _still_serves(server)
        for name, attack, code in STDIO_ATTACKS:
            await server.send_raw(attack + b"\n")
            if code is not None:
                _check_answer(name, attack, code, json.loads(await server.read_line()))
            await _still_serves(server)
        assert server.process.returncode is None


async def test_the_stdio_server_exits_cleanly_when_stdin_closes_in_the_middle_of_a_message(
    database: Database, tmp_path: Path
) -> None:
    async with stdio_server(_stdio_env(tmp_path, database), tmp_path / "server.log") as server:
        await _still_serves(server)
        await server.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"tools/')
        assert server.process.stdin is not None
        await server.process.stdin.aclose()
        with anyio.fail_after(30):
            status = await server.process.wait()
    assert status == 0, (tmp_path / "server.log").read_text()


# --- HTTP ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = make_server(tmp_path_factory.mktemp("malformed"), database, max_request_bytes=str(BODY_LIMIT)).start()
    yield server
    server.stop()


def _headers(server: ServerProcess, era: str) -> dict[str, str]:
    headers = {
        "Authorization": f"Bearer {server.tokens['alice']}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
    }
    if era == "modern":
        headers["MCP-Protocol-Version"] = MODERN
    return headers


HTTP_ATTACKS: list[tuple[str, bytes, set[int]]] = [
    ("broken JSON", b'{"jsonrpc": "2.0", "id": 1, "method": ', {PARSE_ERROR}),
    ("binary garbage", b"\xff\xfe\x00\x80garbage", {PARSE_ERROR}),
    ("nesting 50,000 deep", b"[" * 50_000, {PARSE_ERROR}),
    ("JSON that is not JSON-RPC", b'{"hello": "world"}', {INVALID_REQUEST, INVALID_PARAMS}),
    ("a batch array", b'[{"jsonrpc":"2.0","id":2,"method":"tools/list"}]', {INVALID_REQUEST, INVALID_PARAMS}),
    (
        "an unknown method",
        b'{"jsonrpc":"2.0","id":4,"method":"shop/steal","params":{' + _META + b"}}",
        {METHOD_NOT_FOUND, INVALID_REQUEST},
    ),
    (
        "a tool name of the wrong type",
        b'{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":7,' + _META + b"}}",
        {INVALID_PARAMS, INVALID_REQUEST, HEADER_MISMATCH},
    ),
    (
        "a huge id",
        b'{"jsonrpc":"2.0","id":' + b"9" * 400 + b',"method":"tools/list"}',
        {0, PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS},
    ),
]
"""Both eras answer these with HTTP 4xx and a JSON-RPC error (0: a request the protocol accepts, answered
by its own id, however large); the handshake-era path of the SDK
says -32602 (not -32600) for a body that is not a JSON-RPC message, and -32600 "missing session"
for any request before `initialize`."""


def _routing(body: bytes, era: str) -> dict[str, str]:
    """The `Mcp-Method` header a 2026-07-28 client sends with a request it could have sent."""
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    if era != "modern" or not isinstance(decoded, dict):
        return {}
    return {"Mcp-Method": str(decoded.get("method", ""))}


async def _http_still_serves(server: ServerProcess) -> None:
    with anyio.fail_after(60):
        async with connect(server.mcp_url, token=server.tokens["bob"]) as client:
            result = await client.call_tool("list_categories", {})
    assert not result.is_error, result.content


@pytest.mark.parametrize("era", ["modern", "handshake"])
async def test_http_answers_malformed_bodies_with_protocol_errors_and_keeps_serving(
    http_server: ServerProcess, era: str
) -> None:
    headers = _headers(http_server, era)
    async with httpx2.AsyncClient(timeout=30) as http:
        for name, body, codes in HTTP_ATTACKS:
            response = await http.post(http_server.mcp_url, content=body, headers=headers | _routing(body, era))
            assert 400 <= response.status_code < 500 or response.status_code == 200, (name, response.status_code)
            answer: dict[str, Any] = response.json()
            if "result" in answer:  # 0 in codes: a request the protocol accepts, answered by its id
                assert 0 in codes, (name, era, answer)
                assert answer["id"] == json.loads(body)["id"], (name, era, answer)
            else:
                assert answer["error"]["code"] in codes, (name, era, answer)
            assert "Traceback" not in response.text
            await _http_still_serves(http_server)


async def test_http_refuses_an_oversized_body_and_a_wrong_content_type(http_server: ServerProcess) -> None:
    headers = _headers(http_server, "modern")
    oversized = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "pad": "x" * (2 * BODY_LIMIT)})
    async with httpx2.AsyncClient(timeout=30) as http:
        too_big = await http.post(http_server.mcp_url, content=oversized.encode(), headers=headers)
        plain = await http.post(http_server.mcp_url, content=b"{}", headers={**headers, "Content-Type": "text/plain"})
    assert too_big.status_code == 413
    assert 400 <= plain.status_code < 500
    await _http_still_serves(http_server)


def _raw_request(server: ServerProcess, declared_length: int, body: bytes) -> socket.socket:
    """A socket that sent request headers declaring `declared_length` bytes, then `body`."""
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {server.tokens['alice']}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {MODERN}\r\n"
        f"Content-Length: {declared_length}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(head + body)
    return sock


async def test_http_bodies_that_stop_halfway_do_not_stop_other_clients(http_server: ServerProcess) -> None:
    body = b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
    # Held open, promising more than was sent: other clients are served meanwhile.
    held = [_raw_request(http_server, len(body) * 10, body) for _ in range(20)]
    try:
        await _http_still_serves(http_server)
    finally:
        for sock in held:
            sock.close()  # closed mid-body: the server drops the request
    # Declaring less than is sent: the rest is a second, malformed request on the connection.
    short = _raw_request(http_server, 10, body)
    short.shutdown(socket.SHUT_WR)
    answer = b""
    with short:
        while chunk := short.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 4"), answer[:200]
    # Declaring a length above the limit is refused before the body arrives.
    huge = _raw_request(http_server, 10 * BODY_LIMIT, b"")
    with huge:
        status_line = huge.recv(65536).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
    await _http_still_serves(http_server)


def _drain_until_closed(sock: socket.socket) -> None:
    while sock.recv(65536):
        pass


def test_http_keeps_an_idle_keep_alive_connection_open_past_five_seconds(http_server: ServerProcess) -> None:
    """uvicorn's default (5 s) closed idle connections just as agents under load sent their next call."""
    body = b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{' + _META + b"}}"
    sock = _raw_request(http_server, len(body), body)
    with sock:
        sock.settimeout(30)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 "), answer[:200]
        assert b"connection: close" not in answer.lower()
        sock.settimeout(7)  # past uvicorn's default keep-alive of 5 s; the server must not close it
        with pytest.raises(TimeoutError):
            _drain_until_closed(sock)
