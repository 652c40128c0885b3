"""The per-principal rate limit over real HTTP: it trips, it says how long to wait, and it recovers."""

from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from shopmcp.db import Database
from tests.serving.conftest import ServerProcess, connect, make_server

LIMIT = "3 per 3 seconds"
MAX_CALLS_TO_TRIP = 20


@pytest.fixture(scope="module")
def limited_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = make_server(tmp_path_factory.mktemp("limited"), database, rate_limit=LIMIT).start()
    yield server
    server.stop()


async def _call_until_limited(client: Client) -> dict[str, Any]:
    for _ in range(MAX_CALLS_TO_TRIP):
        result = await client.call_tool("list_categories", {})
        if result.is_error:
            assert result.structured_content is not None
            error: dict[str, Any] = result.structured_content["error"]
            return error
    pytest.fail(f"{MAX_CALLS_TO_TRIP} calls in a row were not limited by {LIMIT}")


async def _trip_for_a_while(client: Client) -> dict[str, Any]:
    """Trip the limit so that it stays tripped for at least a second (not at the tail of an old window)."""
    for _ in range(3):
        error = await _call_until_limited(client)
        if error["details"]["retry_after_seconds"] >= 1.0:
            return error
        await anyio.sleep(error["details"]["retry_after_seconds"])
    pytest.fail("the limit never stayed tripped for a second")


async def test_the_limit_trips_with_a_tool_error_the_agent_can_act_on(limited_server: ServerProcess) -> None:
    async with connect(limited_server.mcp_url, token=limited_server.tokens["alice"]) as alice:
        error = await _call_until_limited(alice)

    assert error["code"] == "rate_limited"
    assert error["resolution"] == "recoverable"
    assert 0 < error["details"]["retry_after_seconds"] <= 3
    assert f"Wait {error['details']['retry_after_seconds']} seconds" in error["message"]


async def test_the_limit_is_per_principal_whatever_the_token(limited_server: ServerProcess) -> None:
    async with (
        connect(limited_server.mcp_url, token=limited_server.tokens["alice"]) as alice_static,
        connect(limited_server.mcp_url, token=limited_server.make_jwt("alice")) as alice_jwt,
        connect(limited_server.mcp_url, token=limited_server.tokens["bob"]) as bob,
    ):
        await _trip_for_a_while(alice_static)

        same_principal = await alice_jwt.call_tool("list_categories", {})
        other_principal = await bob.call_tool("list_categories", {})

    assert same_principal.is_error
    assert not other_principal.is_error


async def test_other_work_is_refused_with_a_json_rpc_error_carrying_the_wait(limited_server: ServerProcess) -> None:
    async with connect(limited_server.mcp_url, token=limited_server.tokens["alice"], mode="legacy") as alice:
        await _trip_for_a_while(alice)
        with pytest.raises(MCPError) as refused:
            await alice.read_resource("shop://categories")

    assert refused.value.error.data["code"] == "rate_limited"
    assert refused.value.error.data["retry_after_seconds"] > 0


async def test_the_limit_recovers_after_the_wait_it_named(limited_server: ServerProcess) -> None:
    async with connect(limited_server.mcp_url, token=limited_server.tokens["bob"]) as bob:
        error = await _call_until_limited(bob)
        # The behaviour under test is the wait itself; it is at most the 3 s window.
        await anyio.sleep(error["details"]["retry_after_seconds"])
        result = await bob.call_tool("list_categories", {})

    assert not result.is_error
