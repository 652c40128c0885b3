"""A session's cart priced: the one path from a cart to a price.

The cart view, the checkout quote and the order all come from `price_session_cart`,
which takes the loaded lines (`cart.lines`), the applied coupon, the sellers'
shipping rates and the destination's tax, and hands them to
`pricing.price_cart` (the money rules). Its result, `PricedCart`, carries the
notices that explain it and turns into a `Snapshot` (`cart.snapshot`): the
exact lines and totals a quote stores and an order copies.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from shopmcp.core.errors import invalid_input
from shopmcp.core.money import format_money
from shopmcp.models.cart import Coupon
from shopmcp.models.cart_public import (
    Notice,
)
from shopmcp.models.catalog import ShippingRate
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.services.cart import coupons
from shopmcp.services.cart.lines import LoadedLine, load_lines
from shopmcp.services.pricing.rules import (
    Breakdown,
    CouponOutcome,
    CouponStatus,
    CouponTerms,
    LineInput,
    ShippingTerms,
    price_cart,
)
from shopmcp.services.pricing.tax import Destination

DEFAULT_SHIPPING_METHOD = "standard"


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


def price_session_cart(
    tx: Session,
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
    loaded = list(lines) if lines is not None else load_lines(tx, session_row.id)
    rates = _seller_rates(tx, {line.seller.id for line in loaded if line.priced and line.seller.id})
    chosen = {seller_id: _choose_rate(options, method, strict_method) for seller_id, options in rates.items()}
    coupon, terms, problem = _coupon(tx, session_row, now)
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


def _seller_rates(tx: Session, seller_ids: set[int]) -> dict[int, dict[str, ShippingRate]]:
    rates: dict[int, dict[str, ShippingRate]] = {seller_id: {} for seller_id in seller_ids}
    if seller_ids:
        for rate in tx.exec(select(ShippingRate).where(col(ShippingRate.seller_id).in_(seller_ids))).all():
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
    tx: Session, session_row: ShoppingSession, now: datetime
) -> tuple[Coupon | None, CouponTerms | None, str | None]:
    if session_row.coupon_id is None:
        return None, None, None
    coupon = tx.get(Coupon, session_row.coupon_id)
    if coupon is None:
        return None, None, None
    problem = coupons.validity_problem(tx, coupon, session_id=session_row.id, now=now)
    if problem is not None:
        return coupon, None, problem.message
    return coupon, coupons.coupon_terms(tx, coupon), None


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


# --- Public views of a snapshot ---------------------------------------------
