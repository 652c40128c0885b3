"""Fixtures: a migrated database on SQLite and on PostgreSQL, servers over it, and in-memory clients.

Every database test runs once per backend. The PostgreSQL half uses the
server named by `SHOPMCP_TEST_PG_URL` (default: the local `test` database as
`postgres`), creates a database of its own for the test session and drops it
at the end; where no server answers, that half is skipped with the reason.

Tests share one database per backend and per session. That is safe because
every cart, quote and order is scoped to a shopping session: a test makes its
own sessions (`new_session`) and, where it needs stock it can exhaust, its
own products.
"""

import inspect
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from mcp import Client
from mcp.server import MCPServer
from sqlalchemy.engine import make_url

from shopmcp import migrations
from shopmcp.app_context import AppContext
from shopmcp.config import Settings, load_settings
from shopmcp.db import Database, normalize_url
from shopmcp.observability import configure_logging
from shopmcp.server import build_server

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_ADMIN_URL = normalize_url(os.environ.get("SHOPMCP_TEST_PG_URL", DEFAULT_PG_URL))
_TEST_DB_PREFIX = "shopmcp_test_"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("SHOPMCP_ENV", "test")
    configure_logging(log_format="console", level="WARNING")


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Run every `async def` test on anyio's runner, which keeps a fixture's task groups in one task."""
    is_test = isinstance(collector, pytest.Module | pytest.Class) and collector.istestfunction(obj, name)
    if is_test and inspect.iscoroutinefunction(obj):
        pytest.mark.anyio(obj)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _psycopg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_unreachable_reason() -> str | None:
    try:
        with psycopg.connect(_psycopg_dsn(PG_ADMIN_URL), connect_timeout=3):
            return None
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()} unreachable: {first_line}"


_PG_SKIP_REASON = _pg_unreachable_reason()
if _PG_SKIP_REASON and os.environ.get("SHOPMCP_TEST_REQUIRE_PG"):
    raise pytest.UsageError(f"SHOPMCP_TEST_REQUIRE_PG is set but {_PG_SKIP_REASON}")


def _drop_orphaned_test_databases(admin: psycopg.Connection[Any]) -> None:
    """Drop test databases left behind by runs that were killed; their pid is in the name."""
    names = [row[0] for row in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'shopmcp_test_%'")]
    for name in names:
        pid = name.removeprefix(_TEST_DB_PREFIX).split("_")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_pg_database() -> str:
    """Create an empty database for this test process and return its URL."""
    name = f"{_TEST_DB_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(_psycopg_dsn(PG_ADMIN_URL), autocommit=True) as admin:
        _drop_orphaned_test_databases(admin)
        admin.execute(f'CREATE DATABASE "{name}"')
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_psycopg_dsn(PG_ADMIN_URL), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(_PG_SKIP_REASON is not None, reason=_PG_SKIP_REASON or ""),
        ],
    ),
]


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated, empty database of each backend, shared by the tests of the session."""
    url = (
        f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'shop.db'}"
        if request.param == "sqlite"
        else create_pg_database()
    )
    db = Database(url)
    migrations.upgrade(db.engine)
    yield db
    db.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


def make_settings(db: Database, **overrides: Any) -> Settings:
    return load_settings(
        env="test",
        database_url=db.engine.url.render_as_string(hide_password=False),
        seed_demo_catalog=False,
        **overrides,
    )


@pytest.fixture
def server_factory(database: Database) -> Callable[..., MCPServer[AppContext]]:
    """Build a server over the test database; keyword arguments override settings."""

    def build(**overrides: Any) -> MCPServer[AppContext]:
        return build_server(make_settings(database, **overrides), db=database)

    return build


@pytest.fixture
async def client(server_factory: Callable[..., MCPServer[AppContext]]) -> AsyncIterator[Client]:
    """An in-memory MCP client (2026-07-28 protocol) connected as the default local principal."""
    async with Client(server_factory()) as connected:
        yield connected
