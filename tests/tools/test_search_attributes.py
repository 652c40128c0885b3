"""Attribute values are searchable words: found, ranked below titles, corrected, named in the result,
re-indexed on edit; and odd input still answers. Through the in-memory client on both databases."""

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer
from sqlmodel import select

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from shopmcp.models.catalog import Product
from shopmcp.server import build_server
from tests.calls import ok
from tests.conftest import make_settings
from tests.factories import CatalogBuilder
from tests.tools.catalog_calls import ids
from tests.tools.test_search_relaxed import offers, said, search, word


@pytest.fixture
def server_factory(database: Database) -> Callable[..., MCPServer[AppContext]]:
    """Search by meaning off: these tests assert what the words find in the shared test database
    (see test_search_relaxed.py); meaning has its own module (test_search_unrelated.py)."""

    def build(**overrides: Any) -> MCPServer[AppContext]:
        return build_server(make_settings(database, **{"search_semantic": False, **overrides}), db=database)

    return build


def with_attributes(database: Database, title: str, attributes: dict[str, Any]) -> Product:
    build = CatalogBuilder(database)
    return build.product(title, variants=offers(build.seller("Attributes")), attributes=attributes)


async def test_an_attribute_value_finds_its_product_ranks_below_a_title_and_is_named(
    client: Client, database: Database
) -> None:
    material, noun = word(9), word(8)
    by_attribute = with_attributes(database, f"Jacket {noun}", {"material": f"{material.capitalize()} blend"})
    by_title = with_attributes(database, f"Coat {material}", {"material": "cotton"})

    result = await search(client, material)

    assert ids(result) == [by_title.id, by_attribute.id]
    items = {item["id"]: item for item in result["items"]}
    assert items[by_attribute.id]["matched_attributes"] == {"material": f"{material.capitalize()} blend"}
    assert "matched_attributes" not in items[by_title.id]  # the title already says it
    # With a title word: every word matches, the attribute's product alone.
    both = await search(client, f"{noun} {material}")
    assert ids(both) == [by_attribute.id]
    assert both["items"][0]["matched_attributes"] == {"material": f"{material.capitalize()} blend"}


async def test_a_misspelt_attribute_value_is_corrected_from_the_vocabulary(client: Client, database: Database) -> None:
    switch, noun = word(10), word(8)
    board = with_attributes(database, f"Keyboard {noun}", {"switch_type": f"{switch} (clicky)", "weight_g": 800})
    typo = switch[:5] + ("a" if switch[5] != "a" else "b") + switch[6:]  # one letter changed: one edit

    result = await search(client, f"{noun} {typo}")

    assert ids(result) == [board.id]
    assert f"Showing results for '{switch}' (the query said '{typo}')" in said(result)
    assert result["items"][0]["matched_attributes"] == {"switch_type": f"{switch} (clicky)"}
    # A number is not indexed without its unit: 800 matches nothing here and is dropped.
    assert "no product matches '800'" in said(await search(client, f"{noun} 800"))


async def test_editing_attributes_reindexes_the_product(client: Client, database: Database) -> None:
    old, new, noun = word(9), word(9), word(8)
    mug = with_attributes(database, f"Mug {noun}", {"glaze": old})
    assert ids(await search(client, old)) == [mug.id]

    with database.write() as tx:
        row = tx.exec(select(Product).where(Product.id == mug.id)).one()
        row.attributes = {"glaze": new}
        tx.add(row)

    assert ids(await search(client, new)) == [mug.id]
    assert ids(await search(client, old)) == []


@pytest.mark.parametrize(
    "query",
    [
        "the for and of",  # only stop words
        "qzxvbnmwpl xkcdqwrtzp",  # only words nothing is near
        " ".join(f"w{index}" for index in range(20)),  # more than 16 words
        "наушники беспроводные",  # not Latin
        "🎧🎧 🔥",  # emoji
        "'; DROP TABLE product; --",
    ],
)
async def test_odd_queries_answer_without_error(client: Client, query: str) -> None:
    result = await ok(client, "search_products", {"query": query, "limit": 5})

    assert isinstance(result["items"], list)
    assert result["total_count"] >= 0
    if not result["items"]:
        assert result["messages"]  # an empty answer always says something
