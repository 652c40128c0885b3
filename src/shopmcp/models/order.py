"""Checkout tables: quotes, orders, their lines and status history, and idempotency records.

An order copies every price from the quote it was placed from (never
re-derived later), and keeps catalog ids without foreign keys on its lines:
it is history, and must survive catalog changes.
"""

from datetime import datetime
from typing import Any, get_args

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from shopmcp.models.order_public import OrderStatusName
from shopmcp.models.types import PortableJSON, UTCDateTime, utcnow

ORDER_STATUSES: tuple[str, ...] = get_args(OrderStatusName)
"""The statuses the table allows: those the tools name (their one list is `OrderStatusName`)."""
_STATUS_LIST = ", ".join(f"'{status}'" for status in ORDER_STATUSES)


class StoredQuote(SQLModel, table=True):
    """A priced checkout of a session's cart, valid until `expires_at`; place_order turns it into an order.

    The public shape an agent reads is `models.checkout_public.Quote`.
    """

    __tablename__ = "quote"

    id: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(foreign_key="shopping_session.id", max_length=64, index=True)
    currency: str = Field(max_length=3)
    total: int
    priced: dict[str, Any] = Field(
        sa_type=PortableJSON, description="The priced cart (`services.cart.snapshot.Snapshot`)."
    )
    shipping_address: dict[str, Any] = Field(sa_type=PortableJSON)
    shipping_method: str = Field(max_length=20)
    payment_method: str = Field(max_length=100)
    coupon_id: int | None = Field(default=None, foreign_key="coupon.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    order_id: str | None = Field(default=None, max_length=64, description="Set once the quote is placed.")


class Order(SQLModel, table=True):
    __tablename__ = "customer_order"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="customer_order_status"),
        CheckConstraint(
            "subtotal >= 0 AND discount_total >= 0 AND shipping_total >= 0 AND tax_total >= 0 AND total >= 0",
            name="customer_order_amounts_nonneg",
        ),
        Index("ix_customer_order_session_placed", "session_id", "placed_at", "id"),
        Index("ix_customer_order_session_status_placed", "session_id", "status", "placed_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(foreign_key="shopping_session.id", max_length=64)
    quote_id: str | None = Field(
        default=None,
        foreign_key="quote.id",
        max_length=64,
        unique=True,
        description="The quote it was placed from; NULL for an order imported from another store's data.",
    )
    status: str = Field(max_length=20)
    currency: str = Field(max_length=3)
    subtotal: int
    discount_total: int
    shipping_total: int
    tax_total: int
    total: int
    coupon_code: str | None = Field(default=None, max_length=50)
    shipments: list[dict[str, Any]] = Field(sa_type=PortableJSON, description="Per seller: method, cost, tax, days.")
    shipping_address: dict[str, Any] = Field(sa_type=PortableJSON)
    shipping_method: str = Field(max_length=20)
    payment_method: str = Field(max_length=100)
    payment_id: str = Field(max_length=200, description="The payment provider's charge id.")
    refund_id: str | None = Field(default=None, max_length=200)
    cancel_reason: str | None = Field(default=None, max_length=50)
    after_delivery: dict[str, Any] | None = Field(
        default=None,
        sa_type=PortableJSON,
        description="A delivered order's return or exchange request: kind, variant_ids, new_variant_ids, "
        "payment_method_id, price_difference (minor units).",
    )
    placed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    __table_args__ = (UniqueConstraint("order_id", "position", name="uq_order_line_position"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="customer_order.id", max_length=64)
    position: int
    offer_id: int
    product_id: int
    variant_id: int
    seller_id: int
    product_title: str = Field(max_length=500)
    variant_title: str = Field(max_length=500)
    seller_name: str = Field(max_length=200)
    unit_price: int
    quantity: int
    subtotal: int
    discount: int
    tax: int
    total: int
    stock_decremented: bool = Field(description="Whether placing took units from stock, so cancelling returns them.")
    options: list[list[str]] | None = Field(
        default=None,
        sa_type=PortableJSON,
        description="The variant's options when bought, as [name, value] pairs in their order; NULL before 0005.",
    )


class OrderStatusChange(SQLModel, table=True):
    """One step of an order's history, written by `services.orders.status.change_status` only."""

    __tablename__ = "order_status_change"

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="customer_order.id", max_length=64, index=True)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    note: str = Field(default="", max_length=500)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrderFulfilment(SQLModel, table=True):
    """One shipment of an order's lines, with the carrier's tracking ids."""

    __tablename__ = "order_fulfilment"
    __table_args__ = (UniqueConstraint("order_id", "position", name="uq_order_fulfilment_position"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="customer_order.id", max_length=64)
    position: int
    tracking_ids: list[str] = Field(sa_type=PortableJSON)
    carrier: str | None = Field(default=None, max_length=50, description="NULL for a shipment imported without one.")
    variant_ids: list[int] = Field(sa_type=PortableJSON, description="The variants of the lines it carries.")


class OrderPayment(SQLModel, table=True):
    """One entry of an order's payment history: a payment or a refund, to a payment method."""

    __tablename__ = "order_payment"
    __table_args__ = (
        UniqueConstraint("order_id", "position", name="uq_order_payment_position"),
        CheckConstraint("kind IN ('payment', 'refund')", name="order_payment_kind"),
        CheckConstraint("amount >= 0", name="order_payment_amount_nonneg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="customer_order.id", max_length=64)
    position: int
    kind: str = Field(max_length=10)
    amount: int = Field(description="Minor units of the order's currency.")
    payment_method_id: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IdempotencyRecord(SQLModel, table=True):
    """The order an idempotency key placed, written in the same transaction as the order."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("session_id", "key", name="uq_idempotency_record_key"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="shopping_session.id", max_length=64)
    key: str = Field(max_length=200)
    quote_id: str = Field(foreign_key="quote.id", max_length=64)
    order_id: str = Field(foreign_key="customer_order.id", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
