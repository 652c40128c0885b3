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

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, or_
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError, invalid_input, not_found
from shopmcp.core.money import money
from shopmcp.models.cart import MAX_CART_LINES, MAX_LINE_QUANTITY, CartLine, Coupon
from shopmcp.models.cart_public import CartView, Notice
from shopmcp.models.catalog import Offer, Product, Variant
from shopmcp.models.order import Quote
from shopmcp.models.session import ShoppingSession
from shopmcp.models.types import utcnow
from shopmcp.services import addresses, coupons, stock
from shopmcp.services.cart_pricing import (
    DEFAULT_SHIPPING_METHOD,
    Destination,
    PricedCart,
    coupon_view,
    line_views,
    price_session_cart,
    shipment_views,
    shortfall_note,
)
from shopmcp.services.pricing import CouponStatus
from shopmcp.services.sessions import Scope, require_session
from shopmcp.services.tax import TaxTable

_VARIANT_CHOICES_SHOWN = 25


def view_cart(*, session: Session, scope: Scope, currency: str, tax_table: TaxTable) -> CartView:
    """The session's cart, priced with the shipping method and destination of its last quote, if any."""
    row = require_session(session, scope)
    return _view(session, row, currency=currency, tax_table=tax_table)


def _view(
    session: Session,
    row: ShoppingSession,
    *,
    currency: str,
    tax_table: TaxTable,
    notices: list[Notice] | None = None,
) -> CartView:
    priced = _price_with_estimate(session, row, currency=currency, tax_table=tax_table, now=utcnow())
    return cart_view(priced, notices or [])


def _estimate_basis(session: Session, session_id: str, tax_table: TaxTable) -> tuple[str, Destination | None]:
    """The shipping method and destination of the session's last quote (standard, no tax, without one)."""
    last = session.exec(
        select(Quote.shipping_method, Quote.shipping_address)
        .where(Quote.session_id == session_id)
        .order_by(col(Quote.created_at).desc())
        .limit(1)
    ).first()
    if last is None:
        return DEFAULT_SHIPPING_METHOD, None
    method, address = last
    return method, addresses.destination_of(address, tax_table)


def cart_view(priced: PricedCart, notices: list[Notice]) -> CartView:
    snapshot = priced.snapshot()
    currency = priced.currency
    return CartView(
        session_id=priced.session_id,
        lines=line_views(snapshot),
        item_count=sum(line.quantity for line in snapshot.lines if line.issue in (None, "insufficient_stock")),
        coupon=coupon_view(snapshot),
        subtotal=money(snapshot.subtotal, currency),
        discount=money(snapshot.discount, currency),
        estimated_shipping=money(snapshot.shipping, currency),
        estimated_tax=money(snapshot.tax, currency),
        total=money(snapshot.total, currency),
        shipping_method=priced.method,
        tax_destination=priced.destination.label if priced.destination else None,
        shipments=shipment_views(snapshot.shipments, currency),
        messages=notices + priced.notices,
    )


# --- Lines ------------------------------------------------------------------


def add_to_cart(
    *,
    session: Session,
    scope: Scope,
    currency: str,
    tax_table: TaxTable,
    quantity: int,
    product_id: int | None = None,
    variant_id: int | None = None,
    offer_id: int | None = None,
) -> CartView:
    """Add `quantity` units of an offer; see the module docstring for how the offer and quantity are decided."""
    row = require_session(session, scope, lock=True)
    offer, product = choose_offer(
        session, row.id, product_id=product_id, variant_id=variant_id, offer_id=offer_id, quantity=quantity
    )
    if offer.currency != currency:
        raise invalid_input(
            f"That offer is priced in {offer.currency} and this store's carts are in {currency}; "
            "choose an offer in the store currency.",
            offer_id=offer.id,
        )
    line = session.exec(select(CartLine).where(CartLine.session_id == row.id, CartLine.offer_id == offer.id)).first()
    in_cart = line.quantity if line else 0
    if line is None:
        _require_room(session, row.id)
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
    left = stock.available(session, row.id, offer)
    wanted = _fit_to_stock(offer, product, left, wanted=wanted, in_cart=in_cart, notices=notices)
    assert offer.id is not None
    if line is None:
        line = CartLine(session_id=row.id, offer_id=offer.id, quantity=wanted, price_at_add=offer.price)
    else:
        line.quantity = wanted
        line.price_at_add = offer.price
    session.add(line)
    session.flush()
    for notice in notices:
        notice.line_id = line.id
    return _view(session, row, currency=currency, tax_table=tax_table, notices=notices)


def _require_room(session: Session, session_id: str) -> None:
    count = session.exec(select(func.count()).select_from(CartLine).where(CartLine.session_id == session_id)).one()
    if count >= MAX_CART_LINES:
        raise invalid_input(
            f"The cart already has {MAX_CART_LINES} lines, the most it can hold. "
            "Check out or remove lines (remove_from_cart) first."
        )


def _fit_to_stock(
    offer: Offer, product: Product, left: int, *, wanted: int, in_cart: int, notices: list[Notice]
) -> int:
    """`wanted`, reduced to the `left` units in stock with a notice; raises when no more units than `in_cart` fit."""
    if not offer.track_inventory or wanted <= left:
        return wanted
    if left <= 0:
        raise out_of_stock(offer, product)
    if left <= in_cart:
        raise ShopError(
            ErrorCode.INSUFFICIENT_STOCK,
            f"The cart already holds all the units of {product.title} this seller has in stock ({left}). "
            "Call compare_prices to find another seller.",
            details={"offer_id": offer.id, "available_quantity": left, "in_cart": in_cart},
        )
    notices.append(
        Notice(
            code="quantity_reduced",
            message=f"Only {left} of {product.title} are in stock, so the cart holds {left} "
            f"(asked for {wanted}). Call compare_prices to find another seller for more.",
        )
    )
    return left


def out_of_stock(offer: Offer, product: Product) -> ShopError:
    return ShopError(
        ErrorCode.OUT_OF_STOCK,
        f"{product.title} is out of stock at this seller (offer {offer.id}). "
        "Call compare_prices or get_product to find an offer in stock.",
        details={"offer_id": offer.id, "product_id": product.id},
    )


def update_cart_item(
    *, session: Session, scope: Scope, currency: str, tax_table: TaxTable, line_id: int, quantity: int
) -> CartView:
    """Set a line's quantity (0 removes it), within the stock."""
    row = require_session(session, scope, lock=True)
    line = _require_line(session, row.id, line_id)
    if quantity == 0:
        session.delete(line)
        session.flush()
        return _view(session, row, currency=currency, tax_table=tax_table)
    offer = session.get(Offer, line.offer_id)
    product = session.get(Product, offer.product_id) if offer else None
    if offer is None or product is None or not offer.active or product.status != "active":
        raise ShopError(
            ErrorCode.OUT_OF_STOCK,
            "This line's offer is no longer sold. Remove it with remove_from_cart and pick another offer "
            "(compare_prices).",
            details={"line_id": line_id},
        )
    notices: list[Notice] = []
    left = stock.available(session, row.id, offer)
    line.quantity = _fit_to_stock(offer, product, left, wanted=quantity, in_cart=0, notices=notices)
    line.price_at_add = offer.price
    session.add(line)
    session.flush()
    for notice in notices:
        notice.line_id = line.id
    return _view(session, row, currency=currency, tax_table=tax_table, notices=notices)


def remove_from_cart(*, session: Session, scope: Scope, currency: str, tax_table: TaxTable, line_id: int) -> CartView:
    row = require_session(session, scope, lock=True)
    session.delete(_require_line(session, row.id, line_id))
    session.flush()
    return _view(session, row, currency=currency, tax_table=tax_table)


def clear_cart(*, session: Session, scope: Scope, currency: str, tax_table: TaxTable) -> CartView:
    """Remove every line and the applied coupon."""
    row = require_session(session, scope, lock=True)
    empty(session, row)
    return _view(session, row, currency=currency, tax_table=tax_table)


def empty(session: Session, row: ShoppingSession) -> None:
    """Remove every line of the session's cart and its coupon (also what placing an order does)."""
    session.execute(delete(CartLine).where(col(CartLine.session_id) == row.id))
    row.coupon_id = None
    session.add(row)
    session.flush()


def _require_line(session: Session, session_id: str, line_id: int) -> CartLine:
    line = session.exec(select(CartLine).where(CartLine.id == line_id, CartLine.session_id == session_id)).first()
    if line is None:
        raise not_found("cart line", line_id, "Call view_cart to see the line ids of this cart.")
    return line


# --- Choosing an offer ------------------------------------------------------


def choose_offer(
    session: Session,
    session_id: str,
    *,
    product_id: int | None,
    variant_id: int | None,
    offer_id: int | None,
    quantity: int = 1,
) -> tuple[Offer, Product]:
    """The offer add_to_cart means, and its product.

    - `offer_id`: that offer (it must be active; `product_id`/`variant_id`, if also given, must match it);
    - `variant_id`: the variant's cheapest offer with `quantity` in stock, else its cheapest offer in stock;
    - `product_id`: when the product has one variant for sale, that variant's offer as above; when
      it has several (sizes, colours), the choice is the person's: `variant_required`, with the variants.
    """
    if offer_id is not None:
        return _offer_by_id(session, session_id, offer_id, product_id=product_id, variant_id=variant_id)
    if variant_id is not None:
        variant = session.get(Variant, variant_id)
        product = session.get(Product, variant.product_id) if variant else None
        if variant is None or product is None or product.status != "active":
            raise not_found("variant", variant_id, "Call get_product to see the variant ids of a product.")
        if product_id is not None and product_id != product.id:
            raise invalid_input(f"Variant {variant_id} belongs to product {product.id}, not {product_id}.")
        return _cheapest_in_stock(session, session_id, product, variant_ids=[variant_id], quantity=quantity), product
    if product_id is None:
        raise invalid_input("Give product_id, variant_id or offer_id to say what to add.")
    product = session.get(Product, product_id)
    if product is None or product.status != "active":
        raise not_found("product", product_id, "Call search_products to find a product id.")
    return _offer_of_product(session, session_id, product, quantity), product


def _offer_by_id(
    session: Session, session_id: str, offer_id: int, *, product_id: int | None, variant_id: int | None
) -> tuple[Offer, Product]:
    offer = session.get(Offer, offer_id)
    product = session.get(Product, offer.product_id) if offer else None
    if offer is None or product is None or product.status != "active":
        raise not_found("offer", offer_id, "Call get_product or compare_prices to see a product's offers.")
    if (product_id is not None and product_id != offer.product_id) or (
        variant_id is not None and variant_id != offer.variant_id
    ):
        raise invalid_input(
            f"Offer {offer_id} is for product {offer.product_id}, variant {offer.variant_id}; "
            "give only offer_id, or ids that match it."
        )
    if not offer.active:
        raise ShopError(
            ErrorCode.OUT_OF_STOCK,
            f"Offer {offer_id} is no longer sold. Call compare_prices to see current offers.",
            details={"offer_id": offer_id, "product_id": product.id},
        )
    if offer.track_inventory and stock.available(session, session_id, offer) <= 0:
        raise out_of_stock(offer, product)
    return offer, product


def _offer_of_product(session: Session, session_id: str, product: Product, quantity: int) -> Offer:
    variants = session.exec(
        select(Variant)
        .where(Variant.product_id == product.id)
        .where(select(Offer.id).where(col(Offer.variant_id) == Variant.id, col(Offer.active)).exists())
        .order_by(col(Variant.position), col(Variant.id))
    ).all()
    if len(variants) > 1:
        raise _variant_required(session, session_id, product, variants)
    ids = [variant.id for variant in variants if variant.id is not None]
    return _cheapest_in_stock(session, session_id, product, variant_ids=ids, quantity=quantity)


def _cheapest_in_stock(
    session: Session, session_id: str, product: Product, *, variant_ids: list[int], quantity: int
) -> Offer:
    """The cheapest active offer that has `quantity` in the session's stock, else the cheapest with any."""
    left = stock.stock_column(session, session_id)
    covers = or_(left >= quantity, ~col(Offer.track_inventory))
    offer = session.exec(
        select(Offer)
        .where(col(Offer.variant_id).in_(variant_ids), col(Offer.active))
        .where(or_(left > 0, ~col(Offer.track_inventory)))
        .order_by(case((covers, 0), else_=1), col(Offer.price), col(Offer.id))
        .limit(1)
    ).first()
    if offer is None:
        raise ShopError(
            ErrorCode.OUT_OF_STOCK,
            f"{product.title} is out of stock at every seller. Call search_products for alternatives.",
            details={"product_id": product.id},
        )
    return offer


def _variant_required(session: Session, session_id: str, product: Product, variants: Sequence[Variant]) -> ShopError:
    shown = variants[:_VARIANT_CHOICES_SHOWN]
    sellable = or_(stock.stock_column(session, session_id) > 0, ~col(Offer.track_inventory))
    ids = [v.id for v in shown]
    stats = {
        variant_id: (low, buyable)
        for variant_id, low, buyable in session.exec(
            select(
                Offer.variant_id,
                func.min(Offer.price),
                func.max(case((sellable, 1), else_=0)),
            )
            .where(col(Offer.variant_id).in_(ids), col(Offer.active))
            .group_by(col(Offer.variant_id))
        ).all()
    }
    choices = [
        {
            "variant_id": v.id,
            "title": v.title,
            "options": v.options,
            "lowest_price": money(stats[v.id][0], product.currency).model_dump() if v.id in stats else None,
            "in_stock": bool(stats[v.id][1]) if v.id in stats else False,
        }
        for v in shown
    ]
    return ShopError(
        ErrorCode.VARIANT_REQUIRED,
        f"{product.title} comes in {len(variants)} variants ("
        + ", ".join(v.title for v in shown[:5])
        + (", ..." if len(variants) > 5 else "")
        + "). Ask the person which one they want if it is not clear, then call add_to_cart with its variant_id.",
        details={"product_id": product.id, "variants": choices},
    )


# --- Coupons ----------------------------------------------------------------


def apply_coupon(*, session: Session, scope: Scope, currency: str, tax_table: TaxTable, code: str) -> CartView:
    """Apply a coupon to the cart, replacing the one applied before (one coupon per order)."""
    row = require_session(session, scope, lock=True)
    now = utcnow()
    coupon = coupons.find_coupon(session, code)
    if coupon is None:
        raise coupons.unknown_coupon(code)
    problem = coupons.validity_problem(session, coupon, session_id=row.id, now=now)
    if problem is not None:
        raise problem
    if coupon.kind == "fixed" and coupon.currency != currency:
        raise _not_applicable(coupon, f"it is for orders in {coupon.currency}.")
    previous = session.get(Coupon, row.coupon_id) if row.coupon_id is not None else None
    row.coupon_id = coupon.id
    priced = _price_with_estimate(session, row, currency=currency, tax_table=tax_table, now=now)
    outcome = priced.breakdown.coupon
    if not priced.priced_lines:
        raise _not_applicable(coupon, "the cart is empty; add products first, then apply the coupon.")
    if outcome is None or outcome.status != CouponStatus.APPLIED:
        note = shortfall_note(outcome, currency) if outcome else None
        raise _not_applicable(coupon, note or "", outcome.shortfall if outcome else None, currency)
    session.add(row)
    session.flush()
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
    session: Session, row: ShoppingSession, *, currency: str, tax_table: TaxTable, now: datetime
) -> PricedCart:
    method, destination = _estimate_basis(session, row.id, tax_table)
    return price_session_cart(session, row, currency=currency, now=now, method=method, destination=destination)


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


def remove_coupon(*, session: Session, scope: Scope, currency: str, tax_table: TaxTable, code: str) -> CartView:
    row = require_session(session, scope, lock=True)
    applied = session.get(Coupon, row.coupon_id) if row.coupon_id is not None else None
    if applied is None or applied.code != coupons.normalize_code(code):
        current = f"the applied coupon is {applied.code}" if applied else "no coupon is applied"
        raise ShopError(
            ErrorCode.INVALID_COUPON,
            f"Coupon {coupons.normalize_code(code)!r} is not applied to this cart ({current}).",
            details={"code": coupons.normalize_code(code), "applied": applied.code if applied else None},
        )
    row.coupon_id = None
    session.add(row)
    session.flush()
    return _view(session, row, currency=currency, tax_table=tax_table)
