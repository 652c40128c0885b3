"""Reading the catalog: what is for sale, one product in full, prices compared, categories and brands.

`for_sale` is the one rule for what may be shown and sold; `product` (get_product), `compare`
(compare_prices), `taxonomy` (categories, brands, completion), `delivery` (shipping costs and
dates), `price_history` (30-day low and average); `refs` finds or creates categories, brands and
sellers for the importers and the generator, and `aggregates` keeps each product's offer
aggregates current.
"""

from shopmcp.services.catalog.compare import compare_prices
from shopmcp.services.catalog.product import FIND_PRODUCTS, get_product
from shopmcp.services.catalog.taxonomy import complete_brands, complete_categories, list_categories

__all__ = [
    "FIND_PRODUCTS",
    "compare_prices",
    "complete_brands",
    "complete_categories",
    "get_product",
    "list_categories",
]
