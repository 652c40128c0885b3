"""An agent's shopping trip, over whatever client it is given: used by the HTTP and multi-process tests."""

import secrets
from dataclasses import dataclass
from typing import Any

from mcp import Client

from shopmcp.db import Database
from shopmcp.models.catalog import Product
from tests.calls import ok
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, offer_stock, store_offer
from tests.tools.shopping import US_ADDRESS

ADDRESS = US_ADDRESS


async def error_of(client: Client, tool: str, **args: Any) -> dict[str, Any]:
    """Call `tool`, expecting a business error; return it."""
    result = await client.call_tool(tool, args)
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    assert result.structured_content is not None
    error: dict[str, Any] = result.structured_content["error"]
    return error


def stocked_product(database: Database, *, stock: int = 50, price: int = 2500) -> Product:
    """A product of one variant and one offer, in a category of its own."""
    build = CatalogBuilder(database)
    category = build.category("Kettles")
    seller = build.seller("Brew Co")
    return build.product(
        "Gooseneck Kettle",
        category=category,
        variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=price, stock=stock)])],
    )


@dataclass
class Trip:
    session_id: str
    order: dict[str, Any]


async def fill_cart(client: Client, product_id: int, quantity: int, session_id: str | None = None) -> str:
    """A new session (unless given) with `quantity` units of the product in its cart; returns the session id."""
    if session_id is None:
        session_id = (await ok(client, "new_session"))["session_id"]
    cart = await ok(client, "add_to_cart", product_id=product_id, quantity=quantity, session_id=session_id)
    assert [line["quantity"] for line in cart["lines"]] == [quantity]
    return session_id


async def check_out(client: Client, session_id: str, idempotency_key: str | None = None) -> dict[str, Any]:
    """Preview and place the session's cart; returns the order."""
    quote = await ok(client, "preview_checkout", shipping_address=ADDRESS, session_id=session_id)
    return await ok(
        client,
        "place_order",
        quote_id=quote["quote_id"],
        idempotency_key=idempotency_key or f"trip-{secrets.token_hex(8)}",
        session_id=session_id,
    )


async def shopping_trip(client: Client, database: Database) -> Trip:
    """Browse, search, read the product, fill a cart, check out and follow the order, as an agent would."""
    product = stocked_product(database)
    assert product.id is not None
    categories = await ok(client, "list_categories", detail="full")
    assert product.category_id in _category_ids(categories["categories"])
    found = await ok(client, "search_products", query=product.title, limit=5)
    assert product.id in [item["id"] for item in found["items"]]
    detail = await ok(client, "get_product", product_id=product.id)
    offer_id = detail["offers"][0]["id"]

    session_id = (await ok(client, "new_session"))["session_id"]
    await ok(client, "add_to_cart", offer_id=offer_id, quantity=2, session_id=session_id)
    cart = await ok(client, "view_cart", session_id=session_id)
    assert cart["subtotal"]["amount"] == 2 * 2500

    quote = await ok(client, "preview_checkout", shipping_address=ADDRESS, session_id=session_id)
    key = f"trip-{secrets.token_hex(8)}"
    order = await ok(client, "place_order", quote_id=quote["quote_id"], idempotency_key=key, session_id=session_id)
    assert order["total"] == quote["total"]
    assert order["status"] == "placed"

    again = await ok(client, "place_order", quote_id=quote["quote_id"], idempotency_key=key, session_id=session_id)
    assert again["order_id"] == order["order_id"]
    followed = await ok(client, "get_order", order_id=order["order_id"], session_id=session_id)
    assert followed["total"] == order["total"]
    listed = await ok(client, "list_orders", session_id=session_id)
    assert [summary["order_id"] for summary in listed["orders"]] == [order["order_id"]]
    assert offer_stock(database, store_offer(database, product.id)) == 50 - 2
    return Trip(session_id=session_id, order=order)


def _category_ids(nodes: list[dict[str, Any]]) -> set[int]:
    ids: set[int] = set()
    for node in nodes:
        ids.add(node["id"])
        ids |= _category_ids(node["children"])
    return ids
