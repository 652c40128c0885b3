"""The full-text backends' time limits: a slow plan is stopped and the transaction goes on."""

import pytest
from sqlalchemy import text

from shopmcp.db import Database
from shopmcp.services.search_query import parse_query
from shopmcp.services.search_text import OutOfTime, text_search

SLOW = {
    # A recursive count to a billion: seconds of work, no I/O.
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1e9) SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(5)",
}


def test_a_statement_over_its_time_is_stopped_and_the_transaction_goes_on(database: Database) -> None:
    search = text_search(database.dialect, parse_query("lamp"))

    with database.read() as session:
        session.execute(text("SELECT 1")).all()
        with pytest.raises(OutOfTime), search.time_limit(session, 0.05):
            session.execute(text(SLOW[database.dialect])).all()
        after = session.execute(text("SELECT 41 + 1")).scalar_one()
        with search.time_limit(session, 5):
            within = session.execute(text("SELECT 7")).scalar_one()

    assert after == 42
    assert within == 7


def test_other_errors_pass_through_the_time_limit(database: Database) -> None:
    search = text_search(database.dialect, parse_query("lamp"))

    with database.read() as session, pytest.raises(Exception, match="no_such_table"), search.time_limit(session, 5):
        session.execute(text("SELECT * FROM no_such_table")).all()
