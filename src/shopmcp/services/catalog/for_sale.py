"""What is for sale: the one rule every reader of the catalog applies.

A product is for sale while its status (`ProductStatus`) is `active`; a draft or archived
product stays in the catalog, with its offers and history, but no tool finds, shows or sells it,
and a cart line of one becomes `unavailable`. Search and the category counts show only the
products for sale that some seller offers (`is_listed`).
"""

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from shopmcp.models.catalog import Product, ProductStatus

FOR_SALE: ProductStatus = "active"
"""The status of a product that may be shown and sold."""


def is_for_sale(product: Product) -> bool:
    """Whether `product` may be shown and sold."""
    return product.status == FOR_SALE


def for_sale() -> ColumnElement[bool]:
    """`is_for_sale` as a condition on `product` rows."""
    return col(Product.status) == FOR_SALE


def is_listed() -> ColumnElement[bool]:
    """What search and the category counts show: products for sale that some seller offers."""
    return and_(for_sale(), col(Product.min_price).is_not(None))
