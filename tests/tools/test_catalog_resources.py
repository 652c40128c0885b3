"""The product, category and brand resources and the category/brand completions, through the in-memory client."""

import json

import pytest
from mcp import Client, MCPError
from mcp.types import PromptReference, ResourceTemplateReference, TextResourceContents

from shopmcp.db import Database
from tests.calls import ok
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec


def _text(contents: object) -> str:
    assert isinstance(contents, TextResourceContents)
    return contents.text


async def test_product_resource_is_get_product_as_json(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    seller = build.seller("Res")
    product = build.product("Lamp", variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=4200)])])

    resource = await client.read_resource(f"shop://products/{product.id}")
    tool = await ok(client, "get_product", {"detail": "full", "product_id": product.id})

    (contents,) = resource.contents
    assert contents.mime_type == "application/json"
    assert json.loads(_text(contents)) == tool


@pytest.mark.parametrize("product_id", ["999999999", "0", "abc", "-1", "99999999999999"])
async def test_unknown_product_resource_is_resource_not_found(client: Client, product_id: str) -> None:
    with pytest.raises(MCPError) as raised:
        await client.read_resource(f"shop://products/{product_id}")

    assert raised.value.error.code == -32602
    assert "search_products" in raised.value.error.message


async def test_resource_templates_are_listed(client: Client) -> None:
    templates = {template.uri_template for template in (await client.list_resource_templates()).resource_templates}

    assert {"shop://products/{product_id}", "shop://categories/{category}", "shop://brands/{brand}"} <= templates


async def test_category_and_brand_resources_list_their_products(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    category = build.category("Lighting")
    brand = build.brand("Lumen Works")
    seller = build.seller("Light")
    product = build.product(
        "Floor lamp",
        category=category,
        brand=brand,
        variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=9900)])],
    )

    by_category = json.loads(_text((await client.read_resource(f"shop://categories/{category.slug}")).contents[0]))
    by_brand = json.loads(
        _text((await client.read_resource(f"shop://brands/{brand.name.replace(' ', '%20')}")).contents[0])
    )

    assert [item["id"] for item in by_category["items"]] == [product.id]
    assert [item["id"] for item in by_brand["items"]] == [product.id]
    with pytest.raises(MCPError) as raised:
        await client.read_resource("shop://categories/no-such-category-anywhere")
    assert "list_categories" in raised.value.error.message


async def test_category_completion_matches_slug_name_or_path_prefix(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    root = build.category("Gardenware")
    child = build.category("Hoses", parent=root)
    template = ResourceTemplateReference(type="ref/resource", uri="shop://categories/{category}")

    by_slug = await client.complete(template, {"name": "category", "value": "gardenware"})
    by_name = await client.complete(template, {"name": "category", "value": f"HOSES {build.tag}"})

    assert root.slug in by_slug.completion.values
    assert child.slug in by_slug.completion.values  # its path starts with the root's name
    assert by_name.completion.values == [child.slug]
    assert by_name.completion.total == 1
    assert by_name.completion.has_more is False


async def test_brand_completion_is_case_insensitive_and_bounded(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    brands = [build.brand(f"Zed{n:03d}") for n in range(105)]
    template = ResourceTemplateReference(type="ref/resource", uri="shop://brands/{brand}")

    few = await client.complete(template, {"name": "brand", "value": "zed004"})
    many = await client.complete(template, {"name": "brand", "value": "ZED"})

    assert few.completion.values == [brands[4].name]
    assert len(many.completion.values) == 100
    assert many.completion.total is not None
    assert many.completion.total >= 105
    assert many.completion.has_more is True


async def test_completion_of_a_prompt_argument_named_category(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    category = build.category("Birdwatching")
    prompt = PromptReference(type="ref/prompt", name="shopping_assistant")

    named = await client.complete(prompt, {"name": "category", "value": "birdwatch"})
    other = await client.complete(prompt, {"name": "request", "value": "bird"})

    assert category.slug in named.completion.values
    assert other.completion.values == []


async def test_completion_treats_like_wildcards_as_text(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    build.brand("Percent")
    template = ResourceTemplateReference(type="ref/resource", uri="shop://brands/{brand}")

    wildcard = await client.complete(template, {"name": "brand", "value": "%"})
    underscore = await client.complete(template, {"name": "brand", "value": "_"})

    assert wildcard.completion.values == []
    assert underscore.completion.values == []
