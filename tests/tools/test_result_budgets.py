"""What a model reads, on the demo store: budgets in characters of each result's text, through the real client.

Sizes are deterministic for a catalog and the code (dates and random ids have fixed lengths), so these
are tests, not benchmarks. The store is the demo store `shopmcp serve` seeds (5,000 products, seed 42);
the products with the most offers and the most variants are the worst cases of get_product and
compare_prices. `python -m bench.tokens` reports the same sizes, and the demo tasks end to end.
"""

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent
from sqlalchemy import text

from shopmcp.bootstrap import prepare_database
from shopmcp.db import Database
from shopmcp.server import build_server
from tests.conftest import BACKENDS, create_pg_database, drop_pg_database, make_settings

RESULT_LIMIT = 40_000


@pytest.fixture(scope="module", params=BACKENDS)
def demo_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = (
        f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        if request.param == "sqlite"
        else create_pg_database()
    )
    db = Database(url)
    prepare_database(make_settings(db).model_copy(update={"seed_demo_catalog": True, "demo_products": 5000}), db)
    yield db
    db.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


@pytest.fixture
async def demo(demo_store: Database) -> AsyncIterator[Client]:
    async with Client(build_server(make_settings(demo_store), db=demo_store)) as connected:
        yield connected


def most(db: Database, query: str, n: int) -> list[int]:
    with db.engine.connect() as connection:
        return [int(row[0]) for row in connection.execute(text(query), {"n": n})]


def most_offers(db: Database, n: int) -> list[int]:
    return most(
        db,
        "SELECT product_id FROM offer WHERE active GROUP BY product_id ORDER BY count(*) DESC, product_id LIMIT :n",
        n,
    )


def most_variants(db: Database, n: int) -> list[int]:
    return most(db, "SELECT product_id FROM variant GROUP BY product_id ORDER BY count(*) DESC, product_id LIMIT :n", n)


async def read(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The characters of a result's text, checked to be the compact JSON of exactly its structured content."""
    result: CallToolResult = await client.call_tool(tool, arguments)
    assert not result.is_error, result.structured_content
    [block] = result.content
    assert isinstance(block, TextContent)
    assert result.structured_content is not None
    assert json.loads(block.text) == result.structured_content
    assert block.text == json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)
    return len(block.text), result.structured_content


async def test_a_concise_search_page_of_ten_is_at_most_3000_characters(demo: Client) -> None:
    for arguments in ({}, {"query": "wireless headphones"}, {"category": "clothing"}, {"sort": "price_desc"}):
        size, found = await read(demo, "search_products", {**arguments, "limit": 10})
        assert size <= 3_000, (arguments, size)
        assert len(found["items"]) == 10
        item = found["items"][0]
        assert {"id", "title", "brand", "price", "rating", "availability", "offer_count"} <= set(item)
        assert set(item["price"]["min"]) == {"amount", "currency", "formatted"}
        assert {"total_count", "next_cursor", "messages"} <= set(found)
        assert "facets" not in found


async def test_full_search_adds_facets_and_stays_under_the_limit(demo: Client) -> None:
    size, found = await read(demo, "search_products", {"limit": 50, "detail": "full"})
    assert size <= RESULT_LIMIT
    assert found["facets"]["category"]["values"]
    assert "category" in found["items"][0]


async def test_a_concise_product_is_at_most_2500_characters_even_with_many_offers_and_variants(
    demo: Client, demo_store: Database
) -> None:
    for product_id in {*most_offers(demo_store, 3), *most_variants(demo_store, 3)}:
        size, product = await read(demo, "get_product", {"product_id": product_id})
        assert size <= 2_500, (product_id, size)
        assert product["offer_count"] >= len(product["offers"])
        offer = product["offers"][0]
        assert {"id", "variant_id", "seller", "price", "availability", "stock", "shipping"} <= set(offer)
        assert {"min_days", "max_days"} <= set(offer["shipping"][0]["delivery"])
        assert all({"id", "title"} <= set(variant) for variant in product["variants"])
        assert product["options"]
        if product["offer_count"] > len(product["offers"]):
            assert any('detail="full"' in message for message in product["messages"])

        size, full = await read(demo, "get_product", {"product_id": product_id, "detail": "full"})
        assert size <= RESULT_LIMIT
        assert len(full["offers"]) == full["offer_count"]
        assert "description" in full
        assert "options" in full["variants"][0]


async def test_comparing_ten_products_is_at_most_12000_characters_concise_and_40000_full(
    demo: Client, demo_store: Database
) -> None:
    ids = most_offers(demo_store, 10)
    size, compared = await read(demo, "compare_prices", {"product_ids": ids})
    assert size <= 12_000, size
    for product in compared["products"]:
        listed = {offer["offer_id"] for offer in product["offers"]}
        assert {product["cheapest_offer_id"], product["fastest_offer_id"]} <= listed
        assert product["offer_count"] >= len(product["offers"])
    assert all(len(set(row["values"])) > 1 for row in compared["attributes"])

    size, full = await read(demo, "compare_prices", {"product_ids": ids, "detail": "full"})
    assert size <= RESULT_LIMIT, size
    assert any("offers left out" in message for message in full["messages"])
    assert "shipping" in full["products"][0]["offers"][0]


async def test_the_concise_category_tree_is_at_most_4000_characters(demo: Client) -> None:
    size, tree = await read(demo, "list_categories", {})
    assert size <= 4_000, size
    assert tree["categories"][0]["children"]
    assert tree["messages"]

    size, full = await read(demo, "list_categories", {"detail": "full"})
    assert size <= RESULT_LIMIT
    assert "path" in full["categories"][0]


async def test_tools_list_names_descriptions_and_input_schemas_are_at_most_12000_characters(demo: Client) -> None:
    """The whole default tool set (finding, buying, following and changing orders, the account) within 12,000."""
    tools = (await demo.list_tools()).tools
    sizes = {
        tool.name: len(tool.name)
        + len(tool.description or "")
        + len(json.dumps(tool.input_schema, separators=(",", ":"), ensure_ascii=False))
        for tool in tools
    }
    assert {"search_products", "place_order", "request_exchange", "get_account"} <= set(sizes)
    assert sum(sizes.values()) <= 12_000, sorted(sizes.items(), key=lambda item: -item[1])


async def test_orders_concise_and_full(demo: Client, demo_store: Database) -> None:
    session = (await demo.call_tool("new_session", {})).structured_content
    assert session is not None
    sid = session["session_id"]
    [product_id] = most_offers(demo_store, 1)
    _, product = await read(demo, "get_product", {"product_id": product_id})
    await read(demo, "add_to_cart", {"offer_id": product["offers"][0]["id"], "session_id": sid})
    address = {
        "name": "A",
        "line1": "1 Main St",
        "city": "Austin",
        "region": "TX",
        "postal_code": "78701",
        "country": "US",
    }
    _, quote = await read(demo, "preview_checkout", {"shipping_address": address, "session_id": sid})
    _, order = await read(
        demo, "place_order", {"quote_id": quote["quote_id"], "idempotency_key": "k1", "session_id": sid}
    )

    _, concise = await read(demo, "get_order", {"order_id": order["order_id"], "session_id": sid})
    _, full = await read(demo, "get_order", {"order_id": order["order_id"], "session_id": sid, "detail": "full"})
    assert full == order
    assert {"order_id", "status", "lines", "total", "cancellable"} <= set(concise)
    assert "payment" not in concise
    _, listed = await read(demo, "list_orders", {"session_id": sid})
    assert listed["orders"][0]["order_id"] == order["order_id"]
    assert "next_cursor" in listed
