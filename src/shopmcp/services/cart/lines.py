"""A session's cart lines, loaded with what their price and availability depend on.

Each line comes with its offer, variant, product and seller and the offer's stock as the session sees it
(`services.stock`); `issue` says whether it can be bought as it is: not for sale any more
(`services.catalog.for_sale`), out of stock, or short of stock.
"""

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from shopmcp.models.cart import CartLine
from shopmcp.models.catalog import Offer, Product, Seller, Variant
from shopmcp.services import stock
from shopmcp.services.catalog.for_sale import is_for_sale

LineIssue = Literal["insufficient_stock", "out_of_stock", "unavailable"]


@dataclass(frozen=True)
class LoadedLine:
    line: CartLine
    offer: Offer
    variant: Variant
    product: Product
    seller: Seller
    left: int
    """Units of the offer left for this session (`services.stock`)."""

    @property
    def line_id(self) -> int:
        assert self.line.id is not None
        return self.line.id

    @property
    def available_quantity(self) -> int | None:
        """Units that can be bought now; None when the offer is made to order."""
        return stock.known_units(self.offer, self.left)

    @property
    def issue(self) -> LineIssue | None:
        if not self.offer.active or not is_for_sale(self.product):
            return "unavailable"
        return stock.shortfall(self.available_quantity, self.line.quantity)

    @property
    def priced(self) -> bool:
        """Whether the line counts in the totals: everything that can be bought at all."""
        return self.issue in (None, "insufficient_stock")


def load_lines(tx: Session, session_id: str) -> list[LoadedLine]:
    """The session's cart lines, oldest first, each with its offer, variant, product and seller."""
    rows = tx.execute(
        sa_select(CartLine, Offer, Variant, Product, Seller, stock.stock_column(tx, session_id))
        .join(Offer, col(Offer.id) == CartLine.offer_id)
        .join(Variant, col(Variant.id) == Offer.variant_id)
        .join(Product, col(Product.id) == Offer.product_id)
        .join(Seller, col(Seller.id) == Offer.seller_id)
        .where(col(CartLine.session_id) == session_id)
        .order_by(col(CartLine.id))
    ).all()
    return [LoadedLine(*row) for row in rows]
