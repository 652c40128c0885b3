"""The database layer's retries: connection failures are transient, and a COMMIT that lost its connection
is neither lost nor repeated (PostgreSQL; SQLite commits locally and is never in doubt)."""

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, func, select

from shopmcp.db import Database, create_db_engine, is_transient
from shopmcp.models.catalog import Brand


@pytest.fixture
def pg(database: Database) -> Iterator[Database]:
    """A Database of its own (its own engine to patch) on the PostgreSQL test database."""
    if database.dialect != "postgresql":
        pytest.skip("an in-doubt COMMIT needs a network connection: PostgreSQL only")
    db = Database(database.engine.url.render_as_string(hide_password=False))
    yield db
    db.dispose()


def _drop_connection_at_commit(monkeypatch: pytest.MonkeyPatch, db: Database, *, commit_first: bool) -> list[int]:
    """Make the next COMMIT lose its connection, after the server committed (or before it could)."""
    dialect = db.engine.dialect
    real_commit = dialect.do_commit
    faults = [1]

    def do_commit(dbapi_connection: Any) -> None:
        if not faults:
            real_commit(dbapi_connection)
            return
        faults.pop()
        if commit_first:
            real_commit(dbapi_connection)
        dbapi_connection.driver_connection.close()  # the real connection, not the pool's wrapper
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_commit", do_commit)
    return faults


def _add_brand(*, tx: Session, slug: str, calls: list[str]) -> str:
    calls.append(slug)
    tx.add(Brand(name=slug, slug=slug))
    return slug


def _count(db: Database, slug: str) -> int:
    with db.read() as tx:
        return tx.exec(select(func.count()).select_from(Brand).where(Brand.slug == slug)).one()


def test_a_commit_that_succeeded_before_the_connection_dropped_is_not_run_again(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = _drop_connection_at_commit(monkeypatch, pg, commit_first=True)
    calls: list[str] = []

    result = pg.run_write(_add_brand, slug="in-doubt-committed", calls=calls)

    assert faults == []
    assert result == "in-doubt-committed"
    assert calls == ["in-doubt-committed"]
    assert _count(pg, "in-doubt-committed") == 1


def test_a_commit_that_never_happened_is_run_again(pg: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    faults = _drop_connection_at_commit(monkeypatch, pg, commit_first=False)
    calls: list[str] = []

    pg.run_write(_add_brand, slug="in-doubt-aborted", calls=calls)

    assert faults == []
    assert calls == ["in-doubt-aborted", "in-doubt-aborted"]
    assert _count(pg, "in-doubt-aborted") == 1


def test_a_refused_connection_is_transient() -> None:
    engine = create_db_engine("postgresql://postgres@127.0.0.1:1/nothing")
    with pytest.raises(DBAPIError) as refused:
        engine.connect()
    engine.dispose()

    assert is_transient(refused.value)


def test_a_programming_error_is_not_transient(database: Database) -> None:
    with pytest.raises(DBAPIError) as failed, database.read() as tx:
        tx.exec(select(func.no_such_function()))

    assert not is_transient(failed.value)
