"""The server factory: `build_server(settings)` returns a ready `MCPServer`."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog
from mcp.server import MCPServer
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from shopmcp import __version__, migrations
from shopmcp.auth import build_auth
from shopmcp.config import Settings, load_settings
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database
from shopmcp.observability import ToolCallLogMiddleware, trace_database
from shopmcp.services.ingest.demo_coupons import seed_demo_coupons
from shopmcp.tools import register_all

log = structlog.get_logger(__name__)

_MIGRATION_LOCK_KEY = 0x73686F706D6D67  # "shopmmg"

INSTRUCTIONS = """\
shopmcp is a store. Find products with search_products (filters, sorts, facets), \
read one with get_product, and weigh sellers with compare_prices (landed cost, \
delivery, price history). Buy with add_to_cart, preview_checkout (a quote to show \
the person) and place_order once they agree; follow up with list_orders and get_order. \
Cart, checkout and order tools take an optional session_id (new_session starts one). \
Money is always integer minor units with a currency and a formatted string. \
A failed call returns {"error": {code, message, resolution}}: the message says what to do next."""


@dataclass
class AppContext:
    """What every tool reaches: the settings and the database."""

    settings: Settings
    db: Database


def build_server(settings: Settings | None = None, *, db: Database | None = None) -> MCPServer[AppContext]:
    """Build the shopmcp server over `db` (default: the database `settings` names)."""
    settings = settings or load_settings()
    db = (db or Database(settings.resolved_database_url)).with_runtime(runtime_from(settings))
    app = AppContext(settings=settings, db=db)

    @asynccontextmanager
    async def lifespan(_server: MCPServer[AppContext]) -> AsyncIterator[AppContext]:
        yield app

    auth = build_auth(settings)
    server: MCPServer[AppContext] = MCPServer(
        "shopmcp",
        title="shopmcp",
        description="A store for AI agents: search, compare prices, cart, checkout and orders.",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        middleware=[ToolCallLogMiddleware()],
        token_verifier=auth.verifier if auth else None,
        auth=auth.settings if auth else None,
    )
    trace_database(app.db.engine)
    register_all(server, app)
    return server


def prepare_database(settings: Settings, db: Database) -> None:
    """Migrate the schema if allowed, then seed the demo store where configured."""
    db = db.with_runtime(runtime_from(settings))
    ensure_schema(settings, db)
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
