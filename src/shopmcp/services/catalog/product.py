"""One product in full (get_product): variants, every offer with shipping and its 30-day low."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from shopmcp.core.errors import not_found
from shopmcp.core.money import Money, money
from shopmcp.models.catalog import Brand, Category, Offer, Product, Seller, Variant
from shopmcp.models.catalog_public import (
    CategoryRef,
    OfferDetail,
    PriceRange,
    ProductDetail,
    SellerInfo,
    ShippingOption,
    VariantDetail,
)
from shopmcp.models.types import utcnow
from shopmcp.services import stock
from shopmcp.services.catalog import delivery
from shopmcp.services.catalog.for_sale import for_sale
from shopmcp.services.catalog.price_history import price_stats

FIND_PRODUCTS = "Call search_products to find a product id."


# --- Categories and brands by what a person calls them ---------------------------


# --- One product -------------------------------------------------------------------


def seller_info(seller: Seller) -> SellerInfo:
    assert seller.id is not None
    return SellerInfo(id=seller.id, name=seller.name, rating=seller.rating, rating_count=seller.rating_count)


def category_ref(category: Category | None) -> CategoryRef | None:
    return CategoryRef(slug=category.slug, name=category.name, path=category.path) if category else None


def price_range(product: Product) -> PriceRange | None:
    if product.min_price is None or product.max_price is None:
        return None
    return PriceRange(min=money(product.min_price, product.currency), max=money(product.max_price, product.currency))


# get_product's statements, built once: building a select per call (column coercion, joins) cost
# more than running it; the values go in as bound parameters.
_LISTED_PRODUCT = (
    select(Product, Brand, Category)
    .outerjoin(Brand, col(Brand.id) == col(Product.brand_id))
    .outerjoin(Category, col(Category.id) == col(Product.category_id))
    .where(col(Product.id) == bindparam("product_id"), for_sale())
)
_VARIANTS = (
    select(Variant)
    .where(col(Variant.product_id) == bindparam("product_id"))
    .order_by(col(Variant.position), col(Variant.id))
)
_ACTIVE_OFFERS = (
    select(Offer, Seller)
    .join(Seller, col(Seller.id) == col(Offer.seller_id))
    .where(col(Offer.product_id).in_(bindparam("product_ids", expanding=True)), col(Offer.active))
    .order_by(col(Offer.price), col(Offer.id))
)


def load_listed_product(tx: Session, product_id: int) -> tuple[Product, Brand | None, Category | None]:
    """A product for sale with its brand and category.

    Raises:
        ShopError: `not_found` for an unknown id or a product that is not for sale (draft, archived).
    """
    row = tx.exec(_LISTED_PRODUCT, params={"product_id": product_id}).first()
    if row is None:
        raise not_found("product", product_id, FIND_PRODUCTS)
    return row[0], row[1], row[2]


def active_offers(tx: Session, product_ids: Iterable[int]) -> list[tuple[Offer, Seller]]:
    """The active offers of the products with their sellers, cheapest first."""
    rows = tx.exec(_ACTIVE_OFFERS, params={"product_ids": sorted(set(product_ids))}).all()
    return [(offer, seller) for offer, seller in rows]


def get_product(*, tx: Session, product_id: int, now: datetime | None = None) -> ProductDetail:
    """Everything about one product for sale: variants, every active offer with shipping, the 30-day low."""
    now = now or utcnow()
    product, brand, category = load_listed_product(tx, product_id)
    variants = tx.exec(_VARIANTS, params={"product_id": product_id}).all()
    offers = active_offers(tx, [product_id])
    stats = price_stats(tx, {offer.id: offer.price for offer, _ in offers if offer.id is not None}, now=now)
    rates = delivery.rates_by_seller(tx, (offer.seller_id for offer, _ in offers))
    today = now.date()

    offer_details = [
        OfferDetail(
            id=offer.id,
            variant_id=offer.variant_id,
            seller=seller_info(seller),
            price=money(offer.price, offer.currency),
            compare_at_price=money(offer.compare_at_price, offer.currency) if offer.compare_at_price else None,
            condition=offer.condition,
            availability=stock.availability(offer),
            stock=stock.shown(offer),
            lowest_price_30d=money(stats[offer.id].low, offer.currency),
            shipping=[
                ShippingOption(
                    method=quote.method,
                    cost=money(quote.cost, offer.currency),
                    free_over=money(quote.free_over, offer.currency) if quote.free_over is not None else None,
                    delivery=quote.delivery,
                )
                for quote in delivery.quotes(
                    rates[offer.seller_id], goods=offer.price, handling_days=offer.handling_days, today=today
                )
            ],
        )
        for offer, seller in offers
        if offer.id is not None
    ]
    lows = [money(stats[detail.id].low, detail.price.currency) for detail in offer_details]
    return ProductDetail(
        id=product_id,
        title=product.title,
        description=product.description,
        brand=brand.name if brand else None,
        category=category_ref(category),
        attributes=product.attributes,
        tags=product.tags,
        image_url=product.image_url,
        rating=product.rating,
        review_count=product.review_count,
        created_at=product.created_at,
        availability="in_stock" if product.in_stock else "out_of_stock",
        price=price_range(product),
        lowest_price_30d=min(lows, key=lambda low: low.amount) if lows else None,
        options=_option_values(variants),
        variants=[_variant_detail(variant, offers) for variant in variants],
        offers=offer_details,
        offer_count=len(offer_details),
    )


def _option_values(variants: Iterable[Variant]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant.options.items():
            seen = values.setdefault(name, [])
            if value not in seen:
                seen.append(value)
    return values


def _variant_detail(variant: Variant, offers: list[tuple[Offer, Seller]]) -> VariantDetail:
    assert variant.id is not None
    buyable = [
        offer for offer, _ in offers if offer.variant_id == variant.id and offer.active and stock.in_stock(offer)
    ]
    cheapest = min(buyable, key=lambda offer: (offer.price, offer.id or 0), default=None)
    lowest: Money | None = money(cheapest.price, cheapest.currency) if cheapest else None
    return VariantDetail(
        id=variant.id,
        sku=variant.sku,
        title=variant.title,
        options=variant.options,
        available=bool(buyable),
        lowest_price=lowest,
    )
