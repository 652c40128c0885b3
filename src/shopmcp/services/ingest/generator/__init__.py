"""A deterministic generator of a realistic store, written straight into the catalog tables.

`shopmcp catalog generate --products N --seed S` and the demo store of the
first start (`seed_demo_catalog`) both come from here.

What a generated store holds: 63 leaf categories in a three-level tree
(e.g. Electronics > Audio > Headphones), about 100 brands that fit their
categories, 30 to 50 sellers with ratings and standard and express shipping
rates (some free over a threshold), and per product a title, description
and attributes that fit its category (headphones have a driver size and a
battery life, T-shirts a material and a fit), variants with options that fit
(color and size for apparel, storage and color for phones, one default
variant for many products), one to six sellers at different prices,
conditions, handling days and stock (some sold out, some made to order),
90 days of price history as change points, a rating and review count, a
creation date within the two years before the anchor, and about 1% drafts
and 1% archived products. Per product that is on average about 2.8
variants, 4.7 offers and 8.5 price points.

Same seed, same anchor date, same rows: product k of seed s draws from its
own random stream, and every timestamp is an offset from the anchor (default
today 00:00 UTC). Ids continue after the largest id present, so generating
into an empty database numbers everything from 1.

Words for search tests, with their share of products (in the description;
any seed, any size):
- `durable` (`vocabulary.COMMON_TERM`): about one product in three.
- `heirloom` (`vocabulary.RARE_TERM`): about one in five hundred.
- `zyxwvut` (`vocabulary.NO_MATCH_TERM`): none.
- a leaf category's noun, e.g. `headphones`: one to five percent.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time

import structlog
from sqlalchemy import func
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from shopmcp.db import Database
from shopmcp.models.catalog import Product
from shopmcp.services.catalog.refs import Refs
from shopmcp.services.ingest.generator import vocabulary
from shopmcp.services.ingest.generator.loader import (
    BulkWriter,
    SqliteSearchIndex,
    indexes_deferred,
    lock_catalog,
    max_ids,
    sync_sequences,
)
from shopmcp.services.ingest.generator.pipeline import MakerSettings, build_chunks
from shopmcp.services.ingest.generator.products import NextIds, brand_names, seller_pool

__all__ = [
    "CatalogNotEmptyError",
    "GenerateResult",
    "default_anchor",
    "generate_catalog",
    "seed_demo_catalog",
    "vocabulary",
]

log = structlog.get_logger(__name__)

_BIG_LOAD = 20_000
_BIG_CACHE_KIB = 256 * 1024


class CatalogNotEmptyError(Exception):
    """Generation into a catalog that already has products, without `append`."""

    def __init__(self, product_count: int) -> None:
        super().__init__(f"the catalog already has {product_count} products")
        self.product_count = product_count


@dataclass(frozen=True)
class GenerateResult:
    """What one generation wrote."""

    products: int
    variants: int
    offers: int
    price_points: int
    first_product_id: int
    seconds: float


def default_anchor() -> datetime:
    """Today at 00:00 UTC: generated timestamps are offsets back from here."""
    return anchor_at(datetime.now(UTC).date())


def anchor_at(day: date) -> datetime:
    return datetime.combine(day, clock_time(0, 0), tzinfo=UTC)


def generate_catalog(
    tx: Session,
    *,
    products: int,
    seed: int,
    anchor: datetime | None = None,
    currency: str = "USD",
    append: bool = False,
    progress: Callable[[int], None] | None = None,
) -> GenerateResult:
    """Generate `products` products into the catalog, in the session's (write) transaction.

    Takes the catalog lock first, so concurrent generators and importers
    queue up. Categories, brands and sellers of the vocabulary are reused
    when they exist (by path and name) and created otherwise.

    Raises:
        CatalogNotEmptyError: the catalog has products and `append` is false.
        ValueError: `products` or `seed` is negative.
    """
    if products < 0 or seed < 0:
        raise ValueError("products and seed must be whole numbers >= 0")
    started = time.perf_counter()
    connection = tx.connection()
    lock_catalog(connection)
    existing = tx.exec(select(func.count()).select_from(Product)).one()
    if existing and not append:
        raise CatalogNotEmptyError(existing)

    refs = Refs(tx, currency=currency)
    category_ids = [_require(refs.category_id(leaf.path)) for leaf in vocabulary.LEAVES]
    brand_ids = {name: _require(refs.brand_id(name)) for name in brand_names()}
    seller_ids = [
        refs.seller_id(seller.name, seller.shipping, rating=seller.rating, rating_count=seller.rating_count)
        for seller in seller_pool(seed)
    ]
    start = max_ids(connection)
    settings = MakerSettings(
        seed=seed,
        anchor=anchor or default_anchor(),
        currency=currency,
        category_ids=category_ids,
        brand_ids=brand_ids,
        seller_ids=seller_ids,
        next_ids=NextIds(
            variant=start["variant"] + 1, offer=start["offer"] + 1, price_history=start["price_history"] + 1
        ),
        dialect=connection.dialect.name,
    )
    first_id = start["product"] + 1
    big = products >= _BIG_LOAD
    with _big_sqlite_cache(connection, enabled=big), indexes_deferred(connection, enabled=big and not existing):
        written = _write_products(tx, settings, first_id, products, progress)
    sync_sequences(connection)
    # Semantic search's vectors, in the same transaction: a catalog is never searchable without them.
    # Imported here: serving imports this module (harness reset), and numpy need not load for that.
    from shopmcp.services.semantic.store import refresh_embeddings

    refresh_embeddings(tx, range(first_id, first_id + products))
    if connection.dialect.name == "postgresql" and products >= _BIG_LOAD:
        # Fresh statistics, so the first searches after a big load get good plans.
        connection.exec_driver_sql("ANALYZE product, variant, variant_option, offer, price_history")
    return GenerateResult(
        products=products,
        variants=written.variants,
        offers=written.offers,
        price_points=written.price_points,
        first_product_id=first_id,
        seconds=round(time.perf_counter() - started, 3),
    )


@dataclass
class _Written:
    variants: int = 0
    offers: int = 0
    price_points: int = 0


def _write_products(
    tx: Session, settings: MakerSettings, first_id: int, count: int, progress: Callable[[int], None] | None
) -> _Written:
    connection = tx.connection()
    writer = BulkWriter(connection)
    search_index = SqliteSearchIndex(connection) if connection.dialect.name == "sqlite" else None
    written = _Written()
    with search_index.deferred() if search_index else nullcontext():
        for chunk in build_chunks(settings, first_id, count):
            writer.write(chunk.rows)
            if search_index:
                search_index.index(chunk.first_id, chunk.last_id)
            written.variants += len(chunk.rows.variants)
            written.offers += len(chunk.rows.offers)
            written.price_points += len(chunk.rows.price_history)
            if progress is not None:
                progress(chunk.last_id - first_id + 1)
    return written


@contextmanager
def _big_sqlite_cache(connection: Connection, *, enabled: bool) -> Iterator[None]:
    """A bigger SQLite page cache while a big load runs (index pages stay in memory), then the old size."""
    if not enabled or connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_BIG_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")


def _require(value: int | None) -> int:
    assert value is not None
    return value


def seed_demo_catalog(
    db: Database, *, products: int, seed: int, currency: str = "USD", anchor: datetime | None = None
) -> GenerateResult | None:
    """Fill an empty catalog with the demo store; leave a catalog with products alone.

    Safe when several server processes start at once: the check and the
    load run in one write transaction under the catalog lock, so exactly one
    of them fills the catalog and the others find it full.

    Returns:
        What was generated, or None when the catalog already had products.
    """

    def fill(tx: Session) -> GenerateResult | None:
        try:
            return generate_catalog(tx, products=products, seed=seed, anchor=anchor, currency=currency)
        except CatalogNotEmptyError:
            return None

    result = db.run_write(fill)
    if result is not None:
        log.info("catalog.demo_seeded", products=result.products, offers=result.offers, seconds=result.seconds)
    return result
