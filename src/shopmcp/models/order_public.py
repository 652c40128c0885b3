"""Public schemas of the order tools."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shopmcp.core.money import Money
from shopmcp.models.cart_public import SellerRef, SellerShipment
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.common import full_only
from shopmcp.models.safe_text import Name, TextList, Title

OrderStatusName = Literal[
    "placed",
    "processing",
    "shipped",
    "delivered",
    "cancelled",
    "return_requested",
    "exchange_requested",
    "items_modified",
]

CancelReason = Literal[
    "no_longer_needed",
    "changed_mind",
    "ordered_by_mistake",
    "found_better_price",
    "delivery_too_slow",
    "duplicate_order",
    "other",
]


class OrderLineView(BaseModel):
    product_id: int
    product_title: Title
    variant_id: int
    variant_title: Name
    offer_id: int
    seller: SellerRef | None = full_only()
    unit_price: Money | None = full_only("The price paid per unit, as quoted.")
    quantity: int
    subtotal: Money | None = full_only()
    discount: Money | None = full_only()
    tax: Money | None = full_only()
    total: Money
    options: dict[str, str] | None = Field(
        default=None, description="The variant's options (e.g. color, size), as bought where recorded."
    )


class Fulfilment(BaseModel):
    tracking_ids: list[str] = Field(description="The carrier's tracking ids.")
    carrier: str | None = None
    variant_ids: list[int] = Field(description="The variants of the lines this shipment carries.")


class AfterDeliveryRequest(BaseModel):
    """A delivered order's return or exchange request."""

    kind: Literal["return", "exchange"]
    variant_ids: list[int] = Field(description="The units sent back.")
    new_variant_ids: list[int] = Field(default_factory=list, description="Exchange: the units sent in their place.")
    payment_method: str = Field(description="The wallet method refunded (return) or settling the difference.")
    price_difference: Money | None = Field(default=None, description="Exchange: new prices less old; below 0 refunds.")


class PaymentEntry(BaseModel):
    kind: Literal["payment", "refund"]
    amount: Money
    payment_method: str = Field(description="A wallet payment method id, or a sandbox test method.")


class StatusChange(BaseModel):
    status: OrderStatusName
    at: datetime
    note: str = ""


class PaymentInfo(BaseModel):
    method: str
    charge_id: str
    refund_id: str | None = Field(default=None, description="Set once the order was cancelled and refunded.")


class OrderView(BaseModel):
    """An order, with every amount as charged."""

    order_id: str
    session_id: str
    status: OrderStatusName
    placed_at: datetime
    updated_at: datetime | None = full_only()
    lines: list[OrderLineView]
    shipments: list[SellerShipment] | None = full_only()
    coupon_code: str | None
    subtotal: Money | None = full_only()
    discount: Money | None = full_only()
    shipping: Money | None = full_only()
    tax: Money | None = full_only()
    total: Money = Field(description="What was charged.")
    shipping_address: ShippingAddress | None = full_only()
    shipping_method: str
    payment: PaymentInfo | None = full_only()
    cancellable: bool = Field(description="Whether cancel_order can still cancel it (not shipped yet).")
    cancel_reason: CancelReason | None = None
    history: list[StatusChange] | None = full_only("Every status the order went through, oldest first.")
    fulfilments: list[Fulfilment] | None = Field(
        default_factory=list, exclude_if=lambda value: value is None, description="Shipments with tracking ids."
    )
    payment_history: list[PaymentEntry] | None = Field(
        default_factory=list,
        exclude_if=lambda value: value is None,
        description="Payments and refunds, oldest first.",
    )
    after_delivery: AfterDeliveryRequest | None = Field(default=None, description="A return or exchange requested.")


class OrderSummary(BaseModel):
    order_id: str
    status: OrderStatusName
    placed_at: datetime
    item_count: int
    total: Money
    titles: TextList | None = full_only("Product titles of the first few lines.")


class OrderList(BaseModel):
    session_id: str
    orders: list[OrderSummary] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")
