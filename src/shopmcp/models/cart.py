"""Cart tables: the lines of a session's cart, coupons and their redemptions.

Money columns are integer minor units; a coupon's `value` is basis points for
a percent coupon (1000 = 10%) and minor units of `currency` for a fixed one.
"""

from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shopmcp.models.types import UTCDateTime, utcnow

CouponKind = Literal["percent", "fixed"]

MAX_LINE_QUANTITY = 999
"""The most units of one offer a cart line may hold."""

MAX_CART_LINES = 100
"""The most lines a cart may hold."""


class Coupon(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed')", name="coupon_kind"),
        CheckConstraint("value > 0", name="coupon_value_positive"),
        CheckConstraint("kind <> 'percent' OR value <= 10000", name="coupon_percent_max"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True, description="Upper case; matched case-insensitively.")
    description: str = Field(default="", max_length=500)
    kind: str = Field(max_length=10)
    value: int = Field(description="Basis points for `percent` (1000 = 10%), minor units for `fixed`.")
    currency: str = Field(max_length=3)
    min_subtotal: int | None = Field(default=None, description="The eligible subtotal must reach this.")
    category_id: int | None = Field(
        default=None, foreign_key="category.id", description="Limits the coupon to this category and below."
    )
    once_per_session: bool = Field(default=False, description="Usable for one order per shopping session.")
    active: bool = Field(default=True)
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CartLine(SQLModel, table=True):
    """Some units of one offer in a session's cart; one line per offer, so adding it again merges."""

    __tablename__ = "cart_line"
    __table_args__ = (
        UniqueConstraint("session_id", "offer_id", name="uq_cart_line_offer"),
        CheckConstraint(f"quantity > 0 AND quantity <= {MAX_LINE_QUANTITY}", name="cart_line_quantity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(
        sa_column=Column(String(64), ForeignKey("shopping_session.id", ondelete="CASCADE"), nullable=False)
    )
    # A deleted offer leaves the carts it was in; a deactivated one stays and is reported.
    offer_id: int = Field(sa_column=Column(ForeignKey("offer.id", ondelete="CASCADE"), nullable=False, index=True))
    quantity: int
    price_at_add: int = Field(description="The unit price the agent last saw, to report changes.")
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CouponRedemption(SQLModel, table=True):
    """A coupon used by an order; enforces `once_per_session`."""

    __tablename__ = "coupon_redemption"
    __table_args__ = (Index("ix_coupon_redemption_lookup", "coupon_id", "session_id"),)

    id: int | None = Field(default=None, primary_key=True)
    coupon_id: int = Field(foreign_key="coupon.id")
    session_id: str = Field(foreign_key="shopping_session.id", max_length=64)
    order_id: str = Field(foreign_key="customer_order.id", max_length=64, index=True)
    redeemed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
