"""SQLModel tables and the public result schemas.

Importing this package registers every table on `SQLModel.metadata`, which
Alembic and the test fixtures rely on.
"""

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

__all__ = [
    "Brand",
    "Category",
    "Offer",
    "PriceHistory",
    "Product",
    "Seller",
    "ShippingRate",
    "Variant",
    "VariantOption",
]
