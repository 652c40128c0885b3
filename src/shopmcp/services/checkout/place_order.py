"""Checkout step 2: the order. place_order buys exactly what a quote (`checkout.quote`) priced, in one transaction.

`place_order` re-prices the cart and compares it with the quote, takes the
units from stock with conditional updates (`stock >= n`, row count checked;
made-to-order offers are not counted), charges through the payment provider (or pays from a
method of the account's wallet: a gift card's balance, with the payment history recorded),
and writes the order, its lines (prices copied from the quote), its first
history row, the idempotency record and the coupon redemption, then empties
the cart. All of it commits together or not at all.

An idempotency key names one attempt to buy one quote within a session: the
same key with the same quote returns the order it placed, the same key with
another quote is an `idempotency_conflict`. The session row is locked first,
so concurrent calls of one session run one after another and the later ones
find the record the first one wrote.
"""

from sqlmodel import Session, select

from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.core.money import format_money, money
from shopmcp.models.cart import CouponRedemption
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.order import IdempotencyRecord, Order, OrderLine, OrderPayment, StoredQuote
from shopmcp.models.order_public import OrderView
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.models.types import utcnow
from shopmcp.services import stock, wallet
from shopmcp.services.cart.lines import load_lines
from shopmcp.services.cart.operations import empty
from shopmcp.services.cart.priced import price_session_cart
from shopmcp.services.cart.snapshot import Snapshot, SnapshotLine, build_snapshot
from shopmcp.services.catalog.aggregates import refresh_products
from shopmcp.services.checkout.quote import empty_cart, quote_not_found, require_checkout_ready
from shopmcp.services.determinism import new_id
from shopmcp.services.orders import status as order_status
from shopmcp.services.orders.read import order_view
from shopmcp.services.payments import PaymentProvider
from shopmcp.services.pricing.tax import TaxTable, destination_of
from shopmcp.services.shopping_sessions import Scope, require_session

# --- Step 1: the quote ----------------------------------------------------------


# --- Step 2: the order ----------------------------------------------------------


def place_order(
    *,
    tx: Session,
    scope: Scope,
    currency: str,
    tax_table: TaxTable,
    provider: PaymentProvider,
    quote_id: str,
    idempotency_key: str,
) -> OrderView:
    """Buy exactly what quote `quote_id` priced; see the module docstring."""
    row = require_session(tx, scope, lock=True)
    replay = _replay(tx, row.id, quote_id, idempotency_key)
    if replay is not None:
        return replay
    quote = _usable_quote(tx, row.id, quote_id)
    quoted = Snapshot.model_validate(quote.priced)
    _require_unchanged(tx, row, quote, quoted, currency=currency, tax_table=tax_table)

    order_id = new_id(tx, "ord", scope=row.id)
    decremented = stock.take_for_order(tx, row.id, quoted.lines)
    if stock.changes_catalog(tx):
        refresh_products(tx, {line.product_id for line in quoted.lines})
    wallet_method = wallet.find_method(tx, row.id, quote.payment_method, lock=True)
    if wallet_method is None:
        charge_id = provider.charge(
            amount=quoted.total,
            currency=quoted.currency,
            method=quote.payment_method,
            idempotency_key=f"{row.id}:{idempotency_key}",
        ).charge_id
    else:
        # Paid from the account's wallet, in this transaction: the payment history is the record.
        wallet.pay(tx, wallet_method, quoted.total, quoted.currency)
        charge_id = f"wallet:{order_id}"
    order = _write_order(tx, row, quote, quoted, order_id=order_id, charge_id=charge_id)
    if wallet_method is not None:
        tx.add(
            OrderPayment(
                order_id=order.id,
                position=0,
                kind="payment",
                amount=quoted.total,
                payment_method_id=wallet_method.id,
                created_at=order.placed_at,
            )
        )
    _write_lines(tx, order, quoted.lines, decremented)
    tx.add(IdempotencyRecord(session_id=row.id, key=idempotency_key, quote_id=quote.id, order_id=order.id))
    if quoted.coupon is not None and quoted.coupon.applied:
        tx.add(CouponRedemption(coupon_id=quoted.coupon.coupon_id, session_id=row.id, order_id=order.id))
    quote.order_id = order.id
    tx.add(quote)
    empty(tx, row)
    return order_view(tx, order)


def _replay(tx: Session, session_id: str, quote_id: str, key: str) -> OrderView | None:
    record = tx.exec(
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
    order = tx.exec(select(Order).where(Order.id == record.order_id, Order.session_id == session_id)).one()
    return order_view(tx, order)


def _usable_quote(tx: Session, session_id: str, quote_id: str) -> StoredQuote:
    quote = tx.exec(select(StoredQuote).where(StoredQuote.id == quote_id, StoredQuote.session_id == session_id)).first()
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
    tx: Session, row: ShoppingSession, quote: StoredQuote, quoted: Snapshot, *, currency: str, tax_table: TaxTable
) -> None:
    """Re-price the cart as the quote did; any difference in what the buyer would pay is `quote_stale`."""
    lines = load_lines(tx, row.id)
    if not lines:
        raise empty_cart()
    address = ShippingAddress.model_validate(quote.shipping_address)
    try:
        priced = price_session_cart(
            tx,
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
    current = build_snapshot(priced)
    if current.signature() != quoted.signature():
        raise quote_stale(quote, quoted, describe_changes(quoted, current), current)


def quote_stale(quote: StoredQuote, quoted: Snapshot, changes: list[str], current: Snapshot | None = None) -> ShopError:
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


def _write_order(
    tx: Session, row: ShoppingSession, quote: StoredQuote, quoted: Snapshot, *, order_id: str, charge_id: str
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
    tx.add(order)
    tx.flush()
    order_status.record_placed(tx, order, at=now)
    return order


def _write_lines(tx: Session, order: Order, lines: list[SnapshotLine], decremented: set[int]) -> None:
    for position, line in enumerate(lines):
        tx.add(
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
    tx.flush()
