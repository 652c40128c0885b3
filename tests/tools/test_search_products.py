"""search_products through the in-memory client: text, every filter, every sort, pages, facets, money."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from shopmcp.db import Database
from shopmcp.models.catalog import Category, Product, Seller
from shopmcp.services.search import products as search
from shopmcp.services.search import text as search_text
from tests.calls import ok
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec
from tests.tools.catalog_calls import all_pages, fail, ids, unique_word


def one_offer(seller: Seller, price: int, stock: int = 10) -> list[VariantSpec]:
    return [VariantSpec(offers=[OfferSpec(seller=seller, price=price, stock=stock)])]


@dataclass
class Store:
    """A small corner of the catalog with known values; every title holds `word`."""

    build: CatalogBuilder
    word: str
    root: Category
    audio: Category
    headphones: Category
    products: dict[str, Product]

    @property
    def slug(self) -> str:
        return self.root.slug


def build_store(database: Database) -> Store:
    build = CatalogBuilder(database)
    word = unique_word()
    root = build.category("Electronics")
    audio = build.category("Audio", parent=root)
    headphones = build.category("Headphones", parent=audio)
    cables = build.category("Cables", parent=root)
    sonic = build.brand("Sonic")
    volt = build.brand("Volt")
    seller = build.seller("Shop")
    now = datetime.now(UTC)

    def colours(*values: str, price: int, stock: int = 10) -> list[VariantSpec]:
        return [
            VariantSpec(options={"color": value}, offers=[OfferSpec(seller=seller, price=price, stock=stock)])
            for value in values
        ]

    products = {
        "studio": build.product(
            f"Studio headphones {word}",
            category=headphones,
            brand=sonic,
            variants=colours("Black", "Blue", price=19900),
            rating=4.8,
            created_at=now - timedelta(days=3),
        ),
        "travel": build.product(
            f"Travel headphones {word}",
            category=headphones,
            brand=volt,
            variants=colours("blue", price=5950),
            rating=4.1,
            created_at=now - timedelta(days=1),
        ),
        "speaker": build.product(
            f"Pocket speaker {word}",
            category=audio,
            brand=sonic,
            variants=colours("Red", price=2500, stock=0),
            rating=3.5,
            created_at=now - timedelta(days=10),
        ),
        "cable": build.product(
            f"USB-C cable {word}",
            category=cables,
            brand=volt,
            description="Braided, for headphones and phones.",
            variants=one_offer(seller, 999),
            rating=4.5,
            created_at=now - timedelta(days=5),
        ),
        "draft": build.product(
            f"Draft headphones {word}", category=headphones, variants=one_offer(seller, 100), status="draft"
        ),
        "archived": build.product(
            f"Old headphones {word}", category=headphones, variants=one_offer(seller, 100), status="archived"
        ),
        "unoffered": build.product(
            f"Unsold headphones {word}",
            category=headphones,
            variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=100, active=False)])],
        ),
    }
    return Store(build, word, root, audio, headphones, products)


def pid(store: Store, name: str) -> int:
    product_id = store.products[name].id
    assert product_id is not None
    return product_id


async def search_ids(client: Client, **args: Any) -> list[int]:
    return ids(await ok(client, "search_products", args))


async def test_a_word_finds_its_products_with_title_matches_first(client: Client, database: Database) -> None:
    store = build_store(database)

    result = await ok(client, "search_products", {"detail": "full", "query": f"headphones {store.word}"})

    # The cable mentions headphones only in its description: it comes after every title match.
    assert ids(result) == [*ids(result)[:2], pid(store, "cable")]
    assert set(ids(result)[:2]) == {pid(store, "studio"), pid(store, "travel")}
    assert result["total_count"] == 3
    assert result["total_count_exact"] is True
    assert result["next_cursor"] is None


async def test_draft_archived_and_unoffered_products_are_never_returned(client: Client, database: Database) -> None:
    store = build_store(database)
    hidden = {pid(store, name) for name in ("draft", "archived", "unoffered")}

    for args in (
        {"query": store.word},
        {"query": f"draft {store.word}"},
        {"category": store.slug},
        {"category": store.slug, "sort": "price_asc"},
        {"category": store.slug, "in_stock": False},
    ):
        assert not hidden & set(await all_pages(client, args)), args


async def test_category_includes_its_subcategories(client: Client, database: Database) -> None:
    store = build_store(database)

    everything = set(await search_ids(client, category=store.slug))
    audio = set(await search_ids(client, category=store.audio.slug))
    headphones = set(await search_ids(client, category=store.headphones.slug))

    assert headphones == {pid(store, "studio"), pid(store, "travel")}
    assert audio == headphones | {pid(store, "speaker")}
    assert everything == audio | {pid(store, "cable")}


async def test_category_may_be_named_instead_of_slugged(client: Client, database: Database) -> None:
    store = build_store(database)

    by_name = await search_ids(client, category=store.headphones.name.upper())

    assert set(by_name) == {pid(store, "studio"), pid(store, "travel")}


async def test_brand_filter_ignores_letter_case(client: Client, database: Database) -> None:
    store = build_store(database)
    brand = store.products["studio"].brand_id
    assert brand is not None

    sonic = await search_ids(client, category=store.slug, brand=f"SONIC {store.build.tag}")
    with_text = await search_ids(client, query=store.word, brand=f"sonic {store.build.tag}")

    assert set(sonic) == {pid(store, "studio"), pid(store, "speaker")}
    assert set(with_text) == set(sonic)


async def test_price_range_is_inclusive_and_in_major_units(client: Client, database: Database) -> None:
    store = build_store(database)

    in_range = await search_ids(client, category=store.slug, min_price="25", max_price=59.50)
    from_only = await search_ids(client, category=store.slug, min_price=59.51)

    assert set(in_range) == {pid(store, "speaker"), pid(store, "travel")}
    assert set(from_only) == {pid(store, "studio")}


async def test_in_stock_splits_available_from_sold_out(client: Client, database: Database) -> None:
    store = build_store(database)

    available = await search_ids(client, category=store.slug, in_stock=True)
    sold_out = await ok(client, "search_products", {"detail": "full", "category": store.slug, "in_stock": False})

    assert pid(store, "speaker") not in available
    assert ids(sold_out) == [pid(store, "speaker")]
    assert sold_out["items"][0]["availability"] == "out_of_stock"


async def test_options_match_any_variant_in_any_letter_case(client: Client, database: Database) -> None:
    store = build_store(database)

    blue = await search_ids(client, category=store.slug, options={"Color": "BLUE"})
    red_and_text = await search_ids(client, query=store.word, options={"color": "red"})
    none = await search_ids(client, category=store.slug, options={"color": "blue", "size": "M"})

    assert set(blue) == {pid(store, "studio"), pid(store, "travel")}
    assert red_and_text == [pid(store, "speaker")]
    assert none == []


async def test_an_option_value_no_product_has_finds_nothing(client: Client, database: Database) -> None:
    store = build_store(database)

    result = await ok(
        client, "search_products", {"detail": "full", "query": store.word, "options": {"size": "XXS"}, "in_stock": True}
    )

    assert result["items"] == []
    assert result["total_count"] == 0
    assert result["total_count_exact"] is True
    assert result["facets"]["brand"]["values"] == []


async def test_min_rating(client: Client, database: Database) -> None:
    store = build_store(database)

    rated = await search_ids(client, category=store.slug, min_rating=4.5)

    assert set(rated) == {pid(store, "studio"), pid(store, "cable")}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price_asc", ["cable", "speaker", "travel", "studio"]),
        ("price_desc", ["studio", "travel", "speaker", "cable"]),
        ("rating", ["studio", "cable", "travel", "speaker"]),
        ("newest", ["travel", "studio", "cable", "speaker"]),
        ("relevance", ["studio", "cable", "travel", "speaker"]),
    ],
)
async def test_every_sort_orders_the_matches(
    client: Client, database: Database, sort: str, expected: list[str]
) -> None:
    store = build_store(database)

    result = await ok(client, "search_products", {"detail": "full", "category": store.slug, "sort": sort})

    assert ids(result) == [pid(store, name) for name in expected]
    assert result["sort"] == sort


@contextmanager
def _no_budget(self: object, tx: object, budget: object) -> Iterator[None]:
    """A budget already spent: whatever runs inside is stopped."""
    raise search_text.OutOfTime
    yield  # pragma: no cover


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "rating", "newest"])
async def test_sorts_with_text_are_exact_over_every_match(
    client: Client, database: Database, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = build_store(database)
    by_filters = await search_ids(client, category=store.slug, sort=sort)

    with_text = await search_ids(client, query=store.word, sort=sort)
    # A tiny cap makes the text count as common: the plan walks the sort's index instead,
    monkeypatch.setattr(search, "COUNT_CAP", 1)
    as_if_common = await search_ids(client, query=store.word, sort=sort)
    # and when the walk runs out of budget, the matches are gathered and sorted another way.
    monkeypatch.setattr(search_text.SqliteTextSearch, "work_limit", _no_budget)
    monkeypatch.setattr(search_text.PostgresTextSearch, "work_limit", _no_budget)
    out_of_time = await search_ids(client, query=store.word, sort=sort)

    assert with_text == by_filters
    assert as_if_common == by_filters
    assert out_of_time == by_filters


async def test_summaries_carry_money_rating_brand_category_and_offers(client: Client, database: Database) -> None:
    store = build_store(database)

    result = await ok(client, "search_products", {"detail": "full", "query": f"studio {store.word}"})

    (item,) = result["items"]
    assert item["price"]["min"] == {"amount": 19900, "currency": "USD", "formatted": "$199.00"}
    assert item["price"]["max"] == {"amount": 19900, "currency": "USD", "formatted": "$199.00"}
    assert item["brand"] == f"Sonic {store.build.tag}"
    assert item["category"]["slug"] == store.headphones.slug
    assert item["category"]["path"] == store.headphones.path
    assert item["rating"] == 4.8
    assert item["availability"] == "in_stock"
    assert item["offer_count"] == 2


async def test_facets_add_up_to_the_total(client: Client, database: Database) -> None:
    store = build_store(database)

    result = await ok(client, "search_products", {"detail": "full", "category": store.slug})
    facets = result["facets"]

    assert result["total_count"] == 4
    assert facets["counted"] == 4
    assert facets["exact"] is True
    for name in ("category", "brand"):
        assert sum(v["count"] for v in facets[name]["values"]) + facets[name]["other_count"] == 4
    assert {v["value"]: v["count"] for v in facets["category"]["values"]} == {
        store.headphones.slug: 2,
        store.audio.slug: 1,
        next(v["value"] for v in facets["category"]["values"] if "cables" in v["value"]): 1,
    }
    assert {v["value"]: v["count"] for v in facets["brand"]["values"]} == {
        f"Sonic {store.build.tag}": 2,
        f"Volt {store.build.tag}": 2,
    }
    bands = {
        (band["min"]["amount"], band["max"]["amount"] if band["max"] else None): band["count"]
        for band in facets["price"]
    }
    assert bands == {(0, 1000): 1, (2500, 5000): 1, (5000, 10000): 1, (10000, 25000): 1}
    (color,) = facets["options"]
    assert color["name"] == "color"
    assert {v["value"]: v["count"] for v in color["values"]} == {"blue": 2, "black": 1, "red": 1}


async def test_a_facet_value_narrows_the_search_to_its_count(client: Client, database: Database) -> None:
    store = build_store(database)
    facets = (await ok(client, "search_products", {"detail": "full", "query": store.word}))["facets"]

    for value in facets["brand"]["values"]:
        narrowed = await ok(client, "search_products", {"detail": "full", "query": store.word, "brand": value["value"]})
        assert narrowed["total_count"] == value["count"]
    for band in facets["price"]:
        args = {"query": store.word, "min_price": band["min"]["amount"] / 100}
        if band["max"]:
            args["max_price"] = (band["max"]["amount"] - 1) / 100
        assert (await ok(client, "search_products", args))["total_count"] == band["count"]


async def test_pages_cover_every_match_once_in_order_despite_ties(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    word = unique_word()
    category = build.category("Ties")
    seller = build.seller("Same")
    created = datetime.now(UTC) - timedelta(days=2)
    made = {
        build.product(
            f"Identical lamp {word}", category=category, variants=one_offer(seller, 1500), created_at=created
        ).id
        for _ in range(23)
    }

    for sort in ("relevance", "price_asc", "price_desc", "rating", "newest"):
        for args in ({"query": word}, {"category": category.slug}):
            paged = await all_pages(client, {**args, "sort": sort, "limit": 5})
            whole = await search_ids(client, **args, sort=sort, limit=50)
            assert paged == whole, (sort, args)
            assert len(paged) == len(set(paged)) == 23
            assert set(paged) == made


async def test_a_cursor_keeps_its_place_when_products_are_added_before_it(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    category = build.category("Growing")
    seller = build.seller("Growing")
    first = [build.product(f"Item {n}", category=category, variants=one_offer(seller, 1000 + n)).id for n in range(6)]

    page = await ok(
        client, "search_products", {"detail": "full", "category": category.slug, "sort": "price_asc", "limit": 3}
    )
    build.product("Cheaper", category=category, variants=one_offer(seller, 1))
    rest = await ok(
        client,
        "search_products",
        {"category": category.slug, "sort": "price_asc", "limit": 3, "cursor": page["next_cursor"]},
    )

    assert ids(page) + ids(rest) == first


async def test_a_cursor_only_continues_its_own_search(client: Client, database: Database) -> None:
    store = build_store(database)
    page = await ok(client, "search_products", {"detail": "full", "category": store.slug, "limit": 1})

    for other in (
        {"category": store.slug, "sort": "price_asc"},
        {"category": store.audio.slug},
        {"category": store.slug, "query": "x"},
        {"category": store.slug, "min_price": 1},
    ):
        error = await fail(
            client, "search_products", {"detail": "full", **other, "limit": 1, "cursor": page["next_cursor"]}
        )
        assert error["code"] == "invalid_cursor"
        assert "without a cursor" in error["message"] or "no cursor" in error["message"]

    same_with_other_limit = await ok(
        client, "search_products", {"category": store.slug, "limit": 2, "cursor": page["next_cursor"]}
    )
    assert len(same_with_other_limit["items"]) == 2


async def test_beyond_the_cap_the_count_says_at_least_and_relevance_is_bounded(
    client: Client, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = build_store(database)
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    monkeypatch.setattr(search, "RELEVANCE_POOL", 1)

    result = await ok(client, "search_products", {"detail": "full", "query": f"headphones {store.word}"})
    by_price = await all_pages(client, {"query": f"headphones {store.word}", "sort": "price_asc", "limit": 1})

    assert result["total_count_exact"] is False
    assert result["total_count"] == 3
    assert result["facets"]["exact"] is False
    # At most one title match and one other match are ranked; a price sort still reaches all three.
    ranked = await all_pages(client, {"query": f"headphones {store.word}", "limit": 1})
    assert 1 <= len(ranked) <= 2
    assert len(by_price) == 3
    assert any("sort by price" in message for message in result["messages"])


async def test_query_syntax_phrases_or_exclusion_prefix(client: Client, database: Database) -> None:
    store = build_store(database)
    word = store.word

    assert set(await search_ids(client, query=f'"travel headphones" {word}')) == {pid(store, "travel")}
    # A phrase nothing holds is dropped (search relaxes), and messages say so.
    wrong_order = await ok(client, "search_products", {"query": f'"headphones travel" {word}'})
    assert any("no product matches 'headphones travel'" in message for message in wrong_order["messages"])
    assert set(ids(wrong_order))
    assert set(ids(wrong_order)) <= {product.id for product in store.products.values()}
    assert set(await search_ids(client, query=f"studio OR pocket {word}")) == {
        pid(store, "studio"),
        pid(store, "speaker"),
    }
    assert set(await search_ids(client, query=f"{word} -headphones")) == {pid(store, "speaker")}
    assert set(await search_ids(client, query=f"{word} NOT headphones NOT pocket")) == set()
    assert set(await search_ids(client, query=f"trav* {word}")) == {pid(store, "travel")}
    assert set(await search_ids(client, query=f"usb-c {word}")) == {pid(store, "cable")}


async def test_stemming_matches_word_forms(client: Client, database: Database) -> None:
    store = build_store(database)

    assert set(await search_ids(client, query=f"speakers {store.word}")) == {pid(store, "speaker")}


async def test_exclusion_only_query_filters_without_ranking(client: Client, database: Database) -> None:
    store = build_store(database)

    result = await ok(client, "search_products", {"detail": "full", "query": "-headphones", "category": store.slug})

    assert set(ids(result)) == {pid(store, "speaker")}


async def test_a_renamed_brand_is_found_by_its_new_name(client: Client, database: Database) -> None:
    from sqlmodel import select

    from shopmcp.models.catalog import Brand

    build = CatalogBuilder(database)
    word = unique_word()
    old = build.brand("Oldname")
    seller = build.seller("Renamer")
    product = build.product(f"Kettle {word}", brand=old, variants=one_offer(seller, 3000))
    new_name = f"Newname {unique_word()}"
    with database.write() as tx:
        brand = tx.exec(select(Brand).where(Brand.id == old.id)).one()
        brand.name = new_name

    found = await search_ids(client, query=f"{new_name} {word}")
    by_filter = await search_ids(client, query=word, brand=new_name)

    assert found == by_filter == [product.id]


async def test_unknown_category_or_brand_says_where_to_find_names(client: Client, database: Database) -> None:
    category = await fail(client, "search_products", {"detail": "full", "category": f"no-such-{unique_word()}"})
    brand = await fail(client, "search_products", {"detail": "full", "brand": f"No Such {unique_word()}"})

    assert category["code"] == brand["code"] == "not_found"
    assert "list_categories" in category["message"]
    assert "facets.brand" in brand["message"]


async def test_narrow_filters_may_lead_a_relevance_search_without_losing_matches(
    client: Client, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = build_store(database)
    args = {"query": f"headphones {store.word}", "max_price": 1000, "limit": 1, "detail": "full"}
    by_words = await all_pages(client, args)
    # No budget for words first: on SQLite the filters' indexes lead and the words are checked per product.
    monkeypatch.setattr(search, "WORDS_FIRST_BUDGET", search_text.Budget(sqlite_steps=0, postgres_seconds=0.0))
    monkeypatch.setattr(search_text, "WALK_CHECK_STEPS", 1)

    by_filters = await all_pages(client, args)
    counted = await ok(client, "search_products", args)

    assert set(by_filters) == set(by_words) == {pid(store, "studio"), pid(store, "travel"), pid(store, "cable")}
    assert by_filters[-1] == pid(store, "cable")  # the only one without the words in its title
    assert counted["total_count"] == 3


async def test_an_option_value_may_lead_a_relevance_search_without_losing_or_repeating_matches(
    client: Client, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = build_store(database)
    seller = store.build.seller("Duo shop")
    # Two variants with the same colour: the option's rows name this product twice.
    duo = store.build.product(
        f"Duo headphones {store.word}",
        category=store.headphones,
        variants=[
            VariantSpec(options={"color": "Blue", "size": size}, offers=[OfferSpec(seller=seller, price=3000)])
            for size in ("S", "M")
        ],
    )
    args = {
        "query": f"headphones {store.word}",
        "options": {"color": "blue"},
        "in_stock": True,
        "limit": 1,
        "detail": "full",
    }
    by_words = await all_pages(client, args)
    # No budget for words first: on SQLite the blue products lead and the words are checked on each.
    monkeypatch.setattr(search, "WORDS_FIRST_BUDGET", search_text.Budget(sqlite_steps=0, postgres_seconds=0.0))
    monkeypatch.setattr(search_text, "WALK_CHECK_STEPS", 1)

    by_option = await all_pages(client, args)
    counted = await ok(client, "search_products", args)

    assert sorted(by_option) == sorted(set(by_option))
    assert set(by_option) == set(by_words) == {pid(store, "studio"), pid(store, "travel"), duo.id}
    assert counted["total_count"] == 3
