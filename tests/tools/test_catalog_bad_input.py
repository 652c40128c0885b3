"""Bad input to the catalog tools: a clear error or a sensible empty result, never a crash or SQL text."""

import base64
import json

import pytest
from mcp import Client

from shopmcp.db import Database
from tests.calls import ok
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec
from tests.tools.catalog_calls import assert_no_leak, fail, ids, rejected, unique_word

HOSTILE_QUERIES = [
    "usb-c",
    '"',
    '"unclosed phrase',
    "AND",
    "OR",
    "NOT x",
    "a AND OR NOT b",
    "*",
    "**",
    "x*",
    "-",
    "--",
    "()",
    "(a OR b",
    "{title}: x",
    "title:x",
    "NEAR(a b, 2)",
    "^start",
    "kid's",
    "a & b | !c <-> d",
    "'; DROP TABLE product; --",
    "1' OR '1'='1",
    "\\",
    "%_%",
    "🎧🎧🎧",
    "ﬁ ligature Ünïcödé 中文 العربية",
    "\x00null",
    "   ",
    "the",
    " ".join(["word"] * 90),
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
async def test_any_query_text_is_safe(client: Client, query: str) -> None:
    result = await client.call_tool("search_products", {"query": query})

    if result.is_error:
        assert result.structured_content is not None, result.content
        assert_no_leak(result.structured_content["error"]["message"])
    else:
        assert result.structured_content is not None
        assert isinstance(result.structured_content["items"], list)


async def test_hostile_text_around_a_real_word_still_finds_it(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    seller = build.seller("Safe")
    word = unique_word()
    product = build.product(f"USB-C hub {word}", variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=1999)])])

    for query in (f'"{word}', f"{word} AND", f"{word}*", f"({word})", f"{word} 🎧", f"{word}'; --", f"-x {word}"):
        assert ids(await ok(client, "search_products", {"query": query})) == [product.id], query
    assert ids(await ok(client, "search_products", {"query": f"usb-c {word}"})) == [product.id]


async def test_a_query_of_no_words_browses_and_says_so(client: Client) -> None:
    result = await ok(client, "search_products", {"query": "*** 🎧 !!!", "limit": 1})

    assert len(result["items"]) == 1
    assert any("no words" in message for message in result["messages"])


async def test_a_long_query_uses_its_first_words_and_says_so(client: Client) -> None:
    result = await ok(client, "search_products", {"query": " ".join(unique_word() for _ in range(40))})

    assert result["items"] == []
    assert any("first 16 words" in message for message in result["messages"])


async def test_ten_kilobytes_of_query_is_refused_by_the_schema(client: Client) -> None:
    message = await rejected(client, "search_products", {"query": "x" * 10_240})

    assert "500" in message
    assert_no_leak(message)


@pytest.mark.parametrize(
    "args",
    [
        {"limit": 0},
        {"limit": 10_000},
        {"limit": -1},
        {"min_price": -1},
        {"max_price": "-0.01"},
        {"min_price": "cheap"},
        {"min_price": "NaN"},
        {"min_price": "Infinity"},
        {"max_price": 1e30},
        {"min_rating": 6},
        {"sort": "cheapest"},
        {"in_stock": "maybe"},
        {"options": {f"k{n}": "v" for n in range(6)}},
        {"options": {"color": ""}},
        {"options": {"color": 3}},
        {"category": ""},
        {"cursor": ""},
        {"cursor": "x" * 2000},
        {"query": None},
    ],
)
async def test_out_of_bounds_arguments_are_refused_by_the_schema(client: Client, args: dict[str, object]) -> None:
    message = await rejected(client, "search_products", args)

    assert_no_leak(message)


async def test_an_inverted_price_range_says_how_to_fix_it(client: Client) -> None:
    error = await fail(client, "search_products", {"min_price": 50, "max_price": "20"})

    assert error["code"] == "invalid_input"
    assert "swap" in error["message"]


def _forge(payload: object) -> str:
    body = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(body + b".0000000000000000").decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!!",
        "eyJ2IjoxfQ",  # {"v":1} without a checksum
        _forge({"v": 1, "f": "0" * 16, "k": [1, 2]}),
        base64.urlsafe_b64encode(b"\xff\xfe.abc").decode(),
    ],
)
async def test_a_forged_or_garbled_cursor_says_to_start_again(client: Client, cursor: str) -> None:
    error = await fail(client, "search_products", {"cursor": cursor})

    assert error["code"] == "invalid_cursor"
    assert "no cursor" in error["message"]


async def test_an_edited_cursor_is_refused(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    category = build.category("Edits")
    seller = build.seller("Edits")
    for n in range(3):
        build.product(
            f"Thing {n}", category=category, variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=100)])]
        )
    page = await ok(client, "search_products", {"category": category.slug, "limit": 1})
    token = base64.urlsafe_b64decode(page["next_cursor"] + "==")
    body, _, checksum = token.rpartition(b".")
    edited = json.loads(body)
    edited["k"][0] = 0.0
    forged = base64.urlsafe_b64encode(json.dumps(edited).encode() + b"." + checksum).decode().rstrip("=")

    error = await fail(client, "search_products", {"category": category.slug, "limit": 1, "cursor": forged})

    assert error["code"] == "invalid_cursor"


@pytest.mark.parametrize("product_id", [0, -5, 2**31, 10**20, 1.5, None, "seven"])
async def test_impossible_product_ids_are_refused_by_the_schema(client: Client, product_id: object) -> None:
    message = await rejected(client, "get_product", {"product_id": product_id})

    assert_no_leak(message)


@pytest.mark.parametrize(
    "args",
    [
        {"brand": "a\x00b"},
        {"category": "\x00"},
        {"options": {"co\x00lor": "bl\x00ue"}},
    ],
)
async def test_nul_characters_are_treated_as_text(client: Client, args: dict[str, object]) -> None:
    result = await client.call_tool("search_products", args)

    assert result.structured_content is not None, result.content
    if result.is_error:
        assert result.structured_content["error"]["code"] == "not_found"
    else:
        assert result.structured_content["items"] == []


async def test_a_query_of_stop_words_alone_still_finds_products(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    category = build.category("Stopwords")
    seller = build.seller("Stopwords")
    product = build.product(
        "The lamp", category=category, variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=1000)])]
    )

    result = await ok(client, "search_products", {"query": "the", "category": category.slug})

    assert ids(result) == [product.id]
