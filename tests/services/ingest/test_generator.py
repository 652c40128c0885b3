"""The store generator: reproducible, realistic, indexed for search, and safe to seed from two processes at once."""

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import registry
from sqlmodel import Session, col, func, select

from shopmcp.db import Database
from shopmcp.models.catalog import Category, Offer, PriceHistory, Product, Seller, ShippingRate, Variant
from shopmcp.models.types import UTCDateTime
from shopmcp.services.catalog.aggregates import refresh_products
from shopmcp.services.ingest import generator
from shopmcp.services.ingest.generator import (
    CatalogNotEmptyError,
    anchor_at,
    generate_catalog,
    pipeline,
    seed_demo_catalog,
    vocabulary,
)
from shopmcp.services.ingest.generator.loader import RowConverter, SqliteSearchIndex, bulk_index_statement
from shopmcp.services.ingest.generator.products import Rows, seller_pool
from tests.conftest import BACKENDS
from tests.services.catalog_db import NewDatabase, discard, dump_catalog, make_database, scalar

ANCHOR = anchor_at(date(2026, 1, 15))


def generate(db: Database, products: int, seed: int = 1, **options: Any) -> None:
    with db.write() as tx:
        generate_catalog(tx, products=products, seed=seed, anchor=ANCHOR, **options)


def test_same_seed_and_anchor_give_identical_rows(new_database: NewDatabase) -> None:
    first, second = new_database(), new_database()
    generate(first, 300, seed=7)
    generate(second, 300, seed=7)

    assert dump_catalog(first) == dump_catalog(second)


def test_another_seed_or_anchor_gives_another_catalog(new_database: NewDatabase) -> None:
    base, other_seed, other_anchor = new_database(), new_database(), new_database()
    generate(base, 100, seed=7)
    generate(other_seed, 100, seed=8)
    with other_anchor.write() as tx:
        generate_catalog(tx, products=100, seed=7, anchor=ANCHOR + timedelta(days=1))

    titles = [row[2] for row in dump_catalog(base)["product"]]
    assert titles != [row[2] for row in dump_catalog(other_seed)["product"]]
    assert titles == [row[2] for row in dump_catalog(other_anchor)["product"]]
    assert dump_catalog(base)["price_history"] != dump_catalog(other_anchor)["price_history"]


def test_appending_continues_the_catalog_as_one_longer_run_would(new_database: NewDatabase) -> None:
    in_two_runs, in_one_run = new_database(), new_database()
    generate(in_two_runs, 120, seed=3)
    generate(in_two_runs, 80, seed=3, append=True)
    generate(in_one_run, 200, seed=3)

    assert dump_catalog(in_two_runs) == dump_catalog(in_one_run)


def test_a_catalog_with_products_is_refused_without_append(empty_catalog: Database) -> None:
    generate(empty_catalog, 10)

    with pytest.raises(CatalogNotEmptyError) as refused:
        generate(empty_catalog, 10)

    assert refused.value.product_count == 10
    assert scalar(empty_catalog, "SELECT count(*) FROM product") == 10


def test_building_in_a_worker_process_writes_the_same_rows(
    new_database: NewDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_process, with_worker = new_database(), new_database()
    generate(in_process, 250, seed=5)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)
    monkeypatch.setattr(pipeline, "CHUNK_PRODUCTS", 64)
    generate(with_worker, 250, seed=5)

    assert dump_catalog(with_worker) == dump_catalog(in_process)


def schema_objects(db: Database) -> set[tuple[str, ...]]:
    """Every index and foreign key of the catalog tables, with its definition."""
    if db.dialect == "sqlite":
        sql = "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
        with db.read() as tx:
            found = {tuple(row) for row in tx.execute(text(sql))}
            for table in ("product", "variant", "variant_option", "offer", "price_history"):
                found |= {
                    ("fk", table, *map(str, row)) for row in tx.execute(text(f"PRAGMA foreign_key_list({table})"))
                }
        return found
    with db.read() as tx:
        indexes = tx.execute(text("SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
        keys = tx.execute(
            text("SELECT 'fk', conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'")
        )
        return {tuple(row) for row in indexes} | {tuple(row) for row in keys}


def test_a_big_load_into_an_empty_catalog_builds_indexes_afterwards_and_keeps_every_one(
    new_database: NewDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    row_by_row, deferred = new_database(), new_database()
    before = schema_objects(deferred)
    generate(row_by_row, 150, seed=4)
    monkeypatch.setattr(generator, "_BIG_LOAD", 100)
    generate(deferred, 150, seed=4)

    assert schema_objects(deferred) == before
    assert dump_catalog(deferred) == dump_catalog(row_by_row)
    assert scalar(deferred, "SELECT count(*) FROM product WHERE id IN (SELECT product_id FROM offer)") > 100


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A generated store of 2,000 products that the tests below only read."""
    db = make_database(request.param, tmp_path_factory.mktemp("store"))
    generate(db, 2_000, seed=11)
    yield db
    discard(db)


def test_the_store_has_a_category_tree_brands_and_sellers(store: Database) -> None:
    with store.read() as tx:
        categories = tx.exec(select(Category)).all()
        sellers = tx.exec(select(Seller)).all()
        rates = tx.exec(select(ShippingRate)).all()
        brand_count = scalar(store, "SELECT count(*) FROM brand")

    leaves = {c.id for c in categories} - {c.parent_id for c in categories}
    assert len(leaves) >= 20
    assert max(c.depth for c in categories) == 2
    assert all(c.path.endswith(c.name) for c in categories)
    assert brand_count >= 50
    assert 25 <= len(sellers) <= 60
    assert all(3.0 <= seller.rating <= 5.0 and seller.rating_count > 0 for seller in sellers)
    methods: dict[int, set[str]] = {}
    for rate in rates:
        methods.setdefault(rate.seller_id, set()).add(rate.method)
        assert rate.price >= 0
        assert 0 < rate.min_days <= rate.max_days
    assert all("standard" in found for found in methods.values())
    assert any("express" in found for found in methods.values())
    assert any(rate.free_over for rate in rates)


def test_every_active_product_can_be_bought_at_a_positive_price(store: Database) -> None:
    with store.read() as tx:
        products = tx.exec(select(Product)).all()
        offers = tx.exec(select(Offer)).all()

    active_offers: dict[int, int] = {}
    for offer in offers:
        assert offer.price > 0
        assert offer.stock >= 0
        assert offer.compare_at_price is None or offer.compare_at_price > offer.price
        assert offer.condition in ("new", "refurbished", "used")
        active_offers[offer.product_id] = active_offers.get(offer.product_id, 0) + offer.active
    statuses = [product.status for product in products]
    assert all(active_offers.get(p.id or 0, 0) >= 1 for p in products if p.status == "active")
    assert 0 < statuses.count("draft") < len(products) * 0.03
    assert 0 < statuses.count("archived") < len(products) * 0.03
    assert any(offer.stock == 0 and offer.track_inventory for offer in offers)
    assert any(not offer.track_inventory for offer in offers)
    assert len({offer.price for offer in offers}) > 500


def test_products_fit_their_category(store: Database) -> None:
    with store.read() as tx:
        rows = tx.exec(
            select(Product, Category.name).join(Category, col(Category.id) == col(Product.category_id))
        ).all()
        options = tx.exec(
            select(Variant.options, Category.name)
            .select_from(Variant)
            .join(Product, col(Product.id) == col(Variant.product_id))
            .join(Category, col(Category.id) == col(Product.category_id))
        ).all()

    by_leaf: dict[str, list[Product]] = {}
    for product, leaf in rows:
        by_leaf.setdefault(leaf, []).append(product)
    assert all({"driver_size_mm", "battery_life_hours"} <= p.attributes.keys() for p in by_leaf["Headphones"])
    assert all({"material", "fit"} <= p.attributes.keys() for p in by_leaf["T-Shirts"])
    assert all("headphones" in p.title.lower() for p in by_leaf["Headphones"])
    assert {key for value, leaf in options if leaf == "T-Shirts" for key in value} == {"Color", "Size"}
    assert {key for value, leaf in options if leaf == "Smartphones" for key in value} == {"Storage", "Color"}
    assert any(value == {} for value, leaf in options if leaf == "Headphones")
    assert all(0 <= p.rating <= 5 and p.review_count >= 0 for p, _ in rows)
    assert all(ANCHOR - timedelta(days=731) < p.created_at <= ANCHOR for p, _ in rows)


def test_aggregates_are_what_refresh_products_computes(store: Database) -> None:
    def aggregates(tx: Session) -> list[tuple[Any, ...]]:
        products = tx.exec(select(Product).order_by(col(Product.id))).all()
        return [(p.id, p.min_price, p.max_price, p.offer_count, p.in_stock) for p in products]

    with store.write() as tx:
        generated = aggregates(tx)
        refresh_products(tx)
        tx.expire_all()
        recomputed = aggregates(tx)
        tx.rollback()

    assert generated == recomputed


def test_price_history_covers_90_days_and_ends_at_the_current_price(store: Database) -> None:
    with store.read() as tx:
        offers = {offer.id: offer for offer in tx.exec(select(Offer)).all()}
        points = tx.exec(select(PriceHistory).order_by(col(PriceHistory.offer_id), col(PriceHistory.valid_from)))
        history: dict[int, list[PriceHistory]] = {}
        for point in points:
            history.setdefault(point.offer_id, []).append(point)

    assert history.keys() == offers.keys()
    assert any(len(points) >= 3 for points in history.values())
    for offer_id, offer_points in history.items():
        assert offer_points[-1].price == offers[offer_id].price
        assert offer_points[-1].valid_from == offers[offer_id].updated_at
        assert all(ANCHOR - timedelta(days=90) <= p.valid_from <= ANCHOR for p in offer_points)
        assert all(a.price != b.price for a, b in pairwise(offer_points))


def test_the_search_index_holds_every_product_exactly(store: Database) -> None:
    if store.dialect == "sqlite":
        indexed = _rows(store, "SELECT rowid, title, brand, category, description FROM product_fts ORDER BY rowid")
        expected = _rows(
            store,
            "SELECT p.id, p.title, b.name, c.path, p.description FROM product p "
            "JOIN brand b ON b.id = p.brand_id JOIN category c ON c.id = p.category_id ORDER BY p.id",
        )
        assert indexed == expected
    else:
        assert scalar(store, "SELECT count(*) FROM product WHERE search_vector IS NULL") == 0
        brand_in_vector = "SELECT count(*) FROM product p JOIN brand b ON b.id = p.brand_id WHERE "
        brand_in_vector += "p.search_vector @@ plainto_tsquery('english', b.name)"
        assert scalar(store, brand_in_vector) == 2_000


def test_products_written_after_generation_are_indexed_by_the_trigger(empty_catalog: Database) -> None:
    generate(empty_catalog, 20)
    with empty_catalog.write() as tx:
        tx.add(Product(handle="late-arrival", title="Quokka Telescope", description="A late arrival."))

    if empty_catalog.dialect == "sqlite":
        found = "SELECT count(*) FROM product_fts WHERE product_fts MATCH 'quokka'"
    else:
        found = "SELECT count(*) FROM product WHERE search_vector @@ to_tsquery('english', 'quokka')"
    assert scalar(empty_catalog, found) == 1


def test_search_terms_have_the_documented_frequencies(store: Database) -> None:
    def matching(term: str) -> int:
        if store.dialect == "sqlite":
            return int(scalar(store, "SELECT count(*) FROM product_fts WHERE product_fts MATCH :term", term=term))
        sql = "SELECT count(*) FROM product WHERE search_vector @@ plainto_tsquery('english', :term)"
        return int(scalar(store, sql, term=term))

    assert 0.28 < matching(vocabulary.COMMON_TERM) / 2_000 < 0.39
    assert 0 < matching(vocabulary.RARE_TERM) < 2_000 * 0.01
    assert matching(vocabulary.NO_MATCH_TERM) == 0
    assert 0.01 < matching("headphones") / 2_000 < 0.06


def test_the_search_terms_appear_nowhere_else_in_the_vocabulary() -> None:
    words = re.findall(r"[a-z]+", _all_strings(vocabulary).lower())
    common = [w for w in words if w.startswith(vocabulary.COMMON_TERM[:6])]
    rare = [w for w in words if w.startswith(vocabulary.RARE_TERM[:6])]

    assert len(common) == 1 + len(vocabulary.COMMON_SENTENCES)  # the constant and its sentences
    assert len(rare) == 1 + len(vocabulary.RARE_SENTENCES)
    assert words.count(vocabulary.NO_MATCH_TERM) == 1


def test_category_slugs_and_brand_names_are_unique() -> None:
    names = [leaf.path[-1] for leaf in vocabulary.LEAVES]
    paths = [" > ".join(leaf.path) for leaf in vocabulary.LEAVES]
    assert len(set(names)) == len(names)
    assert len(set(paths)) == len(paths)


def test_the_sqlite_fast_path_is_derived_from_the_trigger_the_migration_made(empty_catalog: Database) -> None:
    if empty_catalog.dialect != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    with empty_catalog.write() as tx:
        index = SqliteSearchIndex(tx.connection())
        tx.rollback()

    assert index.bulk_insert is not None
    assert "FROM product AS new WHERE new.id BETWEEN :first AND :last" in index.bulk_insert
    assert bulk_index_statement("CREATE TRIGGER t AFTER INSERT ON product BEGIN SELECT 1; END") is None


def test_two_servers_seeding_at_once_make_one_demo_catalog(empty_catalog: Database) -> None:
    # Two engines with their own connections, as two server processes have; threads only start them together.
    url = empty_catalog.engine.url.render_as_string(hide_password=False)
    results: list[object] = []
    barrier = threading.Barrier(2, timeout=30)

    def start() -> None:
        own = Database(url)
        try:
            barrier.wait()
            results.append(seed_demo_catalog(own, products=300, seed=2, anchor=ANCHOR))
        finally:
            own.dispose()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert sorted(result is None for result in results) == [False, True]
    assert scalar(empty_catalog, "SELECT count(*) FROM product") == 300
    assert scalar(empty_catalog, "SELECT count(*) FROM seller") == len(seller_pool(2))


def test_the_demo_catalog_is_not_seeded_over_existing_products(empty_catalog: Database) -> None:
    generate(empty_catalog, 5)

    assert seed_demo_catalog(empty_catalog, products=50, seed=1) is None
    assert scalar(empty_catalog, "SELECT count(*) FROM product") == 5


def test_timestamps_are_offsets_from_the_anchor(empty_catalog: Database) -> None:
    generate(empty_catalog, 50)

    with empty_catalog.read() as tx:
        newest = tx.exec(select(func.max(PriceHistory.valid_from))).one()
        oldest = tx.exec(select(func.min(Product.created_at))).one()
    assert newest is not None
    assert oldest is not None
    assert newest <= ANCHOR
    assert oldest >= ANCHOR - timedelta(days=730)


def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.read() as tx:
        return [tuple(row) for row in tx.execute(text(sql))]


def _all_strings(module: object) -> str:
    """Every string in the module's constants, however nested."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name))

    for name, value in vars(module).items():
        if name.isupper():
            walk(value)
    return "\n".join(found)


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 1, 1, tzinfo=UTC), datetime(2025, 7, 9, 23, 59, 58, 12, tzinfo=timezone(timedelta(hours=2)))],
)
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_bulk_written_timestamps_bind_as_the_orm_binds_them(moment: datetime, dialect: str) -> None:
    loaded = registry.load({"sqlite": "sqlite", "postgresql": "postgresql.psycopg"}[dialect])()
    orm = UTCDateTime().dialect_impl(loaded).bind_processor(loaded)
    assert orm is not None

    converted = RowConverter(dialect).convert(Rows(price_history=[(1, 1, 100, moment)]))

    assert converted.price_history[0][3] == orm(moment)
