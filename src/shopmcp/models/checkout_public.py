"""Public schemas of checkout: the shipping address an agent gives, and the quote it gets back."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shopmcp.core.money import Money
from shopmcp.models.cart_public import CartLineView, CouponView, Notice, SellerShipment


class ShippingAddress(BaseModel):
    """US and CA addresses need region and postal_code."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="Recipient.")
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100, description="A code (CA, ON) or name.")
    postal_code: str | None = Field(default=None, max_length=20)
    country: str = Field(min_length=2, max_length=60, description='ISO alpha-2, e.g. "US".')


class Quote(BaseModel):
    """A priced checkout of the cart. Show the person the total; place_order(quote_id, ...) buys exactly this."""

    quote_id: str = Field(description="Pass to place_order.")
    session_id: str
    expires_at: datetime = Field(description="After this, place_order answers quote_expired; preview again.")
    lines: list[CartLineView]
    shipments: list[SellerShipment] = Field(description="One per seller: method, cost, tax and delivery days.")
    coupon: CouponView | None
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    total: Money = Field(description="What the person pays.")
    shipping_address: ShippingAddress = Field(description="The address as it will be used, normalized.")
    shipping_method: str
    payment_method: str
    messages: list[Notice] = Field(default_factory=list, description="Things the person should know before buying.")
