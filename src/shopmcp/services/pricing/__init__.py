"""The money rules, pure (no database): coupon discounts, shipping, tax, and how they add up.

`rules` prices lines, shipments and a coupon in integer minor units (`price_cart`); `tax` holds
the rates by destination and names a cart's destination. The one path from a session's cart to
these rules is `services.cart.priced.price_session_cart`.
"""

from shopmcp.services.pricing.rules import price_cart
from shopmcp.services.pricing.tax import TaxTable, destination_of, load_tax_table

__all__ = ["TaxTable", "destination_of", "load_tax_table", "price_cart"]
