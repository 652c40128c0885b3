"""The Alembic migrations build exactly the schema the models describe, undo it, and stay frozen."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel

import shopmcp.models  # noqa: F401  (registers the tables)
from shopmcp import migrations
from shopmcp.db import Database
from tests.conftest import BACKENDS, create_pg_database, drop_pg_database

# Objects the search migration creates outside the models (its FTS5 table, tsvector column and index).
_SEARCH_OBJECTS = ("product_fts", "search_vector", "ix_variant_option_search")


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'empty.db'}" if request.param == "sqlite" else create_pg_database()
    db = Database(url)
    yield db
    db.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


# SQLite's reflection cannot read expression indexes: the search DDL's is left out of the comparison anyway,
# the models' are compared by test_the_models_expression_indexes_are_the_ones_sqlite_holds.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_builds_the_schema_of_the_models(empty_database: Database) -> None:
    migrations.upgrade(empty_database.engine)

    with empty_database.engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert [d for d in drift if not any(name in str(d) for name in _SEARCH_OBJECTS)] == []
    assert migrations.current_revision(empty_database.engine) == migrations.head_revision(empty_database.engine)


def test_the_models_expression_indexes_are_the_ones_sqlite_holds(tmp_path: Path) -> None:
    """Alembic skips these on SQLite (it cannot reflect them), so their CREATE statements are compared here."""
    db = Database(f"sqlite:///{tmp_path / 'indexes.db'}")
    migrations.upgrade(db.engine)
    expected = {
        index.name: str(CreateIndex(index).compile(dialect=db.engine.dialect))
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if not all(isinstance(element, Column) for element in index.expressions)
    }
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")).all()
    db.dispose()

    assert "ix_customer_email_lower" in expected
    assert {name: sql for name, sql in rows if name in expected} == expected


def test_downgrade_to_base_removes_everything(empty_database: Database) -> None:
    migrations.upgrade(empty_database.engine)
    migrations.downgrade(empty_database.engine, "base")

    remaining = set(inspect(empty_database.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()


def test_the_newest_revision_read_from_the_files_is_alembics_head(empty_database: Database) -> None:
    assert migrations.newest_revision() == migrations.head_revision(empty_database.engine)


def test_the_schema_is_current_only_at_the_newest_revision(empty_database: Database) -> None:
    assert not migrations.is_current(empty_database.engine)
    migrations.upgrade(empty_database.engine, "0001")
    assert not migrations.is_current(empty_database.engine)

    migrations.upgrade(empty_database.engine)

    assert migrations.is_current(empty_database.engine)


def test_no_revision_imports_the_application() -> None:
    """A revision is frozen: editing the models or the database code never changes what it does."""
    for path in sorted((Path(migrations.__file__).parent / "versions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]

        assert [name for name in imported if name.split(".")[0] == "shopmcp"] == [], path.name


def test_0005_keeps_the_orders_a_store_already_has(empty_database: Database) -> None:
    """0005 rebuilds customer_order on SQLite; the orders, their lines, history and idempotency records stay."""
    engine = empty_database.engine
    migrations.upgrade(engine, "0004")
    now = "2026-11-01 12:00:00"
    rows = [
        f"INSERT INTO shopping_session (id, principal, created_at) VALUES ('ses_a', 'local', '{now}')",
        "INSERT INTO quote (id, session_id, currency, total, priced, shipping_address, shipping_method, "
        f"payment_method, created_at, expires_at) VALUES ('quo_a', 'ses_a', 'USD', 100, '{{}}', '{{}}', "
        f"'standard', 'test_card_visa', '{now}', '{now}')",
        "INSERT INTO customer_order (id, session_id, quote_id, status, currency, subtotal, discount_total, "
        "shipping_total, tax_total, total, shipments, shipping_address, shipping_method, payment_method, "
        f"payment_id, placed_at, updated_at) VALUES ('ord_a', 'ses_a', 'quo_a', 'placed', 'USD', 100, 0, 0, 0, "
        f"100, '[]', '{{}}', 'standard', 'test_card_visa', 'ch_a', '{now}', '{now}')",
        "INSERT INTO order_line (order_id, position, offer_id, product_id, variant_id, seller_id, product_title, "
        "variant_title, seller_name, unit_price, quantity, subtotal, discount, tax, total, stock_decremented) "
        "VALUES ('ord_a', 0, 1, 1, 1, 1, 'Cable', 'Default', 'Acme', 100, 1, 100, 0, 0, 100, false)",
        "INSERT INTO order_status_change (order_id, to_status, note, changed_at) "
        f"VALUES ('ord_a', 'placed', '', '{now}')",
        "INSERT INTO idempotency_record (session_id, key, quote_id, order_id, created_at) "
        f"VALUES ('ses_a', 'k1', 'quo_a', 'ord_a', '{now}')",
    ]
    with engine.begin() as connection:
        for statement in rows:
            connection.execute(text(statement))

    migrations.upgrade(engine)

    with engine.connect() as connection:
        order = connection.execute(text("SELECT id, quote_id, status FROM customer_order")).all()
        lines = connection.execute(text("SELECT order_id, options FROM order_line")).all()
        history = connection.execute(text("SELECT order_id FROM order_status_change")).all()
        keys = connection.execute(text("SELECT order_id FROM idempotency_record")).all()
    assert [tuple(row) for row in order] == [("ord_a", "quo_a", "placed")]
    assert [tuple(row) for row in lines] == [("ord_a", None)]
    assert [tuple(row) for row in history] == [("ord_a",)]
    assert [tuple(row) for row in keys] == [("ord_a",)]
    # The new statuses are allowed, others still refused.
    with engine.begin() as connection:
        connection.execute(text("UPDATE customer_order SET status = 'return_requested'"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE customer_order SET status = 'lost'"))


def _finds(db: Database, word: str) -> list[int]:
    sql = (
        "SELECT rowid FROM product_fts WHERE product_fts MATCH :word"
        if db.dialect == "sqlite"
        else "SELECT id FROM product WHERE search_vector @@ plainto_tsquery('english', :word)"
    )
    with db.engine.connect() as connection:
        return [row[0] for row in connection.execute(text(sql), {"word": word})]


def test_attribute_values_become_searchable_for_products_made_before_0009_and_not_after_undoing_it(
    empty_database: Database,
) -> None:
    migrations.upgrade(empty_database.engine, "0008")
    with empty_database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO product (id, handle, title, description, attributes, rating, review_count, tags, "
                "status, currency, offer_count, in_stock, created_at) VALUES (7, 'mug', 'Mug', '', "
                """'{"glaze": "Celadon", "size_ml": 350, "dishwasher": true}', 0, 0, '[]', 'active', 'USD', 0, """
                "false, CURRENT_TIMESTAMP)"
            )
        )
    assert _finds(empty_database, "celadon") == []

    migrations.upgrade(empty_database.engine)
    assert _finds(empty_database, "celadon") == [7]
    assert _finds(empty_database, "350") == []  # numbers and booleans are not words without their key
    assert _finds(empty_database, "mug") == [7]

    migrations.downgrade(empty_database.engine, "0008")
    assert _finds(empty_database, "celadon") == []
    assert _finds(empty_database, "mug") == [7]
