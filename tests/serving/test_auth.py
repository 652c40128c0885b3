"""Bearer tokens over real HTTP: who gets in, and who is refused with 401."""

import time

import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from tests.serving.conftest import ServerProcess, connect

LEGACY_PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def _post(server: ServerProcess, token: str | None, **headers: str) -> httpx2.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx2.post(server.mcp_url, json=LEGACY_PING, headers={**JSON_HEADERS, **headers}, timeout=10)


def test_a_request_without_a_token_gets_401_pointing_at_the_resource_metadata(http_server: ServerProcess) -> None:
    response = _post(http_server, None)

    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{http_server.base_url}/.well-known/oauth-protected-resource/mcp"' in challenge


def test_the_protected_resource_metadata_names_this_server(http_server: ServerProcess) -> None:
    response = httpx2.get(f"{http_server.base_url}/.well-known/oauth-protected-resource/mcp", timeout=10)

    assert response.status_code == 200
    assert response.json()["resource"] == http_server.mcp_url


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"aud": "http://127.0.0.1:1/mcp"}, id="other-audience"),
        pytest.param({"aud": None}, id="no-audience"),
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"iss": "https://someone-else.test"}, id="other-issuer"),
        pytest.param({"sub": None}, id="no-subject"),
    ],
)
def test_a_jwt_that_is_not_for_this_server_gets_401(http_server: ServerProcess, claims: dict[str, object]) -> None:
    assert _post(http_server, http_server.make_jwt("alice", **claims)).status_code == 401


def test_a_jwt_signed_with_another_key_gets_401(http_server: ServerProcess) -> None:
    import jwt

    forged = jwt.encode(
        {"sub": "alice", "aud": http_server.mcp_url, "iss": "https://issuer.test", "exp": int(time.time()) + 60},
        "another-secret-" + "y" * 32,
        algorithm="HS256",
    )
    assert _post(http_server, forged).status_code == 401


def test_an_unknown_static_token_gets_401(http_server: ServerProcess) -> None:
    assert _post(http_server, "smcp_" + "A" * 43).status_code == 401


def test_valid_tokens_of_both_kinds_get_in(http_server: ServerProcess) -> None:
    assert _post(http_server, http_server.tokens["alice"]).status_code == 200
    assert _post(http_server, http_server.make_jwt("alice")).status_code == 200


async def test_the_sdk_client_cannot_connect_without_a_token(http_server: ServerProcess) -> None:
    refused = False
    try:
        async with connect(http_server.mcp_url) as client:
            await client.list_tools()
    except* MCPError:
        refused = True

    assert refused


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_sdk_client_calls_tools_with_a_token(http_server: ServerProcess, mode: str) -> None:
    async with connect(http_server.mcp_url, token=http_server.tokens["bob"], mode=mode) as client:
        result = await client.call_tool("list_categories", {})

    assert not result.is_error


def test_the_sse_transport_requires_a_token_too(sse_server: ServerProcess) -> None:
    with httpx2.stream("GET", f"{sse_server.base_url}/sse", timeout=10) as response:
        assert response.status_code == 401


async def test_no_token_reaches_the_server_log(http_server: ServerProcess) -> None:
    jwt_token = http_server.make_jwt("alice")
    async with connect(http_server.mcp_url, token=jwt_token) as client:
        await client.call_tool("list_categories", {})
    _post(http_server, http_server.tokens["alice"])
    _post(http_server, "smcp_not-a-real-token-but-still-secret")

    log = http_server.log()
    assert "tool_call" in log
    for secret in [jwt_token, http_server.tokens["alice"], "not-a-real-token-but-still-secret"]:
        assert secret not in log
