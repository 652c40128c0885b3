"""Writing an imported product: create it, or update it in place, never a duplicate.

Keys: a product by its handle; a variant by its SKU, else by its options
within the product; an offer by (variant, seller). A changed price appends
a price history point. For each seller a record names, the record is that
seller's whole offer on the product: offers of that seller on the product's
other variants are deactivated (not deleted: orders may point at them).
Offers of sellers the record does not name are left alone.

New variants, options, offers and price points go in as one statement each
per product (`INSERT ... RETURNING` in parameter order); rows that exist are
updated through the ORM and flushed once.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from shopmcp.models.catalog import Offer, PriceHistory, Product, Variant, VariantOption
from shopmcp.services.catalog.aggregates import refresh_products
from shopmcp.services.catalog.refs import Refs
from shopmcp.services.ingest.importers.records import (
    OfferRecord,
    ProductRecord,
    VariantRecord,
    options_key,
    to_minor_units,
)

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
class _Plan:
    """What one record does to its product's variants and offers, before anything is written."""

    variants: list[Variant | None] = field(default_factory=list)
    """Per record variant: the existing variant it updates, or None for a new one."""
    changed: bool = False


@dataclass
class ProductWriter:
    """Applies records within one transaction (see the module docstring for the rules)."""

    tx: Session
    refs: Refs
    currency: str
    default_seller: str
    now: datetime
    counts: WriteCounts = field(default_factory=WriteCounts)
    written: list[int] = field(default_factory=list)
    """Products applied, for `embed`."""

    def apply(self, record: ProductRecord) -> Outcome:
        """Create or update the product of `record` with its variants and offers, and refresh its aggregates.

        Raises:
            RecordRejectedError: the record conflicts with the catalog; nothing of it should be kept.
        """
        currency = self._currency(record)
        sellers = [
            [self.refs.seller_id(offer.seller or self.default_seller) for offer in variant.offers]
            for variant in record.variants
        ]
        product, created, changed = self._upsert_product(record, currency)
        assert product.id is not None
        existing = [] if created else list(self.tx.exec(select(Variant).where(Variant.product_id == product.id)))
        plan = self._match_variants(product, existing, record)
        variant_ids = self._write_variants(product, record, plan)
        changed |= plan.changed
        changed |= self._write_offers(product.id, record, variant_ids, sellers, currency, created=created)
        self.tx.flush()
        refresh_products(self.tx, [product.id])
        self.written.append(product.id)
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
        product = self.tx.exec(select(Product).where(Product.handle == record.handle)).first()
        if product is None:
            product = Product(handle=record.handle, **{"created_at": self.now, **values})
            self.tx.add(product)
            self.tx.flush()
            return product, True, True
        changed = False
        for name, value in values.items():
            if getattr(product, name) != value:
                setattr(product, name, value)
                changed = True
        return product, False, changed

    # --- variants -----------------------------------------------------------

    def _match_variants(self, product: Product, existing: list[Variant], record: ProductRecord) -> _Plan:
        """Find each record variant's existing variant (by SKU, else options) and check SKUs are free."""
        plan = _Plan()
        unmatched = list(existing)
        claimed: list[str] = []
        for variant_record in record.variants:
            key = options_key(variant_record.options)
            variant = next((v for v in unmatched if variant_record.sku and v.sku == variant_record.sku), None)
            variant = variant or next((v for v in unmatched if options_key(v.options) == key), None)
            if variant is not None:
                unmatched.remove(variant)
            if variant_record.sku and (variant is None or variant.sku != variant_record.sku):
                claimed.append(variant_record.sku)
            plan.variants.append(variant)
        if claimed:
            owners = self.tx.exec(
                select(Variant.sku, Product.handle)
                .join(Product, col(Product.id) == col(Variant.product_id))
                .where(col(Variant.sku).in_(claimed))
            ).all()
            for sku, handle in owners:
                if handle == product.handle:
                    raise RecordRejectedError(f"SKU {sku!r} is already another variant of this product")
                raise RecordRejectedError(f"SKU {sku!r} already belongs to product {handle!r}; SKUs must be unique")
        return plan

    def _write_variants(self, product: Product, record: ProductRecord, plan: _Plan) -> list[int]:
        """Insert the new variants and update the matched ones; returns every record variant's id, in order."""
        assert product.id is not None
        new_rows: list[dict[str, Any]] = []
        options_changed: list[Variant] = []
        for position, (variant, variant_record) in enumerate(zip(plan.variants, record.variants, strict=True)):
            values = _variant_values(product.handle, position, variant_record)
            if variant is None:
                new_rows.append({"product_id": product.id, **values})
                continue
            if variant_record.sku is None:
                del values["sku"]  # keep the SKU it was given
            for name, value in values.items():
                if getattr(variant, name) != value:
                    if name == "options":
                        options_changed.append(variant)
                    setattr(variant, name, value)
                    plan.changed = True
        new_ids = self._insert_returning_ids(Variant, new_rows)
        self.counts.variants_created += len(new_ids)
        plan.changed |= bool(new_ids)
        if options_changed:
            changed_ids = [variant.id for variant in options_changed]
            self.tx.execute(delete(VariantOption).where(col(VariantOption.variant_id).in_(changed_ids)))
        option_rows = [
            {"variant_id": variant_id, "product_id": product.id, "name": name.lower(), "value": value}
            for variant_id, row in zip(new_ids, new_rows, strict=True)
            for name, value in row["options"].items()
        ]
        option_rows += [
            {"variant_id": v.id, "product_id": product.id, "name": name.lower(), "value": value}
            for v in options_changed
            for name, value in v.options.items()
        ]
        if option_rows:
            self.tx.flush()
            self.tx.execute(insert(VariantOption), option_rows)
        created = iter(new_ids)
        ids: list[int] = []
        for variant in plan.variants:
            if variant is None:
                ids.append(next(created))
            else:
                assert variant.id is not None
                ids.append(variant.id)
        return ids

    # --- offers -------------------------------------------------------------

    def _write_offers(
        self,
        product_id: int,
        record: ProductRecord,
        variant_ids: list[int],
        sellers: list[list[int]],
        currency: str,
        *,
        created: bool,
    ) -> bool:
        """Insert new offers, update existing ones, deactivate the named sellers' others; whether anything changed."""
        existing: dict[tuple[int, int], Offer] = {}
        if not created:
            offers = self.tx.exec(select(Offer).where(Offer.product_id == product_id))
            existing = {(offer.variant_id, offer.seller_id): offer for offer in offers}
        applied: set[tuple[int, int]] = set()
        new_rows: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        changed = False
        for variant_id, variant_record, seller_ids in zip(variant_ids, record.variants, sellers, strict=True):
            for offer_record, seller_id in zip(variant_record.offers, seller_ids, strict=True):
                key = (variant_id, seller_id)
                if key in applied:
                    seller = offer_record.seller or self.default_seller
                    raise RecordRejectedError(f"a variant lists seller {seller!r} twice")
                applied.add(key)
                values = _offer_values(offer_record, currency)
                offer = existing.get(key)
                if offer is None:
                    new_rows.append(
                        {"variant_id": variant_id, "product_id": product_id, "seller_id": seller_id, **values}
                    )
                elif self._update_offer(offer, values, history):
                    changed = True
        named_sellers = {seller_id for _, seller_id in applied}
        for key, offer in existing.items():
            if key not in applied and offer.seller_id in named_sellers and offer.active:
                offer.active, offer.updated_at = False, self.now
                self.counts.offers_deactivated += 1
                changed = True
        for row in new_rows:
            row["updated_at"] = self.now
        new_ids = self._insert_returning_ids(Offer, new_rows)
        history += [
            {"offer_id": offer_id, "price": row["price"], "valid_from": self.now}
            for offer_id, row in zip(new_ids, new_rows, strict=True)
        ]
        if history:
            self.tx.flush()
            self.tx.execute(insert(PriceHistory), history)
        self.counts.offers_created += len(new_ids)
        return changed or bool(new_ids)

    def _update_offer(self, offer: Offer, values: dict[str, Any], history: list[dict[str, Any]]) -> bool:
        if offer.price != values["price"]:
            history.append({"offer_id": offer.id, "price": values["price"], "valid_from": self.now})
            self.counts.price_changes += 1
        changed = False
        for name, value in values.items():
            if getattr(offer, name) != value:
                setattr(offer, name, value)
                changed = True
        if changed:
            offer.updated_at = self.now
            self.counts.offers_updated += 1
        return changed

    def _insert_returning_ids(self, model: type[Variant] | type[Offer], rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        self.tx.flush()
        statement = insert(model).returning(col(model.id), sort_by_parameter_order=True)
        return list(self.tx.execute(statement, rows).scalars())


def _variant_values(handle: str, position: int, record: VariantRecord) -> dict[str, Any]:
    return {
        "sku": record.sku or _derived_sku(handle, record.options),
        "title": " / ".join(record.options.values()) or "Default Title",
        "options": dict(record.options),
        "position": position,
    }


def _offer_values(record: OfferRecord, currency: str) -> dict[str, Any]:
    try:
        price = to_minor_units(record.price, currency)
        compare_at = None if record.compare_at_price is None else to_minor_units(record.compare_at_price, currency)
    except ValueError as error:
        raise RecordRejectedError(str(error)) from None
    return {
        "price": price,
        "compare_at_price": compare_at,
        "currency": currency,
        "stock": record.stock,
        "track_inventory": record.track_inventory,
        "condition": record.condition,
        "handling_days": record.handling_days,
        "active": record.active,
    }


def _derived_sku(handle: str, options: dict[str, str]) -> str:
    """A stable SKU for a variant imported without one: its handle and a digest of its options."""
    digest = hashlib.sha256(json.dumps(sorted(options_key(options))).encode()).hexdigest()[:10]
    return f"{handle[:240]}:{digest}"
