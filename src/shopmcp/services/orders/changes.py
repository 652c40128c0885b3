"""Changing an order after it was placed: cancelling it (stock back, refund, coupon freed) and fulfilment moves."""

from sqlalchemy import delete
from sqlmodel import Session, col, select

from shopmcp.models.cart import CouponRedemption
from shopmcp.models.customer import Customer, WalletMethod
from shopmcp.models.order import Order, OrderPayment
from shopmcp.models.order_public import (
    CancelReason,
    OrderView,
)
from shopmcp.services import stock
from shopmcp.services.catalog.aggregates import refresh_products
from shopmcp.services.orders import clock
from shopmcp.services.orders.read import order_not_found, order_view, payment_entries, require_order
from shopmcp.services.orders.status import OrderStatus, change_status
from shopmcp.services.payments import PaymentProvider
from shopmcp.services.shopping_sessions import Scope, require_session


def cancel_order(
    *, tx: Session, scope: Scope, provider: PaymentProvider, order_id: str, reason: CancelReason
) -> OrderView:
    """Cancel an order that has not shipped: stock goes back, the payment is refunded, the coupon is freed.

    An order with a payment history (imported, or paid from the wallet) is refunded entry by entry,
    as tau2-bench does: a refund entry per payment, to the same method, and a gift card of the
    account's wallet is credited at once. Cancelling a cancelled order changes nothing and returns it.
    """
    row = require_session(tx, scope, lock=True)
    order = require_order(tx, row.id, order_id, lock=True)
    if order.status == OrderStatus.CANCELLED:
        return order_view(tx, order)
    change_status(tx, order, OrderStatus.CANCELLED, note=reason)
    restock(tx, order)
    entries = payment_entries(tx, order.id)
    if entries:
        refund_history(tx, order, entries)
    else:
        refund = provider.refund(
            charge_id=order.payment_id,
            amount=order.total,
            currency=order.currency,
            idempotency_key=f"cancel:{order.id}",
        )
        order.refund_id = refund.refund_id
    order.cancel_reason = reason
    # A cancelled order gives back a once-per-session coupon it used.
    tx.execute(delete(CouponRedemption).where(col(CouponRedemption.order_id) == order.id))
    tx.add(order)
    tx.flush()
    return order_view(tx, order)


def refund_history(tx: Session, order: Order, entries: list[OrderPayment]) -> None:
    """A refund entry per method for what it still holds of the order; gift cards of the account get it back now.

    What a method holds is its payments less its refunds, so money moved by a payment change is not
    given back twice. (tau2's cancel refunds every entry, refunds included; see docs/tools.md.)
    """
    position = max(entry.position for entry in entries) + 1
    wallet = {
        method.id: method
        for method in tx.exec(
            select(WalletMethod)
            .join(Customer, col(Customer.id) == col(WalletMethod.customer_id))
            .where(Customer.session_id == order.session_id)
        )
    }
    held: dict[str, int] = {}
    for entry in entries:
        sign = 1 if entry.kind == "payment" else -1
        held[entry.payment_method_id] = held.get(entry.payment_method_id, 0) + sign * entry.amount
    for method_id, amount in held.items():
        if amount <= 0:
            continue
        tx.add(
            OrderPayment(
                order_id=order.id,
                position=position,
                kind="refund",
                amount=amount,
                payment_method_id=method_id,
            )
        )
        position += 1
        method = wallet.get(method_id)
        if method is not None and method.kind == "gift_card":
            method.balance = (method.balance or 0) + amount
            tx.add(method)


def restock(tx: Session, order: Order) -> None:
    """Give back the units the order took from its session's stock (made-to-order lines took none)."""
    products = stock.give_back_order(tx, order.session_id, order.id)
    if stock.changes_catalog(tx):
        refresh_products(tx, products)


def advance_order(*, tx: Session, order_id: str, to: OrderStatus, note: str = "") -> OrderView:
    """Fulfilment now: move an order on to processing, shipped (with its shipment) or delivered, through the
    moves between. Not a tool; for back-office code, harnesses (`shopmcp orders advance`) and tests.
    """
    order = tx.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise order_not_found(order_id)
    clock.advance(tx, order, to, note=note)
    return order_view(tx, order)
