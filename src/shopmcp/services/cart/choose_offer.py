"""Which offer add_to_cart means: by offer, by variant (the cheapest in stock), or by product."""

from collections.abc import Sequence

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, ShopError, invalid_input, not_found
from shopmcp.core.money import money
from shopmcp.models.catalog import Offer, Product, Variant
from shopmcp.services import stock
from shopmcp.services.catalog.for_sale import is_for_sale

_VARIANT_CHOICES_SHOWN = 25


def choose_offer(
    tx: Session,
    session_id: str,
    *,
    product_id: int | None,
    variant_id: int | None,
    offer_id: int | None,
    quantity: int = 1,
) -> tuple[Offer, Product]:
    """The offer add_to_cart means, and its product.

    - `offer_id`: that offer (it must be active; `product_id`/`variant_id`, if also given, must match it);
    - `variant_id`: the variant's cheapest offer with `quantity` in stock, else its cheapest offer in stock;
    - `product_id`: when the product has one variant for sale, that variant's offer as above; when
      it has several (sizes, colours), the choice is the person's: `variant_required`, with the variants.
    """
    if offer_id is not None:
        return _offer_by_id(tx, session_id, offer_id, product_id=product_id, variant_id=variant_id)
    if variant_id is not None:
        variant = tx.get(Variant, variant_id)
        product = tx.get(Product, variant.product_id) if variant else None
        if variant is None or product is None or not is_for_sale(product):
            raise not_found("variant", variant_id, "Call get_product to see the variant ids of a product.")
        if product_id is not None and product_id != product.id:
            raise invalid_input(f"Variant {variant_id} belongs to product {product.id}, not {product_id}.")
        return _cheapest_in_stock(tx, session_id, product, variant_ids=[variant_id], quantity=quantity), product
    if product_id is None:
        raise invalid_input("Give product_id, variant_id or offer_id to say what to add.")
    product = tx.get(Product, product_id)
    if product is None or not is_for_sale(product):
        raise not_found("product", product_id, "Call search_products to find a product id.")
    return _offer_of_product(tx, session_id, product, quantity), product


def _offer_by_id(
    tx: Session, session_id: str, offer_id: int, *, product_id: int | None, variant_id: int | None
) -> tuple[Offer, Product]:
    offer = tx.get(Offer, offer_id)
    product = tx.get(Product, offer.product_id) if offer else None
    if offer is None or product is None or not is_for_sale(product):
        raise not_found("offer", offer_id, "Call get_product or compare_prices to see a product's offers.")
    if (product_id is not None and product_id != offer.product_id) or (
        variant_id is not None and variant_id != offer.variant_id
    ):
        raise invalid_input(
            f"Offer {offer_id} is for product {offer.product_id}, variant {offer.variant_id}; "
            "give only offer_id, or ids that match it."
        )
    if not offer.active:
        raise ShopError(
            ErrorCode.OUT_OF_STOCK,
            f"Offer {offer_id} is no longer sold. Call compare_prices to see current offers.",
            details={"offer_id": offer_id, "product_id": product.id},
        )
    stock.require_some(tx, session_id, offer, product)
    return offer, product


def _offer_of_product(tx: Session, session_id: str, product: Product, quantity: int) -> Offer:
    variants = tx.exec(
        select(Variant)
        .where(Variant.product_id == product.id)
        .where(select(Offer.id).where(col(Offer.variant_id) == Variant.id, col(Offer.active)).exists())
        .order_by(col(Variant.position), col(Variant.id))
    ).all()
    if len(variants) > 1:
        raise _variant_required(tx, session_id, product, variants)
    ids = [variant.id for variant in variants if variant.id is not None]
    return _cheapest_in_stock(tx, session_id, product, variant_ids=ids, quantity=quantity)


def _cheapest_in_stock(
    tx: Session, session_id: str, product: Product, *, variant_ids: list[int], quantity: int
) -> Offer:
    """The cheapest active offer that has `quantity` in the session's stock, else the cheapest with any."""
    left = stock.stock_column(tx, session_id)
    offer = tx.exec(
        select(Offer)
        .where(col(Offer.variant_id).in_(variant_ids), col(Offer.active))
        .where(stock.can_sell(left))
        .order_by(case((stock.covers(left, quantity), 0), else_=1), col(Offer.price), col(Offer.id))
        .limit(1)
    ).first()
    if offer is None:
        raise ShopError(
            ErrorCode.OUT_OF_STOCK,
            f"{product.title} is out of stock at every seller. Call search_products for alternatives.",
            details={"product_id": product.id},
        )
    return offer


def _variant_required(tx: Session, session_id: str, product: Product, variants: Sequence[Variant]) -> ShopError:
    shown = variants[:_VARIANT_CHOICES_SHOWN]
    sellable = stock.can_sell(stock.stock_column(tx, session_id))
    ids = [v.id for v in shown]
    stats = {
        variant_id: (low, buyable)
        for variant_id, low, buyable in tx.exec(
            select(
                Offer.variant_id,
                func.min(Offer.price),
                func.max(case((sellable, 1), else_=0)),
            )
            .where(col(Offer.variant_id).in_(ids), col(Offer.active))
            .group_by(col(Offer.variant_id))
        ).all()
    }
    choices = [
        {
            "variant_id": v.id,
            "title": v.title,
            "options": v.options,
            "lowest_price": money(stats[v.id][0], product.currency).model_dump() if v.id in stats else None,
            "in_stock": bool(stats[v.id][1]) if v.id in stats else False,
        }
        for v in shown
    ]
    return ShopError(
        ErrorCode.VARIANT_REQUIRED,
        f"{product.title} comes in {len(variants)} variants ("
        + ", ".join(v.title for v in shown[:5])
        + (", ..." if len(variants) > 5 else "")
        + "). Ask the person which one they want if it is not clear, then call add_to_cart with its variant_id.",
        details={"product_id": product.id, "variants": choices},
    )
