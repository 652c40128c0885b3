"""The Alembic migrations build exactly the schema the models describe, undo it, and stay frozen."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
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


# SQLite's reflection cannot read the search DDL's expression index; it is left out of the comparison anyway.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrade_builds_the_schema_of_the_models(empty_database: Database) -> None:
    migrations.upgrade(empty_database.engine)

    with empty_database.engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert [d for d in drift if not any(name in str(d) for name in _SEARCH_OBJECTS)] == []
    assert migrations.current_revision(empty_database.engine) == migrations.head_revision(empty_database.engine)


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
