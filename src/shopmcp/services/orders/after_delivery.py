"""Returning or exchanging units of a delivered order, as tau2-bench retail's `return_delivered_order_items`
and `exchange_delivered_order_items` do: the request is recorded and the order becomes
`return_requested` or `exchange_requested`, once (the status allows no further move).

As in tau2, nothing is paid, refunded or moved in stock yet: that happens when the units come back,
which the store does not model. A return is refunded to the original payment method or a gift card
of the wallet; an exchange names another available variant of the same product for each unit, and
a gift card settling it must cover a positive difference.

Idempotent under retries without a key: the same request on an order that already has it returns
the order unchanged; any other request is refused.
"""

from typing import Any

from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError, invalid_input
from shopmcp.models.catalog import Offer, Variant
from shopmcp.models.customer import WalletMethod
from shopmcp.models.order import Order
from shopmcp.models.order_public import OrderView
from shopmcp.services import wallet
from shopmcp.services.orders.read import order_lines, order_view, payment_entries, require_order, require_units
from shopmcp.services.orders.status import OrderStatus, change_status
from shopmcp.services.shopping_sessions import Scope, require_session


def request_return(
    *, tx: Session, scope: Scope, order_id: str, variant_ids: list[int], payment_method_id: str
) -> OrderView:
    row = require_session(tx, scope, lock=True)
    order = require_order(tx, row.id, order_id, lock=True)
    request: dict[str, Any] = {
        "kind": "return",
        "variant_ids": sorted(variant_ids),
        "new_variant_ids": [],
        "payment_method_id": payment_method_id,
        "price_difference": None,
    }
    if order.after_delivery == request:
        return order_view(tx, order)
    _require_delivered(order)
    lines = order_lines(tx, order)
    require_units(lines, variant_ids)
    method = _method(tx, row.id, payment_method_id)
    if method.kind != "gift_card" and payment_method_id != _original_method(tx, order):
        raise invalid_input(
            f"A return is refunded to the order's original payment method ({_original_method(tx, order)}) or to a "
            "gift card of the wallet.",
            payment_method_id=payment_method_id,
        )
    order.after_delivery = request
    change_status(tx, order, OrderStatus.RETURN_REQUESTED)
    return order_view(tx, order)


def request_exchange(
    *,
    tx: Session,
    scope: Scope,
    order_id: str,
    variant_ids: list[int],
    new_variant_ids: list[int],
    payment_method_id: str,
) -> OrderView:
    row = require_session(tx, scope, lock=True)
    order = require_order(tx, row.id, order_id, lock=True)
    if (
        order.after_delivery is not None
        and order.after_delivery.get("kind") == "exchange"
        and order.after_delivery.get("variant_ids") == sorted(variant_ids)
        and order.after_delivery.get("new_variant_ids") == sorted(new_variant_ids)
        and order.after_delivery.get("payment_method_id") == payment_method_id
    ):
        return order_view(tx, order)
    _require_delivered(order)
    if len(variant_ids) != len(new_variant_ids):
        raise invalid_input(
            "variant_ids and new_variant_ids must have the same length: one new variant per unit exchanged.",
            variant_ids=variant_ids,
            new_variant_ids=new_variant_ids,
        )
    lines = order_lines(tx, order)
    require_units(lines, variant_ids)
    difference = 0
    for old_id, new_id in zip(variant_ids, new_variant_ids, strict=True):
        line = next(line for line in lines if line.variant_id == old_id)
        if old_id == new_id:
            raise invalid_input(f"Variant {new_id} is the one delivered; name another variant.", variant_id=new_id)
        offer = tx.exec(
            select(Offer)
            .join(Variant, col(Variant.id) == col(Offer.variant_id))
            .where(Variant.id == new_id, Variant.product_id == line.product_id, Offer.seller_id == line.seller_id)
        ).first()
        if offer is None or not offer.active:
            raise invalid_input(
                f"Variant {new_id} is not an available variant of {line.product_title} from {line.seller_name}. "
                "Call get_product for its variants.",
                variant_id=new_id,
                product_id=line.product_id,
            )
        difference += offer.price - line.unit_price
    method = _method(tx, row.id, payment_method_id)
    if difference > 0:
        wallet.require_funds(method, difference, order.currency)
    order.after_delivery = {
        "kind": "exchange",
        "variant_ids": sorted(variant_ids),
        "new_variant_ids": sorted(new_variant_ids),
        "payment_method_id": payment_method_id,
        "price_difference": difference,
    }
    change_status(tx, order, OrderStatus.EXCHANGE_REQUESTED)
    return order_view(tx, order)


def _require_delivered(order: Order) -> None:
    if order.status != OrderStatus.DELIVERED:
        raise ShopError(
            ErrorCode.ORDER_NOT_MODIFIABLE,
            f"Order {order.id} is {order.status}: only a delivered order can be returned or exchanged, once.",
            resolution=Resolution.UNRECOVERABLE,
            details={"order_id": order.id, "status": order.status},
        )


def _method(tx: Session, session_id: str, payment_method_id: str) -> WalletMethod:
    method = wallet.find_method(tx, session_id, payment_method_id)
    if method is None:
        raise invalid_input(
            f"{payment_method_id!r} is not a payment method of this account. Call get_account for the wallet's "
            "payment_method_id values.",
            payment_method_id=payment_method_id,
        )
    return method


def _original_method(tx: Session, order: Order) -> str:
    entries = payment_entries(tx, order.id)
    return entries[0].payment_method_id if entries else order.payment_method


def request_question(
    *,
    tx: Session,
    scope: Scope,
    order_id: str,
    variant_ids: list[int],
    new_variant_ids: list[int] | None = None,
    payment_method_id: str,
) -> str | None:
    """The confirmation question for a return (no new variants) or an exchange; None when nothing is to be asked."""
    try:
        row = require_session(tx, scope)
        order = require_order(tx, row.id, order_id)
    except ShopError:
        return None
    if order.status != OrderStatus.DELIVERED:
        return None
    wanted_ids = variant_ids + (new_variant_ids or [])
    titles = dict(tx.exec(select(Variant.id, Variant.title).where(col(Variant.id).in_(wanted_ids))).all())
    units = ", ".join(str(titles.get(v, v)) for v in variant_ids)
    if not new_variant_ids:
        return (
            f"Return {units} from order {order.id}, refunded to {payment_method_id}? "
            "A delivered order can be returned or exchanged only once."
        )
    wanted = ", ".join(str(titles.get(v, v)) for v in new_variant_ids)
    return (
        f"Exchange {units} from order {order.id} for {wanted}, the price difference settled with "
        f"{payment_method_id}? "
        "A delivered order can be returned or exchanged only once."
    )
