"""The offer aggregates stored on `product` (see `models.catalog`), kept current by every writer of offers."""

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select, update
from sqlmodel import Session, col

from shopmcp.models.catalog import Offer, Product
from shopmcp.services import stock


def refresh_products(tx: Session, product_ids: Iterable[int] | None = None) -> None:
    """Recompute price range, offer count and availability of `product_ids` (default: every product).

    The price range is over offers in stock when there are any, else over all
    active offers, so a product shows what it can be bought for now.
    """
    active = and_(col(Offer.product_id) == Product.id, col(Offer.active))
    buyable = and_(active, stock.can_sell(col(Offer.stock)))

    def price(aggregate: Callable[[Any], ColumnElement[int]]) -> ColumnElement[int]:
        return func.coalesce(
            select(aggregate(Offer.price)).where(buyable).scalar_subquery(),
            select(aggregate(Offer.price)).where(active).scalar_subquery(),
        )

    statement = update(Product).values(
        min_price=price(func.min),
        max_price=price(func.max),
        offer_count=select(func.count()).where(active).scalar_subquery(),
        in_stock=exists().where(buyable),
    )
    if product_ids is not None:
        ids = sorted(set(product_ids))
        if not ids:
            return
        statement = statement.where(col(Product.id).in_(ids))
    tx.execute(statement.execution_options(synchronize_session=False))
