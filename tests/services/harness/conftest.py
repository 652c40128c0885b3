"""Fresh databases for the harness tests: each run of a call sequence needs a store of its own."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.bootstrap import prepare_database
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database
from shopmcp.server import build_server
from tests.conftest import BACKENDS, create_pg_database, drop_pg_database, make_settings

SMALL_STORE = 300
"""Products in the generated stores of these tests: enough for several categories, quick to generate."""


@dataclass(frozen=True)
class Store:
    server: MCPServer[AppContext]
    db: Database
    """The server's database, with the server's runtime (seed, clock, stock mode)."""


FreshStore = Callable[..., Store]


@pytest.fixture(params=BACKENDS)
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FreshStore]:
    """Build servers over new databases of one backend, each filled with the generated store of seed 42.

    `fresh_store(**settings)` makes a new database; `fresh_store(db=..., **settings)` serves one made before
    (a restarted server).
    """
    made: list[tuple[Database, str]] = []

    def build(db: Database | None = None, **overrides: Any) -> Store:
        if db is None:
            url = (
                f"sqlite:///{tmp_path / f'store{len(made)}.db'}" if request.param == "sqlite" else create_pg_database()
            )
            db = Database(url)
            made.append((db, url))
        settings = make_settings(db, demo_products=SMALL_STORE, **overrides)
        prepare_database(settings.model_copy(update={"seed_demo_catalog": True}), db)
        return Store(server=build_server(settings, db=db), db=db.with_runtime(runtime_from(settings)))

    yield build
    for db, url in made:
        db.dispose()
        if request.param == "postgresql":
            drop_pg_database(url)
