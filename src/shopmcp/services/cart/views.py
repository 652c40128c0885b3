"""Public views of a priced cart: its lines, shipments and coupon as agents read them, and the whole cart."""

from collections.abc import Sequence

from shopmcp.core.money import money
from shopmcp.models.cart_public import (
    CartLineView,
    CartView,
    CouponView,
    DeliveryDays,
    Notice,
    SellerRef,
    SellerShipment,
)
from shopmcp.services.cart.priced import PricedCart
from shopmcp.services.cart.snapshot import Snapshot, SnapshotShipment, build_snapshot


def line_views(snapshot: Snapshot) -> list[CartLineView]:
    currency = snapshot.currency
    return [
        CartLineView(
            line_id=line.line_id,
            product_id=line.product_id,
            product_title=line.product_title,
            variant_id=line.variant_id,
            variant_title=line.variant_title,
            options=line.options,
            offer_id=line.offer_id,
            seller=SellerRef(id=line.seller_id, name=line.seller_name),
            unit_price=money(line.unit_price, currency),
            quantity=line.quantity,
            subtotal=money(line.subtotal, currency),
            discount=money(line.discount, currency),
            tax=money(line.tax, currency),
            total=money(line.total, currency),
            available_quantity=line.available_quantity,
            issue=line.issue,
        )
        for line in snapshot.lines
    ]


def shipment_views(shipments: Sequence[SnapshotShipment], currency: str) -> list[SellerShipment]:
    return [
        SellerShipment(
            seller=SellerRef(id=shipment.seller_id, name=shipment.seller_name),
            method=shipment.method,
            cost=money(shipment.shipping, currency),
            tax=money(shipment.tax, currency),
            free_shipping=shipment.free,
            free_shipping_over=money(shipment.free_over, currency) if shipment.free_over is not None else None,
            delivery_days=(
                DeliveryDays(min=shipment.min_days, max=shipment.max_days)
                if shipment.min_days is not None and shipment.max_days is not None
                else None
            ),
        )
        for shipment in shipments
    ]


def coupon_view(snapshot: Snapshot) -> CouponView | None:
    coupon = snapshot.coupon
    if coupon is None:
        return None
    return CouponView(
        code=coupon.code,
        description=coupon.description,
        applied=coupon.applied,
        discount=money(coupon.discount, snapshot.currency),
        note=coupon.note,
    )


def cart_view(priced: PricedCart, notices: list[Notice]) -> CartView:
    snapshot = build_snapshot(priced)
    currency = priced.currency
    return CartView(
        session_id=priced.session_id,
        lines=line_views(snapshot),
        item_count=sum(line.quantity for line in snapshot.lines if line.issue in (None, "insufficient_stock")),
        coupon=coupon_view(snapshot),
        subtotal=money(snapshot.subtotal, currency),
        discount=money(snapshot.discount, currency),
        estimated_shipping=money(snapshot.shipping, currency),
        estimated_tax=money(snapshot.tax, currency),
        total=money(snapshot.total, currency),
        shipping_method=priced.method,
        tax_destination=priced.destination.label if priced.destination else None,
        shipments=shipment_views(snapshot.shipments, currency),
        messages=notices + priced.notices,
    )
