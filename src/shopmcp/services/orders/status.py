"""Order statuses and the moves between them: the only place an order's status changes.

    placed -> processing -> shipped -> delivered
    placed -> shipped (fulfilled at once, as tau2's pending -> processed)
    placed -> cancelled, processing -> cancelled
    delivered -> return_requested, delivered -> exchange_requested
    placed -> items_modified (modify_order_items, once) -> processing | shipped

tau2-bench retail names the same statuses otherwise (pending, processed, "return requested", ...);
`TAU2_STATUSES` maps them, one way only: an import or export translates at the edge.

Every change writes an `OrderStatusChange` row, so an order's history is complete.
"""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.models.order import ORDER_STATUSES, Order, OrderStatusChange
from shopmcp.models.types import utcnow


class OrderStatus(StrEnum):
    PLACED = "placed"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    EXCHANGE_REQUESTED = "exchange_requested"
    ITEMS_MODIFIED = "items_modified"


assert tuple(OrderStatus) == ORDER_STATUSES, "the table's check constraint lists the same statuses"

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset(
        {OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.ITEMS_MODIFIED}
    ),
    # As tau2: a modified order ships, but is no longer cancelled or modified again.
    OrderStatus.ITEMS_MODIFIED: frozenset({OrderStatus.PROCESSING, OrderStatus.SHIPPED}),
    OrderStatus.PROCESSING: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.RETURN_REQUESTED, OrderStatus.EXCHANGE_REQUESTED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.RETURN_REQUESTED: frozenset(),
    OrderStatus.EXCHANGE_REQUESTED: frozenset(),
}

TAU2_STATUSES: dict[str, OrderStatus] = {
    "pending": OrderStatus.PLACED,
    "processed": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
    "cancelled": OrderStatus.CANCELLED,
    "return requested": OrderStatus.RETURN_REQUESTED,
    "exchange requested": OrderStatus.EXCHANGE_REQUESTED,
    "pending (item modified)": OrderStatus.ITEMS_MODIFIED,
}
"""tau2's status -> ours. Ours -> tau2's is its inverse, with `processing` (not shipped yet) as `pending`."""

STATUS_TO_TAU2: dict[OrderStatus, str] = {ours: theirs for theirs, ours in TAU2_STATUSES.items()} | {
    OrderStatus.PROCESSING: "pending"
}


def can_change(current: str, to: OrderStatus) -> bool:
    return to in TRANSITIONS[OrderStatus(current)]


def record_placed(tx: Session, order: Order, *, at: datetime) -> None:
    """The first history row of a new order."""
    tx.add(OrderStatusChange(order_id=order.id, from_status=None, to_status=OrderStatus.PLACED.value, changed_at=at))


def change_status(tx: Session, order: Order, to: OrderStatus, *, note: str = "", at: datetime | None = None) -> None:
    """Move `order` to `to`, or raise `order_not_cancellable` / `invalid_input` when the move is not allowed.

    `at` is when the move happened, if not now (the order clock records a move at its scheduled time).
    """
    current = OrderStatus(order.status)
    if not can_change(current, to):
        code = ErrorCode.ORDER_NOT_CANCELLABLE if to == OrderStatus.CANCELLED else ErrorCode.INVALID_INPUT
        raise ShopError(
            code,
            f"Order {order.id} is {current.value} and cannot become {to.value}"
            + (": only orders that have not shipped can be cancelled." if to == OrderStatus.CANCELLED else "."),
            resolution=Resolution.UNRECOVERABLE,
            details={"order_id": order.id, "status": current.value},
        )
    now = at or utcnow()
    order.status = to.value
    order.updated_at = now
    tx.add(order)
    tx.add(
        OrderStatusChange(order_id=order.id, from_status=current.value, to_status=to.value, note=note, changed_at=now)
    )
    tx.flush()
