"""Checkout step 1: the quote. preview_checkout prices the cart for an address, a shipping method and a
payment method and keeps the result; it changes neither the cart nor stock.

Both steps require a cart that can be bought as it is (`require_checkout_ready`).
"""

from datetime import timedelta

from sqlmodel import Session

from shopmcp.core.errors import ErrorCode, ShopError, not_found
from shopmcp.core.money import money
from shopmcp.models.cart_public import Notice
from shopmcp.models.checkout_public import Quote, ShippingAddress
from shopmcp.models.order import StoredQuote
from shopmcp.models.types import utcnow
from shopmcp.services import wallet
from shopmcp.services.cart.lines import load_lines
from shopmcp.services.cart.priced import PricedCart, price_session_cart
from shopmcp.services.cart.snapshot import Snapshot, build_snapshot
from shopmcp.services.cart.views import coupon_view, line_views, shipment_views
from shopmcp.services.checkout.addresses import normalize_address
from shopmcp.services.determinism import new_id
from shopmcp.services.payments import PaymentProvider
from shopmcp.services.pricing.tax import TaxTable, destination_of
from shopmcp.services.shopping_sessions import Scope, require_session


def empty_cart() -> ShopError:
    return ShopError(
        ErrorCode.EMPTY_CART,
        "The cart is empty. Add products with add_to_cart (find them with search_products), "
        "then call preview_checkout.",
    )


def quote_not_found(quote_id: str) -> ShopError:
    return not_found("quote", quote_id, "Call preview_checkout to get a quote for this session's cart.")


def preview_checkout(
    *,
    tx: Session,
    scope: Scope,
    currency: str,
    tax_table: TaxTable,
    provider: PaymentProvider,
    quote_ttl: timedelta,
    shipping_address: ShippingAddress,
    shipping_method: str,
    payment_method: str,
) -> Quote:
    """Price the cart for an address, method and payment method, and keep the result as a quote.

    Changes neither the cart nor stock: it only stores the quote.
    """
    row = require_session(tx, scope)
    lines = load_lines(tx, row.id)
    if not lines:
        raise empty_cart()
    address = normalize_address(shipping_address)
    wallet_method = wallet.find_method(tx, row.id, payment_method)
    if wallet_method is None:
        provider.check_method(payment_method)
    now = utcnow()
    priced = price_session_cart(
        tx,
        row,
        currency=currency,
        now=now,
        method=shipping_method,
        strict_method=True,
        destination=destination_of(address, tax_table),
        lines=lines,
    )
    require_checkout_ready(priced)
    snapshot = build_snapshot(priced)
    if wallet_method is not None:
        wallet.require_funds(wallet_method, snapshot.total, currency)
    quote = StoredQuote(
        id=new_id(tx, "quo", scope=row.id),
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
    tx.add(quote)
    tx.flush()
    return quote_view(quote, notices=priced.notices)


def quote_view(quote: StoredQuote, notices: list[Notice] | None = None) -> Quote:
    snapshot = Snapshot.model_validate(quote.priced)
    currency = snapshot.currency
    return Quote(
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


def require_checkout_ready(priced: PricedCart) -> None:
    """Raise unless every line can be bought as it is, as a quote and an order need.

    A line whose offer or product is no longer sold gives `out_of_stock`; lines
    whose stock does not cover their quantity give `insufficient_stock`.
    """
    if not priced.lines:
        raise ShopError(
            ErrorCode.EMPTY_CART,
            "The cart is empty. Add products with add_to_cart (find them with search_products) first.",
        )
    problems = priced.problem_lines
    if not problems:
        return
    problem_ids = {line.line_id for line in problems}
    code = (
        ErrorCode.OUT_OF_STOCK
        if any(line.issue == "unavailable" for line in problems)
        else ErrorCode.INSUFFICIENT_STOCK
    )
    raise ShopError(
        code,
        "Some cart lines cannot be bought as they are. "
        + " ".join(
            notice.message
            for notice in priced.notices
            if notice.line_id in problem_ids and notice.code != "price_changed"
        )
        + " Then call preview_checkout again.",
        details={
            "lines": [
                {"line_id": line.line_id, "issue": line.issue, "available_quantity": line.available_quantity}
                for line in problems
            ]
        },
    )
