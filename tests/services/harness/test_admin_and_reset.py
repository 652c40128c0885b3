"""The harness surface over MCP: a session's state for its owner only, admin tools off by default, reset."""

import json
from collections.abc import Callable

import pytest
from mcp import Client, MCPError
from mcp.server import MCPServer
from mcp.types import TextResourceContents

from shopmcp.app_context import AppContext
from shopmcp.services.harness import state
from tests.calls import ok
from tests.services.harness.conftest import SMALL_STORE, FreshStore
from tests.tools.shopping import US_ADDRESS, Shopper, new_key

ServerFactory = Callable[..., MCPServer[AppContext]]


async def _surface(server: MCPServer[AppContext]) -> tuple[set[str], set[str], set[str]]:
    async with Client(server) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        resources = {str(resource.uri) for resource in (await client.list_resources()).resources}
        templates = {template.uri_template for template in (await client.list_resource_templates()).resource_templates}
    return tools, resources, templates


async def test_admin_tools_are_absent_by_default_and_present_when_enabled(server_factory: ServerFactory) -> None:
    tools, resources, templates = await _surface(server_factory())
    admin_tools, admin_resources, _ = await _surface(server_factory(admin_tools=True))

    assert "reset_store" not in tools
    assert "shop://state/hash" not in resources
    assert "shop://sessions/{session_id}/state" in templates
    assert admin_tools - tools == {"reset_store"}
    assert admin_resources - resources == {"shop://state/hash"}


async def test_a_session_state_is_readable_by_its_principal_only(server_factory: ServerFactory) -> None:
    async with Client(server_factory()) as client:
        shopper = await Shopper.start(client)
        resource = await client.read_resource(f"shop://sessions/{shopper.session_id}/state")
    async with Client(server_factory(principal="mallory")) as intruder:
        with pytest.raises(MCPError):
            await intruder.read_resource(f"shop://sessions/{shopper.session_id}/state")

    contents = resource.contents[0]
    assert isinstance(contents, TextResourceContents)
    exported = json.loads(contents.text)
    assert exported["principal"] == "local"
    assert exported["cart"] == {"coupon": None, "lines": []}
    assert exported["orders"] == []


async def test_reset_returns_the_store_to_the_hash_of_its_fresh_seed(fresh_store: FreshStore) -> None:
    store = fresh_store(admin_tools=True)
    fresh_hash = store.db.run_read(state.store_hash)
    async with Client(store.server) as client:
        shopper = await Shopper.start(client)
        found = await shopper.ok("search_products", in_stock=True, sort="price_asc", limit=1)
        product = await shopper.ok("get_product", product_id=found["items"][0]["id"])
        await shopper.ok("add_to_cart", offer_id=next(o["id"] for o in product["offers"] if o["stock"] != 0))
        quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
        await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())
        shopped_hash = store.db.run_read(state.store_hash)

        reset = await ok(client, "reset_store", {"seed": 42, "products": SMALL_STORE})

    assert shopped_hash != fresh_hash
    assert reset["state_hash"] == fresh_hash
    assert store.db.run_read(state.store_hash) == fresh_hash
    assert reset["products"] == SMALL_STORE
