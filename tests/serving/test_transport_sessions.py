"""Which HTTP servers keep handshake-era transport sessions in memory, and what anonymous callers get.

With auth on, nothing about a client lives in process memory (any process serves any request); on
loopback without auth, a handshake-era client gets a transport session, and an anonymous caller's
cart follows it.
"""

from collections.abc import Iterator

import httpx2
import pytest

from shopmcp.db import Database
from tests.calls import ok
from tests.serving.conftest import ServerProcess, connect, make_server
from tests.serving.shopping import stocked_product

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def open_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Loopback, no auth."""
    server = make_server(tmp_path_factory.mktemp("open"), database, auth=False).start()
    yield server
    server.stop()


def _initialize(server: ServerProcess, token: str | None = None) -> httpx2.Response:
    headers = {**JSON_HEADERS, **({"Authorization": f"Bearer {token}"} if token else {})}
    return httpx2.post(server.mcp_url, json=INITIALIZE, headers=headers, timeout=10)


def test_with_auth_the_handshake_opens_no_transport_session(http_server: ServerProcess) -> None:
    response = _initialize(http_server, http_server.tokens["alice"])

    assert response.status_code == 200
    assert "mcp-session-id" not in response.headers


def test_without_auth_on_loopback_the_handshake_opens_a_transport_session(open_server: ServerProcess) -> None:
    response = _initialize(open_server)

    assert response.status_code == 200
    assert response.headers["mcp-session-id"]


async def test_an_anonymous_handshake_client_keeps_one_cart_for_its_connection(
    open_server: ServerProcess, database: Database
) -> None:
    product = stocked_product(database)
    async with connect(open_server.mcp_url, mode="legacy") as client:
        added = await ok(client, "add_to_cart", product_id=product.id, quantity=2)
        cart = await ok(client, "view_cart")
    async with connect(open_server.mcp_url, mode="legacy") as another:
        other_cart = await ok(another, "view_cart")

    assert cart["session_id"] == added["session_id"]
    assert [line["quantity"] for line in cart["lines"]] == [2]
    assert other_cart["session_id"] != cart["session_id"]
    assert other_cart["lines"] == []


async def test_an_anonymous_2026_client_gets_a_new_session_per_call_and_its_id_to_reuse(
    open_server: ServerProcess, database: Database
) -> None:
    product = stocked_product(database)
    async with connect(open_server.mcp_url) as client:
        added = await ok(client, "add_to_cart", product_id=product.id, quantity=1)
        fresh = await ok(client, "view_cart")
        same = await ok(client, "view_cart", session_id=added["session_id"])

    assert fresh["session_id"] != added["session_id"]
    assert fresh["lines"] == []
    assert [line["quantity"] for line in same["lines"]] == [1]
