"""Orders of a shopping session: reading them, listing them newest first, cancelling, and fulfilment moves.

Every query filters by the session the caller's scope names, so an order of
another session is answered exactly like one that does not exist.
"""

import base64
import binascii
import json
from datetime import datetime
from typing import cast

from sqlalchemy import and_, delete, or_
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, ShopError, not_found
from shopmcp.core.money import money
from shopmcp.models.cart import CouponRedemption
from shopmcp.models.cart_public import SellerRef
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.order import Order, OrderLine, OrderStatusChange
from shopmcp.models.order_public import (
    CancelReason,
    OrderLineView,
    OrderList,
    OrderStatusName,
    OrderSummary,
    OrderView,
    PaymentInfo,
    StatusChange,
)
from shopmcp.services import stock
from shopmcp.services.cart_pricing import SnapshotShipment, shipment_views
from shopmcp.services.catalog_aggregates import refresh_products
from shopmcp.services.order_status import OrderStatus, can_change, change_status
from shopmcp.services.payments import PaymentProvider
from shopmcp.services.sessions import Scope, require_session

_TITLES_IN_SUMMARY = 3


def order_not_found(order_id: str) -> ShopError:
    return not_found("order", order_id, "Call list_orders to see the orders of this session.")


def _require_order(session: Session, session_id: str, order_id: str, *, lock: bool = False) -> Order:
    statement = select(Order).where(Order.id == order_id, Order.session_id == session_id)
    if lock:
        statement = statement.with_for_update()
    order = session.exec(statement).first()
    if order is None:
        raise order_not_found(order_id)
    return order


def get_order(*, session: Session, scope: Scope, order_id: str) -> OrderView:
    row = require_session(session, scope)
    return order_view(session, _require_order(session, row.id, order_id))


def order_view(session: Session, order: Order) -> OrderView:
    """The public view of an order, from its rows alone (every amount as charged)."""
    currency = order.currency
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.position)))
    history = session.exec(
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
    )


def _status_name(status: str) -> OrderStatusName:
    return OrderStatus(status).value


def _reason(reason: str | None) -> CancelReason | None:
    return cast(CancelReason | None, reason)


# --- Listing ------------------------------------------------------------------


def list_orders(
    *, session: Session, scope: Scope, status: OrderStatusName | None, limit: int, cursor: str | None
) -> OrderList:
    """The session's orders, newest first, `limit` per page, continuing after `cursor`."""
    row = require_session(session, scope)
    statement = select(Order).where(Order.session_id == row.id)
    if status is not None:
        statement = statement.where(Order.status == status)
    if cursor is not None:
        placed_at, order_id = decode_cursor(cursor)
        statement = statement.where(
            or_(
                col(Order.placed_at) < placed_at,
                and_(col(Order.placed_at) == placed_at, col(Order.id) < order_id),
            )
        )
    orders = session.exec(statement.order_by(col(Order.placed_at).desc(), col(Order.id).desc()).limit(limit + 1)).all()
    page = list(orders[:limit])
    summaries = _summaries(session, page)
    next_cursor = encode_cursor(page[-1]) if len(orders) > limit else None
    return OrderList(session_id=row.id, orders=summaries, next_cursor=next_cursor)


def _summaries(session: Session, orders: list[Order]) -> list[OrderSummary]:
    ids = [order.id for order in orders]
    lines_by_order: dict[str, list[OrderLine]] = {order_id: [] for order_id in ids}
    if ids:
        for line in session.exec(
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


def encode_cursor(order: Order) -> str:
    payload = json.dumps([order.placed_at.isoformat(), order.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        placed_at, order_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        parsed = datetime.fromisoformat(placed_at)
        if parsed.tzinfo is None or not isinstance(order_id, str):
            raise ValueError("not a cursor")
        return parsed, order_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise ShopError(
            ErrorCode.INVALID_CURSOR,
            "That cursor is not one list_orders gave out. Call list_orders without a cursor to start over.",
        ) from error


# --- Cancelling and fulfilment ----------------------------------------------------


def cancel_order(
    *, session: Session, scope: Scope, provider: PaymentProvider, order_id: str, reason: CancelReason
) -> OrderView:
    """Cancel an order that has not shipped: stock goes back, the payment is refunded, the coupon is freed.

    Cancelling a cancelled order changes nothing and returns it as it is.
    """
    row = require_session(session, scope, lock=True)
    order = _require_order(session, row.id, order_id, lock=True)
    if order.status == OrderStatus.CANCELLED:
        return order_view(session, order)
    change_status(session, order, OrderStatus.CANCELLED, note=reason)
    restock(session, order)
    refund = provider.refund(
        charge_id=order.payment_id, amount=order.total, currency=order.currency, idempotency_key=f"cancel:{order.id}"
    )
    order.refund_id = refund.refund_id
    order.cancel_reason = reason
    # A cancelled order gives back a once-per-session coupon it used.
    session.execute(delete(CouponRedemption).where(col(CouponRedemption.order_id) == order.id))
    session.add(order)
    session.flush()
    return order_view(session, order)


def restock(session: Session, order: Order) -> None:
    """Give back the units the order took from its session's stock (made-to-order lines took none)."""
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id, col(OrderLine.stock_decremented))
    ).all()
    for line in sorted(lines, key=lambda line: line.offer_id):
        stock.give_back(session, order.session_id, line.offer_id, line.quantity)
    if stock.changes_catalog(session):
        refresh_products(session, {line.product_id for line in lines})


def advance_order(*, session: Session, order_id: str, to: OrderStatus, note: str = "") -> OrderView:
    """Fulfilment: move an order on (processing, shipped, delivered). Not a tool; for back-office code and tests."""
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise order_not_found(order_id)
    change_status(session, order, to, note=note)
    return order_view(session, order)
