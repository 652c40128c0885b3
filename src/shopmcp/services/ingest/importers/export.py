"""The catalog as `ProductRecord`s, so it can be written out in the import format and read back in."""

from collections.abc import Iterator
from itertools import groupby

from sqlmodel import Session, col, select

from shopmcp.models.catalog import Brand, Category, Offer, Product, Seller, Variant
from shopmcp.services.ingest.importers.records import OfferRecord, ProductRecord, VariantRecord

BATCH_PRODUCTS = 500


def export_records(tx: Session) -> Iterator[ProductRecord]:
    """Every product with its variants and offers, by id; prices in minor units with their currency."""
    brands = dict(tx.exec(select(Brand.id, Brand.name)).all())
    categories = dict(tx.exec(select(Category.id, Category.path)).all())
    sellers = dict(tx.exec(select(Seller.id, Seller.name)).all())
    after = 0
    while True:
        products = tx.exec(
            select(Product).where(col(Product.id) > after).order_by(col(Product.id)).limit(BATCH_PRODUCTS)
        ).all()
        if not products:
            return
        ids = [product.id for product in products]
        variants = tx.exec(
            select(Variant)
            .where(col(Variant.product_id).in_(ids))
            .order_by(col(Variant.product_id), col(Variant.position), col(Variant.id))
        ).all()
        offers = tx.exec(
            select(Offer).where(col(Offer.product_id).in_(ids)).order_by(col(Offer.variant_id), col(Offer.id))
        ).all()
        offers_of = {key: list(group) for key, group in groupby(offers, key=lambda offer: offer.variant_id)}
        variants_of = {key: list(group) for key, group in groupby(variants, key=lambda variant: variant.product_id)}
        for product in products:
            yield ProductRecord(
                handle=product.handle,
                title=product.title,
                description=product.description,
                brand=brands.get(product.brand_id) if product.brand_id else None,
                category=categories.get(product.category_id) if product.category_id else None,
                status=product.status,
                attributes=product.attributes,
                tags=product.tags,
                image_url=product.image_url,
                rating=product.rating,
                review_count=product.review_count,
                created_at=product.created_at,
                variants=[
                    VariantRecord(
                        sku=variant.sku,
                        options=variant.options,
                        offers=[
                            OfferRecord(
                                seller=sellers[offer.seller_id],
                                price=offer.price,
                                compare_at_price=offer.compare_at_price,
                                currency=offer.currency,
                                stock=offer.stock,
                                track_inventory=offer.track_inventory,
                                condition=offer.condition,
                                handling_days=offer.handling_days,
                                active=offer.active,
                            )
                            for offer in offers_of.get(variant.id, [])
                        ],
                    )
                    for variant in variants_of.get(product.id, [])
                ],
            )
        after = products[-1].id or after
