"""The shop's state as canonical JSON, for harnesses that grade an episode by its final state.

`export_session` gives one session's cart, quotes, orders and (per-session
mode) its stock ledger; `store_hash` a sha256 over every session's export and
the stock of every offer. Both are canonical: keys sorted, lists in a stable
order (cart by offer, quotes and orders by time then id, order lines by
position), money as integer minor units, so the same state gives the same bytes
on SQLite and PostgreSQL, whatever order the rows were written in.

Volatile values (ids, times, payment ids, which all differ between two runs
outside seeded mode) appear only in seeded mode, where they are deterministic.
Outside it, quotes and orders are named `quote-1`, `order-1`, ... in the order
they were made, and times and the session id are left out, so two runs of the
same calls still export the same bytes.

The state shown is the state `get_order` would show: `read_export` and `read_hash` first make
the order clock's moves that are due in the sessions they cover (`clock.catch_up_store`, a write),
so an order nobody read after its time still exports as shipped or delivered. The functions that
take a `tx` export the rows as they are.

Order lines carry the catalog facts a grader asks about (category slugs from the root, brand,
variant options), read from the catalog at export time.
"""

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from shopmcp.core.runtime import runtime_of
from shopmcp.db import Database
from shopmcp.models.cart import CartLine, Coupon
from shopmcp.models.catalog import Brand, Category, Offer, Product, Variant
from shopmcp.models.order import Order, OrderLine, OrderStatusChange, StoredQuote
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.services import stock
from shopmcp.services.cart.snapshot import Snapshot
from shopmcp.services.orders.clock import catch_up_store

STATE_FORMAT = 1
"""Version of the export layout; bumped when a field changes meaning."""


def canonical_json(value: Any, *, indent: int | None = None) -> str:
    """JSON with sorted keys and no incidental whitespace (or an indent), non-ASCII kept as is."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=separators, indent=indent)


def session_ids(tx: Session, *, principal: str | None = None) -> list[str]:
    statement = select(ShoppingSession.id).order_by(col(ShoppingSession.id))
    if principal is not None:
        statement = statement.where(ShoppingSession.principal == principal)
    return list(tx.exec(statement).all())


def export_session(tx: Session, session_id: str, *, principal: str | None = None) -> dict[str, Any] | None:
    """The canonical state of one session; None when it does not exist (or is not `principal`'s, if given)."""
    statement = select(ShoppingSession).where(ShoppingSession.id == session_id)
    if principal is not None:
        statement = statement.where(ShoppingSession.principal == principal)
    row = tx.exec(statement).first()
    if row is None:
        return None
    volatile = runtime_of(tx).seeded
    quotes = _quotes(tx, row.id)
    quote_refs = {quote.id: (quote.id if volatile else f"quote-{n}") for n, quote in enumerate(quotes, 1)}
    orders = _orders(tx, row.id)
    order_refs = {order.id: (order.id if volatile else f"order-{n}") for n, order in enumerate(orders, 1)}
    coupon = tx.get(Coupon, row.coupon_id) if row.coupon_id is not None else None
    state: dict[str, Any] = {
        "format": STATE_FORMAT,
        "principal": row.principal,
        "cart": {"coupon": coupon.code if coupon else None, "lines": _cart_lines(tx, row.id)},
        "quotes": [_quote(quote, quote_refs, order_refs, volatile) for quote in quotes],
        "orders": [_order(tx, order, quote_refs, order_refs, volatile) for order in orders],
    }
    if runtime_of(tx).per_session_stock:
        state["stock_sold"] = _sold(tx, row.id)
    if volatile:
        state["session_id"] = row.id
        state["created_at"] = _time(row.created_at)
    return state


def store_state(tx: Session) -> dict[str, Any]:
    """Every session's export (in canonical order) and every offer's catalog stock."""
    exports = [export_session(tx, session_id) for session_id in session_ids(tx)]
    sessions = sorted((export for export in exports if export is not None), key=canonical_json)
    levels = [[offer_id, units] for offer_id, units in stock.catalog_stock(tx)]
    return {"format": STATE_FORMAT, "sessions": sessions, "stock": levels}


def store_hash(tx: Session, *, session_id: str | None = None) -> str:
    """sha256 (hex) of the canonical store state, or of one session's export when `session_id` is given."""
    state = store_state(tx) if session_id is None else export_session(tx, session_id)
    return hashlib.sha256(canonical_json(state).encode()).hexdigest()


def read_export(db: Database, session_id: str, *, principal: str | None = None) -> dict[str, Any] | None:
    """`export_session` of the session with its orders brought up to date first."""
    catch_up_store(db, session_id=session_id, principal=principal)
    return db.run_read(export_session, session_id=session_id, principal=principal)


def read_hash(db: Database, *, session_id: str | None = None) -> str:
    """`store_hash` with the orders of the store (or of the session `session_id`) brought up to date first."""
    catch_up_store(db, session_id=session_id)
    return db.run_read(store_hash, session_id=session_id)


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _cart_lines(tx: Session, session_id: str) -> list[dict[str, Any]]:
    rows = tx.exec(
        select(CartLine, Offer)
        .join(Offer, col(Offer.id) == CartLine.offer_id)
        .where(CartLine.session_id == session_id)
        .order_by(col(CartLine.offer_id))
    ).all()
    return [
        {
            "offer_id": line.offer_id,
            "product_id": offer.product_id,
            "variant_id": offer.variant_id,
            "quantity": line.quantity,
            "price_at_add": line.price_at_add,
        }
        for line, offer in rows
    ]


def _quotes(tx: Session, session_id: str) -> list[StoredQuote]:
    statement = select(StoredQuote).where(StoredQuote.session_id == session_id)
    return list(tx.exec(statement.order_by(col(StoredQuote.created_at), col(StoredQuote.id))).all())


def _orders(tx: Session, session_id: str) -> list[Order]:
    statement = select(Order).where(Order.session_id == session_id)
    return list(tx.exec(statement.order_by(col(Order.placed_at), col(Order.id))).all())


def _quote(
    quote: StoredQuote, quote_refs: dict[str, str], order_refs: dict[str, str], volatile: bool
) -> dict[str, Any]:
    snapshot = Snapshot.model_validate(quote.priced)
    exported: dict[str, Any] = {
        "id": quote_refs[quote.id],
        "currency": snapshot.currency,
        "subtotal": snapshot.subtotal,
        "discount": snapshot.discount,
        "shipping": snapshot.shipping,
        "tax": snapshot.tax,
        "total": snapshot.total,
        "coupon": snapshot.coupon.code if snapshot.coupon and snapshot.coupon.applied else None,
        "shipping_method": quote.shipping_method,
        "payment_method": quote.payment_method,
        "shipping_address": quote.shipping_address,
        "lines": [
            {"offer_id": line.offer_id, "quantity": line.quantity, "unit_price": line.unit_price, "total": line.total}
            for line in snapshot.lines
        ],
        "order": order_refs.get(quote.order_id) if quote.order_id else None,
    }
    if volatile:
        exported["created_at"] = _time(quote.created_at)
        exported["expires_at"] = _time(quote.expires_at)
    return exported


def _order(
    tx: Session, order: Order, quote_refs: dict[str, str], order_refs: dict[str, str], volatile: bool
) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "id": order_refs[order.id],
        "quote": quote_refs.get(order.quote_id) if order.quote_id else None,
        "status": order.status,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "discount": order.discount_total,
        "shipping": order.shipping_total,
        "tax": order.tax_total,
        "total": order.total,
        "coupon": order.coupon_code,
        "shipping_method": order.shipping_method,
        "payment_method": order.payment_method,
        "shipping_address": order.shipping_address,
        "cancel_reason": order.cancel_reason,
        "refunded": order.refund_id is not None,
        "lines": _order_lines(tx, order.id),
        "history": _history(tx, order.id, volatile),
    }
    if volatile:
        exported.update(
            placed_at=_time(order.placed_at),
            updated_at=_time(order.updated_at),
            payment_id=order.payment_id,
            refund_id=order.refund_id,
        )
    return exported


def _order_lines(tx: Session, order_id: str) -> list[dict[str, Any]]:
    lines = tx.exec(select(OrderLine).where(OrderLine.order_id == order_id).order_by(col(OrderLine.position)))
    exported = []
    for line in lines.all():
        facts = _catalog_facts(tx, line.product_id, line.variant_id)
        exported.append(
            {
                "position": line.position,
                "offer_id": line.offer_id,
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "seller_id": line.seller_id,
                "product_title": line.product_title,
                "variant_title": line.variant_title,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "subtotal": line.subtotal,
                "discount": line.discount,
                "tax": line.tax,
                "total": line.total,
                **facts,
            }
        )
    return exported


def _catalog_facts(tx: Session, product_id: int, variant_id: int) -> dict[str, Any]:
    product = tx.get(Product, product_id)
    brand = tx.get(Brand, product.brand_id) if product and product.brand_id is not None else None
    variant = tx.get(Variant, variant_id)
    return {
        "categories": _category_slugs(tx, product.category_id if product else None),
        "brand": brand.name if brand else None,
        "options": dict(variant.options) if variant else {},
    }


def _category_slugs(tx: Session, category_id: int | None) -> list[str]:
    """The slugs from the root category down to `category_id`."""
    slugs: list[str] = []
    while category_id is not None:
        category = tx.get(Category, category_id)
        if category is None:
            break
        slugs.append(category.slug)
        category_id = category.parent_id
    return slugs[::-1]


def _history(tx: Session, order_id: str, volatile: bool) -> list[dict[str, Any]]:
    changes = tx.exec(
        select(OrderStatusChange)
        .where(OrderStatusChange.order_id == order_id)
        .order_by(col(OrderStatusChange.changed_at), col(OrderStatusChange.id))
    ).all()
    exported = []
    for change in changes:
        entry: dict[str, Any] = {"from": change.from_status, "to": change.to_status, "note": change.note}
        if volatile:
            entry["at"] = _time(change.changed_at)
        exported.append(entry)
    return exported


def _sold(tx: Session, session_id: str) -> list[dict[str, int]]:
    return [{"offer_id": offer_id, "sold": sold} for offer_id, sold in stock.sold_by(tx, session_id)]
