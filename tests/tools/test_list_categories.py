"""list_categories and the category resource, through the in-memory client."""

import json
from typing import Any

from mcp import Client

from shopmcp.db import Database
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec


def _find(nodes: list[dict[str, Any]], slug: str) -> dict[str, Any] | None:
    for node in nodes:
        if node["slug"] == slug:
            return node
        found = _find(node["children"], slug)
        if found is not None:
            return found
    return None


def _build_tree(database: Database) -> tuple[CatalogBuilder, str, str]:
    build = CatalogBuilder(database)
    root = build.category("Outdoor")
    tents = build.category("Tents", parent=root)
    seller = build.seller("Camp Co")
    one_offer = [VariantSpec(offers=[OfferSpec(seller=seller, price=1000)])]
    build.product("Trail Map", category=root, variants=one_offer)
    build.product("Dome Tent", category=tents, variants=one_offer)
    build.product("Tunnel Tent", category=tents, variants=one_offer)
    build.product("Old Tent", category=tents, variants=one_offer, status="archived")
    build.product("Draft Tent", category=tents, variants=one_offer, status="draft")
    return build, root.slug, tents.slug


async def test_counts_include_subcategories_and_only_active_products(client: Client, database: Database) -> None:
    _, root_slug, tents_slug = _build_tree(database)

    result = await client.call_tool("list_categories", {"detail": "full"})

    assert not result.is_error
    tree = result.structured_content
    assert tree is not None
    root = _find(tree["categories"], root_slug)
    tents = _find(tree["categories"], tents_slug)
    assert root is not None
    assert tents is not None
    assert tents["product_count"] == 2
    assert root["product_count"] == 3
    assert tents in root["children"]
    assert tents["path"] == f"{root['path']} > {tents['name']}"


async def test_category_resource_matches_the_tool(client: Client, database: Database) -> None:
    _build_tree(database)

    tool = await client.call_tool("list_categories", {"detail": "full"})
    resource = await client.read_resource("shop://categories")

    assert json.loads(resource.contents[0].text) == tool.structured_content  # type: ignore[union-attr]
