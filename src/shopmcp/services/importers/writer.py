"""Writing an imported product: create it, or update it in place, never a duplicate.

Keys: a product by its handle; a variant by its SKU, else by its options
within the product; an offer by (variant, seller). A changed price appends
a price history point. For each seller a record names, the record is that
seller's whole offer on the product: offers of that seller on the product's
other variants are deactivated (not deleted: orders may point at them).
Offers of sellers the record does not name are left alone.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, delete, select

from shopmcp.models.catalog import Offer, PriceHistory, Product, Variant, VariantOption
from shopmcp.services.catalog_aggregates import refresh_products
from shopmcp.services.catalog_refs import Refs
from shopmcp.services.importers.records import OfferRecord, ProductRecord, VariantRecord, options_key, to_minor_units

Outcome = Literal["created", "updated", "unchanged"]


class RecordRejectedError(Exception):
    """The record is valid on its own but cannot be written (a SKU of another product, mixed currencies...)."""


@dataclass
class WriteCounts:
    """What the writes of an import changed, beyond the product outcomes."""

    variants_created: int = 0
    offers_created: int = 0
    offers_updated: int = 0
    offers_deactivated: int = 0
    price_changes: int = 0

    def add(self, other: "WriteCounts") -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ProductWriter:
    """Applies records within one transaction (see the module docstring for the rules)."""

    session: Session
    refs: Refs
    currency: str
    default_seller: str
    now: datetime

    def __post_init__(self) -> None:
        self.counts = WriteCounts()

    def apply(self, record: ProductRecord) -> Outcome:
        """Create or update the product of `record` with its variants and offers, and refresh its aggregates.

        Raises:
            RecordRejectedError: the record conflicts with the catalog; nothing of it should be kept.
        """
        currency = self._currency(record)
        product, created, changed = self._upsert_product(record, currency)
        assert product.id is not None
        variants: list[Variant] = []
        offers: dict[tuple[int, int], Offer] = {}
        if not created:
            variants = list(self.session.exec(select(Variant).where(Variant.product_id == product.id)))
            offers = {(offer.variant_id, offer.seller_id): offer for offer in self._offers_of(product.id)}
        matched: set[int] = set()
        applied: set[tuple[int, int]] = set()
        for position, variant_record in enumerate(record.variants):
            variant, variant_changed = self._upsert_variant(product, variants, matched, position, variant_record)
            assert variant.id is not None
            matched.add(variant.id)
            changed |= variant_changed
            for offer_record in variant_record.offers:
                seller = offer_record.seller or self.default_seller
                key = (variant.id, self.refs.seller_id(seller))
                if key in applied:
                    raise RecordRejectedError(f"variant {variant.title!r} lists seller {seller!r} twice")
                applied.add(key)
                offers[key], offer_changed = self._upsert_offer(
                    product.id, *key, offer_record, currency, offers.get(key)
                )
                changed |= offer_changed
        named_sellers = {seller_id for _, seller_id in applied}
        for key, offer in offers.items():
            if key not in applied and offer.seller_id in named_sellers and offer.active:
                offer.active, offer.updated_at = False, self.now
                self.session.add(offer)
                self.counts.offers_deactivated += 1
                changed = True
        self.session.flush()
        refresh_products(self.session, [product.id])
        if created:
            return "created"
        return "updated" if changed else "unchanged"

    # --- product ------------------------------------------------------------

    def _currency(self, record: ProductRecord) -> str:
        currencies = {offer.currency or self.currency for variant in record.variants for offer in variant.offers}
        if len(currencies) > 1:
            raise RecordRejectedError(f"offers in several currencies ({', '.join(sorted(currencies))}); use one")
        return currencies.pop() if currencies else self.currency

    def _upsert_product(self, record: ProductRecord, currency: str) -> tuple[Product, bool, bool]:
        """The product of `record`, written; and whether it was created, and whether it changed."""
        values: dict[str, Any] = {
            "title": record.title,
            "description": record.description,
            "brand_id": self.refs.brand_id(record.brand),
            "category_id": self.refs.category_id(record.category) if record.category else None,
            "attributes": dict(record.attributes),
            "tags": list(record.tags),
            "image_url": record.image_url,
            "status": record.status,
            "currency": currency,
        }
        if record.rating is not None:
            values["rating"] = record.rating
        if record.review_count is not None:
            values["review_count"] = record.review_count
        if record.created_at is not None:
            values["created_at"] = record.created_at
        product = self.session.exec(select(Product).where(Product.handle == record.handle)).first()
        if product is None:
            product = Product(handle=record.handle, **{"created_at": self.now, **values})
            self.session.add(product)
            self.session.flush()
            return product, True, True
        changed = False
        for name, value in values.items():
            if getattr(product, name) != value:
                setattr(product, name, value)
                changed = True
        if changed:
            self.session.add(product)
        return product, False, changed

    # --- variants -----------------------------------------------------------

    def _upsert_variant(
        self,
        product: Product,
        variants: list[Variant],
        matched: set[int],
        position: int,
        record: VariantRecord,
    ) -> tuple[Variant, bool]:
        assert product.id is not None
        candidates = [variant for variant in variants if variant.id not in matched]
        key = options_key(record.options)
        variant = next((v for v in candidates if record.sku and v.sku == record.sku), None) or next(
            (v for v in candidates if options_key(v.options) == key), None
        )
        sku = record.sku or _derived_sku(product.handle, record.options)
        if (variant is None or variant.sku != sku) and record.sku:
            self._require_free_sku(record.sku)
        title = " / ".join(record.options.values()) or "Default Title"
        if variant is None:
            variant = Variant(
                product_id=product.id, sku=sku, title=title, options=dict(record.options), position=position
            )
            self.session.add(variant)
            self.session.flush()
            self._write_options(variant)
            self.counts.variants_created += 1
            return variant, True
        changed = False
        if record.sku and variant.sku != record.sku:
            variant.sku, changed = record.sku, True
        if variant.options != record.options:
            variant.options, changed = dict(record.options), True
            self._write_options(variant)
        if variant.title != title or variant.position != position:
            variant.title, variant.position, changed = title, position, True
        if changed:
            self.session.add(variant)
        return variant, changed

    def _require_free_sku(self, sku: str) -> None:
        owner = self.session.exec(
            select(Product.handle).join(Variant, col(Variant.product_id) == col(Product.id)).where(Variant.sku == sku)
        ).first()
        if owner is not None:
            raise RecordRejectedError(f"SKU {sku!r} already belongs to product {owner!r}; SKUs must be unique")

    def _write_options(self, variant: Variant) -> None:
        assert variant.id is not None
        self.session.exec(delete(VariantOption).where(col(VariantOption.variant_id) == variant.id))
        for name, value in variant.options.items():
            self.session.add(
                VariantOption(variant_id=variant.id, product_id=variant.product_id, name=name.lower(), value=value)
            )

    # --- offers -------------------------------------------------------------

    def _offers_of(self, product_id: int) -> list[Offer]:
        return list(self.session.exec(select(Offer).where(Offer.product_id == product_id).order_by(col(Offer.id))))

    def _upsert_offer(
        self,
        product_id: int,
        variant_id: int,
        seller_id: int,
        record: OfferRecord,
        currency: str,
        offer: Offer | None,
    ) -> tuple[Offer, bool]:
        try:
            price = to_minor_units(record.price, currency)
            compare_at = None if record.compare_at_price is None else to_minor_units(record.compare_at_price, currency)
        except ValueError as error:
            raise RecordRejectedError(str(error)) from None
        values: dict[str, Any] = {
            "price": price,
            "compare_at_price": compare_at,
            "currency": currency,
            "stock": record.stock,
            "track_inventory": record.track_inventory,
            "condition": record.condition,
            "handling_days": record.handling_days,
            "active": record.active,
        }
        if offer is None:
            offer = Offer(
                variant_id=variant_id, product_id=product_id, seller_id=seller_id, updated_at=self.now, **values
            )
            self.session.add(offer)
            self.session.flush()
            assert offer.id is not None
            self.session.add(PriceHistory(offer_id=offer.id, price=price, valid_from=self.now))
            self.counts.offers_created += 1
            return offer, True
        assert offer.id is not None
        if offer.price != price:
            self.session.add(PriceHistory(offer_id=offer.id, price=price, valid_from=self.now))
            self.counts.price_changes += 1
        changed = False
        for name, value in values.items():
            if getattr(offer, name) != value:
                setattr(offer, name, value)
                changed = True
        if changed:
            offer.updated_at = self.now
            self.session.add(offer)
            self.counts.offers_updated += 1
        return offer, changed


def _derived_sku(handle: str, options: dict[str, str]) -> str:
    """A stable SKU for a variant imported without one: its handle and a digest of its options."""
    digest = hashlib.sha256(json.dumps(sorted(options_key(options))).encode()).hexdigest()[:10]
    return f"{handle[:240]}:{digest}"
