"""Fresh, empty databases for tests that need a catalog of their own, and ways to read whole tables back.

The shared `database` fixture holds every test's rows; generating or
importing with exact counts needs a catalog nobody else writes to
(fixtures `new_database` and `empty_catalog` in this folder's conftest).
"""

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from shopmcp import migrations
from shopmcp.db import Database
from tests.conftest import create_pg_database, drop_pg_database

CATALOG_TABLES = (
    "category",
    "brand",
    "seller",
    "shipping_rate",
    "product",
    "variant",
    "variant_option",
    "offer",
    "price_history",
)

NewDatabase = Callable[[], Database]


def make_database(backend: str, directory: Path) -> Database:
    """A migrated, empty database: an SQLite file in `directory`, or a new PostgreSQL database."""
    url = (
        f"sqlite:///{directory / f'catalog-{secrets.token_hex(4)}.db'}" if backend == "sqlite" else create_pg_database()
    )
    db = Database(url)
    migrations.upgrade(db.engine)
    return db


def discard(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    if db.dialect == "postgresql":
        drop_pg_database(url)


def dump(db: Database, table: str) -> list[tuple[Any, ...]]:
    """Every row of `table` in primary key order, as plain tuples."""
    order = "variant_id, name" if table == "variant_option" else "id"
    with db.read() as tx:
        names = tx.connection().exec_driver_sql(f"SELECT * FROM {table} LIMIT 0").keys()
        columns = [name for name in names if name != "search_vector"]
        rows = tx.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"))
        return [tuple(row) for row in rows]


def dump_catalog(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {table: dump(db, table) for table in CATALOG_TABLES}


def scalar(db: Database, sql: str, **params: Any) -> Any:
    with db.read() as tx:
        return tx.execute(text(sql), params).scalar_one()
