"""Semantic retrieval through the MCP client: found by meaning, fused with words, reordered, switched off.

The products are imported (imports embed them) into a database of their own: in the shared test
database, their vectors would make them neighbours of other tests' queries.
"""

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
from shopmcp.models.catalog import Category, Product
from shopmcp.server import build_server
from shopmcp.services.ingest.importers import import_catalog
from tests.calls import ok
from tests.conftest import BACKENDS, make_settings
from tests.services.catalog_db import discard, make_database

ServerFactory = Callable[..., MCPServer[AppContext]]


def load_store(database: Database) -> tuple[str, dict[int, str]]:
    """Import the small store (again: an unchanged re-import writes nothing); its root slug and {id: handle}.

    Fixed names, not random tags: a product's vector is computed from its text, so the similarities
    the tests rely on must not move from run to run.
    """
    root = "Semantic Store"

    def record(handle: str, title: str, path: str) -> dict[str, Any]:
        return {
            "handle": handle,
            "title": title,
            "category": f"{root} > {path}",
            "variants": [{"offers": [{"price": 2999, "stock": 5}]}],
        }

    records = [
        record("ultra", "UltraBook 14", "Computers > Laptops"),
        record("bag1", "Laptop Backpack 30L", "Bags > Backpacks"),
        record("bag2", "Laptop Backpack Rolltop", "Bags > Backpacks"),
        record("bag3", "Laptop Backpack Slim", "Bags > Backpacks"),
        record("can", "Galvanised Watering Can 2 gal", "Garden > Watering"),
        record("pods", "Wireless Earbuds with Charging Case", "Electronics > Audio > Headphones"),
        record("pan", "Cast Iron Skillet 12 in", "Kitchen > Cookware"),
    ]
    data = "".join(json.dumps(item) + "\n" for item in records).encode()
    report = import_catalog(database, io.BytesIO(data), format="jsonl", source="test")
    assert report.ok, report.summary()
    with database.read() as tx:
        slug = tx.exec(select(Category.slug).where(Category.name == root)).one()
        rows = tx.exec(select(Product.id, Product.handle)).all()
    return slug, {pid: handle for pid, handle in rows if pid is not None}


def named(result: dict[str, Any], handles: dict[int, str]) -> list[str]:
    return [handles[item["id"]] for item in result["items"]]


@pytest.fixture(scope="module", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """This module's own database (overrides the shared one for `server_factory` and `client`)."""
    db = make_database(request.param, tmp_path_factory.mktemp("semantic"))
    yield db
    discard(db)


@pytest.fixture
def server_factory(database: Database) -> ServerFactory:
    def build(**overrides: Any) -> MCPServer[AppContext]:
        return build_server(make_settings(database, **overrides), db=database)

    return build


@pytest.fixture
async def client(server_factory: ServerFactory) -> AsyncIterator[Client]:
    async with Client(server_factory()) as connected:
        yield connected


@pytest.fixture
def store(database: Database) -> tuple[str, dict[int, str]]:
    return load_store(database)


async def test_no_word_matches_but_the_meaning_is_clear_finds_it_and_says_so(
    client: Client, server_factory: ServerFactory, store: tuple[str, dict[int, str]]
) -> None:
    slug, handles = store

    result = await ok(client, "search_products", query="notebook pc for university", category=slug)

    assert named(result, handles)[0] == "ultra"
    assert any("found by meaning" in message for message in result["messages"])

    async with Client(server_factory(search_semantic=False)) as words_only:
        off = await ok(words_only, "search_products", query="notebook pc for university", category=slug)
    assert off["items"] == []
    assert off["messages"], "an empty result says what to try"


async def test_every_word_matches_are_reordered_by_meaning_and_page_without_repeats(
    client: Client, server_factory: ServerFactory, store: tuple[str, dict[int, str]]
) -> None:
    slug, handles = store

    async with Client(server_factory(search_semantic=False)) as words_only:
        off = await ok(words_only, "search_products", query="laptop", category=slug)
    on = await ok(client, "search_products", query="laptop", category=slug)

    # Words alone rank the title matches (backpacks) first; with meaning the laptop comes up.
    assert named(off, handles)[-1] == "ultra"
    assert named(on, handles).index("ultra") < named(off, handles).index("ultra")
    assert sorted(named(on, handles)) == sorted(named(off, handles))  # the same matches, reordered
    assert on["total_count"] == off["total_count"] == 4

    seen: list[str] = []
    page = await ok(client, "search_products", query="laptop", category=slug, limit=3)
    seen += named(page, handles)
    while page["next_cursor"]:
        page = await ok(client, "search_products", query="laptop", category=slug, limit=3, cursor=page["next_cursor"])
        seen += named(page, handles)
    assert seen == named(on, handles)


async def test_some_words_match_and_meaning_is_fused_with_them(
    client: Client, store: tuple[str, dict[int, str]]
) -> None:
    slug, handles = store

    result = await ok(client, "search_products", query="cookware for searing steaks on the stove", category=slug)

    assert named(result, handles)[0] == "pan"
    assert any("meaning" in message for message in result["messages"])


@pytest.mark.parametrize("query", ["🌱💧", "水やり", "zzzz qqqq", "the of and", " ".join(["plants"] * 20)])
async def test_odd_queries_never_fail(client: Client, store: tuple[str, dict[int, str]], query: str) -> None:
    slug, _ = store

    result = await ok(client, "search_products", query=query, category=slug)

    if not result["items"]:
        assert result["messages"], f"an empty answer to {query!r} says what to try"
