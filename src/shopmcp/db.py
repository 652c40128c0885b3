"""The database: engine, transactions with retries.

Reads and writes take different paths. A read is a plain transaction that is
rolled back at the end. A write is one transaction that commits or leaves
nothing: on SQLite it starts with `BEGIN IMMEDIATE`, so a read-then-write
cannot be overtaken by another writer between its read and its write; on
PostgreSQL the services lock rows they read-then-write (`FOR UPDATE`) or
update conditionally. Transient failures (a serialization failure, a
deadlock, a dropped connection, a database that is restarting, a busy
SQLite file) are retried on a fresh transaction, with backoff, for up to
`RETRY_BUDGET_SECONDS`: long enough to ride out a PostgreSQL restart or
failover without the caller noticing more than a delay.

A connection that drops while PostgreSQL is committing leaves the outcome
unknown: the transaction may have committed. Running the write again could
then do it twice (add to a cart twice), so a write first takes its
transaction id and, when COMMIT fails that way, asks the database on a fresh
connection whether that transaction committed (`pg_xact_status`): committed
means the write is done and its result stands; aborted means it is safe to
run again. Only if the database cannot be asked does the write fail, with
`CommitOutcomeUnknownError`. (place_order is safe to repeat in any case: its
idempotency key is stored in the order's own transaction.)
"""

import copy
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import structlog
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from shopmcp.core.runtime import DEFAULT_RUNTIME, RUNTIME_KEY, Runtime, transaction_clock

log = structlog.get_logger(__name__)

T = TypeVar("T")

_WRITE_OPTION = "shopmcp_write"
RETRY_BUDGET_SECONDS = 5.0
_MAX_ATTEMPTS = 12
_FIRST_BACKOFF_SECONDS = 0.02
_MAX_BACKOFF_SECONDS = 1.0
# SQLSTATEs worth a new attempt: serialization failure, deadlock, and the
# connection-exception class (the server went away mid-transaction, or is
# shutting down or starting up).
_CONNECTION_SQLSTATES = {"08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03"}
_RETRYABLE_SQLSTATES = {"40001", "40P01", *_CONNECTION_SQLSTATES}
# pg_xact_status on an id the server never made durable (it crashed first).
_XID_IN_THE_FUTURE = "22023"


class CommitOutcomeUnknownError(Exception):
    """The connection dropped during COMMIT and the database could not be asked whether it committed."""


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for a bare `postgresql://` URL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_db_engine(url: str, *, pool_size: int = 10, max_overflow: int = 40) -> Engine:
    """An engine with the pragmas, pool and transaction behaviour described in the module docstring."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"application_name": "shopmcp", "connect_timeout": 10},
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module, so that the
        # "begin" hook below decides between BEGIN and BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # 64 MiB of page cache per connection instead of SQLite's 2 MiB: search and
        # facets read rows of a large catalog at random, and the default keeps
        # going back to the OS for them.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_transient(error: BaseException) -> bool:
    """Whether a failed transaction may succeed if run again from the start."""
    if not isinstance(error, DBAPIError):
        return False
    if is_connection_lost(error):
        return True
    if getattr(error.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def is_connection_lost(error: DBAPIError) -> bool:
    """The connection broke or could not be made (as opposed to the server refusing the transaction)."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _CONNECTION_SQLSTATES:
        return True
    # psycopg reports a refused, reset or timed-out connection without a SQLSTATE. Looked up rather than
    # imported: the driver imports it when PostgreSQL is in use, and SQLite-only processes start faster without.
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error.orig, psycopg.OperationalError) and sqlstate is None


class Database:
    """One engine and the two kinds of transaction the services run in.

    A service function takes the SQLModel `Session` of its transaction as `tx` (`session` always means
    the shopping session).
    """

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 40) -> None:
        self.runtime: Runtime = DEFAULT_RUNTIME
        """Ids, clock and stock mode of the services run through this object (see `shopmcp.core.runtime`)."""
        self.engine = create_db_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self._reader = sessionmaker(bind=self.engine, class_=Session, expire_on_commit=False)
        self.write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        """The engine for connections that will write: on SQLite their transactions begin IMMEDIATE."""
        self._writer = sessionmaker(bind=self.write_engine, class_=Session, expire_on_commit=False)

    def with_runtime(self, runtime: Runtime) -> "Database":
        """The same engine and pools, with another runtime (a seeded server beside a random one in tests)."""
        twin = copy.copy(self)
        twin.runtime = runtime
        return twin

    @contextmanager
    def _scoped(self, tx: Session) -> Iterator[Session]:
        tx.info[RUNTIME_KEY] = self.runtime
        with transaction_clock(self.runtime):
            yield tx

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction; whatever it did is rolled back at the end."""
        with self._reader() as tx, self._scoped(tx):
            yield tx

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self._writer() as tx, tx.begin(), self._scoped(tx):
            yield tx

    def run_write(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run `fn(tx=..., **kwargs)` in a write transaction, retrying transient failures.

        `fn` must have no effect outside the database, since it may run more than once.
        Raises `CommitOutcomeUnknownError` if the connection dropped during COMMIT and the
        database could not be asked, within the retry budget, whether it committed.
        """
        return _with_retries(lambda: self._write_once(fn, kwargs))

    def run_read(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run `fn(tx=..., **kwargs)` in a read transaction, retrying a dropped connection."""

        def read_once() -> T:
            with self.read() as tx:
                return fn(tx=tx, **kwargs)

        return _with_retries(read_once)

    def _write_once(self, fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
        with self._writer() as tx, self._scoped(tx):
            tx.begin()
            xid = self._transaction_id(tx)
            result = fn(tx=tx, **kwargs)
            # Flush first, so that a failure below is about COMMIT itself.
            tx.flush()
            try:
                tx.commit()
            except DBAPIError as error:
                if xid is None or not is_connection_lost(error):
                    raise
                if self._committed(xid, error):
                    log.warning("db.commit_confirmed_after_disconnect", error=type(error.orig).__name__)
                    return result
                raise
            return result

    def _transaction_id(self, tx: Session) -> str | None:
        """PostgreSQL's id of the current transaction, to ask about its outcome later; None on SQLite."""
        if self.dialect != "postgresql":
            return None
        return str(tx.execute(text("SELECT pg_current_xact_id()::text")).scalar_one())

    def _committed(self, xid: str, commit_error: DBAPIError) -> bool:
        """Whether transaction `xid`, whose COMMIT lost its connection, committed; asked on a fresh connection."""
        deadline = time.monotonic() + RETRY_BUDGET_SECONDS
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            status: str | None = None
            try:
                with self.engine.connect() as connection:
                    status = connection.execute(
                        text("SELECT pg_xact_status(CAST(:xid AS xid8))"), {"xid": xid}
                    ).scalar_one()
            except DBAPIError as error:
                if getattr(error.orig, "sqlstate", None) == _XID_IN_THE_FUTURE:
                    return False
                if not is_transient(error):
                    raise CommitOutcomeUnknownError(str(xid)) from commit_error
            if status in ("committed", "aborted"):
                return status == "committed"
            # Unreachable, or still "in progress" (the server has not yet finished with it): ask again.
            if time.monotonic() >= deadline:
                break
            _backoff(attempt)
        raise CommitOutcomeUnknownError(str(xid)) from commit_error

    def dispose(self) -> None:
        self.engine.dispose()


def _backoff(attempt: int) -> None:
    delay = min(_MAX_BACKOFF_SECONDS, _FIRST_BACKOFF_SECONDS * 2**attempt)
    time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrecy


def _with_retries(attempt_once: Callable[[], T]) -> T:
    deadline = time.monotonic() + RETRY_BUDGET_SECONDS
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        try:
            return attempt_once()
        except DBAPIError as error:
            if attempt == _MAX_ATTEMPTS or time.monotonic() >= deadline or not is_transient(error):
                raise
            log.warning("db.retry", attempt=attempt, error=type(error.orig).__name__)
            _backoff(attempt)
    raise AssertionError("unreachable")
