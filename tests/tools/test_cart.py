"""The cart tools through the in-memory client: choosing offers, quantities and stock, lines, messages."""

import pytest
from mcp import Client

from shopmcp.db import Database
from tests.factories import OfferSpec, VariantSpec, offer_stock, store_offer
from tests.tools.shopping import Shopper, Store, amounts_add_up, set_offer, small_store


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


async def test_add_by_product_takes_the_cheapest_offer_that_covers_the_quantity(client: Client, store: Store) -> None:
    few = await Shopper.start(client)
    many = await Shopper.start(client)

    cart_few = await few.ok("add_to_cart", product_id=store.headphones.id, quantity=2)
    cart_many = await many.ok("add_to_cart", product_id=store.headphones.id, quantity=8)

    assert [line["seller"]["id"] for line in cart_few["lines"]] == [store.bolt.id]
    assert cart_few["lines"][0]["unit_price"]["amount"] == 4599
    assert [line["seller"]["id"] for line in cart_many["lines"]] == [store.acme.id]
    assert cart_many["lines"][0]["quantity"] == 8
    assert cart_few["messages"] == cart_many["messages"] == []


async def test_add_by_product_with_several_variants_asks_for_the_variant(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)

    error = await shopper.fail("add_to_cart", product_id=store.shirt.id)

    assert error["code"] == "variant_required"
    variants = error["details"]["variants"]
    assert [v["options"] for v in variants] == [{"size": "S"}, {"size": "M"}]
    assert [v["lowest_price"]["amount"] for v in variants] == [1999, 2099]
    assert (await shopper.cart())["lines"] == []


async def test_add_by_variant_and_by_offer_and_the_same_offer_twice_merges(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    size_m = store.variant_ids(store.shirt)[1]
    acme_headphones = store.offer_id(store.headphones, store.acme)

    await shopper.ok("add_to_cart", variant_id=size_m)
    await shopper.ok("add_to_cart", offer_id=acme_headphones, quantity=2)
    cart = await shopper.ok("add_to_cart", offer_id=acme_headphones, quantity=3)

    assert [(line["variant_title"], line["quantity"]) for line in cart["lines"]] == [
        ("M", 1),
        ("Default", 5),
    ]
    assert cart["item_count"] == 6
    assert cart["subtotal"]["amount"] == 2099 + 5 * 4999
    amounts_add_up(cart, shipping_key="estimated_shipping", tax_key="estimated_tax")


async def test_more_than_in_stock_is_reduced_then_refused(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    bolt = store.offer_id(store.headphones, store.bolt)

    cart = await shopper.ok("add_to_cart", offer_id=bolt, quantity=7)
    again = await shopper.fail("add_to_cart", offer_id=bolt)

    assert cart["lines"][0]["quantity"] == 5
    assert [m["code"] for m in cart["messages"]] == ["quantity_reduced"]
    assert cart["messages"][0]["line_id"] == cart["lines"][0]["line_id"]
    assert again["code"] == "insufficient_stock"
    assert again["details"] == {"offer_id": bolt, "available_quantity": 5, "in_cart": 5}
    assert (await shopper.cart())["lines"][0]["quantity"] == 5
    assert offer_stock(database, bolt) == 5, "a cart does not hold stock"


async def test_an_offer_with_no_stock_is_out_of_stock_and_nothing_is_added(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    bolt = store.offer_id(store.headphones, store.bolt)
    set_offer(database, bolt, stock=0)

    error = await shopper.fail("add_to_cart", offer_id=bolt)

    assert error["code"] == "out_of_stock"
    assert "compare_prices" in error["message"]
    assert (await shopper.cart())["lines"] == []


async def test_made_to_order_offers_have_no_stock_limit(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)

    cart = await shopper.ok("add_to_cart", product_id=store.cable.id, quantity=500)

    assert cart["lines"][0]["quantity"] == 500
    assert cart["lines"][0]["available_quantity"] is None
    assert cart["messages"] == []


async def test_a_line_holds_at_most_999_units(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)

    await shopper.ok("add_to_cart", product_id=store.cable.id, quantity=990)
    capped = await shopper.ok("add_to_cart", product_id=store.cable.id, quantity=20)
    full = await shopper.fail("add_to_cart", product_id=store.cable.id)

    assert capped["lines"][0]["quantity"] == 999
    assert [m["code"] for m in capped["messages"]] == ["quantity_capped"]
    assert full["code"] == "invalid_input"


async def test_update_sets_the_quantity_within_stock_and_zero_removes(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    cart = await shopper.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.bolt))
    line_id = cart["lines"][0]["line_id"]

    three = await shopper.ok("update_cart_item", line_id=line_id, quantity=3)
    too_many = await shopper.ok("update_cart_item", line_id=line_id, quantity=50)
    removed = await shopper.ok("update_cart_item", line_id=line_id, quantity=0)

    assert three["lines"][0]["quantity"] == 3
    assert too_many["lines"][0]["quantity"] == 5
    assert [m["code"] for m in too_many["messages"]] == ["quantity_reduced"]
    assert removed["lines"] == []
    assert (await shopper.fail("update_cart_item", line_id=line_id, quantity=1))["code"] == "not_found"


async def test_remove_and_clear(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await shopper.ok("add_to_cart", product_id=store.cable.id)
    cart = await shopper.ok("add_to_cart", product_id=store.headphones.id)

    after_remove = await shopper.ok("remove_from_cart", line_id=cart["lines"][0]["line_id"])
    cleared = await shopper.ok("clear_cart")

    assert [line["product_id"] for line in after_remove["lines"]] == [store.headphones.id]
    assert cleared["lines"] == []
    assert cleared["total"]["amount"] == 0
    assert (await shopper.fail("remove_from_cart", line_id=cart["lines"][0]["line_id"]))["code"] == "not_found"


async def test_a_price_change_since_adding_is_reported_and_used(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    acme = store.offer_id(store.headphones, store.acme)
    await shopper.ok("add_to_cart", offer_id=acme)
    set_offer(database, acme, price=5499)

    cart = await shopper.cart()

    assert cart["lines"][0]["unit_price"]["amount"] == 5499
    assert [m["code"] for m in cart["messages"]] == ["price_changed"]
    assert "$49.99" in cart["messages"][0]["message"]
    assert "$54.99" in cart["messages"][0]["message"]


async def test_lines_that_cannot_be_bought_are_flagged_and_left_out_of_the_totals(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    acme = store.offer_id(store.headphones, store.acme)
    await shopper.ok("add_to_cart", offer_id=acme, quantity=4)
    cable = (await shopper.ok("add_to_cart", product_id=store.cable.id))["lines"][1]
    shirt_s = await shopper.ok("add_to_cart", variant_id=store.variant_ids(store.shirt)[0], quantity=2)
    shirt_offer = shirt_s["lines"][2]["offer_id"]
    set_offer(database, acme, stock=2)
    set_offer(database, cable["offer_id"], active=False)
    set_offer(database, shirt_offer, stock=0)

    cart = await shopper.cart()

    issues = {line["product_id"]: line["issue"] for line in cart["lines"]}
    assert issues == {
        store.headphones.id: "insufficient_stock",
        store.cable.id: "unavailable",
        store.shirt.id: "out_of_stock",
    }
    assert cart["subtotal"]["amount"] == 4 * 4999, "only the line that can still be bought counts"
    assert {m["code"] for m in cart["messages"]} == {"insufficient_stock", "unavailable", "out_of_stock"}
    amounts_add_up(cart, shipping_key="estimated_shipping", tax_key="estimated_tax")


@pytest.mark.parametrize("quantity", [0, -1, 10**9, 2.5, "two", None])
async def test_bad_quantities_are_rejected_by_the_schema(client: Client, store: Store, quantity: object) -> None:
    shopper = await Shopper.start(client)

    result = await shopper.rejected("add_to_cart", product_id=store.headphones.id, quantity=quantity)

    assert "quantity" in result.content[0].text  # type: ignore[union-attr]
    assert (await shopper.cart())["lines"] == []


async def test_unknown_or_inconsistent_ids_are_clear_errors(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    acme = store.offer_id(store.headphones, store.acme)

    nothing = await shopper.fail("add_to_cart")
    no_product = await shopper.fail("add_to_cart", product_id=2**31 - 1)
    no_variant = await shopper.fail("add_to_cart", variant_id=2**31 - 1)
    no_offer = await shopper.fail("add_to_cart", offer_id=2**31 - 1)
    mismatch = await shopper.fail("add_to_cart", offer_id=acme, product_id=store.shirt.id)

    assert [e["code"] for e in (nothing, no_product, no_variant, no_offer, mismatch)] == [
        "invalid_input",
        "not_found",
        "not_found",
        "not_found",
        "invalid_input",
    ]
    assert "search_products" in no_product["message"]
    assert (await shopper.cart())["lines"] == []


async def test_draft_and_archived_products_cannot_be_added(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    one_offer = [VariantSpec(offers=[OfferSpec(store.acme, 1000)])]
    draft = store.build.product("Prototype", status="draft", variants=one_offer)
    archived = store.build.product("Old Model", status="archived", variants=one_offer)

    errors = [
        await shopper.fail("add_to_cart", product_id=draft.id),
        await shopper.fail("add_to_cart", offer_id=store_offer(database, draft.id)),
        await shopper.fail("add_to_cart", product_id=archived.id),
    ]

    assert [error["code"] for error in errors] == ["not_found"] * 3
    assert (await shopper.cart())["lines"] == []
