"""The same server over every transport: Streamable HTTP in both protocol eras, and legacy SSE."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest
from mcp import Client

from shopmcp.db import Database
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec
from tests.serving.conftest import ServerProcess, connect, connect_sse
from tests.serving.shopping import shopping_trip

Connector = Callable[[], AbstractAsyncContextManager[Client]]
TRANSPORTS = ["http-2026-07-28", "http-handshake", "sse"]


@pytest.fixture(params=TRANSPORTS)
async def shopper(
    request: pytest.FixtureRequest, http_server: ServerProcess, sse_server: ServerProcess
) -> AsyncIterator[Client]:
    """A client authenticated as alice, over each transport in turn."""
    if request.param == "sse":
        context = connect_sse(sse_server.base_url, token=sse_server.tokens["alice"])
    else:
        mode = "auto" if request.param == "http-2026-07-28" else "legacy"
        context = connect(http_server.mcp_url, token=http_server.tokens["alice"], mode=mode)
    async with context as client:
        yield client


async def test_each_transport_speaks_the_protocol_era_it_should(
    http_server: ServerProcess, sse_server: ServerProcess
) -> None:
    token = http_server.tokens["alice"]
    async with connect(http_server.mcp_url, token=token) as modern:
        assert modern.session.protocol_version == "2026-07-28"
    async with connect(http_server.mcp_url, token=token, mode="legacy") as legacy:
        assert legacy.session.protocol_version != "2026-07-28"
    async with connect_sse(sse_server.base_url, token=sse_server.tokens["alice"]) as sse:
        assert sse.session.protocol_version != "2026-07-28"


async def test_tools_are_listed_with_their_schemas(shopper: Client) -> None:
    tools = {tool.name: tool for tool in (await shopper.list_tools()).tools}

    assert "list_categories" in tools
    assert tools["list_categories"].output_schema is not None


async def test_a_catalog_tool_answers_with_structured_content(shopper: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    category = build.category("Lamps")
    build.product(
        "Desk Lamp", category=category, variants=[VariantSpec(offers=[OfferSpec(seller=build.seller("L"), price=1999)])]
    )

    result = await shopper.call_tool("list_categories", {})

    assert not result.is_error
    assert result.structured_content is not None
    slugs = {node["slug"] for node in result.structured_content["categories"]}
    assert category.slug in slugs


async def test_a_resource_reads_the_same_over_every_transport(shopper: Client) -> None:
    resource = await shopper.read_resource("shop://categories")

    assert resource.contents[0].mime_type == "application/json"


async def test_the_whole_shopping_trip(shopper: Client, database: Database) -> None:
    trip = await shopping_trip(shopper, database)

    assert trip.order["session_id"] == trip.session_id
