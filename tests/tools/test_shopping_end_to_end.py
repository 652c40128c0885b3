"""A whole shopping trip through the in-memory client, as an agent would make it, on each database.

search -> get_product -> add -> change -> coupon -> preview -> place -> list -> cancel, with the totals
checked against a computation of their own from what get_product says (prices, shipping, free-shipping
thresholds) and California's published 7.25% rate.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mcp import Client

from shopmcp.db import Database
from tests.calls import ok
from tests.tools.shopping import US_ADDRESS, Shopper, make_coupon, new_key, small_store

CALIFORNIA = Decimal("0.0725")


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _offer_of(product: dict[str, Any], seller_name: str, variant_title: str = "Default") -> dict[str, Any]:
    variant_ids = {v["id"] for v in product["variants"] if v["title"] == variant_title}
    return next(o for o in product["offers"] if o["seller"]["name"] == seller_name and o["variant_id"] in variant_ids)


def _standard(offer: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in offer["shipping"] if s["method"] == "standard")


async def test_a_whole_shopping_trip(client: Client, database: Database) -> None:
    store = small_store(database)
    coupon = make_coupon(database, kind="percent", value=1000)
    shopper = await Shopper.start(client)

    # Find the products as an agent would.
    found = await ok(client, "search_products", {"detail": "full", "query": f"headphones {store.build.tag}"})
    assert store.headphones.id in [item["id"] for item in found["items"]]
    headphones = await ok(client, "get_product", {"detail": "full", "product_id": store.headphones.id})
    shirt = await ok(client, "get_product", {"detail": "full", "product_id": store.shirt.id})
    acme_headphones = _offer_of(headphones, store.acme.name)
    bolt_headphones = _offer_of(headphones, store.bolt.name)
    shirt_m = _offer_of(shirt, store.acme.name, "M")

    # Fill the cart, change a quantity, apply a coupon.
    await shopper.ok("add_to_cart", offer_id=acme_headphones["id"])
    await shopper.ok("add_to_cart", offer_id=bolt_headphones["id"])
    cart = await shopper.ok("add_to_cart", variant_id=shirt_m["variant_id"], quantity=2)
    await shopper.ok("update_cart_item", line_id=cart["lines"][0]["line_id"], quantity=3)
    cart = await shopper.ok("apply_coupon", code=coupon)
    assert [(line["offer_id"], line["quantity"]) for line in cart["lines"]] == [
        (acme_headphones["id"], 3),
        (bolt_headphones["id"], 1),
        (shirt_m["id"], 2),
    ]

    # What it should cost, from get_product's data alone.
    bought = [(acme_headphones, 3), (bolt_headphones, 1), (shirt_m, 2)]
    subtotals = [offer["price"]["amount"] * quantity for offer, quantity in bought]
    discounts = [_half_up(Decimal(subtotal) / 10) for subtotal in subtotals]
    nets = [subtotal - discount for subtotal, discount in zip(subtotals, discounts, strict=True)]
    taxes = [_half_up(net * CALIFORNIA) for net in nets]
    goods_by_seller: dict[str, int] = {}
    for (offer, _), net in zip(bought, nets, strict=True):
        goods_by_seller[offer["seller"]["name"]] = goods_by_seller.get(offer["seller"]["name"], 0) + net
    shipping = 0
    for name, goods in goods_by_seller.items():
        rate = _standard(next(offer for offer, _ in bought if offer["seller"]["name"] == name))
        free_over = rate["free_over"]["amount"] if rate.get("free_over") else None
        shipping += 0 if free_over is not None and goods >= free_over else rate["cost"]["amount"]
    expected_total = sum(nets) + sum(taxes) + shipping

    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    assert [line["discount"]["amount"] for line in quote["lines"]] == discounts
    assert [line["tax"]["amount"] for line in quote["lines"]] == taxes
    assert quote["shipping"]["amount"] == shipping == 299, "Acme ships free over $100, Bolt charges $2.99"
    assert quote["total"]["amount"] == expected_total

    order = await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())
    assert order["total"]["amount"] == expected_total
    assert order["coupon_code"] == coupon
    after_order = await ok(client, "get_product", {"detail": "full", "product_id": store.headphones.id})
    assert _offer_of(after_order, store.acme.name)["stock"] == acme_headphones["stock"] - 3

    listed = await shopper.ok("list_orders", detail="full")
    assert [summary["order_id"] for summary in listed["orders"]] == [order["order_id"]]
    assert listed["orders"][0]["item_count"] == 6
    assert (await shopper.ok("get_order", detail="full", order_id=order["order_id"])) == order

    cancelled = await shopper.ok("cancel_order", order_id=order["order_id"], reason="changed_mind")
    assert cancelled["status"] == "cancelled"
    restocked = await ok(client, "get_product", {"detail": "full", "product_id": store.headphones.id})
    assert _offer_of(restocked, store.acme.name)["stock"] == acme_headphones["stock"]
    assert _offer_of(restocked, store.bolt.name)["stock"] == bolt_headphones["stock"]
    assert (await shopper.cart())["lines"] == []
