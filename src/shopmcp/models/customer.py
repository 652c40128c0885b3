"""Customer tables: who a shopping session's person is, their saved addresses and their wallet.

A customer belongs to exactly one shopping session, its home (docs/architecture.md, "Who is
calling"): a principal's default session holds the principal's customer; a session made by
new_session (a harness episode) is a customer of its own. So a customer's orders are its home
session's orders, and no session ever reaches another session's account or orders.
"""

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from shopmcp.models.types import UTCDateTime, utcnow

CustomerKind = Literal["principal", "episode"]
WalletKind = Literal["credit_card", "paypal", "gift_card"]
_WALLET_KINDS = ", ".join(f"'{kind}'" for kind in get_args(WalletKind))
_CUSTOMER_KINDS = ", ".join(f"'{kind}'" for kind in get_args(CustomerKind))


class Customer(SQLModel, table=True):
    """A person's account: profile and the session it lives in."""

    # find_customer's look-ups, in any letter case. Expression indexes rather than stored lower-case
    # columns: both backends index lower(...) and use it for a query written the same way, and no write
    # path (profile edits, store import) has a second column to keep in step. The query must spell the
    # expression as here (services/customers/lookup.py).
    __table_args__ = (
        CheckConstraint(f"kind IN ({_CUSTOMER_KINDS})", name="customer_kind"),
        Index("ix_customer_email_lower", text("lower(email)")),
        Index("ix_customer_name_lower", text("lower(last_name)"), text("lower(first_name)")),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(
        foreign_key="shopping_session.id", max_length=64, unique=True, description="The customer's home session."
    )
    principal: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=20, description="`principal` (a default session) or `episode` (a new_session).")
    external_id: str | None = Field(
        default=None, max_length=64, unique=True, description="The id an imported store gave (tau2's user_id)."
    )
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerAddress(SQLModel, table=True):
    """A saved address; at most one of a customer's is the default (kept so by `services.customers`)."""

    __tablename__ = "customer_address"
    __table_args__ = (UniqueConstraint("customer_id", "position", name="uq_customer_address_position"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    position: int
    name: str | None = Field(default=None, max_length=100)
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str = Field(max_length=60, description="As saved: an ISO code, or an imported store's own text.")
    is_default: bool = Field(default=False)


class WalletMethod(SQLModel, table=True):
    """A payment method in a customer's wallet (sandbox only: no real card data is ever held).

    Its id is what preview_checkout and the order tools take as a payment method.
    """

    __tablename__ = "wallet_method"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_WALLET_KINDS})", name="wallet_method_kind"),
        CheckConstraint("balance IS NULL OR balance >= 0", name="wallet_method_balance_nonneg"),
        CheckConstraint("kind != 'gift_card' OR balance IS NOT NULL", name="wallet_method_gift_card_balance"),
        Index("ix_wallet_method_customer_position", "customer_id", "position"),
    )

    id: str = Field(primary_key=True, max_length=64)
    customer_id: int = Field(foreign_key="customer.id")
    position: int
    kind: str = Field(max_length=20)
    brand: str | None = Field(default=None, max_length=30, description="Credit cards: visa, mastercard, ...")
    last_four: str | None = Field(default=None, max_length=4, description="Credit cards: the last four digits.")
    balance: int | None = Field(default=None, description="Gift cards: minor units of `currency`.")
    currency: str = Field(default="USD", max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
