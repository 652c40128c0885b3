"""The full-text backends' work limits: a plan over its budget is stopped and the transaction goes on."""

import pytest
from sqlalchemy import text

from shopmcp.db import Database
from shopmcp.services.search.query import parse_query
from shopmcp.services.search.text import Budget, OutOfTime, text_search

SLOW = {
    # A recursive count to a billion: seconds of work, no I/O.
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1e9) SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(5)",
}


SMALL = Budget(sqlite_steps=100_000, postgres_seconds=0.05)
LARGE = Budget(sqlite_steps=10**9, postgres_seconds=5)


def test_a_statement_over_its_budget_is_stopped_and_the_transaction_goes_on(database: Database) -> None:
    search = text_search(database.dialect, parse_query("lamp"))

    with database.read() as tx:
        tx.execute(text("SELECT 1")).all()
        with pytest.raises(OutOfTime), search.work_limit(tx, SMALL):
            tx.execute(text(SLOW[database.dialect])).all()
        after = tx.execute(text("SELECT 41 + 1")).scalar_one()
        with search.work_limit(tx, LARGE):
            within = tx.execute(text("SELECT 7")).scalar_one()

    assert after == 42
    assert within == 7


def test_other_errors_pass_through_the_work_limit(database: Database) -> None:
    search = text_search(database.dialect, parse_query("lamp"))

    with database.read() as tx, pytest.raises(Exception, match="no_such_table"), search.work_limit(tx, LARGE):
        tx.execute(text("SELECT * FROM no_such_table")).all()


def test_sqlite_counts_work_not_time(database: Database) -> None:
    """A slow statement within its step budget runs to its end however long it takes on a busy machine."""
    if database.dialect != "sqlite":
        pytest.skip("PostgreSQL's limit is statement_timeout, wall time")
    search = text_search(database.dialect, parse_query("lamp"))
    steps_enough_but_no_time = Budget(sqlite_steps=10**9, postgres_seconds=0.0)
    count = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) FROM n"

    with database.read() as tx, search.work_limit(tx, steps_enough_but_no_time):
        counted = tx.execute(text(count)).scalar_one()

    assert counted == 300_000
