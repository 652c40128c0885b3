"""Catalog tables: categories, brands, sellers and their shipping, products, variants, offers, prices.

Money columns are integer minor units of the row's `currency`. The product
carries a few aggregates of its offers (`min_price`, `max_price`,
`offer_count`, `in_stock`) so search can filter and sort on one table; they
are kept current by `services.catalog.aggregates.refresh_products`, which
every writer of offers calls in the same transaction.
"""

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shopmcp.models.types import PortableJSON, UTCDateTime, utcnow

ProductStatus = Literal["active", "draft", "archived"]
"""Only `active` products are for sale (`services.catalog.for_sale`)."""
OfferCondition = Literal["new", "refurbished", "used"]
ShippingMethod = Literal["standard", "express"]

SHIPPING_METHODS: tuple[ShippingMethod, ...] = ("standard", "express")

_PRODUCT_STATUS_LIST = ", ".join(f"'{status}'" for status in get_args(ProductStatus))


class Category(SQLModel, table=True):
    """A node of the category tree; `path` is the names from the root, joined by " > "."""

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="category.id", index=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=200, unique=True)
    path: str = Field(max_length=1000)
    depth: int = Field(default=0, ge=0)


class Brand(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    slug: str = Field(max_length=200, unique=True)


class Seller(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    slug: str = Field(max_length=200, unique=True)
    rating: float = Field(default=0.0, ge=0, le=5, description="Average buyer rating, 0 to 5.")
    rating_count: int = Field(default=0, ge=0)


class ShippingRate(SQLModel, table=True):
    """What a seller charges per order to ship by one method, and how long it takes."""

    __tablename__ = "shipping_rate"
    __table_args__ = (
        UniqueConstraint("seller_id", "method"),
        CheckConstraint("price >= 0", name="shipping_rate_price_nonneg"),
        CheckConstraint("min_days >= 0 AND max_days >= min_days", name="shipping_rate_days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    seller_id: int = Field(foreign_key="seller.id", index=True)
    method: str = Field(max_length=20)
    price: int = Field(description="Minor units of `currency`.")
    currency: str = Field(max_length=3)
    min_days: int
    max_days: int
    free_over: int | None = Field(
        default=None, description="Orders from this seller at or above this subtotal ship free."
    )


class Product(SQLModel, table=True):
    __table_args__ = (
        Index("ix_product_status_min_price", "status", "min_price", "id"),
        Index("ix_product_status_rating", "status", "rating", "id"),
        Index("ix_product_status_created", "status", "created_at", "id"),
        Index("ix_product_category_status", "category_id", "status"),
        Index("ix_product_brand_status", "brand_id", "status"),
        CheckConstraint(f"status IN ({_PRODUCT_STATUS_LIST})", name="product_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=255, unique=True, description="Stable import key (Shopify handle).")
    title: str = Field(max_length=500)
    description: str = Field(default="", sa_type=Text)
    category_id: int | None = Field(default=None, foreign_key="category.id")
    brand_id: int | None = Field(default=None, foreign_key="brand.id")
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=PortableJSON)
    tags: list[str] = Field(default_factory=list, sa_type=PortableJSON)
    image_url: str | None = Field(default=None, max_length=2000)
    rating: float = Field(default=0.0, ge=0, le=5)
    review_count: int = Field(default=0, ge=0)
    status: str = Field(default="active", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Aggregates of the product's active offers; see the module docstring.
    currency: str = Field(default="USD", max_length=3)
    min_price: int | None = Field(default=None)
    max_price: int | None = Field(default=None)
    offer_count: int = Field(default=0)
    in_stock: bool = Field(default=False)


class Variant(SQLModel, table=True):
    """One buyable version of a product, e.g. "Blue / M"; `options` maps option name to value."""

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    sku: str = Field(max_length=255, unique=True)
    title: str = Field(default="Default", max_length=500)
    options: dict[str, str] = Field(default_factory=dict, sa_type=PortableJSON)
    position: int = Field(default=0)


class VariantOption(SQLModel, table=True):
    """The options of a variant as rows, so search can filter and facet on them."""

    __tablename__ = "variant_option"
    __table_args__ = (Index("ix_variant_option_lookup", "name", "value", "product_id"),)

    variant_id: int = Field(foreign_key="variant.id", primary_key=True)
    name: str = Field(max_length=100, primary_key=True, description="Lower-cased option name.")
    value: str = Field(max_length=255)
    product_id: int = Field(foreign_key="product.id", index=True)


class Offer(SQLModel, table=True):
    """A seller selling a variant at a price, with stock."""

    __table_args__ = (
        UniqueConstraint("variant_id", "seller_id"),
        Index("ix_offer_product_active", "product_id", "active"),
        CheckConstraint("stock >= 0", name="offer_stock_nonneg"),
        CheckConstraint("price >= 0", name="offer_price_nonneg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variant.id")
    product_id: int = Field(foreign_key="product.id")
    seller_id: int = Field(foreign_key="seller.id", index=True)
    price: int = Field(description="Minor units of `currency`.")
    compare_at_price: int | None = Field(default=None)
    currency: str = Field(max_length=3)
    stock: int = Field(default=0)
    track_inventory: bool = Field(
        default=True,
        description="False for made-to-order offers (Shopify's untracked inventory): "
        "always available, stock is neither checked nor decremented.",
    )
    condition: str = Field(default="new", max_length=20)
    handling_days: int = Field(default=0, ge=0, description="Days before the seller ships.")
    active: bool = Field(default=True, description="False when the offer can no longer be bought.")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PriceHistory(SQLModel, table=True):
    """The offer's price from `valid_from` until the next row of the same offer."""

    __tablename__ = "price_history"
    __table_args__ = (Index("ix_price_history_offer_from", "offer_id", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id")
    price: int
    valid_from: datetime = Field(sa_type=UTCDateTime)
