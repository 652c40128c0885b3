"""compare_prices: every offer of a few products by landed cost, delivery and price history.

Landed cost is what the buyer pays to get the goods: unit price x quantity
plus shipping for that order from that seller (free over the seller's
threshold, by the cart's own rule), before tax. Every shipping method is
quoted; an offer's `landed_cost` is by its cheapest method, and its
`fastest_delivery` by its quickest. Offers that cannot supply the whole
quantity now stay in the list, flagged `can_fulfill: false` and ranked after
the rest; they are never the cheapest or fastest pick.

`ship_to_country` is checked (ISO 3166 alpha-2) and echoed. Every seller in
this store ships everywhere at the same rates and the landed cost is before
tax, so today it changes no figure; tax for a destination is quoted by
preview_checkout.
"""

from datetime import date, datetime
from functools import cache
from typing import Any

from babel import Locale
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, ShopError, invalid_input
from shopmcp.core.money import money
from shopmcp.models.catalog import Brand, Offer, Product, Seller, ShippingRate, Variant
from shopmcp.models.catalog_public import (
    AttributeRow,
    CompareResult,
    OfferComparison,
    PriceInsight,
    PriceVerdict,
    ProductComparison,
    ShippingQuote,
)
from shopmcp.models.types import utcnow
from shopmcp.services import stock
from shopmcp.services.catalog import delivery
from shopmcp.services.catalog.for_sale import for_sale
from shopmcp.services.catalog.price_history import PriceStats, price_stats
from shopmcp.services.catalog.product import FIND_PRODUCTS, active_offers, seller_info


@cache
def _country_codes() -> frozenset[str]:
    territories = Locale("en").territories
    return frozenset(code for code in territories if isinstance(code, str) and len(code) == 2 and code.isalpha())


def normalize_country(country: str | None) -> str | None:
    """The upper-case ISO 3166 alpha-2 code, or None.

    Raises:
        ShopError: `invalid_input` for anything that is not a known alpha-2 code.
    """
    if country is None:
        return None
    code = country.strip().upper()
    if code not in _country_codes():
        raise invalid_input(
            f"{country!r} is not an ISO 3166 alpha-2 country code; use two letters such as US, DE or JP.",
            ship_to_country=country,
        )
    return code


def compare_prices(
    *,
    tx: Session,
    product_ids: list[int],
    quantity: int = 1,
    ship_to_country: str | None = None,
    now: datetime | None = None,
) -> CompareResult:
    """Compare the offers of `product_ids` (in the order given, duplicates dropped) for `quantity` units."""
    now = now or utcnow()
    country = normalize_country(ship_to_country)
    ids = list(dict.fromkeys(product_ids))
    products = _load_products(tx, ids)
    offers = active_offers(tx, ids)
    variants = {
        variant.id: variant for variant in tx.exec(select(Variant).where(col(Variant.product_id).in_(ids))).all()
    }
    stats = price_stats(tx, {offer.id: offer.price for offer, _ in offers if offer.id is not None}, now=now)
    rates = delivery.rates_by_seller(tx, (offer.seller_id for offer, _ in offers))

    comparisons = []
    for product_id in ids:
        product, brand = products[product_id]
        compared = [
            _compare_offer(
                offer, seller, variants[offer.variant_id], rates[offer.seller_id], stats, quantity, now.date()
            )
            for offer, seller in offers
            if offer.product_id == product_id
        ]
        compared.sort(key=lambda offer: (not offer.can_fulfill, offer.landed_cost.amount, offer.offer_id))
        comparisons.append(_product_comparison(product, brand, compared))
    messages = _messages(comparisons, quantity)
    return CompareResult(
        quantity=quantity,
        ship_to_country=country,
        products=comparisons,
        attributes=_attribute_table(comparisons, products) if len(ids) > 1 else [],
        messages=messages,
    )


def _load_products(tx: Session, ids: list[int]) -> dict[int, tuple[Product, Brand | None]]:
    rows = tx.exec(
        select(Product, Brand)
        .outerjoin(Brand, col(Brand.id) == col(Product.brand_id))
        .where(col(Product.id).in_(ids), for_sale())
    ).all()
    found = {product.id: (product, brand) for product, brand in rows if product.id is not None}
    missing = [product_id for product_id in ids if product_id not in found]
    if missing:
        listed = ", ".join(str(product_id) for product_id in missing)
        raise ShopError(
            ErrorCode.NOT_FOUND,
            f"No product with id {listed}. {FIND_PRODUCTS}",
            details={"kind": "product", "id": missing[0], "missing": missing},
        )
    return {product_id: found[product_id] for product_id in ids}


def _compare_offer(
    offer: Offer,
    seller: Seller,
    variant: Variant,
    rates: list[ShippingRate],
    stats: dict[int, PriceStats],
    quantity: int,
    today: date,
) -> OfferComparison:
    assert offer.id is not None
    subtotal = offer.price * quantity
    quotes = delivery.quotes(rates, goods=subtotal, handling_days=offer.handling_days, today=today)
    shipping = [
        ShippingQuote(
            method=quote.method,
            cost=money(quote.cost, offer.currency),
            landed_cost=money(subtotal + quote.cost, offer.currency),
            delivery=quote.delivery,
        )
        for quote in quotes
    ]
    cheapest = min(shipping, key=lambda quote: (quote.landed_cost.amount, quote.delivery.max_days))
    fastest = min(shipping, key=lambda quote: (quote.delivery.max_days, quote.delivery.min_days, quote.cost.amount))
    return OfferComparison(
        offer_id=offer.id,
        variant_id=offer.variant_id,
        variant_title=variant.title,
        options=variant.options,
        seller=seller_info(seller),
        condition=offer.condition,
        availability=stock.availability(offer),
        stock=stock.shown(offer),
        can_fulfill=stock.can_supply(offer, quantity),
        unit_price=money(offer.price, offer.currency),
        subtotal=money(subtotal, offer.currency),
        landed_cost=cheapest.landed_cost,
        cheapest_method=cheapest.method,
        fastest_delivery=fastest.delivery,
        shipping=shipping,
        price_insight=_insight(stats[offer.id], offer.currency),
    )


def _insight(stats: PriceStats, currency: str) -> PriceInsight:
    verdict: PriceVerdict
    if stats.current <= stats.low:
        verdict = "lowest_in_30_days"
    elif stats.current < stats.average:
        verdict = "below_average"
    elif stats.current == stats.average:
        verdict = "average"
    else:
        verdict = "above_average"
    return PriceInsight(
        current=money(stats.current, currency),
        low_30d=money(stats.low, currency),
        average_30d=money(stats.average, currency),
        verdict=verdict,
    )


def _product_comparison(product: Product, brand: Brand | None, offers: list[OfferComparison]) -> ProductComparison:
    assert product.id is not None
    able = [offer for offer in offers if offer.can_fulfill]
    cheapest = min(
        able,
        key=lambda offer: (offer.landed_cost.amount, offer.fastest_delivery.max_days, offer.offer_id),
        default=None,
    )
    fastest = min(
        able,
        key=lambda offer: (offer.fastest_delivery.max_days, offer.fastest_delivery.min_days, offer.landed_cost.amount),
        default=None,
    )
    return ProductComparison(
        product_id=product.id,
        title=product.title,
        brand=brand.name if brand else None,
        rating=product.rating,
        review_count=product.review_count,
        offers=offers,
        offer_count=len(offers),
        cheapest_offer_id=cheapest.offer_id if cheapest else None,
        fastest_offer_id=fastest.offer_id if fastest else None,
    )


def _messages(comparisons: list[ProductComparison], quantity: int) -> list[str]:
    messages = []
    for comparison in comparisons:
        if not comparison.offers:
            messages.append(f"Product {comparison.product_id} has no offers at the moment.")
        elif comparison.cheapest_offer_id is None:
            messages.append(
                f"No seller of product {comparison.product_id} can supply {quantity} now; "
                "lower the quantity or pick another product."
            )
    return messages


def _attribute_table(
    comparisons: list[ProductComparison], products: dict[int, tuple[Product, Brand | None]]
) -> list[AttributeRow]:
    rows = [
        AttributeRow(name="brand", values=[comparison.brand for comparison in comparisons]),
        AttributeRow(name="rating", values=[f"{c.rating:.1f} ({c.review_count} reviews)" for c in comparisons]),
        AttributeRow(
            name="lowest landed cost",
            values=[_cheapest_landed(comparison) for comparison in comparisons],
        ),
    ]
    attributes = [products[comparison.product_id][0].attributes for comparison in comparisons]
    names: dict[str, None] = {}
    for attribute_set in attributes:
        names.update(dict.fromkeys(attribute_set))
    for name in names:
        if sum(name in attribute_set for attribute_set in attributes) >= 2:
            rows.append(AttributeRow(name=name, values=[_display(a.get(name)) for a in attributes]))
    return rows


def _cheapest_landed(comparison: ProductComparison) -> str | None:
    for offer in comparison.offers:
        if offer.offer_id == comparison.cheapest_offer_id:
            return offer.landed_cost.formatted
    return None


def _display(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
