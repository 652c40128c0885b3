"""A session's cart, loaded with everything its price depends on and priced: the one path to a price.

The cart view, the checkout quote and the order all come from `price_session_cart`,
which loads the lines (with offer, variant, product and seller), the applied
coupon, the sellers' shipping rates and the destination's tax, and hands them
to `pricing.price_cart`. Its result, `PricedCart`, turns into a `Snapshot`: the
exact lines and totals a quote stores and an order copies.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, ShopError, invalid_input
from shopmcp.core.money import format_money, money
from shopmcp.models.cart import CartLine, Coupon
from shopmcp.models.cart_public import (
    CartLineView,
    CouponView,
    DeliveryDays,
    Notice,
    SellerRef,
    SellerShipment,
)
from shopmcp.models.catalog import Offer, Product, Seller, ShippingRate, Variant
from shopmcp.models.session import ShoppingSession
from shopmcp.services import coupons
from shopmcp.services.pricing import (
    Breakdown,
    CouponOutcome,
    CouponStatus,
    CouponTerms,
    LineInput,
    ShipmentPrice,
    ShippingTerms,
    TaxTerms,
    price_cart,
)
from shopmcp.services.stock import stock_column

LineIssue = Literal["insufficient_stock", "out_of_stock", "unavailable"]

DEFAULT_SHIPPING_METHOD = "standard"


@dataclass(frozen=True)
class LoadedLine:
    line: CartLine
    offer: Offer
    variant: Variant
    product: Product
    seller: Seller
    stock: int
    """The offer's stock as this session sees it (`services.stock`)."""

    @property
    def line_id(self) -> int:
        assert self.line.id is not None
        return self.line.id

    @property
    def available_quantity(self) -> int | None:
        """Units that can be bought now; None when the offer is made to order."""
        return self.stock if self.offer.track_inventory else None

    @property
    def issue(self) -> LineIssue | None:
        if not self.offer.active or self.product.status != "active":
            return "unavailable"
        available = self.available_quantity
        if available is not None and available <= 0:
            return "out_of_stock"
        if available is not None and available < self.line.quantity:
            return "insufficient_stock"
        return None

    @property
    def priced(self) -> bool:
        """Whether the line counts in the totals: everything that can be bought at all."""
        return self.issue in (None, "insufficient_stock")


def load_lines(session: Session, session_id: str) -> list[LoadedLine]:
    """The session's cart lines, oldest first, each with its offer, variant, product and seller."""
    rows = session.execute(
        sa_select(CartLine, Offer, Variant, Product, Seller, stock_column(session, session_id))
        .join(Offer, col(Offer.id) == CartLine.offer_id)
        .join(Variant, col(Variant.id) == Offer.variant_id)
        .join(Product, col(Product.id) == Offer.product_id)
        .join(Seller, col(Seller.id) == Offer.seller_id)
        .where(col(CartLine.session_id) == session_id)
        .order_by(col(CartLine.id))
    ).all()
    return [LoadedLine(*row) for row in rows]


@dataclass(frozen=True)
class Destination:
    """Where the cart ships: what tax it pays and how it is named."""

    label: str
    """e.g. "US-CA" or "DE"."""
    tax: TaxTerms


@dataclass
class PricedCart:
    session_id: str
    currency: str
    lines: list[LoadedLine]
    breakdown: Breakdown
    method: str
    rates: dict[int, ShippingRate | None]
    """The rate each seller in the cart ships by (None: the seller ships free)."""
    coupon: Coupon | None
    coupon_terms: CouponTerms | None
    coupon_problem: str | None
    destination: Destination | None
    notices: list[Notice] = field(default_factory=list)

    @property
    def priced_lines(self) -> list[LoadedLine]:
        return [line for line in self.lines if line.priced]

    @property
    def problem_lines(self) -> list[LoadedLine]:
        return [line for line in self.lines if line.issue is not None]

    def snapshot(self) -> "Snapshot":
        return build_snapshot(self)


def price_session_cart(
    session: Session,
    session_row: ShoppingSession,
    *,
    currency: str,
    now: datetime,
    method: str = DEFAULT_SHIPPING_METHOD,
    strict_method: bool = False,
    destination: Destination | None = None,
    lines: Sequence[LoadedLine] | None = None,
) -> PricedCart:
    """Load (unless given) and price the cart of `session_row`.

    Args:
        method: The shipping method. A seller that does not offer it ships by its
            cheapest method instead, unless `strict_method`, which makes that an error.
        destination: Where it ships, for tax; None prices without tax.
        lines: Already loaded lines of this session, to save loading them again.
    """
    loaded = list(lines) if lines is not None else load_lines(session, session_row.id)
    rates = _seller_rates(session, {line.seller.id for line in loaded if line.priced and line.seller.id})
    chosen = {seller_id: _choose_rate(options, method, strict_method) for seller_id, options in rates.items()}
    coupon, terms, problem = _coupon(session, session_row, now)
    inputs = [
        LineInput(
            key=line.line_id,
            seller_id=line.offer.seller_id,
            category_id=line.product.category_id,
            unit_price=line.offer.price,
            quantity=line.line.quantity,
        )
        for line in loaded
        if line.priced
    ]
    shipping = {
        seller_id: ShippingTerms(price=rate.price, free_over=rate.free_over)
        for seller_id, rate in chosen.items()
        if rate is not None
    }
    breakdown = price_cart(inputs, coupon=terms, shipping=shipping, tax=destination.tax if destination else None)
    priced = PricedCart(
        session_id=session_row.id,
        currency=currency,
        lines=loaded,
        breakdown=breakdown,
        method=method,
        rates=chosen,
        coupon=coupon,
        coupon_terms=terms,
        coupon_problem=problem,
        destination=destination,
    )
    priced.notices = line_notices(priced) + coupon_notices(priced)
    return priced


def _seller_rates(session: Session, seller_ids: set[int]) -> dict[int, dict[str, ShippingRate]]:
    rates: dict[int, dict[str, ShippingRate]] = {seller_id: {} for seller_id in seller_ids}
    if seller_ids:
        for rate in session.exec(select(ShippingRate).where(col(ShippingRate.seller_id).in_(seller_ids))).all():
            rates[rate.seller_id][rate.method] = rate
    return rates


def _choose_rate(options: dict[str, ShippingRate], method: str, strict: bool) -> ShippingRate | None:
    if not options:
        return None
    if method in options:
        return options[method]
    if strict:
        seller_methods = ", ".join(sorted(options))
        raise invalid_input(
            f"A seller in the cart does not ship by {method!r}; it ships by {seller_methods}. "
            "Call preview_checkout with one of those shipping methods.",
            seller_id=next(iter(options.values())).seller_id,
            methods=sorted(options),
        )
    return min(options.values(), key=lambda rate: (rate.price, rate.max_days))


def _coupon(
    session: Session, session_row: ShoppingSession, now: datetime
) -> tuple[Coupon | None, CouponTerms | None, str | None]:
    if session_row.coupon_id is None:
        return None, None, None
    coupon = session.get(Coupon, session_row.coupon_id)
    if coupon is None:
        return None, None, None
    problem = coupons.validity_problem(session, coupon, session_id=session_row.id, now=now)
    if problem is not None:
        return coupon, None, problem.message
    return coupon, coupons.coupon_terms(session, coupon), None


# --- Notices --------------------------------------------------------------


def line_notices(priced: PricedCart) -> list[Notice]:
    notices = []
    currency = priced.currency
    for line in priced.lines:
        name = _line_name(line)
        issue = line.issue
        if issue == "unavailable":
            notices.append(
                Notice(
                    code="unavailable",
                    line_id=line.line_id,
                    message=f"{name} is no longer sold by {line.seller.name}; it is left out of the totals. "
                    "Remove it with remove_from_cart and pick another offer (compare_prices).",
                )
            )
        elif issue == "out_of_stock":
            notices.append(
                Notice(
                    code="out_of_stock",
                    line_id=line.line_id,
                    message=f"{name} from {line.seller.name} is out of stock; it is left out of the totals. "
                    "Remove it with remove_from_cart and pick another offer (compare_prices).",
                )
            )
        elif issue == "insufficient_stock":
            notices.append(
                Notice(
                    code="insufficient_stock",
                    line_id=line.line_id,
                    message=f"Only {line.available_quantity} of {name} are in stock but the cart has "
                    f"{line.line.quantity}. Call update_cart_item(line_id={line.line_id}, "
                    f"quantity={line.available_quantity}) before checkout.",
                )
            )
        if line.line.price_at_add != line.offer.price and issue != "unavailable":
            notices.append(
                Notice(
                    code="price_changed",
                    line_id=line.line_id,
                    message=f"The price of {name} changed from {format_money(line.line.price_at_add, currency)} "
                    f"to {format_money(line.offer.price, currency)} since it was added.",
                )
            )
    return notices


def coupon_notices(priced: PricedCart) -> list[Notice]:
    note = coupon_note(priced)
    if priced.coupon is None or note is None:
        return []
    return [Notice(code="coupon_not_applied", message=f"Coupon {priced.coupon.code} is not applied: {note}")]


def coupon_note(priced: PricedCart) -> str | None:
    """Why the applied coupon gives no discount now, or None when it does (or there is none)."""
    if priced.coupon is None:
        return None
    if priced.coupon_problem is not None:
        return priced.coupon_problem
    outcome = priced.breakdown.coupon
    return None if outcome is None else shortfall_note(outcome, priced.currency)


def shortfall_note(outcome: CouponOutcome, currency: str) -> str | None:
    if outcome.status == CouponStatus.BELOW_MINIMUM:
        return (
            f"it needs {format_money(outcome.eligible_subtotal + outcome.shortfall, currency)} of eligible items; "
            f"add {format_money(outcome.shortfall, currency)} more."
        )
    if outcome.status == CouponStatus.NO_ELIGIBLE_ITEMS:
        return "nothing in the cart is eligible for it."
    return None


def _line_name(line: LoadedLine) -> str:
    variant = "" if line.variant.title in ("", "Default") else f" ({line.variant.title})"
    return f"{line.product.title}{variant}"


# --- Snapshot: the priced cart as data --------------------------------------


class SnapshotLine(BaseModel):
    line_id: int
    offer_id: int
    product_id: int
    variant_id: int
    seller_id: int
    product_title: str
    variant_title: str
    options: dict[str, str]
    seller_name: str
    unit_price: int
    quantity: int
    subtotal: int
    discount: int
    tax: int
    total: int
    track_inventory: bool
    available_quantity: int | None
    issue: LineIssue | None


class SnapshotShipment(BaseModel):
    seller_id: int
    seller_name: str
    method: str
    shipping: int
    tax: int
    free: bool
    free_over: int | None
    min_days: int | None
    max_days: int | None


class SnapshotCoupon(BaseModel):
    coupon_id: int
    code: str
    description: str
    applied: bool
    discount: int
    note: str | None


class Snapshot(BaseModel):
    """The exact priced cart: what a quote stores, what an order copies, what every view shows."""

    currency: str
    lines: list[SnapshotLine]
    shipments: list[SnapshotShipment]
    coupon: SnapshotCoupon | None
    subtotal: int
    discount: int
    shipping: int
    tax: int
    total: int

    def signature(self) -> dict[str, Any]:
        """What a buyer pays for, and nothing else: two snapshots with the same signature cost the same."""
        return {
            "currency": self.currency,
            "lines": sorted(
                (line.offer_id, line.quantity, line.unit_price, line.discount, line.tax)
                for line in self.lines
                if line.issue is None
            ),
            "shipments": sorted((s.seller_id, s.method, s.shipping, s.tax) for s in self.shipments),
            "coupon": self.coupon.code if self.coupon and self.coupon.applied else None,
            "total": self.total,
        }


def build_snapshot(priced: PricedCart) -> Snapshot:
    breakdown = priced.breakdown
    lines = [_snapshot_line(line, breakdown) for line in priced.lines]
    handling: dict[int, int] = defaultdict(int)
    seller_names: dict[int, str] = {}
    for line in priced.priced_lines:
        handling[line.offer.seller_id] = max(handling[line.offer.seller_id], line.offer.handling_days)
        seller_names[line.offer.seller_id] = line.seller.name
    shipments = [
        _snapshot_shipment(shipment.seller_id, seller_names[shipment.seller_id], priced, handling, shipment)
        for shipment in breakdown.shipments
    ]
    coupon = None
    if priced.coupon is not None and priced.coupon.id is not None:
        note = coupon_note(priced)
        coupon = SnapshotCoupon(
            coupon_id=priced.coupon.id,
            code=priced.coupon.code,
            description=coupons.describe(priced.coupon),
            applied=note is None,
            discount=breakdown.discount,
            note=note,
        )
    return Snapshot(
        currency=priced.currency,
        lines=lines,
        shipments=shipments,
        coupon=coupon,
        subtotal=breakdown.subtotal,
        discount=breakdown.discount,
        shipping=breakdown.shipping,
        tax=breakdown.tax,
        total=breakdown.total,
    )


def _snapshot_line(line: LoadedLine, breakdown: Breakdown) -> SnapshotLine:
    price = breakdown.line(line.line_id) if line.priced else None
    return SnapshotLine(
        line_id=line.line_id,
        offer_id=line.line.offer_id,
        product_id=line.offer.product_id,
        variant_id=line.offer.variant_id,
        seller_id=line.offer.seller_id,
        product_title=line.product.title,
        variant_title=line.variant.title,
        options=dict(line.variant.options),
        seller_name=line.seller.name,
        unit_price=line.offer.price,
        quantity=line.line.quantity,
        subtotal=price.subtotal if price else 0,
        discount=price.discount if price else 0,
        tax=price.tax if price else 0,
        total=price.total if price else 0,
        track_inventory=line.offer.track_inventory,
        available_quantity=line.available_quantity,
        issue=line.issue,
    )


def _snapshot_shipment(
    seller_id: int, seller_name: str, priced: PricedCart, handling: dict[int, int], shipment: ShipmentPrice
) -> SnapshotShipment:
    rate = priced.rates.get(seller_id)
    extra = handling[seller_id]
    return SnapshotShipment(
        seller_id=seller_id,
        seller_name=seller_name,
        method=rate.method if rate else priced.method,
        shipping=shipment.shipping,
        tax=shipment.tax,
        free=shipment.free,
        free_over=rate.free_over if rate else None,
        min_days=rate.min_days + extra if rate else None,
        max_days=rate.max_days + extra if rate else None,
    )


# --- Public views of a snapshot ---------------------------------------------


def line_views(snapshot: Snapshot) -> list[CartLineView]:
    currency = snapshot.currency
    return [
        CartLineView(
            line_id=line.line_id,
            product_id=line.product_id,
            product_title=line.product_title,
            variant_id=line.variant_id,
            variant_title=line.variant_title,
            options=line.options,
            offer_id=line.offer_id,
            seller=SellerRef(id=line.seller_id, name=line.seller_name),
            unit_price=money(line.unit_price, currency),
            quantity=line.quantity,
            subtotal=money(line.subtotal, currency),
            discount=money(line.discount, currency),
            tax=money(line.tax, currency),
            total=money(line.total, currency),
            available_quantity=line.available_quantity,
            issue=line.issue,
        )
        for line in snapshot.lines
    ]


def shipment_views(shipments: Sequence[SnapshotShipment], currency: str) -> list[SellerShipment]:
    return [
        SellerShipment(
            seller=SellerRef(id=shipment.seller_id, name=shipment.seller_name),
            method=shipment.method,
            cost=money(shipment.shipping, currency),
            tax=money(shipment.tax, currency),
            free_shipping=shipment.free,
            free_shipping_over=money(shipment.free_over, currency) if shipment.free_over is not None else None,
            delivery_days=(
                DeliveryDays(min=shipment.min_days, max=shipment.max_days)
                if shipment.min_days is not None and shipment.max_days is not None
                else None
            ),
        )
        for shipment in shipments
    ]


def coupon_view(snapshot: Snapshot) -> CouponView | None:
    coupon = snapshot.coupon
    if coupon is None:
        return None
    return CouponView(
        code=coupon.code,
        description=coupon.description,
        applied=coupon.applied,
        discount=money(coupon.discount, snapshot.currency),
        note=coupon.note,
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
