"""Changing the items of a pending order, once, as tau2-bench retail's `modify_pending_order_items` does.

Each listed unit becomes another available variant of the same product, from the line's seller, at
that variant's current price; the units go back to stock and the new ones are taken (`stock`). The
price difference is charged to (or refunded to) a method of the account's wallet, written in the
payment history as one entry (a gift card debited or credited at once), and the order becomes
`items_modified`: tau2's "pending (item modified)", which ships but is neither cancelled nor
modified again.

Idempotent under retries without a key: the status change records a digest of the request, so the
same request again returns the order unchanged; any other request on a modified order is refused.
"""

import hashlib
import json

from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError, invalid_input
from shopmcp.core.money import format_money
from shopmcp.models.catalog import Offer, Variant
from shopmcp.models.customer import WalletMethod
from shopmcp.models.external import ExternalRef
from shopmcp.models.order import Order, OrderLine, OrderPayment, OrderStatusChange
from shopmcp.models.order_public import OrderView
from shopmcp.models.types import utcnow
from shopmcp.services import stock, wallet
from shopmcp.services.catalog.aggregates import refresh_products
from shopmcp.services.orders.read import (
    checkout_charge,
    order_lines,
    order_view,
    payment_entries,
    require_order,
    require_units,
)
from shopmcp.services.orders.status import OrderStatus, change_status
from shopmcp.services.shopping_sessions import Scope, require_session


def modify_order_items(
    *,
    tx: Session,
    scope: Scope,
    order_id: str,
    variant_ids: list[int],
    new_variant_ids: list[int],
    payment_method_id: str,
) -> OrderView:
    """Swap units of a pending order for other variants of their products; see the module docstring."""
    row = require_session(tx, scope, lock=True)
    order = require_order(tx, row.id, order_id, lock=True)
    note = _digest(variant_ids, new_variant_ids, payment_method_id)
    if order.status == OrderStatus.ITEMS_MODIFIED and _last_note(tx, order) == note:
        return order_view(tx, order)
    _require_modifiable(order)
    if len(variant_ids) != len(new_variant_ids):
        raise invalid_input(
            "variant_ids and new_variant_ids must have the same length: one new variant per unit changed.",
            variant_ids=variant_ids,
            new_variant_ids=new_variant_ids,
        )
    lines = order_lines(tx, order)
    require_units(lines, variant_ids)
    method = wallet.find_method(tx, row.id, payment_method_id, lock=True)
    if method is None:
        raise invalid_input(
            f"{payment_method_id!r} is not a payment method of this account. Call get_account for the wallet's "
            "payment_method_id values.",
            payment_method_id=payment_method_id,
        )

    difference = 0
    products: set[int] = set()
    next_position = max(line.position for line in lines) + 1
    for old_id, new_id in zip(variant_ids, new_variant_ids, strict=True):
        if old_id == new_id:
            raise invalid_input(f"Variant {new_id} is the one the order has; name another variant.", variant_id=new_id)
        line = next(line for line in lines if line.variant_id == old_id and line.quantity > 0)
        variant, offer = _replacement(tx, line, new_id)
        if offer.track_inventory and not stock.take(tx, row.id, offer.id or 0, 1):
            raise ShopError(
                ErrorCode.INSUFFICIENT_STOCK,
                f"{line.product_title} ({variant.title}) is out of stock. Nothing changed; choose another variant.",
                details={"variant_id": new_id},
            )
        if line.stock_decremented:
            stock.give_back(tx, row.id, line.offer_id, 1)
        products.add(line.product_id)
        difference += offer.price - line.unit_price
        target = line
        if line.quantity > 1:
            # One unit of a line of several: the line keeps the rest, the unit becomes a line of its own.
            _set_quantity(line, line.quantity - 1)
            target = OrderLine(**(line.model_dump(exclude={"id", "position"}) | {"position": next_position}))
            next_position += 1
            lines.append(target)
        target.variant_id = new_id
        target.offer_id = offer.id or 0
        target.variant_title = variant.title
        target.unit_price = offer.price
        target.options = _options(tx, variant)
        target.stock_decremented = offer.track_inventory
        _set_quantity(target, 1)
        tx.add(line)
        tx.add(target)
    if stock.changes_catalog(tx):
        refresh_products(tx, products)
    _settle(tx, order, method, difference)
    order.subtotal += difference
    order.total += difference
    change_status(tx, order, OrderStatus.ITEMS_MODIFIED, note=note)
    order.updated_at = utcnow()
    tx.add(order)
    tx.flush()
    return order_view(tx, order)


def _digest(variant_ids: list[int], new_variant_ids: list[int], payment_method_id: str) -> str:
    request = json.dumps([variant_ids, new_variant_ids, payment_method_id])
    return f"items modified {hashlib.sha256(request.encode()).hexdigest()[:16]}"


def _last_note(tx: Session, order: Order) -> str | None:
    change = tx.exec(
        select(OrderStatusChange)
        .where(OrderStatusChange.order_id == order.id, OrderStatusChange.to_status == OrderStatus.ITEMS_MODIFIED.value)
        .order_by(col(OrderStatusChange.id).desc())
    ).first()
    return change.note if change else None


def _require_modifiable(order: Order) -> None:
    if order.status != OrderStatus.PLACED:
        again = order.status == OrderStatus.ITEMS_MODIFIED
        raise ShopError(
            ErrorCode.ORDER_NOT_MODIFIABLE,
            f"Order {order.id} "
            + (
                "already had its items modified; that is possible once per order."
                if again
                else f"is {order.status}: only a placed order that has not shipped can change its items."
            ),
            resolution=Resolution.UNRECOVERABLE,
            details={"order_id": order.id, "status": order.status},
        )
    if order.tax_total or order.discount_total:
        # Re-pricing tax and coupons for new variants is not built: the difference would be wrong.
        raise ShopError(
            ErrorCode.ORDER_NOT_MODIFIABLE,
            f"Order {order.id} was charged tax or a discount, so its items cannot be swapped here. "
            "Cancel it and buy the variants wanted instead.",
            resolution=Resolution.UNRECOVERABLE,
            details={"order_id": order.id},
        )


def _replacement(tx: Session, line: OrderLine, new_id: int) -> tuple[Variant, Offer]:
    """The new variant of the line's product and its offer from the line's seller; refused when not for sale."""
    found = tx.exec(
        select(Variant, Offer)
        .join(Offer, col(Offer.variant_id) == col(Variant.id))
        .where(Variant.id == new_id, Variant.product_id == line.product_id, Offer.seller_id == line.seller_id)
    ).first()
    if found is None or not found[1].active:
        raise invalid_input(
            f"Variant {new_id} is not an available variant of {line.product_title} from {line.seller_name}. "
            "Call get_product for its variants.",
            variant_id=new_id,
            product_id=line.product_id,
        )
    return found


def _options(tx: Session, variant: Variant) -> list[list[str]]:
    """The variant's options as bought, in the order an import recorded (JSONB does not keep key order)."""
    ref = tx.exec(
        select(ExternalRef).where(ExternalRef.kind == "variant", ExternalRef.local_id == str(variant.id))
    ).first()
    names = list(ref.layout.get("options", [])) if ref else []
    ordered = [name for name in names if name in variant.options] + sorted(set(variant.options) - set(names))
    return [[name, variant.options[name]] for name in ordered]


def _set_quantity(line: OrderLine, quantity: int) -> None:
    line.quantity = quantity
    line.subtotal = line.unit_price * quantity
    line.total = line.subtotal


def _settle(tx: Session, order: Order, method: WalletMethod, difference: int) -> None:
    """One history entry for the difference: a payment by the method, or a refund to it (tau2 writes 0 as a refund)."""
    entries = payment_entries(tx, order.id)
    if not entries:
        tx.add(checkout_charge(order))
    if method.kind == "gift_card" and difference > 0:
        wallet.require_funds(method, difference, order.currency)
    tx.add(
        OrderPayment(
            order_id=order.id,
            position=(max(entry.position for entry in entries) + 1) if entries else 1,
            kind="payment" if difference > 0 else "refund",
            amount=abs(difference),
            payment_method_id=method.id,
        )
    )
    if method.kind == "gift_card":
        method.balance = (method.balance or 0) - difference
        tx.add(method)


def items_question(
    *,
    tx: Session,
    scope: Scope,
    order_id: str,
    variant_ids: list[int],
    new_variant_ids: list[int],
    payment_method_id: str,
) -> str | None:
    """The confirmation question; None when there is nothing to ask (a retry, or an error the tool reports)."""
    try:
        row = require_session(tx, scope)
        order = require_order(tx, row.id, order_id)
    except ShopError:
        return None
    if order.status != OrderStatus.PLACED or len(variant_ids) != len(new_variant_ids):
        return None
    titles = dict(
        tx.exec(select(Variant.id, Variant.title).where(col(Variant.id).in_(variant_ids + new_variant_ids))).all()
    )
    prices = dict(
        tx.exec(
            select(Offer.variant_id, Offer.price).where(col(Offer.variant_id).in_(new_variant_ids), col(Offer.active))
        ).all()
    )
    old = {
        line.variant_id: line.unit_price for line in tx.exec(select(OrderLine).where(OrderLine.order_id == order.id))
    }
    if any(v not in prices for v in new_variant_ids) or any(v not in old for v in variant_ids):
        return None
    difference = sum(prices[new] - old[was] for was, new in zip(variant_ids, new_variant_ids, strict=True))
    swaps = "; ".join(
        f"{titles.get(was, was)} -> {titles.get(new, new)}"
        for was, new in zip(variant_ids, new_variant_ids, strict=True)
    )
    settle = (
        f"{format_money(difference, order.currency)} is charged to"
        if difference > 0
        else f"{format_money(-difference, order.currency)} is refunded to"
    )
    return f"Change order {order.id}: {swaps}? {settle} {payment_method_id}. Items can be changed only once."
