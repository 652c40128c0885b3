"""Checkout in two steps: a quote (`preview_checkout`), then the order (`place_order`), in one transaction each.

`place_order` re-prices the cart and compares it with the quote, takes the
units from stock with conditional updates (`stock >= n`, row count checked;
made-to-order offers are not counted), charges through the payment provider,
and writes the order, its lines (prices copied from the quote), its first
history row, the idempotency record and the coupon redemption, then empties
the cart. All of it commits together or not at all.

An idempotency key names one attempt to buy one quote within a session: the
same key with the same quote returns the order it placed, the same key with
another quote is an `idempotency_conflict`. The session row is locked first,
so concurrent calls of one session run one after another and the later ones
find the record the first one wrote.
"""

from datetime import timedelta

from sqlmodel import Session, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError, not_found
from shopmcp.core.money import format_money, money
from shopmcp.models.cart import CouponRedemption
from shopmcp.models.cart_public import Notice
from shopmcp.models.checkout_public import Quote as QuoteView
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.order import IdempotencyRecord, Order, OrderLine, Quote
from shopmcp.models.order_public import OrderView
from shopmcp.models.session import ShoppingSession
from shopmcp.models.types import utcnow
from shopmcp.services import cart, order_status, stock
from shopmcp.services.addresses import destination_of, normalize_address
from shopmcp.services.cart_pricing import (
    Snapshot,
    SnapshotLine,
    coupon_view,
    line_views,
    load_lines,
    price_session_cart,
    require_checkout_ready,
    shipment_views,
)
from shopmcp.services.catalog_aggregates import refresh_products
from shopmcp.services.determinism import new_id
from shopmcp.services.orders import order_view
from shopmcp.services.payments import PaymentProvider
from shopmcp.services.sessions import Scope, require_session
from shopmcp.services.tax import TaxTable


def _empty_cart() -> ShopError:
    return ShopError(
        ErrorCode.EMPTY_CART,
        "The cart is empty. Add products with add_to_cart (find them with search_products), "
        "then call preview_checkout.",
    )


def quote_not_found(quote_id: str) -> ShopError:
    return not_found("quote", quote_id, "Call preview_checkout to get a quote for this session's cart.")


# --- Step 1: the quote ----------------------------------------------------------


def preview_checkout(
    *,
    session: Session,
    scope: Scope,
    currency: str,
    tax_table: TaxTable,
    provider: PaymentProvider,
    quote_ttl: timedelta,
    shipping_address: ShippingAddress,
    shipping_method: str,
    payment_method: str,
) -> QuoteView:
    """Price the cart for an address, method and payment method, and keep the result as a quote.

    Changes neither the cart nor stock: it only stores the quote.
    """
    row = require_session(session, scope)
    lines = load_lines(session, row.id)
    if not lines:
        raise _empty_cart()
    address = normalize_address(shipping_address)
    provider.check_method(payment_method)
    now = utcnow()
    priced = price_session_cart(
        session,
        row,
        currency=currency,
        now=now,
        method=shipping_method,
        strict_method=True,
        destination=destination_of(address, tax_table),
        lines=lines,
    )
    require_checkout_ready(priced)
    snapshot = priced.snapshot()
    quote = Quote(
        id=new_id(session, "quo", scope=row.id),
        session_id=row.id,
        currency=currency,
        total=snapshot.total,
        priced=snapshot.model_dump(mode="json"),
        shipping_address=address.model_dump(mode="json"),
        shipping_method=shipping_method,
        payment_method=payment_method,
        coupon_id=snapshot.coupon.coupon_id if snapshot.coupon and snapshot.coupon.applied else None,
        created_at=now,
        expires_at=now + quote_ttl,
    )
    session.add(quote)
    session.flush()
    return quote_view(quote, notices=priced.notices)


def quote_view(quote: Quote, notices: list[Notice] | None = None) -> QuoteView:
    snapshot = Snapshot.model_validate(quote.priced)
    currency = snapshot.currency
    return QuoteView(
        quote_id=quote.id,
        session_id=quote.session_id,
        expires_at=quote.expires_at,
        lines=line_views(snapshot),
        shipments=shipment_views(snapshot.shipments, currency),
        coupon=coupon_view(snapshot),
        subtotal=money(snapshot.subtotal, currency),
        discount=money(snapshot.discount, currency),
        shipping=money(snapshot.shipping, currency),
        tax=money(snapshot.tax, currency),
        total=money(snapshot.total, currency),
        shipping_address=ShippingAddress.model_validate(quote.shipping_address),
        shipping_method=quote.shipping_method,
        payment_method=quote.payment_method,
        messages=notices or [],
    )


# --- Step 2: the order ----------------------------------------------------------


def place_order(
    *,
    session: Session,
    scope: Scope,
    currency: str,
    tax_table: TaxTable,
    provider: PaymentProvider,
    quote_id: str,
    idempotency_key: str,
) -> OrderView:
    """Buy exactly what quote `quote_id` priced; see the module docstring."""
    row = require_session(session, scope, lock=True)
    replay = _replay(session, row.id, quote_id, idempotency_key)
    if replay is not None:
        return replay
    quote = _usable_quote(session, row.id, quote_id)
    quoted = Snapshot.model_validate(quote.priced)
    _require_unchanged(session, row, quote, quoted, currency=currency, tax_table=tax_table)

    order_id = new_id(session, "ord", scope=row.id)
    decremented = take_stock(session, row.id, quoted.lines)
    charge = provider.charge(
        amount=quoted.total,
        currency=quoted.currency,
        method=quote.payment_method,
        idempotency_key=f"{row.id}:{idempotency_key}",
    )
    order = _write_order(session, row, quote, quoted, order_id=order_id, charge_id=charge.charge_id)
    _write_lines(session, order, quoted.lines, decremented)
    session.add(IdempotencyRecord(session_id=row.id, key=idempotency_key, quote_id=quote.id, order_id=order.id))
    if quoted.coupon is not None and quoted.coupon.applied:
        session.add(CouponRedemption(coupon_id=quoted.coupon.coupon_id, session_id=row.id, order_id=order.id))
    quote.order_id = order.id
    session.add(quote)
    cart.empty(session, row)
    return order_view(session, order)


def _replay(session: Session, session_id: str, quote_id: str, key: str) -> OrderView | None:
    record = session.exec(
        select(IdempotencyRecord).where(IdempotencyRecord.session_id == session_id, IdempotencyRecord.key == key)
    ).first()
    if record is None:
        return None
    if record.quote_id != quote_id:
        raise ShopError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            f"Idempotency key {key!r} already placed order {record.order_id} from another quote. "
            "Use a new idempotency key for a new order (one key per purchase attempt).",
            details={"order_id": record.order_id, "idempotency_key": key},
        )
    order = session.exec(select(Order).where(Order.id == record.order_id, Order.session_id == session_id)).one()
    return order_view(session, order)


def _usable_quote(session: Session, session_id: str, quote_id: str) -> Quote:
    quote = session.exec(select(Quote).where(Quote.id == quote_id, Quote.session_id == session_id)).first()
    if quote is None:
        raise quote_not_found(quote_id)
    if quote.order_id is not None:
        raise ShopError(
            ErrorCode.QUOTE_STALE,
            f"Quote {quote_id} was already placed as order {quote.order_id} (under another idempotency key). "
            "To buy more, add to the cart and call preview_checkout for a new quote.",
            details={"order_id": quote.order_id},
        )
    if utcnow() >= quote.expires_at:
        raise ShopError(
            ErrorCode.QUOTE_EXPIRED,
            f"Quote {quote_id} expired at {quote.expires_at.isoformat()}. Call preview_checkout again for a "
            "fresh quote, show the person its total, then place_order with the new quote_id.",
            details={"expired_at": quote.expires_at.isoformat()},
        )
    return quote


def _require_unchanged(
    session: Session, row: ShoppingSession, quote: Quote, quoted: Snapshot, *, currency: str, tax_table: TaxTable
) -> None:
    """Re-price the cart as the quote did; any difference in what the buyer would pay is `quote_stale`."""
    lines = load_lines(session, row.id)
    if not lines:
        raise _empty_cart()
    address = ShippingAddress.model_validate(quote.shipping_address)
    try:
        priced = price_session_cart(
            session,
            row,
            currency=currency,
            now=utcnow(),
            method=quote.shipping_method,
            strict_method=True,
            destination=destination_of(address, tax_table),
            lines=lines,
        )
    except ShopError as error:
        raise quote_stale(quote, quoted, [error.message]) from error
    require_checkout_ready(priced)
    current = priced.snapshot()
    if current.signature() != quoted.signature():
        raise quote_stale(quote, quoted, describe_changes(quoted, current), current)


def quote_stale(quote: Quote, quoted: Snapshot, changes: list[str], current: Snapshot | None = None) -> ShopError:
    currency = quoted.currency
    details: dict[str, object] = {"quoted_total": money(quoted.total, currency).model_dump(), "changes": changes}
    if current is not None:
        details["current_total"] = money(current.total, currency).model_dump()
    return ShopError(
        ErrorCode.QUOTE_STALE,
        f"The cart or its prices changed since quote {quote.id} ({'; '.join(changes)}). Nothing was charged. "
        "Call preview_checkout again, show the person the new total, then place_order with the new quote_id.",
        details=details,
    )


def describe_changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two priced carts, in words, for a `quote_stale` message."""
    currency = before.currency
    old = {line.offer_id: line for line in before.lines}
    new = {line.offer_id: line for line in after.lines}
    changes = []
    for offer_id in old.keys() - new.keys():
        changes.append(f"{old[offer_id].product_title} was removed")
    for offer_id in new.keys() - old.keys():
        changes.append(f"{new[offer_id].product_title} was added")
    for offer_id in old.keys() & new.keys():
        was, now = old[offer_id], new[offer_id]
        if was.quantity != now.quantity:
            changes.append(f"{was.product_title}: quantity {was.quantity} -> {now.quantity}")
        if was.unit_price != now.unit_price:
            changes.append(
                f"{was.product_title}: price {format_money(was.unit_price, currency)} -> "
                f"{format_money(now.unit_price, currency)}"
            )
    if before.discount != after.discount:
        changes.append(
            f"discount {format_money(before.discount, currency)} -> {format_money(after.discount, currency)}"
        )
    if before.shipping != after.shipping:
        changes.append(
            f"shipping {format_money(before.shipping, currency)} -> {format_money(after.shipping, currency)}"
        )
    if not changes:
        changes.append(f"total {format_money(before.total, currency)} -> {format_money(after.total, currency)}")
    return changes


def take_stock(session: Session, session_id: str, lines: list[SnapshotLine]) -> set[int]:
    """Take each tracked line's units from the session's stock (`services.stock`), in offer id order.

    Returns the offers whose stock went down. In shared mode each take is a
    conditional update: it changes nothing when the stock no longer covers the
    line (on PostgreSQL a concurrent update of the same offer waits for this
    one and re-checks the condition).
    """
    decremented = set()
    for line in sorted(lines, key=lambda line: line.offer_id):
        if not line.track_inventory:
            continue
        if not stock.take(session, session_id, line.offer_id, line.quantity):
            raise ShopError(
                ErrorCode.INSUFFICIENT_STOCK,
                f"{line.product_title} sold out while you were checking out: there are fewer than "
                f"{line.quantity} left. Nothing was charged. Call view_cart to see what is left, adjust "
                "the quantity, then call preview_checkout again.",
                details={"offer_id": line.offer_id, "quantity": line.quantity},
            )
        decremented.add(line.offer_id)
    if stock.changes_catalog(session):
        refresh_products(session, {line.product_id for line in lines})
    return decremented


def _write_order(
    session: Session, row: ShoppingSession, quote: Quote, quoted: Snapshot, *, order_id: str, charge_id: str
) -> Order:
    now = utcnow()
    order = Order(
        id=order_id,
        session_id=row.id,
        quote_id=quote.id,
        status=order_status.OrderStatus.PLACED.value,
        currency=quoted.currency,
        subtotal=quoted.subtotal,
        discount_total=quoted.discount,
        shipping_total=quoted.shipping,
        tax_total=quoted.tax,
        total=quoted.total,
        coupon_code=quoted.coupon.code if quoted.coupon and quoted.coupon.applied else None,
        shipments=[shipment.model_dump(mode="json") for shipment in quoted.shipments],
        shipping_address=quote.shipping_address,
        shipping_method=quote.shipping_method,
        payment_method=quote.payment_method,
        payment_id=charge_id,
        placed_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    order_status.record_placed(session, order, at=now)
    return order


def _write_lines(session: Session, order: Order, lines: list[SnapshotLine], decremented: set[int]) -> None:
    for position, line in enumerate(lines):
        session.add(
            OrderLine(
                order_id=order.id,
                position=position,
                offer_id=line.offer_id,
                product_id=line.product_id,
                variant_id=line.variant_id,
                seller_id=line.seller_id,
                product_title=line.product_title,
                variant_title=line.variant_title,
                seller_name=line.seller_name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                subtotal=line.subtotal,
                discount=line.discount,
                tax=line.tax,
                total=line.total,
                stock_decremented=line.offer_id in decremented,
            )
        )
    session.flush()


def confirmation_question(*, session: Session, scope: Scope, quote_id: str, idempotency_key: str) -> str | None:
    """What to ask the person before placing `quote_id`; None when there is nothing to confirm.

    Nothing to confirm: the key already placed an order (a replay), or the
    quote is not this session's, is used or has expired (place_order reports that).
    """
    try:
        row = require_session(session, scope)
    except ShopError:
        return None
    replayed = session.exec(
        select(IdempotencyRecord.id).where(
            IdempotencyRecord.session_id == row.id, IdempotencyRecord.key == idempotency_key
        )
    ).first()
    quote = session.exec(select(Quote).where(Quote.id == quote_id, Quote.session_id == row.id)).first()
    if replayed is not None or quote is None or quote.order_id is not None or utcnow() >= quote.expires_at:
        return None
    snapshot = Snapshot.model_validate(quote.priced)
    address = ShippingAddress.model_validate(quote.shipping_address)
    units = sum(line.quantity for line in snapshot.lines)
    sellers = len({line.seller_id for line in snapshot.lines})
    return (
        f"Place this order for {format_money(snapshot.total, snapshot.currency)}? "
        f"{units} item{'s' if units != 1 else ''} from {sellers} seller{'s' if sellers != 1 else ''}, "
        f"shipping {quote.shipping_method} to {address.name}, {address.city}, {address.country}, "
        f"paid with {quote.payment_method}."
    )


def confirmation_declined() -> ShopError:
    return ShopError(
        ErrorCode.CONFIRMATION_DECLINED,
        "The person did not confirm the order, so nothing was placed or charged. Ask them what they want "
        "to change; the quote stays valid until it expires.",
        resolution=Resolution.REQUIRES_BUYER_INPUT,
    )
