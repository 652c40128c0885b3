"""Getting a database ready to serve: the schema migrated (or checked), and the demo store filled in.

`shopmcp serve` runs `prepare_database` before it builds the server; the catalog and harness
commands run `ensure_schema`. Several processes starting at once migrate one after the other.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from shopmcp import migrations
from shopmcp.config import Settings
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database
from shopmcp.services.ingest.demo_coupons import seed_demo_coupons

_MIGRATION_LOCK_KEY = 0x73686F706D6D67  # "shopmmg"

log = structlog.get_logger(__name__)


def prepare_database(settings: Settings, db: Database) -> None:
    """Migrate the schema if allowed, then seed the demo store where configured."""
    db = db.with_runtime(runtime_from(settings))
    ensure_schema(settings, db)
    _prepare_catalog(settings, db)
    if settings.search_semantic:
        _embed_missing(db)


def _prepare_catalog(settings: Settings, db: Database) -> None:
    if settings.seed_demo_catalog:
        if _has_products(db):
            # Already filled (every start but the first): no need to load the generator or take the catalog
            # lock. An empty catalog goes through seed_demo_catalog, whose check under the lock decides.
            db.run_write(seed_demo_coupons, currency=settings.currency)
            return
        from shopmcp.services.ingest.generator import seed_demo_catalog

        seed_demo_catalog(
            db,
            products=settings.demo_products,
            seed=settings.demo_seed,
            currency=settings.currency,
            anchor=runtime_from(settings).catalog_anchor,
        )
        # After the demo catalog: a category-limited demo coupon needs its categories.
        db.run_write(seed_demo_coupons, currency=settings.currency)


def _embed_missing(db: Database) -> None:
    """Embed products that have no vector yet: a catalog loaded before semantic search existed.

    Generating and importing embed what they write, so this finds nothing on every start but the
    first after the upgrade (one indexed anti-join); then it takes about 40 s per 100,000 products.
    """
    with db.read() as tx:
        missing = tx.execute(
            text(
                "SELECT 1 FROM product p LEFT JOIN product_embedding e ON e.product_id = p.id "
                "WHERE e.product_id IS NULL LIMIT 1"
            )
        ).first()
    if missing is None:
        return
    from shopmcp.services.ingest.generator.loader import lock_catalog
    from shopmcp.services.semantic.store import missing_embeddings, refresh_embeddings

    def embed(tx: Session) -> int:
        lock_catalog(tx.connection())  # processes starting together embed one after the other
        return refresh_embeddings(tx, missing_embeddings(tx))

    log.info("catalog.embedding", reason="products without a vector for semantic search")
    log.info("catalog.embedded", products=db.run_write(embed))


def _has_products(db: Database) -> bool:
    with db.read() as tx:
        return tx.execute(text("SELECT 1 FROM product LIMIT 1")).first() is not None


def ensure_schema(settings: Settings, db: Database) -> None:
    """Migrate the schema if allowed, else refuse to go on with an outdated one."""
    _ensure_sqlite_directory(settings.resolved_database_url)
    if migrations.is_current(db.engine):
        return  # the common case, answered without Alembic
    if settings.should_auto_migrate:
        with _migration_lock(db) as engine:
            migrations.upgrade(engine)
    else:
        _require_current_schema(db.engine)


@contextmanager
def _migration_lock(db: Database) -> Iterator[Engine]:
    """The engine to migrate through, such that processes starting at once migrate one after the other.

    The later ones then find the schema current and do nothing. On PostgreSQL
    an advisory lock is held around the migration; on SQLite the migration's
    transaction starts with `BEGIN IMMEDIATE`, which waits for the other.
    """
    if db.dialect != "postgresql":
        yield db.write_engine
        return
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        try:
            yield db.engine
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            connection.commit()


def _ensure_sqlite_directory(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _require_current_schema(engine: Engine) -> None:
    current, head = migrations.current_revision(engine), migrations.head_revision(engine)
    if current != head:
        raise SystemExit(
            f"The database schema is at {current or 'nothing'}, this server needs {head}. "
            "Run `shopmcp db upgrade` first."
        )
