"""search_products forgives what people say: relaxation, typos, split and joined words, option words,
synonyms and price words, through the in-memory client on both databases."""

import secrets
import string
from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from shopmcp.models.catalog import Product, Seller
from shopmcp.server import build_server
from shopmcp.services.search.synonyms import import_rules, parse_rules
from tests.calls import ok
from tests.conftest import make_settings
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec
from tests.tools.catalog_calls import all_pages, ids


@pytest.fixture
def server_factory(database: Database) -> Callable[..., MCPServer[AppContext]]:
    """Servers with search by meaning off unless a test turns it on.

    These tests assert the exact products the word mechanisms find in the shared test database, where
    other modules' products carry vectors: a neighbour by meaning among them would depend on which
    modules ran first. Search by meaning is tested in test_search_semantic.py, on a database of its own.
    """

    def build(**overrides: Any) -> MCPServer[AppContext]:
        return build_server(make_settings(database, **{"search_semantic": False, **overrides}), db=database)

    return build


def word(length: int = 10) -> str:
    """A word of letters only that no other test's rows hold (typo correction reads letters only)."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


def offers(seller: Seller, price: int = 2000, options: dict[str, str] | None = None) -> list[VariantSpec]:
    return [VariantSpec(options=options or {}, offers=[OfferSpec(seller=seller, price=price, stock=5)])]


def make(database: Database, *titles: str, price: int = 2000) -> list[Product]:
    build = CatalogBuilder(database)
    seller = build.seller("Relax")
    return [build.product(title, variants=offers(seller, price)) for title in titles]


def said(result: dict[str, Any]) -> str:
    return " | ".join(result["messages"])


async def search(client: Client, query: str, **arguments: Any) -> dict[str, Any]:
    return await ok(client, "search_products", {"query": query, **arguments})


async def test_no_product_with_every_word_relaxes_ranks_by_words_matched_and_says_so(
    client: Client, database: Database
) -> None:
    a, b, missing = word(), word(), word()
    both, only_a, only_b = make(database, f"Lamp {a} {b}", f"Lamp {a}", f"Lamp {b}")

    result = await search(client, f"the {a} for {b} {missing}")

    assert ids(result)[0] == both.id
    assert set(ids(result)) == {both.id, only_a.id, only_b.id}
    assert "No product matches all words" in said(result)
    assert f"no product matches '{missing}'" in said(result)
    assert "'the', 'for'" in said(result)
    # Relaxed pages go on consistently: page by page gives the same list, without repeats.
    paged = await all_pages(client, {"query": f"the {a} for {b} {missing}", "limit": 2})
    assert paged == ids(result)
    # A page that the words left can fill alone lists only products holding all of them, page after page.
    assert await all_pages(client, {"query": f"the {a} for {b} {missing}", "limit": 1}) == [both.id]
    by_price = await all_pages(client, {"query": f"{a} {b} {missing}", "sort": "price_asc", "limit": 1})
    assert by_price == [both.id]


async def test_typos_split_and_joined_words_are_read_as_the_catalog_spells_them(
    client: Client, database: Database
) -> None:
    name, left, right, first, second = word(10), word(4), word(6), word(5), word(6)
    spelled, joined, split = make(database, f"Kettle {name}", f"Mug {left}{right}", f"Cup {first} {second}")
    typo = name[:4] + ("a" if name[4] != "a" else "b") + name[5:]

    corrected = await search(client, typo)
    assert ids(corrected) == [spelled.id]
    (again,) = make(database, f"Kettle {name} large")
    assert set(await all_pages(client, {"query": typo, "limit": 1})) == {spelled.id, again.id}
    assert f"Showing results for '{name}'" in said(corrected)
    assert ids(await search(client, f"{left} {right}")) == [joined.id]
    assert ids(await search(client, f"{first}{second}")) == [split.id]
    assert ids(await search(client, f"{left}-{right}")) == [joined.id]


async def test_a_word_that_is_an_option_value_finds_the_variant_and_says_which(
    client: Client, database: Database
) -> None:
    title_word, colour = word(), word(8)
    build = CatalogBuilder(database)
    seller = build.seller("Options")
    shirt = build.product(
        f"Shirt {title_word}",
        variants=[
            *offers(seller, options={"color": colour.capitalize()}),
            *offers(seller, options={"color": "Grey"}),
        ],
    )
    build.product(f"Shirt {title_word} plain", variants=offers(seller, options={"color": "Grey"}))

    result = await search(client, f"{title_word} {colour}")

    assert ids(result)[0] == shirt.id
    assert result["items"][0]["matched_options"] == {"color": colour.capitalize()}
    assert f"'{colour}' as variant options" in said(result)
    # The option filter still works as before.
    filtered = await ok(client, "search_products", {"query": title_word, "options": {"color": colour}})
    assert ids(filtered) == [shirt.id]


async def test_synonyms_from_the_table_apply_at_once(client: Client, database: Database) -> None:
    mine, theirs = word(), word()
    (product,) = make(database, f"Sofa {theirs}")
    assert ids(await search(client, mine)) == []

    database.run_write(import_rules, rules=parse_rules(f"# a merchant's file\n{mine}, {theirs}\n"), replace=False)

    result = await search(client, mine)
    assert ids(result) == [product.id]
    assert f"Also searched '{theirs}' for '{mine}'" in said(result)


async def test_price_words_become_bounds_when_none_were_passed(client: Client, database: Database) -> None:
    name = word()
    (cheap,) = make(database, f"Tent {name}", price=5000)
    (dear,) = make(database, f"Tent {name} deluxe", price=15000)

    under = await search(client, f"{name} under $100")
    assert ids(under) == [cheap.id]
    assert "Read 'under $100' as a price at most 100" in said(under)
    assert ids(await search(client, f"{name} between 120 and 200 dollars")) == [dear.id]
    # Bounds passed by the agent win: the phrase stays words (and the search relaxes past them).
    passed = await search(client, f"{name} under $100", min_price=0)
    assert set(ids(passed)) == {cheap.id, dear.id}
    assert "as a price" not in said(passed)


async def test_bad_input_never_fails_and_an_empty_result_says_what_to_try(client: Client, database: Database) -> None:
    (product,) = make(database, f"Clock {word()}")

    only_stop_words = await search(client, "the for and of")
    assert "only very common words" in said(only_stop_words)
    nothing = await search(client, f"{word(12)} {word(12)}")
    assert nothing["items"] == []
    assert "Try a broader word" in said(nothing)
    long = await search(client, " ".join(word() for _ in range(20)) + " " + product.title)
    assert "first 16 words" in said(long)
    for text in ("наушники беспроводные", "耳机", "🎧 🎧", "🎧" * 50, "ü" * 64):
        result = await search(client, text)
        assert isinstance(result["items"], list), text


async def test_each_mechanism_can_be_switched_off(
    server_factory: Callable[..., MCPServer[AppContext]], database: Database
) -> None:
    name, missing = word(10), word()
    (product,) = make(database, f"Vase {name}", price=5000)
    typo = name[:4] + ("a" if name[4] != "a" else "b") + name[5:]
    settings = {"search_relax": False, "search_typos": False, "search_synonyms": False, "search_price_words": False}

    async with Client(server_factory(**settings)) as strict:
        assert ids(await search(strict, f"{name} {missing}")) == []
        assert ids(await search(strict, typo)) == []
        kept = await search(strict, f"{name} under $100")
        assert ids(kept) == []
    async with Client(server_factory(search_relax=False)) as typos_only:
        assert ids(await search(typos_only, f"{name} {missing}")) == []
        corrected = await search(typos_only, typo)
        assert ids(corrected) == [product.id]
        assert "No product matches all words" not in said(corrected)
    async with Client(server_factory()) as forgiving:
        assert ids(await search(forgiving, f"{name} {missing}")) == [product.id]
        assert ids(await search(forgiving, typo)) == [product.id]
