"""The money rules of a cart, as pure functions: coupon discount, shipping, tax.

Everything is integer minor units. The parts are rounded once each and the
totals are sums of the rounded parts, so lines and shipments always add up
to the total exactly:

- A percent coupon discounts each eligible line by `round_half_up(subtotal x
  rate)`; a fixed coupon (capped at the eligible subtotal) is split over the
  eligible lines in proportion to their subtotals by the largest-remainder
  method, so its parts add up to exactly the coupon's amount.
- Shipping is per seller and method; a seller's `free_over` threshold is
  compared with what the buyer pays that seller for goods, after discounts.
- Tax is a rate per destination, applied to each line after its discount and,
  where the destination taxes shipping, to each seller's shipping, each
  rounded half up once.

Nothing here reads the database: the cart service loads the inputs and this
module prices them, for the cart view, the quote and the order alike.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from shopmcp.core.money import round_half_up

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class LineInput:
    """What pricing needs to know about one cart line."""

    key: int
    seller_id: int
    category_id: int | None
    unit_price: int
    quantity: int

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CouponTerms:
    """A coupon that has passed its validity checks (active, dates, use); pricing decides what it is worth."""

    code: str
    kind: Literal["percent", "fixed"]
    value: int
    """Basis points for `percent`, minor units for `fixed`."""
    min_subtotal: int | None = None
    category_ids: frozenset[int] | None = None
    """The categories (already expanded to subcategories) whose lines it discounts; None for the whole cart."""


@dataclass(frozen=True)
class ShippingTerms:
    """One seller's rate for the chosen method."""

    price: int
    free_over: int | None = None


@dataclass(frozen=True)
class TaxTerms:
    rate: Decimal
    """A fraction, e.g. Decimal("0.0725")."""
    shipping_taxable: bool = False


class CouponStatus(StrEnum):
    APPLIED = "applied"
    BELOW_MINIMUM = "below_minimum"
    NO_ELIGIBLE_ITEMS = "no_eligible_items"


@dataclass(frozen=True)
class CouponOutcome:
    code: str
    status: CouponStatus
    discount: int
    eligible_subtotal: int
    shortfall: int = 0
    """How much more eligible subtotal the coupon needs, when below its minimum."""


@dataclass(frozen=True)
class LinePrice:
    key: int
    subtotal: int
    discount: int
    tax: int

    @property
    def net(self) -> int:
        return self.subtotal - self.discount

    @property
    def total(self) -> int:
        return self.net + self.tax


@dataclass(frozen=True)
class ShipmentPrice:
    seller_id: int
    goods: int
    """What the buyer pays this seller for goods, after discounts (what `free_over` is compared with)."""
    shipping: int
    tax: int
    free: bool

    @property
    def total(self) -> int:
        return self.shipping + self.tax


@dataclass(frozen=True)
class Breakdown:
    """A priced cart; every total is the sum of its rounded parts."""

    lines: tuple[LinePrice, ...]
    shipments: tuple[ShipmentPrice, ...]
    coupon: CouponOutcome | None = None
    _by_key: dict[int, LinePrice] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {line.key: line for line in self.lines})

    def line(self, key: int) -> LinePrice:
        return self._by_key[key]

    @property
    def subtotal(self) -> int:
        return sum(line.subtotal for line in self.lines)

    @property
    def discount(self) -> int:
        return sum(line.discount for line in self.lines)

    @property
    def shipping(self) -> int:
        return sum(shipment.shipping for shipment in self.shipments)

    @property
    def tax(self) -> int:
        return sum(line.tax for line in self.lines) + sum(shipment.tax for shipment in self.shipments)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines) + sum(shipment.total for shipment in self.shipments)


def price_cart(
    lines: Sequence[LineInput],
    *,
    coupon: CouponTerms | None = None,
    shipping: Mapping[int, ShippingTerms],
    tax: TaxTerms | None = None,
) -> Breakdown:
    """Price `lines`: discount, then shipping per seller, then tax.

    Args:
        lines: The cart lines, in display order; `key`s must be unique.
        coupon: The applied coupon, if any.
        shipping: The rate of each seller in `lines` for the chosen method; a seller
            missing here ships free.
        tax: The destination's tax; None prices without tax (no address yet).
    """
    discounts, outcome = coupon_discounts(lines, coupon) if coupon else ({}, None)
    rate = tax.rate if tax else Decimal(0)
    priced = tuple(
        LinePrice(
            key=line.key,
            subtotal=line.subtotal,
            discount=discounts.get(line.key, 0),
            tax=apply_rate(line.subtotal - discounts.get(line.key, 0), rate),
        )
        for line in lines
    )
    goods_by_seller: dict[int, int] = {}
    for line, price in zip(lines, priced, strict=True):
        goods_by_seller[line.seller_id] = goods_by_seller.get(line.seller_id, 0) + price.net
    shipments = tuple(
        _ship(seller_id, goods, shipping.get(seller_id), rate if tax and tax.shipping_taxable else Decimal(0))
        for seller_id, goods in goods_by_seller.items()
    )
    return Breakdown(lines=priced, shipments=shipments, coupon=outcome)


def _ship(seller_id: int, goods: int, terms: ShippingTerms | None, rate: Decimal) -> ShipmentPrice:
    free = terms is None or terms.price == 0 or (terms.free_over is not None and goods >= terms.free_over)
    cost = 0 if free or terms is None else terms.price
    return ShipmentPrice(seller_id=seller_id, goods=goods, shipping=cost, tax=apply_rate(cost, rate), free=free)


def coupon_discounts(lines: Sequence[LineInput], coupon: CouponTerms) -> tuple[dict[int, int], CouponOutcome]:
    """Each eligible line's share of the coupon's discount, and what the coupon came to."""
    eligible = [line for line in lines if _eligible(line, coupon)]
    eligible_subtotal = sum(line.subtotal for line in eligible)
    if not eligible or eligible_subtotal == 0:
        return {}, CouponOutcome(coupon.code, CouponStatus.NO_ELIGIBLE_ITEMS, 0, eligible_subtotal)
    if coupon.min_subtotal is not None and eligible_subtotal < coupon.min_subtotal:
        shortfall = coupon.min_subtotal - eligible_subtotal
        return {}, CouponOutcome(coupon.code, CouponStatus.BELOW_MINIMUM, 0, eligible_subtotal, shortfall)
    if coupon.kind == "percent":
        rate = Decimal(min(coupon.value, BASIS_POINTS)) / BASIS_POINTS
        shares = [apply_rate(line.subtotal, rate) for line in eligible]
    else:
        amount = min(coupon.value, eligible_subtotal)
        shares = allocate(amount, [line.subtotal for line in eligible])
    discounts = {line.key: share for line, share in zip(eligible, shares, strict=True)}
    return discounts, CouponOutcome(coupon.code, CouponStatus.APPLIED, sum(shares), eligible_subtotal)


def _eligible(line: LineInput, coupon: CouponTerms) -> bool:
    return coupon.category_ids is None or (line.category_id is not None and line.category_id in coupon.category_ids)


def apply_rate(amount: int, rate: Decimal) -> int:
    """`amount x rate`, rounded half up to a whole minor unit."""
    return round_half_up(Decimal(amount) * rate) if amount and rate else 0


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to `weights` so that the parts add up to exactly `amount`.

    Largest remainder: every part gets the floor of its exact share, then the
    units left over go one each to the parts with the largest fractional
    remainders (ties to the earlier part). With `0 <= amount <= sum(weights)`,
    no part exceeds its weight.
    """
    total = sum(weights)
    if amount < 0 or any(weight < 0 for weight in weights):
        raise ValueError("allocate needs a non-negative amount and weights")
    if total == 0:
        if amount:
            raise ValueError("cannot allocate a non-zero amount over zero weights")
        return [0] * len(weights)
    parts = [amount * weight // total for weight in weights]
    remainders = [amount * weight % total for weight in weights]
    left_over = amount - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in by_remainder[:left_over]:
        parts[index] += 1
    return parts
