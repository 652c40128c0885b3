"""SQLModel tables and the public result schemas.

Importing this package registers every table on `SQLModel.metadata`, which
Alembic and the test fixtures rely on.
"""

from shopmcp.models.cart import CartLine, Coupon, CouponRedemption
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
from shopmcp.models.customer import Customer, CustomerAddress, WalletMethod
from shopmcp.models.external import ExternalRef
from shopmcp.models.harness import HarnessCounter, SessionStock
from shopmcp.models.order import (
    IdempotencyRecord,
    Order,
    OrderFulfilment,
    OrderLine,
    OrderPayment,
    OrderStatusChange,
    StoredQuote,
)
from shopmcp.models.search import SearchSynonym
from shopmcp.models.shopping_session import ShoppingSession

__all__ = [
    "Brand",
    "CartLine",
    "Category",
    "Coupon",
    "CouponRedemption",
    "Customer",
    "CustomerAddress",
    "ExternalRef",
    "HarnessCounter",
    "IdempotencyRecord",
    "Offer",
    "Order",
    "OrderFulfilment",
    "OrderLine",
    "OrderPayment",
    "OrderStatusChange",
    "PriceHistory",
    "Product",
    "SearchSynonym",
    "Seller",
    "SessionStock",
    "ShippingRate",
    "ShoppingSession",
    "StoredQuote",
    "Variant",
    "VariantOption",
    "WalletMethod",
]
