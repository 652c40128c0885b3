"""Exporting the store as tau2-bench retail's db.json: imported records with their own ids, in file order.

Records shopmcp made itself (products it generated, accounts of its own sessions) have no tau2 id:
they are written with their shopmcp ids after the imported ones. Orders of sessions without an
account are not written (tau2 has no order without a user).

`read_dump` and `dumps` first make the order clock's moves that are due, so an order placed here
is written as `get_order` would show it (imported orders never move); `dump` writes the rows as
they are.
"""

import json
from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from shopmcp.db import Database
from shopmcp.models.catalog import Offer, Product, Variant
from shopmcp.models.customer import Customer, CustomerAddress, WalletMethod
from shopmcp.models.external import ExternalRef
from shopmcp.models.order import Order, OrderFulfilment, OrderLine, OrderPayment
from shopmcp.services.orders.clock import catch_up_store
from shopmcp.services.orders.status import STATUS_TO_TAU2, OrderStatus
from shopmcp.services.tau2_retail.common import SOURCE, address_to_tau2, dollars

_CANCEL_REASONS = {"no_longer_needed": "no longer needed", "ordered_by_mistake": "ordered by mistake"}
"""Our cancel reasons that tau2 has, as it writes them; an order cancelled for another reason is written without."""

_UNREFERENCED = 1 << 40
"""Sorts records without a tau2 position after every imported one."""


class _Refs:
    def __init__(self, tx: Session) -> None:
        self._by_kind: dict[str, dict[str, ExternalRef]] = defaultdict(dict)
        for ref in tx.exec(select(ExternalRef).where(ExternalRef.source == SOURCE)):
            self._by_kind[ref.kind][ref.local_id] = ref

    def external(self, kind: str, local_id: object) -> str:
        ref = self._by_kind[kind].get(str(local_id))
        return ref.external_id if ref else str(local_id)

    def position(self, kind: str, local_id: object) -> int:
        ref = self._by_kind[kind].get(str(local_id))
        return ref.position if ref else _UNREFERENCED

    def layout(self, kind: str, local_id: object) -> dict[str, Any]:
        ref = self._by_kind[kind].get(str(local_id))
        return ref.layout if ref else {}


def dumps(db: Database) -> str:
    """The store as tau2's db.json text (4-space indents, as tau2 writes it), its orders up to date."""
    return json.dumps(read_dump(db), indent=4)


def read_dump(db: Database) -> dict[str, Any]:
    """`dump` with every order brought up to date first."""
    catch_up_store(db)
    return db.run_read(dump)


def dump(tx: Session) -> dict[str, Any]:
    refs = _Refs(tx)
    return {"products": _products(tx, refs), "users": _users(tx, refs), "orders": _orders(tx, refs)}


def _ordered_options(options: dict[str, str], names: list[str]) -> dict[str, str]:
    known = [name for name in names if name in options]
    return {name: options[name] for name in known + sorted(set(options) - set(known))}


def _products(tx: Session, refs: _Refs) -> dict[str, Any]:
    offers = {offer.variant_id: offer for offer in tx.exec(select(Offer).order_by(col(Offer.id)))}
    variants: dict[int, list[Variant]] = defaultdict(list)
    for variant in tx.exec(select(Variant).order_by(col(Variant.id))):
        variants[variant.product_id].append(variant)
    products = sorted(tx.exec(select(Product)), key=lambda p: (refs.position("product", p.id), p.id or 0))
    exported: dict[str, Any] = {}
    for product in products:
        product_id = refs.external("product", product.id)
        rows = sorted(variants[product.id or 0], key=lambda v: (refs.position("variant", v.id), v.id or 0))
        exported[product_id] = {
            "name": product.title,
            "product_id": product_id,
            "variants": {
                refs.external("variant", variant.id): {
                    "item_id": refs.external("variant", variant.id),
                    "options": _ordered_options(variant.options, refs.layout("variant", variant.id).get("options", [])),
                    "available": variant.id in offers and offers[variant.id].active,
                    "price": dollars(offers[variant.id].price) if variant.id in offers else 0.0,
                }
                for variant in rows
            },
        }
    return exported


def _users(tx: Session, refs: _Refs) -> dict[str, Any]:
    customers = sorted(tx.exec(select(Customer)), key=lambda c: (refs.position("customer", c.id), c.id or 0))
    defaults = {
        row.customer_id: row
        for row in tx.exec(select(CustomerAddress).where(col(CustomerAddress.is_default).is_(True)))
    }
    wallets: dict[int, list[WalletMethod]] = defaultdict(list)
    for method in tx.exec(select(WalletMethod).order_by(col(WalletMethod.position), col(WalletMethod.id))):
        wallets[method.customer_id].append(method)
    orders = _session_orders(tx, refs)
    exported: dict[str, Any] = {}
    for customer in customers:
        user_id = _user_id(customer)
        address = defaults.get(customer.id or 0)
        exported[user_id] = {
            "user_id": user_id,
            "name": {"first_name": customer.first_name or "", "last_name": customer.last_name or ""},
            "address": address_to_tau2(address.model_dump()) if address else {},
            "email": customer.email or "",
            "payment_methods": {method.id: _method(method) for method in wallets[customer.id or 0]},
            "orders": orders.get(customer.session_id, []),
        }
    return exported


def _user_id(customer: Customer) -> str:
    return customer.external_id or f"cus_{customer.id}"


def _method(method: WalletMethod) -> dict[str, Any]:
    exported: dict[str, Any] = {"source": method.kind, "id": method.id}
    if method.kind == "credit_card":
        exported |= {"brand": method.brand, "last_four": method.last_four}
    if method.kind == "gift_card":
        exported["balance"] = dollars(method.balance or 0)
    return exported


def _sorted_orders(tx: Session, refs: _Refs) -> list[Order]:
    return sorted(tx.exec(select(Order)), key=lambda o: (refs.position("order", o.id), o.placed_at, o.id))


def _session_orders(tx: Session, refs: _Refs) -> dict[str, list[str]]:
    by_session: dict[str, list[str]] = defaultdict(list)
    for order in _sorted_orders(tx, refs):
        by_session[order.session_id].append(order.id)
    return by_session


def _orders(tx: Session, refs: _Refs) -> dict[str, Any]:
    users = {customer.session_id: _user_id(customer) for customer in tx.exec(select(Customer))}
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    for line in tx.exec(select(OrderLine).order_by(col(OrderLine.order_id), col(OrderLine.position))):
        lines[line.order_id].append(line)
    fulfilments: dict[str, list[OrderFulfilment]] = defaultdict(list)
    for fulfilment in tx.exec(select(OrderFulfilment).order_by(col(OrderFulfilment.position))):
        fulfilments[fulfilment.order_id].append(fulfilment)
    payments: dict[str, list[OrderPayment]] = defaultdict(list)
    for payment in tx.exec(select(OrderPayment).order_by(col(OrderPayment.position))):
        payments[payment.order_id].append(payment)
    exported: dict[str, Any] = {}
    for order in _sorted_orders(tx, refs):
        if order.session_id not in users:
            continue
        exported[order.id] = _order(order, users[order.session_id], refs, lines, fulfilments, payments)
    return exported


def _order(
    order: Order,
    user_id: str,
    refs: _Refs,
    lines: dict[str, list[OrderLine]],
    fulfilments: dict[str, list[OrderFulfilment]],
    payments: dict[str, list[OrderPayment]],
) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "order_id": order.id,
        "user_id": user_id,
        "address": address_to_tau2(order.shipping_address),
        "items": [
            {
                "name": line.product_title,
                "product_id": refs.external("product", line.product_id),
                "item_id": refs.external("variant", line.variant_id),
                "price": dollars(line.unit_price),
                "options": {pair[0]: pair[1] for pair in line.options or []},
            }
            for line in lines[order.id]
        ],
        "status": STATUS_TO_TAU2[OrderStatus(order.status)],
        "fulfillments": [
            {
                "tracking_id": list(fulfilment.tracking_ids),
                "item_ids": [refs.external("variant", variant_id) for variant_id in fulfilment.variant_ids],
            }
            for fulfilment in fulfilments[order.id]
        ],
        "payment_history": [
            {
                "transaction_type": payment.kind,
                "amount": dollars(payment.amount),
                "payment_method_id": payment.payment_method_id,
            }
            for payment in payments[order.id]
        ],
    }
    if order.cancel_reason in _CANCEL_REASONS:
        exported["cancel_reason"] = _CANCEL_REASONS[order.cancel_reason]
    request = order.after_delivery
    if request is not None:
        # tau2's fields, in its order; its item ids sorted as strings, as its tools sort them.
        def items(key: str) -> list[str]:
            return sorted(refs.external("variant", variant_id) for variant_id in request[key])

        if request["kind"] == "exchange":
            exported["exchange_items"] = items("variant_ids")
            exported["exchange_new_items"] = items("new_variant_ids")
            exported["exchange_payment_method_id"] = request["payment_method_id"]
            exported["exchange_price_difference"] = dollars(request["price_difference"])
        else:
            exported["return_items"] = items("variant_ids")
            exported["return_payment_method_id"] = request["payment_method_id"]
    return exported
