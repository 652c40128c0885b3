"""A request for something the store does not sell answers empty with a hint, even when one of its words
matches something; a request said in other words keeps its products. Attribute words with search by
meaning on. Through the MCP client, on a small imported store in a database of its own (its vectors
would be neighbours of other tests' queries in the shared one; see test_search_semantic.py)."""

import io
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer
from sqlmodel import select

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from shopmcp.models.catalog import Product
from shopmcp.server import build_server
from shopmcp.services.ingest.importers import import_catalog
from tests.calls import ok
from tests.conftest import BACKENDS, make_settings
from tests.services.catalog_db import discard, make_database

ServerFactory = Callable[..., MCPServer[AppContext]]


@pytest.fixture(scope="module", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = make_database(request.param, tmp_path_factory.mktemp("unrelated"))
    yield db
    discard(db)


@pytest.fixture(scope="module")
def handles(database: Database) -> dict[int, str]:
    """The store, imported (imports embed products); {id: handle}. Fixed names: similarities must not move."""

    def record(handle: str, title: str, path: str, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "handle": handle,
            "title": title,
            "category": path,
            "attributes": attributes or {},
            "variants": [{"offers": [{"price": 2999, "stock": 5}]}],
        }

    records = [
        record("tiles", "Magnetic Tiles Set 60 Pieces", "Toys > Building Toys"),
        record("log", "Flight Log Notebook", "Office > Notebooks"),
        record("pan", "Cast Iron Skillet 12 in", "Kitchen > Cookware"),
        record("pods", "Wireless Earbuds with Charging Case", "Electronics > Audio > Earbuds"),
        record("bag", "Laptop Backpack 30L", "Bags > Backpacks"),
        record("tkl", "Kestrel TKL", "Electronics > Keyboards", {"switch_type": "Outemu Blue (clicky)"}),
        record("quiet", "Wren 75", "Electronics > Keyboards", {"switch_type": "Gateron Silent Red (linear)"}),
    ]
    data = "".join(json.dumps(item) + "\n" for item in records).encode()
    report = import_catalog(database, io.BytesIO(data), format="jsonl", source="test")
    assert report.ok, report.summary()
    with database.read() as tx:
        return {pid: handle for pid, handle in tx.exec(select(Product.id, Product.handle)).all() if pid is not None}


@pytest.fixture
def server_factory(database: Database) -> ServerFactory:
    def build(**overrides: Any) -> MCPServer[AppContext]:
        return build_server(make_settings(database, **overrides), db=database)

    return build


@pytest.fixture
async def client(server_factory: ServerFactory) -> AsyncIterator[Client]:
    async with Client(server_factory()) as connected:
        yield connected


def named(result: dict[str, Any], handles: dict[int, str]) -> list[str]:
    return [handles[item["id"]] for item in result["items"]]


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("car tires", "tiles"),  # "tires" read as "tiles" (a guess), "car" matches nothing
        ("flight tickets to paris", "flight"),  # one word of three
    ],
)
async def test_a_request_the_store_has_nothing_for_is_empty_with_a_hint(
    client: Client, handles: dict[int, str], query: str, kept: str
) -> None:
    result = await ok(client, "search_products", query=query)

    assert result["items"] == [], named(result, handles)
    assert result["total_count"] == 0
    text = " | ".join(result["messages"])
    assert f"Only '{kept}' of the query matches products" in text
    assert "Try a broader word" in text


async def test_a_request_whose_few_matching_words_meaning_vouches_for_keeps_them(
    client: Client, handles: dict[int, str]
) -> None:
    # Two words of six match; the skillet is also what the query means.
    result = await ok(client, "search_products", query="cast iron pan for searing steaks at home")

    assert named(result, handles)[0] == "pan"


async def test_without_meaning_the_words_found_are_kept_as_before(
    server_factory: ServerFactory, handles: dict[int, str]
) -> None:
    async with Client(server_factory(search_semantic=False)) as words_only:
        result = await ok(words_only, "search_products", query="flight tickets to paris")

    assert named(result, handles) == ["log"]
    assert "no product matches 'tickets', 'paris'" in " | ".join(result["messages"])


async def test_an_attribute_word_finds_the_product_with_meaning_on_and_says_which(
    client: Client, handles: dict[int, str]
) -> None:
    result = await ok(client, "search_products", query="clicky keyboard")

    assert named(result, handles) == ["tkl"]
    assert result["items"][0]["matched_attributes"] == {"switch_type": "Outemu Blue (clicky)"}
    misspelt = await ok(client, "search_products", query="keyboard gateron silnet")
    assert named(misspelt, handles)[0] == "quiet"
    assert "Showing results for 'silent' (the query said 'silnet')" in " | ".join(misspelt["messages"])
