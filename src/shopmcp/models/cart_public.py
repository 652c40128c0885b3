"""Public schemas of the session and cart tools."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shopmcp.core.money import Money
from shopmcp.models.safe_text import Name, Options, Title

NoticeCode = Literal[
    "quantity_reduced",
    "quantity_capped",
    "insufficient_stock",
    "out_of_stock",
    "unavailable",
    "price_changed",
    "coupon_replaced",
    "coupon_not_applied",
    "coupon_expired",
    "session_created",
]


class Notice(BaseModel):
    """Something the agent should know that did not stop the call."""

    code: NoticeCode
    message: str
    line_id: int | None = Field(default=None, description="The cart line it is about, if any.")


class SessionInfo(BaseModel):
    session_id: str = Field(description="Pass as session_id to the cart, checkout and order tools.")
    created_at: datetime


class SellerRef(BaseModel):
    id: int
    name: Name


class CartLineView(BaseModel):
    line_id: int = Field(description="Pass to update_cart_item or remove_from_cart.")
    product_id: int
    product_title: Title
    variant_id: int
    variant_title: Name
    options: Options = Field(description='The variant\'s options, e.g. {"color": "Blue", "size": "M"}.')
    offer_id: int
    seller: SellerRef
    unit_price: Money
    quantity: int
    subtotal: Money = Field(description="unit_price x quantity.")
    discount: Money = Field(description="This line's share of the coupon discount.")
    tax: Money = Field(description="Tax on this line (zero until an address is known).")
    total: Money = Field(description="subtotal - discount + tax.")
    available_quantity: int | None = Field(
        description="Units in stock now; null when the seller makes to order (no stock limit)."
    )
    issue: Literal["insufficient_stock", "out_of_stock", "unavailable"] | None = Field(
        default=None,
        description="Why this line cannot be checked out as it is. Out-of-stock and unavailable lines "
        "(offer or product no longer sold) are left out of the totals.",
    )


class DeliveryDays(BaseModel):
    min: int
    max: int


class SellerShipment(BaseModel):
    seller: SellerRef
    method: str
    cost: Money
    tax: Money
    free_shipping: bool
    free_shipping_over: Money | None = Field(description="The seller ships free when its goods reach this.")
    delivery_days: DeliveryDays | None = Field(description="Business days after the seller ships.")


class CouponView(BaseModel):
    code: str
    description: str
    applied: bool = Field(description="False when the cart does not meet the coupon's terms right now.")
    discount: Money
    note: str | None = Field(default=None, description="Why it is not applied, when it is not.")


class CartView(BaseModel):
    """The whole cart, priced. Totals leave out lines that cannot be bought at all (out of stock, unavailable)."""

    session_id: str
    lines: list[CartLineView]
    item_count: int = Field(description="Units across the priced lines.")
    coupon: CouponView | None
    subtotal: Money
    discount: Money
    estimated_shipping: Money
    estimated_tax: Money
    total: Money
    shipping_method: str = Field(description="The method the shipping estimate uses.")
    tax_destination: str | None = Field(
        description='Where the tax estimate is for (e.g. "US-CA", from the last preview_checkout); '
        "null means tax is not included yet."
    )
    shipments: list[SellerShipment]
    messages: list[Notice] = Field(default_factory=list)
