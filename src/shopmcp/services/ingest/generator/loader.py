"""Writing generated rows fast: the driver's executemany on SQLite, binary COPY on PostgreSQL.

Values go through the bind processors SQLAlchemy would apply to each column
(JSON, UTC datetimes), so bulk-written rows read back exactly like rows the
ORM wrote. Rows carry their ids: the caller allocates them after the
largest id present (`max_ids`) while it holds the catalog lock, and on
PostgreSQL `sync_sequences` moves the id sequences past them afterwards.

The full-text index stays exactly what db.py's DDL defines. On PostgreSQL
its trigger runs as usual. On SQLite, FTS5 flushes its pending index data at
the end of every statement, which makes a trigger fired once per inserted
row several times slower than indexing a chunk in one statement; so
`SqliteSearchIndex` drops the insert trigger for the load, runs the
trigger's own INSERT once per chunk (with `product` aliased as `new`), and
creates the trigger again from the same DDL, all inside the load's
transaction.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, Table, text
from sqlalchemy.dialects import registry
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from shopmcp.db import Database
from shopmcp.models.catalog import Offer, PriceHistory, Product, Variant, VariantOption
from shopmcp.models.types import UTCDateTime
from shopmcp.services.ingest.generator.products import (
    OFFER_COLUMNS,
    PRICE_HISTORY_COLUMNS,
    PRODUCT_COLUMNS,
    VARIANT_COLUMNS,
    VARIANT_OPTION_COLUMNS,
    Row,
    Rows,
)

_ADVISORY_LOCK_KEY = 0x73686F706D6370  # "shopmcp"

ID_TABLES = ("product", "variant", "offer", "price_history")
"""The tables whose ids the generator assigns itself."""


def table_of(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def lock_catalog(connection: Connection) -> None:
    """Serialize catalog bulk writers (generator, importer) for the rest of the transaction.

    SQLite needs nothing more: a write transaction there starts with
    `BEGIN IMMEDIATE`, which already excludes every other writer.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})


def max_ids(connection: Connection) -> dict[str, int]:
    """The largest id of each of `ID_TABLES` (0 when empty)."""
    return {
        table: int(connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one())  # noqa: S608
        for table in ID_TABLES
    }


def sync_sequences(connection: Connection) -> None:
    """On PostgreSQL, move each id sequence past the ids written directly, so later inserts do not collide."""
    if connection.dialect.name != "postgresql":
        return
    for table in ID_TABLES:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"GREATEST((SELECT coalesce(max(id), 0) FROM {table}), nextval(pg_get_serial_sequence('{table}', 'id'))))"
        )


LOADED_TABLES = ("product", "variant", "variant_option", "offer", "price_history")
"""The tables a generated product's rows go to."""

_BUILD_MEMORY = "512MB"
"""PostgreSQL's maintenance_work_mem while the deferred indexes are built (GIN builds use all of it)."""


@contextmanager
def indexes_deferred(connection: Connection, *, enabled: bool) -> Iterator[None]:
    """Drop the loaded tables' secondary indexes (and, on PostgreSQL, their foreign keys) for the block.

    For a big load into an empty catalog: building an index once over all
    rows (a sort) is several times cheaper than updating it row by row, and
    one validation query per foreign key is cheaper than a lookup per copied
    row. Unique indexes and primary keys stay, so duplicates still fail as
    they arrive. Everything is recreated from its own definition, in the
    load's transaction: a failed load leaves the schema as it was. While the
    block runs, PostgreSQL holds the tables locked against readers.
    """
    if not enabled:
        yield
        return
    if connection.dialect.name == "postgresql":
        yield from _postgres_deferred(connection)
    else:
        yield from _sqlite_deferred(connection)


def _postgres_deferred(connection: Connection) -> Iterator[None]:
    tables = ", ".join(f"'{name}'::regclass" for name in LOADED_TABLES)
    indexes = connection.exec_driver_sql(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "  # noqa: S608
        f"WHERE indrelid IN ({tables}) AND NOT indisunique AND NOT indisprimary ORDER BY 1"
    ).all()
    foreign_keys = connection.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "  # noqa: S608
        f"WHERE contype = 'f' AND conrelid IN ({tables}) ORDER BY 1, 2"
    ).all()
    for table, name, _ in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{_BUILD_MEMORY}'")
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _sqlite_deferred(connection: Connection) -> Iterator[None]:
    tables = ", ".join(f"'{name}'" for name in LOADED_TABLES)
    # Indexes behind UNIQUE and PRIMARY KEY constraints have no SQL of their own and stay.
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master "  # noqa: S608
        f"WHERE type = 'index' AND tbl_name IN ({tables}) AND sql IS NOT NULL ORDER BY name"
    ).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, definition in indexes:
        connection.exec_driver_sql(definition)


def settle(db: Database) -> None:
    """After a bulk load has committed: VACUUM (ANALYZE) the loaded tables on PostgreSQL.

    Vacuum empties the GIN indexes' pending lists, which every search scans
    until then (an absent word's title lookup took 20 ms before, 0.09 ms
    after, at 1,000,000 products), and marks the pages all-visible, so index-only
    scans need not visit the table. It cannot run inside a transaction,
    hence a separate step. SQLite needs nothing.
    """
    if db.dialect != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(LOADED_TABLES)}")


_TABLES: tuple[tuple[str, type[SQLModel], Sequence[str]], ...] = (
    ("products", Product, PRODUCT_COLUMNS),
    ("variants", Variant, VARIANT_COLUMNS),
    ("variant_options", VariantOption, VARIANT_OPTION_COLUMNS),
    ("offers", Offer, OFFER_COLUMNS),
    ("price_history", PriceHistory, PRICE_HISTORY_COLUMNS),
)
"""Each kind of generated row: its attribute of `Rows`, its table, its columns; parents first."""

_DIALECTS = {"sqlite": "sqlite", "postgresql": "postgresql.psycopg"}


class RowConverter:
    """Turns generated values into what the driver binds, as SQLAlchemy's column types would.

    Booleans and floats bind natively in both drivers, so only JSON and
    datetime columns are converted. Built from the dialect's name, so it
    can run in the generator's worker process.
    """

    def __init__(self, dialect_name: str) -> None:
        dialect = registry.load(_DIALECTS[dialect_name])()
        self._converters: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {}
        for attribute, model, columns in _TABLES:
            table = table_of(model)
            converters: list[tuple[int, Callable[[Any], Any]]] = []
            for index, name in enumerate(columns):
                column_type = table.c[name].type
                if isinstance(column_type, Boolean | Float):
                    continue
                processor = (
                    _utc_processor(dialect_name)
                    if isinstance(column_type, UTCDateTime)
                    else column_type.dialect_impl(dialect).bind_processor(dialect)
                )
                if processor is not None:
                    converters.append((index, processor))
            self._converters[attribute] = converters

    def convert(self, rows: Rows) -> Rows:
        return Rows(**{attribute: self._convert(getattr(rows, attribute), attribute) for attribute, _, _ in _TABLES})

    def _convert(self, rows: list[Row], attribute: str) -> list[Row]:
        converters = self._converters[attribute]
        if not converters:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            converted.append(tuple(values))
        return converted


def _utc_processor(dialect_name: str) -> Callable[[Any], Any]:
    """`UTCDateTime`'s bind processing for aware datetimes, without its layers of calls.

    About a third of converting a generated product went through the type
    decorator's generic chain; generated timestamps are already UTC.
    """

    def to_sqlite(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is not UTC:
            value = _as_utc(value)
        # The text SQLAlchemy's SQLite DATETIME binds: microseconds always present.
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    def to_postgres(value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo is UTC:
            return value
        return _as_utc(value)

    return to_sqlite if dialect_name == "sqlite" else to_postgres


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC)


class _TableWriter:
    """Writes converted rows, given in `columns` order, into one table."""

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str]) -> None:
        self._connection = connection
        names = ", ".join(columns)
        self._insert = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608
        self._copy = f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)"
        self._copy_types = [_binary_type(table.c[name].type) for name in columns]

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        if self._connection.dialect.name == "postgresql":
            driver_connection: Any = self._connection.connection.driver_connection
            with driver_connection.cursor() as cursor, cursor.copy(self._copy) as copy:
                copy.set_types(self._copy_types)
                for row in rows:
                    copy.write_row(row)
        else:
            self._connection.exec_driver_sql(self._insert, rows)


def _binary_type(column_type: Any) -> str:
    """The PostgreSQL type whose binary format a COPY of this column uses (varchar shares text's)."""
    for kind, name in ((Boolean, "bool"), (Integer, "int4"), (Float, "float8"), (DateTime, "timestamptz")):
        if isinstance(column_type, kind) or isinstance(getattr(column_type, "impl", None), kind):
            return name
    if isinstance(column_type, JSON):
        return "jsonb"
    return "text"


class SqliteSearchIndex:
    """Indexes bulk-loaded products for search in one statement per chunk (see the module docstring)."""

    _TRIGGER = "product_fts_insert"

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        # The trigger as the database holds it (the search migration made it), to put back as it was.
        self._trigger_ddl: str = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"), {"name": self._TRIGGER}
        ).scalar_one()
        self.bulk_insert = bulk_index_statement(self._trigger_ddl)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Inside the block, inserted products are indexed by `index(first, last)` instead of the trigger."""
        if self.bulk_insert is None:
            yield
            return
        self._connection.exec_driver_sql(f"DROP TRIGGER {self._TRIGGER}")
        yield
        self._connection.exec_driver_sql(self._trigger_ddl)

    def index(self, first_id: int, last_id: int) -> None:
        """Index the products with ids from `first_id` to `last_id`, as the insert trigger would have."""
        if self.bulk_insert is not None:
            self._connection.execute(text(self.bulk_insert), {"first": first_id, "last": last_id})


def bulk_index_statement(trigger_ddl: str) -> str | None:
    """The trigger's `INSERT ... VALUES (new.x, ...)` as `INSERT ... SELECT new.x, ... FROM product AS new`.

    None when the trigger is not one such INSERT, in which case the trigger stays and indexes each row.
    """
    match = re.search(
        r"BEGIN\s+INSERT INTO product_fts\s*\(([^)]*)\)\s*VALUES\s*\((.*)\);\s*END\s*$", trigger_ddl, re.DOTALL
    )
    if match is None:
        return None
    columns, values = match.groups()
    return (
        f"INSERT INTO product_fts ({columns.strip()}) SELECT {values.strip()} "  # noqa: S608
        "FROM product AS new WHERE new.id BETWEEN :first AND :last"
    )


class BulkWriter:
    """Writes `Rows` converted by a `RowConverter`, table by table, parents first, in the connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._writers = [
            (attribute, _TableWriter(connection, table_of(model), columns)) for attribute, model, columns in _TABLES
        ]

    def write(self, rows: Rows) -> None:
        for attribute, writer in self._writers:
            writer.write(getattr(rows, attribute))
