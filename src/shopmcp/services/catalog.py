"""Reading the catalog: what is for sale, categories and brands by name, and one product in full."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, func, or_
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, ShopError, not_found
from shopmcp.core.money import Money, money
from shopmcp.models.catalog import Brand, Category, Offer, Product, Seller, Variant
from shopmcp.models.catalog_public import (
    CategoryNode,
    CategoryRef,
    CategoryTree,
    OfferAvailability,
    OfferDetail,
    PriceRange,
    ProductDetail,
    SellerInfo,
    ShippingOption,
    VariantDetail,
)
from shopmcp.models.types import utcnow
from shopmcp.services import delivery
from shopmcp.services.price_history import price_stats

FIND_PRODUCTS = "Call search_products to find a product id."
COMPLETION_LIMIT = 100
"""The most values a completion may return (MCP's own limit)."""


def normalize_name(text: str) -> str:
    """A name as typed, made comparable: spaces collapsed, NULs dropped (no stored name holds one), lower case."""
    return " ".join(text.replace("\x00", " ").split()).lower()


def is_listed() -> ColumnElement[bool]:
    """What search and the category counts show: active products that some seller offers."""
    return and_(col(Product.status) == "active", col(Product.min_price).is_not(None))


def list_categories(*, session: Session) -> CategoryTree:
    """The whole category tree, each node counting the listed products in it and below it."""
    categories = session.exec(select(Category).order_by(col(Category.path))).all()
    direct_counts = dict(
        session.exec(
            select(Product.category_id, func.count()).where(is_listed()).group_by(col(Product.category_id))
        ).all()
    )
    children: dict[int | None, list[Category]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)

    def build(category: Category) -> CategoryNode:
        assert category.id is not None
        nodes = [build(child) for child in children[category.id]]
        return CategoryNode(
            id=category.id,
            name=category.name,
            slug=category.slug,
            path=category.path,
            product_count=direct_counts.get(category.id, 0) + sum(node.product_count for node in nodes),
            children=nodes,
        )

    roots = [build(category) for category in children[None]]
    return CategoryTree(categories=roots, total_products=sum(direct_counts.values()))


# --- Categories and brands by what a person calls them ---------------------------


@dataclass(frozen=True)
class Resolved:
    """What a category or brand argument names: row ids, and the names the full-text index holds for them."""

    ids: list[int]
    indexed_names: list[str]


def resolve_category(session: Session, category: str) -> Resolved:
    """The category named by `category` (slug, name or path, any case) with all below it.

    `indexed_names` are the paths of the named categories: every path below
    them contains one of them.

    Raises:
        ShopError: `not_found` when no category has that slug, name or path.
    """
    wanted = normalize_name(category)
    rows = session.exec(select(Category)).all()
    by_slug = [row for row in rows if row.slug == wanted]
    roots = by_slug or [row for row in rows if wanted in (row.name.lower(), row.path.lower())]
    if not roots:
        raise ShopError(
            ErrorCode.NOT_FOUND,
            f"No category {category!r}. Call list_categories for the category slugs, or search without "
            "`category` and read facets.category.",
            details={"kind": "category", "id": category},
        )
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        if row.id is not None:
            children[row.parent_id].append(row.id)
    found: set[int] = set()
    pending = [root.id for root in roots if root.id is not None]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children[current])
    return Resolved(ids=sorted(found), indexed_names=[root.path for root in roots])


def resolve_brand(session: Session, brand: str) -> Resolved:
    """The brand named `brand` (name or slug, any case).

    Raises:
        ShopError: `not_found` when no brand has that name or slug.
    """
    wanted = normalize_name(brand)
    brands = session.exec(
        select(Brand).where(or_(func.lower(col(Brand.name)) == wanted, col(Brand.slug) == wanted))
    ).all()
    if not brands:
        raise ShopError(
            ErrorCode.NOT_FOUND,
            f"No brand {brand!r}. Search without `brand` and read facets.brand for the brands that match, "
            "or leave the brand out.",
            details={"kind": "brand", "id": brand},
        )
    return Resolved(ids=[row.id for row in brands if row.id is not None], indexed_names=[row.name for row in brands])


def _prefix_pattern(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def complete_categories(*, session: Session, prefix: str) -> tuple[list[str], int]:
    """Category slugs whose slug, name or any level of whose path starts with `prefix`; and how many in all."""
    pattern = _prefix_pattern(normalize_name(prefix))
    condition = or_(
        col(Category.slug).like(pattern, escape="\\"),
        func.lower(col(Category.name)).like(pattern, escape="\\"),
        func.lower(col(Category.path)).like(pattern, escape="\\"),
    )
    total = session.exec(select(func.count()).select_from(Category).where(condition)).one()
    slugs = session.exec(
        select(Category.slug).where(condition).order_by(col(Category.depth), col(Category.slug)).limit(COMPLETION_LIMIT)
    ).all()
    return list(slugs), int(total)


def complete_brands(*, session: Session, prefix: str) -> tuple[list[str], int]:
    """Brand names starting with `prefix` (any case), and how many in all."""
    pattern = _prefix_pattern(normalize_name(prefix))
    condition = or_(func.lower(col(Brand.name)).like(pattern, escape="\\"), col(Brand.slug).like(pattern, escape="\\"))
    total = session.exec(select(func.count()).select_from(Brand).where(condition)).one()
    names = session.exec(select(Brand.name).where(condition).order_by(col(Brand.name)).limit(COMPLETION_LIMIT)).all()
    return list(names), int(total)


# --- One product -------------------------------------------------------------------


def offer_availability(offer: Offer) -> OfferAvailability:
    if not offer.track_inventory:
        return "made_to_order"
    return "in_stock" if offer.stock > 0 else "out_of_stock"


def is_buyable(offer: Offer) -> bool:
    return offer.active and offer_availability(offer) != "out_of_stock"


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
    .where(col(Product.id) == bindparam("product_id"), col(Product.status) == "active")
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


def load_listed_product(session: Session, product_id: int) -> tuple[Product, Brand | None, Category | None]:
    """An active product with its brand and category.

    Raises:
        ShopError: `not_found` for an unknown id or a product that is not active (draft, archived).
    """
    row = session.exec(_LISTED_PRODUCT, params={"product_id": product_id}).first()
    if row is None:
        raise not_found("product", product_id, FIND_PRODUCTS)
    return row[0], row[1], row[2]


def active_offers(session: Session, product_ids: Iterable[int]) -> list[tuple[Offer, Seller]]:
    """The active offers of the products with their sellers, cheapest first."""
    rows = session.exec(_ACTIVE_OFFERS, params={"product_ids": sorted(set(product_ids))}).all()
    return [(offer, seller) for offer, seller in rows]


def get_product(*, session: Session, product_id: int, now: datetime | None = None) -> ProductDetail:
    """Everything about one active product: variants, every active offer with shipping, the 30-day low."""
    now = now or utcnow()
    product, brand, category = load_listed_product(session, product_id)
    variants = session.exec(_VARIANTS, params={"product_id": product_id}).all()
    offers = active_offers(session, [product_id])
    stats = price_stats(session, {offer.id: offer.price for offer, _ in offers if offer.id is not None}, now=now)
    rates = delivery.rates_by_seller(session, (offer.seller_id for offer, _ in offers))
    today = now.date()

    offer_details = [
        OfferDetail(
            id=offer.id,
            variant_id=offer.variant_id,
            seller=seller_info(seller),
            price=money(offer.price, offer.currency),
            compare_at_price=money(offer.compare_at_price, offer.currency) if offer.compare_at_price else None,
            condition=offer.condition,
            availability=offer_availability(offer),
            stock=offer.stock if offer.track_inventory else None,
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
    buyable = [offer for offer, _ in offers if offer.variant_id == variant.id and is_buyable(offer)]
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
