"""How a server generates values, counts stock and moves orders: random or seeded ids, wall or logical clock,
shared or per-session stock, the order clock's delays.

A `Runtime` is built once from the settings and rides on the `Database`, which
hands it to every transaction it opens (`tx.info[RUNTIME_KEY]`), so the
services find it where they find the database. This module imports nothing of
shopmcp, so `db.py` and `models/` can use it.

The logical clock: while a transaction runs, `models.types.utcnow()` reads
`current_time()`. Outside seeded or clocked mode nothing is set and the wall
clock answers.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

StockMode = Literal["shared", "per_session"]

RUNTIME_KEY = "shopmcp.runtime"
"""Key of the `Runtime` in `Session.info`."""

DEFAULT_CLOCK_START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
"""Where the logical clock starts in seeded mode when no clock is configured."""

_NOW: ContextVar[datetime | None] = ContextVar("shopmcp_logical_now", default=None)


@dataclass(frozen=True)
class OrderDelays:
    """The order clock: how long an order waits before each move (None: it stops before that move).

    Attributes:
        processing: From placed to processing.
        shipping: From processing to shipped.
        delivery: From shipped to delivered.
    """

    processing: timedelta | None = None
    shipping: timedelta | None = None
    delivery: timedelta | None = None

    @property
    def off(self) -> bool:
        return self.processing is None


@dataclass(frozen=True)
class Runtime:
    """The generation and stock policy of one server.

    Attributes:
        seed: Seeded mode when set: ids derive from it, the session and a counter in the database.
        clock_start: The logical clock's start; None means the wall clock.
        clock_step: How far a session's logical clock moves on each of its writes.
        stock_mode: `shared` (one inventory) or `per_session` (each session buys from its own copy).
        order_delays: When the order clock moves placed orders on; off by default.
    """

    seed: int | None = None
    clock_start: datetime | None = None
    clock_step: timedelta = timedelta(seconds=1)
    stock_mode: StockMode = "shared"
    order_delays: OrderDelays = OrderDelays()

    @property
    def seeded(self) -> bool:
        return self.seed is not None

    @property
    def per_session_stock(self) -> bool:
        return self.stock_mode == "per_session"

    @property
    def catalog_anchor(self) -> datetime | None:
        """The day generated catalog dates count back from: the logical clock's day (None: today's)."""
        if self.clock_start is None:
            return None
        return self.clock_start.replace(hour=0, minute=0, second=0, microsecond=0)


DEFAULT_RUNTIME = Runtime()


def runtime_from(settings: Any) -> Runtime:
    """The runtime the settings describe (`deterministic_seed`, `clock`, `clock_step_seconds`, `stock_mode`,
    `order_*_after`)."""
    seed = settings.deterministic_seed
    start = settings.clock
    if start is None and seed is not None:
        start = DEFAULT_CLOCK_START
    return Runtime(
        seed=seed,
        clock_start=_as_utc(start) if start is not None else None,
        clock_step=timedelta(seconds=settings.clock_step_seconds),
        stock_mode=settings.stock_mode,
        order_delays=OrderDelays(
            processing=settings.order_processing_after,
            shipping=settings.order_shipping_after,
            delivery=settings.order_delivery_after,
        ),
    )


def _as_utc(moment: datetime) -> datetime:
    """A naive clock setting is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def runtime_of(tx: Any) -> Runtime:
    """The runtime of a transaction opened by `Database` (the default one for any other)."""
    found = tx.info.get(RUNTIME_KEY)
    return found if isinstance(found, Runtime) else DEFAULT_RUNTIME


def current_time() -> datetime | None:
    """The logical time of the running transaction, or None for the wall clock."""
    return _NOW.get()


def set_time(moment: datetime) -> None:
    """Make `moment` the time of the rest of the running transaction (see `transaction_clock`)."""
    _NOW.set(moment)


@contextmanager
def transaction_clock(runtime: Runtime) -> Iterator[None]:
    """Around one transaction: the logical clock starts at `clock_start` (a session's time is set later)."""
    token = _NOW.set(runtime.clock_start)
    try:
        yield
    finally:
        _NOW.reset(token)
