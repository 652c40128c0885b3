"""Changing a pending order without cancelling it: its shipping address and its payment method.

The rules are tau2-bench retail's (`modify_pending_order_address`, `modify_pending_order_payment`):
only an order that has not shipped (tau2's "pending") changes; the payment moves to another method
of the account's wallet only while the order has its one original payment, written as tau2 writes
it (a payment by the new method, then a refund to the old one), gift cards debited and credited at
once. Each change is one transaction under the session's and the order's locks, so two changes of
one order run one after the other and the second sees the first.

Idempotent under retries without a key, like cancel_order: asking again for what the order
already is (the same address, the method it was already moved to) returns it unchanged.
"""

from collections.abc import Callable

from sqlmodel import Session

from shopmcp.core.errors import ErrorCode, Resolution, ShopError, invalid_input
from shopmcp.core.money import format_money
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.customer import WalletMethod
from shopmcp.models.order import Order, OrderPayment
from shopmcp.models.order_public import OrderView
from shopmcp.models.types import utcnow
from shopmcp.services import wallet
from shopmcp.services.orders.read import checkout_charge, order_view, payment_entries, require_order
from shopmcp.services.orders.status import OrderStatus
from shopmcp.services.payments import PaymentProvider
from shopmcp.services.pricing.tax import TaxTable, destination_of
from shopmcp.services.shopping_sessions import Scope, require_session

PENDING = frozenset({OrderStatus.PLACED, OrderStatus.PROCESSING, OrderStatus.ITEMS_MODIFIED})
"""The statuses tau2 calls pending (its "pending (item modified)" too): nothing has shipped, the order can change."""


Normalize = Callable[[ShippingAddress], ShippingAddress]
"""Checkout's address rules (`checkout.normalize_address`), given by the caller: checkout depends on orders."""


def update_order_address(
    *,
    tx: Session,
    scope: Scope,
    tax_table: TaxTable,
    normalize: Normalize,
    order_id: str,
    shipping_address: ShippingAddress,
) -> OrderView:
    """Ship a pending order to another address; its amounts stay as charged."""
    row = require_session(tx, scope, lock=True)
    order = require_order(tx, row.id, order_id, lock=True)
    current = _current_address(order, normalize)
    new = _order_address(order, current, normalize(shipping_address))
    if new == order.shipping_address:
        return order_view(tx, order)
    require_pending(order)
    _require_same_tax(order, current, new, tax_table, normalize)
    order.shipping_address = new
    order.updated_at = utcnow()
    tx.add(order)
    tx.flush()
    return order_view(tx, order)


def _current_address(order: Order, normalize: Normalize) -> ShippingAddress | None:
    """The order's address normalized; None for one that checkout's rules no longer accept (old imports)."""
    try:
        return normalize(ShippingAddress.model_validate(order.shipping_address))
    except (ShopError, ValueError):
        return None


def _order_address(order: Order, current: ShippingAddress | None, address: ShippingAddress) -> dict[str, object]:
    """The address as stored; the country keeps the order's own spelling when it names the same country.

    Imported tau2 orders write "USA"; keeping it makes the tau2 export equal to what tau2's own
    tool writes for the same change (it stores the country as given).
    """
    stored = address.model_dump()
    if current is not None and current.country == address.country:
        stored["country"] = order.shipping_address.get("country", address.country)
    return stored


def _require_same_tax(
    order: Order, current: ShippingAddress | None, new: dict[str, object], tax_table: TaxTable, normalize: Normalize
) -> None:
    """Amounts never change with the address, so a taxed order may not move to where other tax applies."""
    if order.tax_total == 0 or current is None:
        return
    before = destination_of(current, tax_table)
    after = destination_of(normalize(ShippingAddress.model_validate(new)), tax_table)
    if before.tax != after.tax:
        raise ShopError(
            ErrorCode.INVALID_ADDRESS,
            f"Order {order.id} was charged the tax of {before.label}; {after.label} is taxed otherwise, so the "
            "address cannot change to it. Cancel the order and buy again to ship there.",
            resolution=Resolution.REQUIRES_BUYER_INPUT,
            details={"order_id": order.id, "charged_for": before.label, "new_destination": after.label},
        )


def update_order_payment(
    *, tx: Session, scope: Scope, provider: PaymentProvider, order_id: str, payment_method_id: str
) -> OrderView:
    """Pay a pending order with another method of the account's wallet; the original method is refunded."""
    row = require_session(tx, scope, lock=True)
    order = require_order(tx, row.id, order_id, lock=True)
    entries = payment_entries(tx, order.id)
    if _already_moved_to(entries, payment_method_id):
        return order_view(tx, order)
    require_pending(order)
    method = wallet.find_method(tx, row.id, payment_method_id, lock=True)
    if method is None:
        raise invalid_input(
            f"{payment_method_id!r} is not a payment method of this account. Call get_account for the wallet's "
            "payment_method_id values.",
            payment_method_id=payment_method_id,
        )
    original = _single_payment(order, entries)
    if original.payment_method_id == payment_method_id:
        raise invalid_input(
            f"Order {order.id} is already paid with {payment_method_id}. Choose another method of the wallet.",
            payment_method_id=payment_method_id,
        )
    wallet.pay(tx, method, original.amount, order.currency)
    if not entries:
        # A checkout charge through the payment provider: recorded first, then given back by the provider.
        tx.add(original)
        provider.refund(
            charge_id=order.payment_id,
            amount=original.amount,
            currency=order.currency,
            idempotency_key=f"repay:{order.id}",
        )
    tx.add(
        OrderPayment(order_id=order.id, position=1, kind="payment", amount=original.amount, payment_method_id=method.id)
    )
    tx.add(
        OrderPayment(
            order_id=order.id,
            position=2,
            kind="refund",
            amount=original.amount,
            payment_method_id=original.payment_method_id,
        )
    )
    old = wallet.find_method(tx, row.id, original.payment_method_id, lock=True)
    if old is not None and old.kind == "gift_card":
        old.balance = (old.balance or 0) + original.amount
        tx.add(old)
    order.payment_method = method.id
    order.updated_at = utcnow()
    tx.add(order)
    tx.flush()
    return order_view(tx, order)


def _already_moved_to(entries: list[OrderPayment], method_id: str) -> bool:
    """Whether the order's payment was already moved to `method_id` (the history a change writes)."""
    return (
        len(entries) == 3
        and [entry.kind for entry in entries] == ["payment", "payment", "refund"]
        and entries[1].payment_method_id == method_id
        and entries[2].payment_method_id == entries[0].payment_method_id
    )


def _single_payment(order: Order, entries: list[OrderPayment]) -> OrderPayment:
    """The order's one payment (recorded, or its checkout charge); refused once the payment has changed."""
    if not entries:
        return checkout_charge(order)
    if len(entries) != 1 or entries[0].kind != "payment":
        raise ShopError(
            ErrorCode.ORDER_NOT_MODIFIABLE,
            f"Order {order.id} no longer has its one original payment (its payment or items were already "
            "changed), so its payment method cannot change.",
            resolution=Resolution.UNRECOVERABLE,
            details={"order_id": order.id},
        )
    return entries[0]


def require_pending(order: Order) -> None:
    if OrderStatus(order.status) not in PENDING:
        raise ShopError(
            ErrorCode.ORDER_NOT_MODIFIABLE,
            f"Order {order.id} is {order.status}: only an order that has not shipped yet can change.",
            resolution=Resolution.UNRECOVERABLE,
            details={"order_id": order.id, "status": order.status},
        )


# --- What to ask the person first ----------------------------------------------------


def address_question(
    *, tx: Session, scope: Scope, normalize: Normalize, order_id: str, shipping_address: ShippingAddress
) -> str | None:
    """The confirmation question for an address change; None when there is nothing to ask (the tool reports)."""
    order = _askable(tx, scope, order_id)
    if order is None:
        return None
    try:
        new = _order_address(order, _current_address(order, normalize), normalize(shipping_address))
    except ShopError:
        return None
    if new == order.shipping_address:
        return None
    a = shipping_address
    where = ", ".join(part for part in (a.name, a.line1, a.line2, a.city, a.region, a.postal_code, a.country) if part)
    return f"Ship order {order.id} to {where} instead?"


def payment_question(*, tx: Session, scope: Scope, order_id: str, payment_method_id: str) -> str | None:
    """The confirmation question for a payment change; None when there is nothing to ask (the tool reports)."""
    order = _askable(tx, scope, order_id)
    if order is None:
        return None
    entries = payment_entries(tx, order.id)
    if _already_moved_to(entries, payment_method_id):
        return None
    method = wallet.find_method(tx, order.session_id, payment_method_id)
    if method is None:
        return None
    old = entries[0].payment_method_id if entries else order.payment_method
    return (
        f"Pay order {order.id} ({format_money(order.total, order.currency)}) with {_describe(method)} "
        f"instead of {old}? {old} is refunded."
    )


def _describe(method: WalletMethod) -> str:
    if method.kind == "credit_card":
        return f"the {method.brand} card ending {method.last_four}"
    if method.kind == "gift_card":
        return f"gift card {method.id} ({format_money(method.balance or 0, method.currency)} left)"
    return f"PayPal account {method.id}"


def _askable(tx: Session, scope: Scope, order_id: str) -> Order | None:
    try:
        row = require_session(tx, scope)
        order = require_order(tx, row.id, order_id)
    except ShopError:
        return None
    return order if OrderStatus(order.status) in PENDING else None
