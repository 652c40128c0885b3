"""Changing an order after it was placed: cancelling it (stock back, refund, coupon freed) and fulfilment moves."""

from sqlalchemy import delete
from sqlmodel import Session, col, select

from shopmcp.models.cart import CouponRedemption
from shopmcp.models.order import Order
from shopmcp.models.order_public import (
    CancelReason,
    OrderView,
)
from shopmcp.services import stock
from shopmcp.services.catalog.aggregates import refresh_products
from shopmcp.services.orders.read import order_not_found, order_view, require_order
from shopmcp.services.orders.status import OrderStatus, change_status
from shopmcp.services.payments import PaymentProvider
from shopmcp.services.shopping_sessions import Scope, require_session


def cancel_order(
    *, session: Session, scope: Scope, provider: PaymentProvider, order_id: str, reason: CancelReason
) -> OrderView:
    """Cancel an order that has not shipped: stock goes back, the payment is refunded, the coupon is freed.

    Cancelling a cancelled order changes nothing and returns it as it is.
    """
    row = require_session(session, scope, lock=True)
    order = require_order(session, row.id, order_id, lock=True)
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
    products = stock.give_back_order(session, order.session_id, order.id)
    if stock.changes_catalog(session):
        refresh_products(session, products)


def advance_order(*, session: Session, order_id: str, to: OrderStatus, note: str = "") -> OrderView:
    """Fulfilment: move an order on (processing, shipped, delivered). Not a tool; for back-office code and tests."""
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise order_not_found(order_id)
    change_status(session, order, to, note=note)
    return order_view(session, order)
