"""Public schemas of the account tools: a customer's profile, saved addresses and wallet."""

from typing import Literal

from pydantic import BaseModel, Field

from shopmcp.core.money import Money
from shopmcp.models.safe_text import Name

CustomerKindName = Literal["principal", "episode"]
WalletKindName = Literal["credit_card", "paypal", "gift_card"]


class SavedAddress(BaseModel):
    address_id: int
    is_default: bool
    name: Name | None = None
    line1: str
    line2: str | None = None
    city: str
    region: str | None = None
    postal_code: str | None = None
    country: str


class WalletMethodView(BaseModel):
    payment_method_id: str = Field(description="Pass as payment_method to pay with it.")
    kind: WalletKindName
    brand: str | None = Field(default=None, description="Credit cards: the card's brand.")
    last_four: str | None = Field(default=None, description="Credit cards: the card's last four digits.")
    balance: Money | None = Field(default=None, description="Gift cards: what is left on it.")


class Account(BaseModel):
    """The customer this session belongs to: profile, saved addresses, wallet and order ids."""

    session_id: str
    kind: CustomerKindName = Field(
        description="`principal`: the caller's own account (their default session); "
        "`episode`: a session from new_session, an account of its own."
    )
    customer_id: str | None = Field(
        default=None, description="The account's id; null until something is saved to the account."
    )
    first_name: Name | None = None
    last_name: Name | None = None
    email: str | None = None
    addresses: list[SavedAddress] = Field(default_factory=list, description="The default first.")
    payment_methods: list[WalletMethodView] = Field(default_factory=list)
    order_ids: list[str] = Field(default_factory=list, description="The account's orders, oldest first.")


class CustomerMatch(BaseModel):
    customer_id: str = Field(description="Pass as customer_id to the account and order tools.")
    first_name: Name | None = None
    last_name: Name | None = None


class CustomerMatches(BaseModel):
    """The customers find_customer found (support role), oldest account first."""

    customers: list[CustomerMatch] = Field(description="At most 10; usually one.")
