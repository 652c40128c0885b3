"""The money rules, pure (no database): coupon discounts, shipping, tax, and how they add up.

`rules` prices lines, shipments and a coupon in integer minor units; `tax` holds the rates by
destination and names a cart's destination. The one path from a session's cart to these rules is
`services.cart.priced.price_session_cart`.
"""

from shopmcp.services.pricing.rules import (
    BASIS_POINTS,
    Breakdown,
    CouponOutcome,
    CouponStatus,
    CouponTerms,
    LineInput,
    ShippingTerms,
    TaxTerms,
    allocate,
    apply_rate,
    price_cart,
)
from shopmcp.services.pricing.tax import PACKAGED_TABLE, Destination, TaxTable, destination_of, load_tax_table

__all__ = [
    "BASIS_POINTS",
    "PACKAGED_TABLE",
    "Breakdown",
    "CouponOutcome",
    "CouponStatus",
    "CouponTerms",
    "Destination",
    "LineInput",
    "ShippingTerms",
    "TaxTable",
    "TaxTerms",
    "allocate",
    "apply_rate",
    "destination_of",
    "load_tax_table",
    "price_cart",
]
