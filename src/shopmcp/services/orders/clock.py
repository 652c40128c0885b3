"""The order clock: a placed order moves on by itself, placed -> processing -> shipped -> delivered.

Each move has its time fixed when the order is placed: `placed_at` plus the delays
(`Runtime.order_delays`, from the settings), one after another. Nothing runs in the
background: an order is brought up to date when it is read or changed ("catch up"), and before
the state export and hash (`catch_up_store`), in a write transaction, through `change_status`,
each history row stamped with the time its move happened, not the time it was noticed. So the
moves of an order do not depend on when, or how often, anyone looks, and with the logical clock
(seeded mode) they depend only on the session's own calls.

Only orders placed here move: an imported order (no quote: tau2-bench's data) keeps the
status its data gives it, as tau2's own environment does. An order caught up under its row
lock re-reads its status first, so two readers never apply a move twice.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from shopmcp.core.errors import invalid_input
from shopmcp.core.runtime import OrderDelays, runtime_of
from shopmcp.db import Database
from shopmcp.models.order import Order, OrderFulfilment, OrderLine
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.models.types import utcnow
from shopmcp.services.determinism import enter_session, new_id
from shopmcp.services.orders.status import OrderStatus, change_status
from shopmcp.services.shopping_sessions import Scope, require_session

CARRIER = "Sandbox Post"
"""The carrier of every shipment the clock writes: like payments, delivery is a sandbox."""

_MOVES = (OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
_NEXT_MOVE = {
    OrderStatus.PLACED: 0,
    OrderStatus.ITEMS_MODIFIED: 0,  # as tau2: a modified order still ships
    OrderStatus.PROCESSING: 1,
    OrderStatus.SHIPPED: 2,
}
"""Where in `_MOVES` an order in each moving status goes next; other statuses are final for the clock."""

Move = tuple[OrderStatus, datetime]
T = TypeVar("T")


def schedule(placed_at: datetime, delays: OrderDelays) -> list[Move]:
    """The moves of an order placed at `placed_at` and when each happens; stops before a move that is off."""
    moves: list[Move] = []
    at = placed_at
    for status, delay in zip(_MOVES, (delays.processing, delays.shipping, delays.delivery), strict=True):
        if delay is None:
            break
        at += delay
        moves.append((status, at))
    return moves


def due_moves(order: Order, delays: OrderDelays, now: datetime) -> list[Move]:
    """The moves of `order` whose time has come by `now` and that it has not made yet."""
    start = _NEXT_MOVE.get(OrderStatus(order.status))
    if order.quote_id is None or start is None:
        return []
    return [(status, at) for status, at in schedule(order.placed_at, delays)[start:] if at <= now]


def catch_up(tx: Session, order: Order) -> None:
    """Apply the moves of `order` that are due now; the caller holds its row lock (or SQLite's write lock)."""
    for status, at in due_moves(order, runtime_of(tx).order_delays, utcnow()):
        change_status(tx, order, status, note="order clock", at=at)
        if status == OrderStatus.SHIPPED:
            _ship(tx, order)


def advance(tx: Session, order: Order, to: OrderStatus, *, note: str = "") -> None:
    """Move `order` on now, through each move of the clock's path up to `to` (processing, shipped or delivered).

    For back-office code and harnesses (`shopmcp orders advance`); it moves imported orders too. Refused
    with `invalid_input` when `to` is not ahead of the order on that path.
    """
    start = _NEXT_MOVE.get(OrderStatus(order.status))
    if start is None or to not in _MOVES[start:]:
        raise invalid_input(
            f"Order {order.id} is {order.status}: the clock cannot move it to {to.value}.",
            order_id=order.id,
            status=order.status,
        )
    # Never before the order's last change: outside a session the logical clock stands at its start.
    at = max(utcnow(), order.updated_at)
    for status in _MOVES[start : _MOVES.index(to) + 1]:
        change_status(tx, order, status, note=note, at=at)
        if status == OrderStatus.SHIPPED:
            _ship(tx, order)


def _ship(tx: Session, order: Order) -> None:
    """One parcel per seller, as the order's shipments are per seller, each with a tracking id."""
    units: dict[int, list[int]] = defaultdict(list)
    lines = tx.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.position)))
    for line in lines:
        units[line.seller_id].extend([line.variant_id] * line.quantity)
    taken = tx.exec(select(OrderFulfilment.position).where(OrderFulfilment.order_id == order.id)).all()
    position = max(taken, default=-1) + 1
    for variant_ids in units.values():
        if not variant_ids:
            continue
        tracking_id = new_id(tx, "trk", scope=order.id)
        tx.add(
            OrderFulfilment(
                order_id=order.id,
                position=position,
                tracking_ids=[tracking_id],
                carrier=CARRIER,
                variant_ids=variant_ids,
            )
        )
        position += 1
    tx.flush()


# --- Catching up before a read --------------------------------------------------------
#
# A read transaction writes nothing. So an order read notes the orders it shows that have a move
# due (`moves_due`), and only then is a write made and the read run again: with nothing due, an
# order read costs what it did without the clock.

Read = Callable[..., T]


def read_up_to_date(db: Database, read: Read[T], /, **kwargs: Any) -> T:
    """Run the order read `read(tx=..., moves_due=..., **kwargs)`; if it saw moves due, make them and read again.

    `kwargs` holds the caller's `scope`.
    """
    if db.runtime.order_delays.off:
        return db.run_read(read, **kwargs)
    due: list[str] = []
    result = db.run_read(read, moves_due=due, **kwargs)
    if not due:
        return result
    db.run_write(catch_up_orders, scope=kwargs["scope"], order_ids=sorted(set(due)))
    return db.run_read(read, **kwargs)


def note_due(tx: Session, order: Order, moves_due: list[str] | None) -> None:
    """Add `order` to `moves_due` if it has a move due now (nothing when `moves_due` is None)."""
    if moves_due is not None and due_moves(order, runtime_of(tx).order_delays, utcnow()):
        moves_due.append(order.id)


def before_read(db: Database, scope: Scope, order_id: str) -> None:
    """Make the moves due to the session's order `order_id`, for a read that does not note them itself."""
    if db.runtime.order_delays.off:
        return
    due = db.run_read(due_order_ids, scope=scope, order_id=order_id)
    if due:
        db.run_write(catch_up_orders, scope=scope, order_ids=due)


def due_order_ids(*, tx: Session, scope: Scope, order_id: str | None = None) -> list[str]:
    """The session's orders (or its one order `order_id`) with a move due now; a read."""
    row = require_session(tx, scope)
    return due_in_session(tx, row.id, order_id)


def due_in_session(tx: Session, session_id: str, order_id: str | None = None) -> list[str]:
    """The ids of the session's orders (or of its order `order_id`) with a move due now."""
    delays = runtime_of(tx).order_delays
    if delays.off:
        return []
    now = utcnow()
    statement = select(Order).where(
        Order.session_id == session_id,
        col(Order.quote_id).is_not(None),
        col(Order.status).in_([status.value for status in _NEXT_MOVE]),
        col(Order.placed_at) <= now - (delays.processing or timedelta(0)),
    )
    if order_id is not None:
        statement = statement.where(Order.id == order_id)
    return [order.id for order in tx.exec(statement) if due_moves(order, delays, now)]


def catch_up_orders(*, tx: Session, scope: Scope, order_ids: list[str]) -> None:
    """Bring the session's orders `order_ids` up to date; a write that does not move the session's clock.

    The orders are locked in id order, so two of these never wait for each other in a cycle.
    """
    row = require_session(tx, scope)
    for order in _locked(tx, order_ids, session_id=row.id):
        catch_up(tx, order)


def _locked(tx: Session, order_ids: list[str], *, session_id: str | None = None) -> list[Order]:
    """The orders `order_ids` (of the session `session_id`, if given), locked in id order."""
    statement = select(Order).where(col(Order.id).in_(order_ids))
    if session_id is not None:
        statement = statement.where(Order.session_id == session_id)
    return list(tx.exec(statement.order_by(col(Order.id)).with_for_update()).all())


# --- Catching up before an export -----------------------------------------------------
#
# Graders read the state export and hash, so these show every order as `get_order` would: the
# moves due in the exported sessions are made first, each at its session's time now (its logical
# time in seeded mode, which only the session's own writes move), through `catch_up`. So the
# export is the same whether or not anyone read the orders in between.


def catch_up_store(db: Database, *, session_id: str | None = None, principal: str | None = None) -> None:
    """Make the moves due in every session, or only in `session_id` (and only if it is `principal`'s, if given)."""
    if db.runtime.order_delays.off:
        return
    due = db.run_read(due_by_session, session_id=session_id, principal=principal)
    if due:
        db.run_write(catch_up_due, due=due)


def due_by_session(*, tx: Session, session_id: str | None = None, principal: str | None = None) -> dict[str, list[str]]:
    """The orders with a move due, by session, each session at its own time now; a read."""
    moving = select(Order.session_id).where(
        col(Order.quote_id).is_not(None), col(Order.status).in_([status.value for status in _NEXT_MOVE])
    )
    statement = select(ShoppingSession.id).where(col(ShoppingSession.id).in_(moving))
    if session_id is not None:
        statement = statement.where(ShoppingSession.id == session_id)
    if principal is not None:
        statement = statement.where(ShoppingSession.principal == principal)
    due: dict[str, list[str]] = {}
    for found in tx.exec(statement.order_by(col(ShoppingSession.id))).all():
        enter_session(tx, found, write=False)
        order_ids = due_in_session(tx, found)
        if order_ids:
            due[found] = order_ids
    return due


def catch_up_due(*, tx: Session, due: dict[str, list[str]]) -> None:
    """Bring the orders `due` names (by session) up to date; a write that moves no session's clock.

    All of them are locked in one statement in id order, as `catch_up_orders` locks a session's.
    """
    by_session: dict[str, list[Order]] = defaultdict(list)
    for order in _locked(tx, sorted(order_id for order_ids in due.values() for order_id in order_ids)):
        by_session[order.session_id].append(order)
    for session_id, orders in sorted(by_session.items()):
        enter_session(tx, session_id, write=False)
        for order in orders:
            catch_up(tx, order)
