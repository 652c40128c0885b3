"""Orders of a shopping session: one order as charged, and the list of them newest first.

Every query filters by the session the caller's scope names, so an order of
another session is answered exactly like one that does not exist.
"""

from collections import Counter
from datetime import datetime
from typing import cast

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from shopmcp.core.cursors import decode_cursor, encode_cursor, fingerprint
from shopmcp.core.errors import ErrorCode, ShopError, invalid_input, not_found
from shopmcp.core.money import money
from shopmcp.models.cart_public import SellerRef
from shopmcp.models.catalog import Variant
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.order import Order, OrderFulfilment, OrderLine, OrderPayment, OrderStatusChange
from shopmcp.models.order_public import (
    AfterDeliveryRequest,
    CancelReason,
    Fulfilment,
    OrderLineView,
    OrderList,
    OrderStatusName,
    OrderSummary,
    OrderView,
    PaymentEntry,
    PaymentInfo,
    StatusChange,
)
from shopmcp.services.cart.snapshot import SnapshotShipment
from shopmcp.services.cart.views import shipment_views
from shopmcp.services.orders.clock import catch_up, due_in_session, note_due
from shopmcp.services.orders.status import OrderStatus, can_change
from shopmcp.services.shopping_sessions import Scope, require_session

_TITLES_IN_SUMMARY = 3


def order_not_found(order_id: str) -> ShopError:
    return not_found("order", order_id, "Call list_orders to see the orders of this session.")


def require_order(tx: Session, session_id: str, order_id: str, *, lock: bool = False) -> Order:
    """The session's order `order_id`, else `not_found`.

    With `lock` (a change of the order follows), the row is locked and the order first makes the
    moves the order clock has due for it, so the change sees the order as it is now.
    """
    statement = select(Order).where(Order.id == order_id, Order.session_id == session_id)
    if lock:
        statement = statement.with_for_update()
    order = tx.exec(statement).first()
    if order is None:
        raise order_not_found(order_id)
    if lock:
        catch_up(tx, order)
    return order


def get_order(*, tx: Session, scope: Scope, order_id: str, moves_due: list[str] | None = None) -> OrderView:
    """The session's order `order_id`; its id goes to `moves_due` if the order clock has a move due for it."""
    row = require_session(tx, scope)
    order = require_order(tx, row.id, order_id)
    note_due(tx, order, moves_due)
    return order_view(tx, order)


def order_lines(tx: Session, order: Order) -> list[OrderLine]:
    """An order's lines in the order they were bought."""
    return list(tx.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.position))))


def require_units(lines: list[OrderLine], variant_ids: list[int]) -> None:
    """Refuse a change naming more units of a variant than the order holds (a variant id once per unit)."""
    held = Counter[int]()
    for line in lines:
        held[line.variant_id] += line.quantity
    for variant_id, wanted in Counter(variant_ids).items():
        if held[variant_id] < wanted:
            raise invalid_input(
                f"The order has {held[variant_id]} unit(s) of variant {variant_id}, not {wanted}. "
                "Call get_order for its lines' variant_id values.",
                variant_id=variant_id,
            )


def order_view(tx: Session, order: Order) -> OrderView:
    """The public view of an order, from its rows alone (every amount as charged)."""
    currency = order.currency
    lines = order_lines(tx, order)
    options = _line_options(tx, lines)
    history = tx.exec(
        select(OrderStatusChange)
        .where(OrderStatusChange.order_id == order.id)
        .order_by(col(OrderStatusChange.changed_at), col(OrderStatusChange.id))
    )
    return OrderView(
        order_id=order.id,
        session_id=order.session_id,
        status=_status_name(order.status),
        placed_at=order.placed_at,
        updated_at=order.updated_at,
        lines=[
            OrderLineView(
                product_id=line.product_id,
                product_title=line.product_title,
                variant_id=line.variant_id,
                variant_title=line.variant_title,
                offer_id=line.offer_id,
                seller=SellerRef(id=line.seller_id, name=line.seller_name),
                unit_price=money(line.unit_price, currency),
                quantity=line.quantity,
                subtotal=money(line.subtotal, currency),
                discount=money(line.discount, currency),
                tax=money(line.tax, currency),
                total=money(line.total, currency),
                options=options.get(line.position),
            )
            for line in lines
        ],
        shipments=shipment_views([SnapshotShipment.model_validate(s) for s in order.shipments], currency),
        coupon_code=order.coupon_code,
        subtotal=money(order.subtotal, currency),
        discount=money(order.discount_total, currency),
        shipping=money(order.shipping_total, currency),
        tax=money(order.tax_total, currency),
        total=money(order.total, currency),
        shipping_address=ShippingAddress.model_validate(order.shipping_address),
        shipping_method=order.shipping_method,
        payment=PaymentInfo(method=order.payment_method, charge_id=order.payment_id, refund_id=order.refund_id),
        cancellable=can_change(order.status, OrderStatus.CANCELLED),
        cancel_reason=_reason(order.cancel_reason),
        history=[StatusChange(status=_status_name(h.to_status), at=h.changed_at, note=h.note) for h in history],
        fulfilments=[
            Fulfilment(tracking_ids=list(f.tracking_ids), carrier=f.carrier, variant_ids=list(f.variant_ids))
            for f in tx.exec(
                select(OrderFulfilment)
                .where(OrderFulfilment.order_id == order.id)
                .order_by(col(OrderFulfilment.position))
            )
        ],
        payment_history=payment_history(tx, order),
        after_delivery=_after_delivery(order),
    )


def _after_delivery(order: Order) -> AfterDeliveryRequest | None:
    request = order.after_delivery
    if request is None:
        return None
    difference = request.get("price_difference")
    return AfterDeliveryRequest(
        kind=request["kind"],
        variant_ids=request["variant_ids"],
        new_variant_ids=request.get("new_variant_ids") or [],
        payment_method=request["payment_method_id"],
        price_difference=money(difference, order.currency) if difference is not None else None,
    )


def _line_options(tx: Session, lines: list[OrderLine]) -> dict[int, dict[str, str]]:
    """Each line's options: as recorded when bought, else its variant's (orders placed before 0005 kept none)."""
    missing = {line.variant_id for line in lines if line.options is None}
    current = {v.id: v.options for v in tx.exec(select(Variant).where(col(Variant.id).in_(missing)))} if missing else {}
    return {
        line.position: (
            {pair[0]: pair[1] for pair in line.options} if line.options is not None else current[line.variant_id]
        )
        for line in lines
        if line.options is not None or line.variant_id in current
    }


def payment_entries(tx: Session, order_id: str) -> list[OrderPayment]:
    return list(
        tx.exec(select(OrderPayment).where(OrderPayment.order_id == order_id).order_by(col(OrderPayment.position)))
    )


def checkout_charge(order: Order) -> OrderPayment:
    """The charge of an order paid at checkout through the payment provider, as its first history entry.

    Such an order records no history of its own; a change that writes history records this first, so
    the history stays complete.
    """
    return OrderPayment(
        order_id=order.id, position=0, kind="payment", amount=order.total, payment_method_id=order.payment_method
    )


def payment_history(tx: Session, order: Order) -> list[PaymentEntry]:
    """The order's payments and refunds: its recorded history, else its one charge (and refund) at checkout."""
    entries = payment_entries(tx, order.id)
    if entries:
        return [
            PaymentEntry(
                kind="refund" if entry.kind == "refund" else "payment",
                amount=money(entry.amount, order.currency),
                payment_method=entry.payment_method_id,
            )
            for entry in entries
        ]
    charged = [
        PaymentEntry(kind="payment", amount=money(order.total, order.currency), payment_method=order.payment_method)
    ]
    if order.refund_id is not None:
        charged.append(
            PaymentEntry(kind="refund", amount=money(order.total, order.currency), payment_method=order.payment_method)
        )
    return charged


def _status_name(status: str) -> OrderStatusName:
    return OrderStatus(status).value


def _reason(reason: str | None) -> CancelReason | None:
    return cast(CancelReason | None, reason)


# --- Listing ------------------------------------------------------------------


def list_orders(
    *,
    tx: Session,
    scope: Scope,
    status: OrderStatusName | None,
    limit: int,
    cursor: str | None,
    moves_due: list[str] | None = None,
) -> OrderList:
    """The session's orders, newest first, `limit` per page, continuing after `cursor`.

    The ids of the page's orders with a move due go to `moves_due`; with a `status`, those of all the
    session's orders (a move can bring an order into or out of the status asked for).
    """
    row = require_session(tx, scope)
    if moves_due is not None and status is not None:
        moves_due.extend(due_in_session(tx, row.id))
    statement = select(Order).where(Order.session_id == row.id)
    if status is not None:
        statement = statement.where(Order.status == status)
    if cursor is not None:
        placed_at, order_id = decode_order_cursor(cursor)
        statement = statement.where(
            or_(
                col(Order.placed_at) < placed_at,
                and_(col(Order.placed_at) == placed_at, col(Order.id) < order_id),
            )
        )
    orders = tx.exec(statement.order_by(col(Order.placed_at).desc(), col(Order.id).desc()).limit(limit + 1)).all()
    page = list(orders[:limit])
    if status is None:
        for order in page:
            note_due(tx, order, moves_due)
    summaries = _summaries(tx, page)
    next_cursor = encode_order_cursor(page[-1]) if len(orders) > limit else None
    return OrderList(session_id=row.id, orders=summaries, next_cursor=next_cursor)


def _summaries(tx: Session, orders: list[Order]) -> list[OrderSummary]:
    ids = [order.id for order in orders]
    lines_by_order: dict[str, list[OrderLine]] = {order_id: [] for order_id in ids}
    if ids:
        for line in tx.exec(
            select(OrderLine).where(col(OrderLine.order_id).in_(ids)).order_by(col(OrderLine.position))
        ):
            lines_by_order[line.order_id].append(line)
    return [
        OrderSummary(
            order_id=order.id,
            status=_status_name(order.status),
            placed_at=order.placed_at,
            item_count=sum(line.quantity for line in lines_by_order[order.id]),
            total=money(order.total, order.currency),
            titles=[line.product_title for line in lines_by_order[order.id][:_TITLES_IN_SUMMARY]],
        )
        for order in orders
    ]


_LISTING = fingerprint({"listing": "orders"})
"""What an order cursor is bound to: the listing alone, so a page may go on with another status filter."""


def encode_order_cursor(order: Order) -> str:
    return encode_cursor(_LISTING, [order.placed_at.isoformat(), order.id])


def decode_order_cursor(cursor: str) -> tuple[datetime, str]:
    placed_at, order_id = decode_cursor(cursor, _LISTING, (str, str), invalid=_invalid_cursor)
    try:
        parsed = datetime.fromisoformat(str(placed_at))
    except ValueError as error:
        raise _invalid_cursor("it holds an unexpected value") from error
    if parsed.tzinfo is None:
        raise _invalid_cursor("it holds an unexpected value")
    return parsed, str(order_id)


def _invalid_cursor(_reason: str) -> ShopError:
    return ShopError(
        ErrorCode.INVALID_CURSOR,
        "That cursor is not one list_orders gave out. Call list_orders without a cursor to start over.",
    )
