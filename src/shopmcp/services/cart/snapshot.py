"""The priced cart as data: what a quote stores, what an order copies, what every view shows."""

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from shopmcp.services.cart import coupons
from shopmcp.services.cart.lines import LineIssue, LoadedLine
from shopmcp.services.cart.priced import PricedCart, coupon_note
from shopmcp.services.pricing.rules import (
    Breakdown,
    ShipmentPrice,
)


class SnapshotLine(BaseModel):
    line_id: int
    offer_id: int
    product_id: int
    variant_id: int
    seller_id: int
    product_title: str
    variant_title: str
    options: dict[str, str]
    seller_name: str
    unit_price: int
    quantity: int
    subtotal: int
    discount: int
    tax: int
    total: int
    track_inventory: bool
    available_quantity: int | None
    issue: LineIssue | None


class SnapshotShipment(BaseModel):
    seller_id: int
    seller_name: str
    method: str
    shipping: int
    tax: int
    free: bool
    free_over: int | None
    min_days: int | None
    max_days: int | None


class SnapshotCoupon(BaseModel):
    coupon_id: int
    code: str
    description: str
    applied: bool
    discount: int
    note: str | None


class Snapshot(BaseModel):
    """The exact priced cart: what a quote stores, what an order copies, what every view shows."""

    currency: str
    lines: list[SnapshotLine]
    shipments: list[SnapshotShipment]
    coupon: SnapshotCoupon | None
    subtotal: int
    discount: int
    shipping: int
    tax: int
    total: int

    def signature(self) -> dict[str, Any]:
        """What a buyer pays for, and nothing else: two snapshots with the same signature cost the same."""
        return {
            "currency": self.currency,
            "lines": sorted(
                (line.offer_id, line.quantity, line.unit_price, line.discount, line.tax)
                for line in self.lines
                if line.issue is None
            ),
            "shipments": sorted((s.seller_id, s.method, s.shipping, s.tax) for s in self.shipments),
            "coupon": self.coupon.code if self.coupon and self.coupon.applied else None,
            "total": self.total,
        }


def build_snapshot(priced: PricedCart) -> Snapshot:
    breakdown = priced.breakdown
    lines = [_snapshot_line(line, breakdown) for line in priced.lines]
    handling: dict[int, int] = defaultdict(int)
    seller_names: dict[int, str] = {}
    for line in priced.priced_lines:
        handling[line.offer.seller_id] = max(handling[line.offer.seller_id], line.offer.handling_days)
        seller_names[line.offer.seller_id] = line.seller.name
    shipments = [
        _snapshot_shipment(shipment.seller_id, seller_names[shipment.seller_id], priced, handling, shipment)
        for shipment in breakdown.shipments
    ]
    coupon = None
    if priced.coupon is not None and priced.coupon.id is not None:
        note = coupon_note(priced)
        coupon = SnapshotCoupon(
            coupon_id=priced.coupon.id,
            code=priced.coupon.code,
            description=coupons.describe(priced.coupon),
            applied=note is None,
            discount=breakdown.discount,
            note=note,
        )
    return Snapshot(
        currency=priced.currency,
        lines=lines,
        shipments=shipments,
        coupon=coupon,
        subtotal=breakdown.subtotal,
        discount=breakdown.discount,
        shipping=breakdown.shipping,
        tax=breakdown.tax,
        total=breakdown.total,
    )


def _snapshot_line(line: LoadedLine, breakdown: Breakdown) -> SnapshotLine:
    price = breakdown.line(line.line_id) if line.priced else None
    return SnapshotLine(
        line_id=line.line_id,
        offer_id=line.line.offer_id,
        product_id=line.offer.product_id,
        variant_id=line.offer.variant_id,
        seller_id=line.offer.seller_id,
        product_title=line.product.title,
        variant_title=line.variant.title,
        options=dict(line.variant.options),
        seller_name=line.seller.name,
        unit_price=line.offer.price,
        quantity=line.line.quantity,
        subtotal=price.subtotal if price else 0,
        discount=price.discount if price else 0,
        tax=price.tax if price else 0,
        total=price.total if price else 0,
        track_inventory=line.offer.track_inventory,
        available_quantity=line.available_quantity,
        issue=line.issue,
    )


def _snapshot_shipment(
    seller_id: int, seller_name: str, priced: PricedCart, handling: dict[int, int], shipment: ShipmentPrice
) -> SnapshotShipment:
    rate = priced.rates.get(seller_id)
    extra = handling[seller_id]
    return SnapshotShipment(
        seller_id=seller_id,
        seller_name=seller_name,
        method=rate.method if rate else priced.method,
        shipping=shipment.shipping,
        tax=shipment.tax,
        free=shipment.free,
        free_over=rate.free_over if rate else None,
        min_days=rate.min_days + extra if rate else None,
        max_days=rate.max_days + extra if rate else None,
    )
