"""Hand-built catalog rows with known values, for tests that assert exact results.

Names are made unique per builder (`tag`), so tests sharing one database can
each build their own corner of the catalog and find it again by that tag.
"""

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from shopmcp.db import Database
from shopmcp.models.catalog import (
    Brand,
    Category,
    Offer,
    PriceHistory,
    Product,
    Seller,
    ShippingRate,
    Variant,
    VariantOption,
)
from shopmcp.services.catalog.aggregates import refresh_products

_counter = itertools.count(1)
RowT = TypeVar("RowT", bound=SQLModel)


@dataclass
class OfferSpec:
    seller: Seller
    price: int
    stock: int = 10
    compare_at_price: int | None = None
    condition: str = "new"
    handling_days: int = 0
    active: bool = True
    history: list[tuple[int, int]] = field(default_factory=list)
    """(days ago, price) points before the current price, oldest first."""


@dataclass
class VariantSpec:
    offers: list[OfferSpec]
    options: dict[str, str] = field(default_factory=dict)
    sku: str | None = None


@dataclass
class CatalogBuilder:
    """Adds rows in one transaction per call and returns them with their ids."""

    db: Database
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    currency: str = "USD"

    def _unique(self, text: str) -> str:
        return f"{text} {self.tag}"

    def _slug(self, text: str) -> str:
        return "-".join(self._unique(text).lower().split())

    def _add(self, row: RowT) -> RowT:
        with self.db.write() as tx:
            tx.add(row)
            tx.flush()
            tx.expunge(row)
        return row

    def category(self, name: str, parent: Category | None = None) -> Category:
        path = f"{parent.path} > {self._unique(name)}" if parent else self._unique(name)
        return self._add(
            Category(
                name=self._unique(name),
                slug=self._slug(name),
                path=path,
                parent_id=parent.id if parent else None,
                depth=parent.depth + 1 if parent else 0,
            )
        )

    def brand(self, name: str) -> Brand:
        return self._add(Brand(name=self._unique(name), slug=self._slug(name)))

    def seller(
        self,
        name: str,
        *,
        rating: float = 4.5,
        standard: tuple[int, int, int] = (499, 3, 5),
        express: tuple[int, int, int] | None = (1299, 1, 2),
        free_over: int | None = None,
    ) -> Seller:
        """A seller with shipping rates given as (price, min_days, max_days) per method."""
        with self.db.write() as tx:
            seller = Seller(name=self._unique(name), slug=self._slug(name), rating=rating, rating_count=100)
            tx.add(seller)
            tx.flush()
            assert seller.id is not None
            rates = {"standard": standard, "express": express}
            for method, rate in rates.items():
                if rate is None:
                    continue
                price, min_days, max_days = rate
                tx.add(
                    ShippingRate(
                        seller_id=seller.id,
                        method=method,
                        price=price,
                        currency=self.currency,
                        min_days=min_days,
                        max_days=max_days,
                        free_over=free_over,
                    )
                )
            tx.expunge(seller)
        return seller

    def product(
        self,
        title: str,
        *,
        variants: list[VariantSpec],
        category: Category | None = None,
        brand: Brand | None = None,
        description: str = "",
        attributes: dict[str, Any] | None = None,
        rating: float = 4.0,
        review_count: int = 10,
        status: str = "active",
        created_at: datetime | None = None,
    ) -> Product:
        """A product with its variants, their options and offers, and the offers' price history."""
        now = datetime.now(UTC)
        with self.db.write() as tx:
            product = Product(
                handle=f"{self._slug(title)}-{next(_counter)}",
                title=self._unique(title),
                description=description,
                category_id=category.id if category else None,
                brand_id=brand.id if brand else None,
                attributes=attributes or {},
                rating=rating,
                review_count=review_count,
                status=status,
                created_at=created_at or now,
                currency=self.currency,
            )
            tx.add(product)
            tx.flush()
            assert product.id is not None
            for position, spec in enumerate(variants):
                self._add_variant(tx, product.id, position, spec, now)
            refresh_products(tx, [product.id])
            tx.flush()
            tx.refresh(product)
            tx.expunge(product)
        return product

    def _add_variant(self, tx: Session, product_id: int, position: int, spec: VariantSpec, now: datetime) -> None:
        title = " / ".join(spec.options.values()) or "Default"
        variant = Variant(
            product_id=product_id,
            sku=spec.sku or f"SKU-{self.tag}-{next(_counter)}",
            title=title,
            options=spec.options,
            position=position,
        )
        tx.add(variant)
        tx.flush()
        assert variant.id is not None
        for name, value in spec.options.items():
            tx.add(VariantOption(variant_id=variant.id, product_id=product_id, name=name.lower(), value=value))
        for offer_spec in spec.offers:
            self._add_offer(tx, product_id, variant.id, offer_spec, now)

    def _add_offer(self, tx: Session, product_id: int, variant_id: int, spec: OfferSpec, now: datetime) -> None:
        assert spec.seller.id is not None
        offer = Offer(
            variant_id=variant_id,
            product_id=product_id,
            seller_id=spec.seller.id,
            price=spec.price,
            compare_at_price=spec.compare_at_price,
            currency=self.currency,
            stock=spec.stock,
            condition=spec.condition,
            handling_days=spec.handling_days,
            active=spec.active,
        )
        tx.add(offer)
        tx.flush()
        assert offer.id is not None
        for days_ago, price in spec.history:
            tx.add(PriceHistory(offer_id=offer.id, price=price, valid_from=now - timedelta(days=days_ago)))
        # The current price holds from one day ago, after the last history point.
        tx.add(PriceHistory(offer_id=offer.id, price=spec.price, valid_from=now - timedelta(days=1)))


def store_offer(database: Database, product_id: int | None, seller_id: int | None = None) -> int:
    """The id of the product's cheapest offer (from `seller_id`, when given)."""
    with database.read() as tx:
        statement = select(Offer.id).where(Offer.product_id == product_id)
        if seller_id is not None:
            statement = statement.where(Offer.seller_id == seller_id)
        found = tx.exec(statement.order_by(col(Offer.price))).first()
        assert found is not None
        return found


def offer_stock(database: Database, offer_id: int) -> int:
    """The offer's own stock, as the database holds it."""
    with database.read() as tx:
        offer = tx.get(Offer, offer_id)
        assert offer is not None
        return offer.stock
