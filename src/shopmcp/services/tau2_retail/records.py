"""The shape of tau2-bench retail's db.json, checked before anything is written."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tau2Variant(_Strict):
    item_id: str = Field(min_length=1, max_length=100)
    options: dict[str, str] = Field(max_length=5)
    available: bool
    price: float = Field(ge=0)


class Tau2Product(_Strict):
    name: str = Field(min_length=1, max_length=500)
    product_id: str = Field(min_length=1, max_length=100)
    variants: dict[str, Tau2Variant]


class Tau2Name(_Strict):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)


class Tau2Address(_Strict):
    address1: str = Field(max_length=200)
    address2: str = Field(max_length=200)
    city: str = Field(max_length=100)
    country: str = Field(max_length=60)
    state: str = Field(max_length=100)
    zip: str = Field(max_length=20)


class Tau2PaymentMethod(_Strict):
    source: Literal["credit_card", "paypal", "gift_card"]
    id: str = Field(min_length=1, max_length=64)
    brand: str | None = Field(default=None, max_length=30)
    last_four: str | None = Field(default=None, max_length=4)
    balance: float | None = Field(default=None, ge=0)


class Tau2User(_Strict):
    user_id: str = Field(min_length=1, max_length=64)
    name: Tau2Name
    address: Tau2Address
    email: str = Field(max_length=254)
    payment_methods: dict[str, Tau2PaymentMethod]
    orders: list[str]


class Tau2Item(_Strict):
    name: str
    product_id: str
    item_id: str
    price: float = Field(ge=0)
    options: dict[str, str]


class Tau2Fulfilment(_Strict):
    tracking_id: list[str]
    item_ids: list[str]


class Tau2Payment(_Strict):
    transaction_type: Literal["payment", "refund"]
    amount: float = Field(ge=0)
    payment_method_id: str = Field(max_length=100)


class Tau2Order(_Strict):
    order_id: str = Field(min_length=1, max_length=64)
    user_id: str
    address: Tau2Address
    items: list[Tau2Item]
    status: str
    fulfillments: list[Tau2Fulfilment]
    payment_history: list[Tau2Payment]


class Tau2Store(_Strict):
    products: dict[str, Tau2Product]
    users: dict[str, Tau2User]
    orders: dict[str, Tau2Order]
