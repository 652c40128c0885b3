"""The cart of a shopping session: adding, changing and removing lines, coupons, and the priced view.

Every function takes the caller's `Scope`, checks it with `require_session`
(locking the session row for writes, so one session's writes run one after
another) and touches only rows of that session. Each returns the whole cart.

Quantity rules (documented for agents in the tool descriptions):
- a line holds 1 to `MAX_LINE_QUANTITY` units of one offer; adding the same
  offer again adds to its line;
- a write never puts more units in a line than are in stock: it reduces the
  quantity to the stock with a `quantity_reduced` notice; when nothing can be
  added it fails with `out_of_stock` (no stock at all) or `insufficient_stock`
  (the cart already holds all of it) and changes nothing;
- a made-to-order offer (`track_inventory` false) has no stock limit.
"""

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError, invalid_input, not_found
from shopmcp.core.money import money
from shopmcp.models.cart import MAX_CART_LINES, MAX_LINE_QUANTITY, CartLine, Coupon
from shopmcp.models.cart_public import CartView, Notice
from shopmcp.models.catalog import Offer, Product
from shopmcp.models.order import StoredQuote
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.models.types import utcnow
from shopmcp.services import stock
from shopmcp.services.cart import coupons
from shopmcp.services.cart.choose_offer import choose_offer
from shopmcp.services.cart.priced import DEFAULT_SHIPPING_METHOD, PricedCart, price_session_cart, shortfall_note
from shopmcp.services.cart.views import cart_view
from shopmcp.services.catalog.for_sale import is_for_sale
from shopmcp.services.pricing.rules import CouponStatus
from shopmcp.services.pricing.tax import Destination, TaxTable, destination_of
from shopmcp.services.shopping_sessions import Scope, require_session


def view_cart(*, tx: Session, scope: Scope, currency: str, tax_table: TaxTable) -> CartView:
    """The session's cart, priced with the shipping method and destination of its last quote, if any."""
    row = require_session(tx, scope)
    return _view(tx, row, currency=currency, tax_table=tax_table)


def _view(
    tx: Session,
    row: ShoppingSession,
    *,
    currency: str,
    tax_table: TaxTable,
    notices: list[Notice] | None = None,
) -> CartView:
    priced = _price_with_estimate(tx, row, currency=currency, tax_table=tax_table, now=utcnow())
    return cart_view(priced, notices or [])


def _estimate_basis(tx: Session, session_id: str, tax_table: TaxTable) -> tuple[str, Destination | None]:
    """The shipping method and destination of the session's last quote (standard, no tax, without one)."""
    last = tx.exec(
        select(StoredQuote.shipping_method, StoredQuote.shipping_address)
        .where(StoredQuote.session_id == session_id)
        .order_by(col(StoredQuote.created_at).desc())
        .limit(1)
    ).first()
    if last is None:
        return DEFAULT_SHIPPING_METHOD, None
    method, address = last
    return method, destination_of(address, tax_table)


# --- Lines ------------------------------------------------------------------


def add_to_cart(
    *,
    tx: Session,
    scope: Scope,
    currency: str,
    tax_table: TaxTable,
    quantity: int,
    product_id: int | None = None,
    variant_id: int | None = None,
    offer_id: int | None = None,
) -> CartView:
    """Add `quantity` units of an offer; see the module docstring for how the offer and quantity are decided."""
    row = require_session(tx, scope, lock=True)
    offer, product = choose_offer(
        tx, row.id, product_id=product_id, variant_id=variant_id, offer_id=offer_id, quantity=quantity
    )
    if offer.currency != currency:
        raise invalid_input(
            f"That offer is priced in {offer.currency} and this store's carts are in {currency}; "
            "choose an offer in the store currency.",
            offer_id=offer.id,
        )
    line = tx.exec(select(CartLine).where(CartLine.session_id == row.id, CartLine.offer_id == offer.id)).first()
    in_cart = line.quantity if line else 0
    if line is None:
        _require_room(tx, row.id)
    notices: list[Notice] = []
    wanted = in_cart + quantity
    if wanted > MAX_LINE_QUANTITY:
        if in_cart >= MAX_LINE_QUANTITY:
            raise invalid_input(
                f"The cart already holds the most units of one offer that a line can hold ({MAX_LINE_QUANTITY})."
            )
        wanted = MAX_LINE_QUANTITY
        notices.append(
            Notice(
                code="quantity_capped",
                message=f"A cart line holds at most {MAX_LINE_QUANTITY} units; added {wanted - in_cart}.",
            )
        )
    left = stock.available(tx, row.id, offer)
    wanted = stock.fit(offer, product, left, wanted=wanted, in_cart=in_cart, notices=notices)
    assert offer.id is not None
    if line is None:
        line = CartLine(session_id=row.id, offer_id=offer.id, quantity=wanted, price_at_add=offer.price)
    else:
        line.quantity = wanted
        line.price_at_add = offer.price
    tx.add(line)
    tx.flush()
    for notice in notices:
        notice.line_id = line.id
    return _view(tx, row, currency=currency, tax_table=tax_table, notices=notices)


def _require_room(tx: Session, session_id: str) -> None:
    count = tx.exec(select(func.count()).select_from(CartLine).where(CartLine.session_id == session_id)).one()
    if count >= MAX_CART_LINES:
        raise invalid_input(
            f"The cart already has {MAX_CART_LINES} lines, the most it can hold. "
            "Check out or remove lines (remove_from_cart) first."
        )


def update_cart_item(
    *, tx: Session, scope: Scope, currency: str, tax_table: TaxTable, line_id: int, quantity: int
) -> CartView:
    """Set a line's quantity (0 removes it), within the stock."""
    row = require_session(tx, scope, lock=True)
    line = _require_line(tx, row.id, line_id)
    if quantity == 0:
        tx.delete(line)
        tx.flush()
        return _view(tx, row, currency=currency, tax_table=tax_table)
    offer = tx.get(Offer, line.offer_id)
    product = tx.get(Product, offer.product_id) if offer else None
    if offer is None or product is None or not offer.active or not is_for_sale(product):
        raise ShopError(
            ErrorCode.OUT_OF_STOCK,
            "This line's offer is no longer sold. Remove it with remove_from_cart and pick another offer "
            "(compare_prices).",
            details={"line_id": line_id},
        )
    notices: list[Notice] = []
    left = stock.available(tx, row.id, offer)
    line.quantity = stock.fit(offer, product, left, wanted=quantity, in_cart=0, notices=notices)
    line.price_at_add = offer.price
    tx.add(line)
    tx.flush()
    for notice in notices:
        notice.line_id = line.id
    return _view(tx, row, currency=currency, tax_table=tax_table, notices=notices)


def remove_from_cart(*, tx: Session, scope: Scope, currency: str, tax_table: TaxTable, line_id: int) -> CartView:
    row = require_session(tx, scope, lock=True)
    tx.delete(_require_line(tx, row.id, line_id))
    tx.flush()
    return _view(tx, row, currency=currency, tax_table=tax_table)


def clear_cart(*, tx: Session, scope: Scope, currency: str, tax_table: TaxTable) -> CartView:
    """Remove every line and the applied coupon."""
    row = require_session(tx, scope, lock=True)
    empty(tx, row)
    return _view(tx, row, currency=currency, tax_table=tax_table)


def empty(tx: Session, row: ShoppingSession) -> None:
    """Remove every line of the session's cart and its coupon (also what placing an order does)."""
    tx.execute(delete(CartLine).where(col(CartLine.session_id) == row.id))
    row.coupon_id = None
    tx.add(row)
    tx.flush()


def _require_line(tx: Session, session_id: str, line_id: int) -> CartLine:
    line = tx.exec(select(CartLine).where(CartLine.id == line_id, CartLine.session_id == session_id)).first()
    if line is None:
        raise not_found("cart line", line_id, "Call view_cart to see the line ids of this cart.")
    return line


# --- Choosing an offer ------------------------------------------------------


# --- Coupons ----------------------------------------------------------------


def apply_coupon(*, tx: Session, scope: Scope, currency: str, tax_table: TaxTable, code: str) -> CartView:
    """Apply a coupon to the cart, replacing the one applied before (one coupon per order)."""
    row = require_session(tx, scope, lock=True)
    now = utcnow()
    coupon = coupons.find_coupon(tx, code)
    if coupon is None:
        raise coupons.unknown_coupon(code)
    problem = coupons.validity_problem(tx, coupon, session_id=row.id, now=now)
    if problem is not None:
        raise problem
    if coupon.kind == "fixed" and coupon.currency != currency:
        raise _not_applicable(coupon, f"it is for orders in {coupon.currency}.")
    previous = tx.get(Coupon, row.coupon_id) if row.coupon_id is not None else None
    row.coupon_id = coupon.id
    priced = _price_with_estimate(tx, row, currency=currency, tax_table=tax_table, now=now)
    outcome = priced.breakdown.coupon
    if not priced.priced_lines:
        raise _not_applicable(coupon, "the cart is empty; add products first, then apply the coupon.")
    if outcome is None or outcome.status != CouponStatus.APPLIED:
        note = shortfall_note(outcome, currency) if outcome else None
        raise _not_applicable(coupon, note or "", outcome.shortfall if outcome else None, currency)
    tx.add(row)
    tx.flush()
    notices = []
    if previous is not None and previous.id != coupon.id:
        notices.append(
            Notice(
                code="coupon_replaced",
                message=f"Coupon {previous.code} was replaced by {coupon.code}: an order takes one coupon.",
            )
        )
    return cart_view(priced, notices)


def _price_with_estimate(
    tx: Session, row: ShoppingSession, *, currency: str, tax_table: TaxTable, now: datetime
) -> PricedCart:
    method, destination = _estimate_basis(tx, row.id, tax_table)
    return price_session_cart(tx, row, currency=currency, now=now, method=method, destination=destination)


def _not_applicable(
    coupon: Coupon, reason: str, shortfall: int | None = None, currency: str | None = None
) -> ShopError:
    details: dict[str, object] = {"code": coupon.code, "terms": coupons.describe(coupon)}
    if shortfall and currency:
        details["shortfall"] = money(shortfall, currency).model_dump()
    resolution = Resolution.RECOVERABLE if shortfall else Resolution.REQUIRES_BUYER_INPUT
    return ShopError(
        ErrorCode.COUPON_NOT_APPLICABLE,
        f"Coupon {coupon.code} ({coupons.describe(coupon)}) does not apply to this cart: {reason} "
        "The cart is unchanged.",
        resolution=resolution,
        details=details,
    )


def remove_coupon(*, tx: Session, scope: Scope, currency: str, tax_table: TaxTable, code: str) -> CartView:
    row = require_session(tx, scope, lock=True)
    applied = tx.get(Coupon, row.coupon_id) if row.coupon_id is not None else None
    if applied is None or applied.code != coupons.normalize_code(code):
        current = f"the applied coupon is {applied.code}" if applied else "no coupon is applied"
        raise ShopError(
            ErrorCode.INVALID_COUPON,
            f"Coupon {coupons.normalize_code(code)!r} is not applied to this cart ({current}).",
            details={"code": coupons.normalize_code(code), "applied": applied.code if applied else None},
        )
    row.coupon_id = None
    tx.add(row)
    tx.flush()
    return _view(tx, row, currency=currency, tax_table=tax_table)
