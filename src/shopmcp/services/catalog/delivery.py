"""What shipping an order from one seller costs and when it arrives, for get_product and compare_prices.

The cost comes from the cart's own pricing rule (`services.pricing.rules`: a
seller's rate, free at or above its `free_over` threshold), so a quote here
is what the cart will charge. Delivery is the seller's handling days plus
the method's carrier days, in calendar days from today (UTC).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from shopmcp.models.catalog import SHIPPING_METHODS, ShippingRate
from shopmcp.models.catalog_public import DeliveryEstimate
from shopmcp.services.pricing.rules import LineInput, ShippingTerms, price_cart


@dataclass(frozen=True)
class ShippingEstimate:
    """What one shipping method costs for an order and when it arrives."""

    method: str
    cost: int
    free_over: int | None
    delivery: DeliveryEstimate


# Built once (a select per call cost more than running it); the ids go in as an expanding parameter.
_RATES = select(ShippingRate).where(col(ShippingRate.seller_id).in_(bindparam("seller_ids", expanding=True)))


def rates_by_seller(tx: Session, seller_ids: Iterable[int]) -> dict[int, list[ShippingRate]]:
    """Each seller's shipping rates, standard before express."""
    ids = sorted(set(seller_ids))
    rates: dict[int, list[ShippingRate]] = defaultdict(list)
    if not ids:
        return rates
    order: dict[str, int] = {method: index for index, method in enumerate(SHIPPING_METHODS)}
    for rate in tx.exec(_RATES, params={"seller_ids": ids}).all():
        rates[rate.seller_id].append(rate)
    for seller_rates in rates.values():
        seller_rates.sort(key=lambda rate: (order.get(rate.method, len(order)), rate.method))
    return rates


def shipping_cost(rate: ShippingRate, *, goods: int) -> int:
    """What an order of `goods` (minor units) from the rate's seller pays to ship by this rate."""
    line = LineInput(key=0, seller_id=rate.seller_id, category_id=None, unit_price=goods, quantity=1)
    breakdown = price_cart([line], shipping={rate.seller_id: ShippingTerms(price=rate.price, free_over=rate.free_over)})
    return breakdown.shipping


def delivery_estimate(rate: ShippingRate, *, handling_days: int, today: date) -> DeliveryEstimate:
    min_days = handling_days + rate.min_days
    max_days = handling_days + rate.max_days
    return DeliveryEstimate(
        min_days=min_days,
        max_days=max_days,
        earliest=today + timedelta(days=min_days),
        latest=today + timedelta(days=max_days),
    )


def quotes(rates: list[ShippingRate], *, goods: int, handling_days: int, today: date) -> list[ShippingEstimate]:
    """One quote per shipping method of the seller, for an order of `goods`.

    A seller without rates ships free, as the cart prices it, in its handling time.
    """
    if not rates:
        days = DeliveryEstimate(
            min_days=handling_days,
            max_days=handling_days,
            earliest=today + timedelta(days=handling_days),
            latest=today + timedelta(days=handling_days),
        )
        return [ShippingEstimate(method=SHIPPING_METHODS[0], cost=0, free_over=None, delivery=days)]
    return [
        ShippingEstimate(
            method=rate.method,
            cost=shipping_cost(rate, goods=goods),
            free_over=rate.free_over,
            delivery=delivery_estimate(rate, handling_days=handling_days, today=today),
        )
        for rate in rates
    ]
