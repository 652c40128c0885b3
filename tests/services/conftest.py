"""Fixtures for service tests that need a catalog of their own (see `catalog_db`)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from shopmcp.db import Database
from tests.conftest import BACKENDS
from tests.services.catalog_db import NewDatabase, discard, make_database


@pytest.fixture(params=BACKENDS)
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDatabase]:
    """Makes migrated, empty databases of one backend (each call a new one), dropped after the test."""
    made: list[Database] = []

    def make() -> Database:
        made.append(make_database(request.param, tmp_path))
        return made[-1]

    yield make
    for db in made:
        discard(db)


@pytest.fixture
def empty_catalog(new_database: NewDatabase) -> Database:
    """One migrated, empty database of each backend."""
    return new_database()
