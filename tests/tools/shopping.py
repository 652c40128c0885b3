"""Helpers for the write-side tool tests: calling tools as an agent would, a small store, coupons."""

import itertools
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mcp import Client
from mcp.types import CallToolResult
from sqlmodel import col, select

from shopmcp.db import Database
from shopmcp.models.cart import Coupon
from shopmcp.models.catalog import Category, Offer, Product, Seller
from shopmcp.services.catalog.aggregates import refresh_products
from tests.calls import ok
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, store_offer

_keys = itertools.count(1)

US_ADDRESS: dict[str, Any] = {
    "name": "Ada Lovelace",
    "line1": "1 Market St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}
"""California: 7.25% sales tax, shipping not taxed (data/tax_rates.csv)."""

NY_ADDRESS: dict[str, Any] = {
    "name": "Grace Hopper",
    "line1": "350 Fifth Ave",
    "city": "New York",
    "region": "NY",
    "postal_code": "10118",
    "country": "US",
}
"""New York: 4% state sales tax, shipping taxed."""


def new_key() -> str:
    return f"key-{secrets.token_hex(4)}-{next(_keys)}"


async def fail(client: Client, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call `tool`, expecting a business error; return `{code, message, resolution, details}`."""
    result = await client.call_tool(tool, args or {})
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    assert result.structured_content is not None, f"{tool} failed without a structured error: {result.content}"
    error = result.structured_content["error"]
    assert isinstance(error, dict)
    return error


async def rejected(client: Client, tool: str, args: dict[str, Any]) -> CallToolResult:
    """Call `tool` with arguments the schema must refuse before any code runs: an `invalid_arguments` error."""
    result = await client.call_tool(tool, args)
    assert result.is_error
    assert result.structured_content is not None, f"{tool} failed without a structured error: {result.content}"
    assert result.structured_content["error"]["code"] == "invalid_arguments", result.structured_content
    return result


@dataclass
class Shopper:
    """An agent shopping in a session of its own (tests share the database, so never the default session)."""

    client: Client
    session_id: str

    @classmethod
    async def start(cls, client: Client) -> "Shopper":
        return cls(client, (await ok(client, "new_session"))["session_id"])

    async def ok(self, tool: str, **args: Any) -> dict[str, Any]:
        return await ok(self.client, tool, {**args, "session_id": self.session_id})

    async def fail(self, tool: str, **args: Any) -> dict[str, Any]:
        return await fail(self.client, tool, {**args, "session_id": self.session_id})

    async def rejected(self, tool: str, **args: Any) -> CallToolResult:
        return await rejected(self.client, tool, {**args, "session_id": self.session_id})

    async def cart(self) -> dict[str, Any]:
        return await self.ok("view_cart")

    async def buy(self, address: dict[str, Any] | None = None, **preview: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """Preview and place the cart; returns (quote, order)."""
        quote = await self.ok("preview_checkout", shipping_address=address or US_ADDRESS, **preview)
        order = await self.ok("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())
        return quote, order


@dataclass
class Store:
    """A small store of known prices, built fresh for a test."""

    build: CatalogBuilder
    electronics: Category
    audio: Category
    apparel: Category
    acme: Seller
    """Standard $4.99 (3-5 days), express $12.99; ships free from $100."""
    bolt: Seller
    """Standard $2.99 (2-4 days), no express, never free."""
    headphones: Product
    """Audio (under Electronics). Acme $49.99 (stock 20), Bolt $45.99 (stock 5)."""
    shirt: Product
    """Apparel, sizes S ($19.99) and M ($20.99), both from Acme, stock 10 each."""
    cable: Product
    """Electronics. Acme $9.99, made to order (no stock limit)."""

    def offer_id(self, product: Product, seller: Seller) -> int:
        return store_offer(self.build.db, product.id, seller.id)

    def variant_ids(self, product: Product) -> list[int]:
        with self.build.db.read() as tx:
            offers = tx.exec(select(Offer).where(Offer.product_id == product.id).order_by(col(Offer.price))).all()
            return [offer.variant_id for offer in offers]


def small_store(database: Database) -> Store:
    build = CatalogBuilder(database)
    electronics = build.category("Electronics")
    audio = build.category("Audio", parent=electronics)
    apparel = build.category("Apparel")
    acme = build.seller("Acme", standard=(499, 3, 5), express=(1299, 1, 2), free_over=10_000)
    bolt = build.seller("Bolt", standard=(299, 2, 4), express=None)
    headphones = build.product(
        "Studio Headphones",
        category=audio,
        variants=[VariantSpec(offers=[OfferSpec(acme, 4999, stock=20), OfferSpec(bolt, 4599, stock=5)])],
    )
    shirt = build.product(
        "Linen Shirt",
        category=apparel,
        variants=[
            VariantSpec(options={"size": "S"}, offers=[OfferSpec(acme, 1999, stock=10)]),
            VariantSpec(options={"size": "M"}, offers=[OfferSpec(acme, 2099, stock=10)]),
        ],
    )
    cable = build.product("USB Cable", category=electronics, variants=[VariantSpec(offers=[OfferSpec(acme, 999)])])
    set_offer(database, store_offer(database, cable.id), stock=0, track_inventory=False)
    return Store(build, electronics, audio, apparel, acme, bolt, headphones, shirt, cable)


def set_offer(database: Database, offer_id: int, **values: Any) -> None:
    """Change an offer behind the shop's back (a seller updating price or stock)."""
    with database.write() as tx:
        offer = tx.get(Offer, offer_id)
        assert offer is not None
        for name, value in values.items():
            setattr(offer, name, value)
        tx.add(offer)
        tx.flush()
        refresh_products(tx, [offer.product_id])


def make_coupon(
    database: Database,
    *,
    kind: str = "percent",
    value: int = 1000,
    min_subtotal: int | None = None,
    category: Category | None = None,
    once_per_session: bool = False,
    active: bool = True,
    starts_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> str:
    """A coupon with a unique code; returns the code."""
    code = f"T{secrets.token_hex(4).upper()}"
    with database.write() as tx:
        tx.add(
            Coupon(
                code=code,
                kind=kind,
                value=value,
                currency="USD",
                min_subtotal=min_subtotal,
                category_id=category.id if category else None,
                once_per_session=once_per_session,
                active=active,
                starts_at=starts_at,
                expires_at=expires_at,
            )
        )
    return code


def amounts_add_up(result: dict[str, Any], *, shipping_key: str = "shipping", tax_key: str = "tax") -> None:
    """The parts of a cart, quote or order add up to its total, and no amount is negative."""
    lines, shipments = result["lines"], result["shipments"]
    total = result["total"]["amount"]
    assert (
        sum(line["total"]["amount"] for line in lines)
        + sum(s["cost"]["amount"] + s["tax"]["amount"] for s in shipments)
        == total
    )
    assert sum(line["subtotal"]["amount"] for line in lines) == result["subtotal"]["amount"]
    assert sum(line["discount"]["amount"] for line in lines) == result["discount"]["amount"]
    assert sum(s["cost"]["amount"] for s in shipments) == result[shipping_key]["amount"]
    line_tax = sum(line["tax"]["amount"] for line in lines)
    assert line_tax + sum(s["tax"]["amount"] for s in shipments) == result[tax_key]["amount"]
    assert (
        result["subtotal"]["amount"]
        - result["discount"]["amount"]
        + result[shipping_key]["amount"]
        + result[tax_key]["amount"]
        == total
    )
    for line in lines:
        for name in ("unit_price", "subtotal", "discount", "tax", "total"):
            assert line[name]["amount"] >= 0
        assert line["discount"]["amount"] <= line["subtotal"]["amount"]
    assert total >= 0


# Order clock settings (keyword overrides of the server's settings).
CLOCK_AT_ONCE = {"order_processing_after": "0s", "order_shipping_after": "0s", "order_delivery_after": "0s"}
"""Every move is due as soon as the order is placed."""

CLOCK_SEEDED = {
    "deterministic_seed": 11,
    "clock_step_seconds": 60,
    "order_processing_after": "2m",
    "order_shipping_after": "2m",
    "order_delivery_after": "2m",
}
"""One write of a session is a minute of its time: its order moves on every two writes."""
