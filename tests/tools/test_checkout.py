"""preview_checkout and place_order through the in-memory client: quotes, orders, idempotency, failures."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext
from mcp.server import MCPServer
from mcp.types import ElicitRequestParams, ElicitResult, ErrorData
from sqlalchemy import func
from sqlmodel import select

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from shopmcp.models.order import Order, StoredQuote
from shopmcp.models.types import utcnow
from shopmcp.services import checkout as checkout_service
from tests.factories import offer_stock
from tests.tools.shopping import NY_ADDRESS, US_ADDRESS, Shopper, Store, amounts_add_up, new_key, set_offer, small_store

ServerFactory = Callable[..., MCPServer[AppContext]]


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


async def _fill(shopper: Shopper, store: Store) -> None:
    """Acme: 2 headphones ($99.98) and a shirt ($19.99), which ships free (over $100); Bolt: 1 headphones ($45.99)."""
    await shopper.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.acme), quantity=2)
    await shopper.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.bolt))
    await shopper.ok("add_to_cart", variant_id=store.variant_ids(store.shirt)[0])


def _count(database: Database, table: type[StoredQuote] | type[Order], session_id: str) -> int:
    with database.read() as tx:
        return tx.exec(select(func.count()).select_from(table).where(table.session_id == session_id)).one()


async def test_a_quote_prices_shipping_per_seller_and_tax_by_destination(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)

    california = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    new_york = await shopper.ok("preview_checkout", shipping_address=NY_ADDRESS)

    shipping = {s["seller"]["id"]: (s["cost"]["amount"], s["free_shipping"]) for s in california["shipments"]}
    assert shipping == {store.acme.id: (0, True), store.bolt.id: (299, False)}
    # California 7.25% on goods only: 724.855 -> 725, 333.4275 -> 333, 144.9275 -> 145.
    assert [line["tax"]["amount"] for line in california["lines"]] == [725, 333, 145]
    assert california["total"]["amount"] == 16_596 + 299 + 1_203
    # New York 4% on goods and shipping: 399.92 -> 400, 183.96 -> 184, 79.96 -> 80; 11.96 -> 12.
    assert [line["tax"]["amount"] for line in new_york["lines"]] == [400, 184, 80]
    assert new_york["tax"]["amount"] == 400 + 184 + 80 + 12
    assert new_york["total"]["amount"] == 16_596 + 299 + 676
    for quote in (california, new_york):
        amounts_add_up(quote)
        assert quote["quote_id"].startswith("quo_")
        assert quote["payment_method"] == "test_card_visa"


async def test_a_preview_changes_neither_cart_nor_stock(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    bolt = store.offer_id(store.headphones, store.bolt)
    before = await shopper.cart()

    await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)

    after = await shopper.cart()
    assert [(x["offer_id"], x["quantity"]) for x in after["lines"]] == [
        (x["offer_id"], x["quantity"]) for x in before["lines"]
    ]
    assert offer_stock(database, bolt) == 5
    assert after["tax_destination"] == "US-CA", "the cart estimates tax for the last previewed address"


async def test_express_needs_every_seller_to_offer_it(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)

    error = await shopper.fail("preview_checkout", shipping_address=US_ADDRESS, shipping_method="express")
    await shopper.ok("remove_from_cart", line_id=(await shopper.cart())["lines"][1]["line_id"])
    express = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS, shipping_method="express")

    assert error["code"] == "invalid_input"
    assert "standard" in error["message"]
    assert express["shipments"][0]["method"] == "express"
    assert express["shipments"][0]["cost"]["amount"] == 0, "Acme ships free over $100 by any method"


async def test_placing_takes_stock_empties_the_cart_and_copies_the_quote(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    await shopper.ok("add_to_cart", product_id=store.cable.id, quantity=3)
    acme = store.offer_id(store.headphones, store.acme)
    cable_offer = (await shopper.cart())["lines"][3]["offer_id"]

    quote, order = await shopper.buy()

    assert order["order_id"].startswith("ord_")
    assert order["status"] == "placed"
    assert order["total"] == quote["total"]
    for field in ("subtotal", "discount", "shipping", "tax"):
        assert order[field] == quote[field]
    assert [line["total"] for line in order["lines"]] == [line["total"] for line in quote["lines"]]
    assert order["shipping_address"] == quote["shipping_address"]
    assert order["payment"]["charge_id"].startswith("ch_sandbox_")
    assert [h["status"] for h in order["history"]] == ["placed"]
    assert order["cancellable"] is True
    amounts_add_up(order)
    assert offer_stock(database, acme) == 18
    assert offer_stock(database, cable_offer) == 0, "made-to-order stock is not counted"
    assert (await shopper.cart())["lines"] == []


async def test_the_same_key_returns_the_same_order_and_another_quote_conflicts(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    key = new_key()

    first = await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=key)
    again = await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=key)
    await shopper.ok("add_to_cart", product_id=store.cable.id)
    other_quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    conflict = await shopper.fail("place_order", quote_id=other_quote["quote_id"], idempotency_key=key)
    used_quote = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert again == first
    assert conflict["code"] == "idempotency_conflict"
    assert conflict["details"]["order_id"] == first["order_id"]
    assert used_quote["code"] == "quote_stale"
    assert _count(database, Order, shopper.session_id) == 1


async def test_an_expired_quote_is_refused(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    with database.write() as tx:
        row = tx.get(StoredQuote, quote["quote_id"])
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        tx.add(row)

    error = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert error["code"] == "quote_expired"
    assert "preview_checkout" in error["message"]
    assert _count(database, Order, shopper.session_id) == 0
    assert len((await shopper.cart())["lines"]) == 3


async def test_a_price_change_after_the_preview_makes_the_quote_stale(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    bolt = store.offer_id(store.headphones, store.bolt)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    set_offer(database, bolt, price=4799)

    error = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert error["code"] == "quote_stale"
    assert "preview_checkout" in error["message"]
    assert any("$45.99 -> $47.99" in change for change in error["details"]["changes"])
    assert error["details"]["current_total"]["amount"] > error["details"]["quoted_total"]["amount"]
    assert offer_stock(database, bolt) == 5
    assert _count(database, Order, shopper.session_id) == 0
    fresh = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    order = await shopper.ok("place_order", quote_id=fresh["quote_id"], idempotency_key=new_key())
    assert order["total"] == fresh["total"]


async def test_a_cart_change_after_the_preview_makes_the_quote_stale(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    line = (await shopper.cart())["lines"][0]
    await shopper.ok("update_cart_item", line_id=line["line_id"], quantity=1)

    error = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert error["code"] == "quote_stale"
    assert any("quantity 2 -> 1" in change for change in error["details"]["changes"])


async def test_stock_sold_since_the_preview_is_insufficient_stock(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    set_offer(database, store.offer_id(store.headphones, store.acme), stock=1)

    error = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert error["code"] == "insufficient_stock"
    assert _count(database, Order, shopper.session_id) == 0


async def test_an_empty_cart_cannot_be_previewed_or_placed(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)

    preview = await shopper.fail("preview_checkout", shipping_address=US_ADDRESS)
    await _fill(shopper, store)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    await shopper.ok("clear_cart")
    place = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert preview["code"] == place["code"] == "empty_cart"
    assert "add_to_cart" in preview["message"]
    assert _count(database, Order, shopper.session_id) == 0


@pytest.mark.parametrize(
    ("method", "code"),
    [("test_card_declined", "payment_declined"), ("test_card_insufficient_funds", "insufficient_funds")],
)
async def test_a_failed_payment_places_nothing(
    client: Client, store: Store, database: Database, method: str, code: str
) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    bolt = store.offer_id(store.headphones, store.bolt)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS, payment_method=method)

    error = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert error["code"] == code
    assert error["resolution"] == "requires_buyer_input"
    assert offer_stock(database, bolt) == 5
    assert _count(database, Order, shopper.session_id) == 0
    assert len((await shopper.cart())["lines"]) == 3


async def test_mastercard_pays_and_unknown_methods_are_refused(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)

    unknown = await shopper.fail("preview_checkout", shipping_address=US_ADDRESS, payment_method="real_card_4242")
    _, order = await shopper.buy(payment_method="test_card_mastercard")

    assert unknown["code"] == "invalid_input"
    assert "test_card_visa" in unknown["message"]
    assert order["payment"]["method"] == "test_card_mastercard"


async def test_unknown_quotes_and_bad_keys(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)

    unknown = await shopper.fail("place_order", quote_id="quo_nope", idempotency_key=new_key())
    for key in ("", "has space", "x" * 201, "ünïcode"):
        await shopper.rejected("place_order", quote_id=quote["quote_id"], idempotency_key=key)
    await shopper.rejected("place_order", quote_id=quote["quote_id"])

    assert unknown["code"] == "not_found"
    assert len((await shopper.cart())["lines"]) == 3


# --- Addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "Atlantis"}, "country"),
        ({"region": None}, "region"),
        ({"region": "ZZ"}, "region"),
        ({"postal_code": "ABCDE"}, "postal_code"),
        ({"postal_code": None}, "postal_code"),
        ({"city": "San\nFrancisco"}, "city"),
    ],
)
async def test_an_unusable_address_is_invalid_address(
    client: Client, store: Store, database: Database, changes: dict[str, Any], field: str
) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)

    error = await shopper.fail("preview_checkout", shipping_address={**US_ADDRESS, **changes})

    assert error["code"] == "invalid_address"
    assert error["resolution"] == "requires_buyer_input"
    assert field in error["details"]["fields"]
    assert _count(database, StoredQuote, shopper.session_id) == 0


@pytest.mark.parametrize(
    "address",
    [
        {key: value for key, value in US_ADDRESS.items() if key != "line1"},
        {key: value for key, value in US_ADDRESS.items() if key != "country"},
        {**US_ADDRESS, "line1": "x" * 10_000},
        {**US_ADDRESS, "name": ""},
        {**US_ADDRESS, "unexpected": "field"},
        "1 Market St, San Francisco",
    ],
)
async def test_addresses_missing_fields_or_too_long_are_rejected_by_the_schema(
    client: Client, store: Store, database: Database, address: object
) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)

    result = await shopper.rejected("preview_checkout", shipping_address=address)

    assert "shipping_address" in result.content[0].text  # type: ignore[union-attr]
    assert _count(database, StoredQuote, shopper.session_id) == 0


async def test_addresses_are_normalized(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await _fill(shopper, store)

    canada = await shopper.ok(
        "preview_checkout",
        shipping_address={**US_ADDRESS, "country": "canada", "region": "Ontario", "postal_code": "k1a0b1"},
    )
    germany = await shopper.ok(
        "preview_checkout",
        shipping_address={**US_ADDRESS, "country": "DE", "region": None, "postal_code": "10115"},
    )

    assert {k: canada["shipping_address"][k] for k in ("country", "region", "postal_code")} == {
        "country": "CA",
        "region": "ON",
        "postal_code": "K1A 0B1",
    }
    # Ontario: 13% HST on goods and shipping (1299.74, 597.87, 259.87; 38.87); Germany: 19% VAT.
    assert canada["tax"]["amount"] == 1300 + 598 + 260 + 39
    assert germany["lines"][0]["tax"]["amount"] == 1900  # 9998 x 19% = 1899.62


# --- Confirmation by elicitation --------------------------------------------------


class Person:
    """An elicitation callback that answers like a person would, and remembers what it was asked."""

    def __init__(self, answer: Literal["accept", "decline", "cancel"], confirm: bool = True) -> None:
        self.answer, self.confirm, self.asked = answer, confirm, list[str]()

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult | ErrorData:
        self.asked.append(params.message)
        if self.answer == "accept":
            return ElicitResult(action="accept", content={"confirm": self.confirm})
        return ElicitResult(action=self.answer)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_person_confirms_the_total_on_both_protocol_eras(
    server_factory: ServerFactory, store: Store, database: Database, mode: str
) -> None:
    person = Person("accept")
    async with Client(server_factory(), mode=mode, elicitation_callback=person) as client:
        shopper = await Shopper.start(client)
        await _fill(shopper, store)
        quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)

        order = await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert order["total"] == quote["total"]
    assert len(person.asked) == 1
    assert quote["total"]["formatted"] in person.asked[0]
    assert "Ada Lovelace" in person.asked[0]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.parametrize(("answer", "confirm"), [("decline", True), ("cancel", True), ("accept", False)])
async def test_a_declined_confirmation_places_nothing(
    server_factory: ServerFactory,
    store: Store,
    database: Database,
    mode: str,
    answer: Literal["accept", "decline", "cancel"],
    confirm: bool,
) -> None:
    person = Person(answer, confirm)
    async with Client(server_factory(), mode=mode, elicitation_callback=person) as client:
        shopper = await Shopper.start(client)
        await _fill(shopper, store)
        quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)

        error = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())
        cart = await shopper.cart()

    assert error["code"] == "confirmation_declined"
    assert error["resolution"] == "requires_buyer_input"
    assert _count(database, Order, shopper.session_id) == 0
    assert len(cart["lines"]) == 3
    assert offer_stock(database, store.offer_id(store.headphones, store.bolt)) == 5


async def test_no_question_when_turned_off_or_when_replaying(server_factory: ServerFactory, store: Store) -> None:
    person = Person("accept")
    async with Client(server_factory(confirm_orders="never"), elicitation_callback=person) as client:
        shopper = await Shopper.start(client)
        await _fill(shopper, store)
        await shopper.buy()
    assert person.asked == []

    async with Client(server_factory(), elicitation_callback=person) as client:
        shopper = await Shopper.start(client)
        await _fill(shopper, store)
        quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
        key = new_key()
        first = await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=key)
        again = await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=key)
    assert again == first
    assert len(person.asked) == 1, "a replay of a placed order asks nothing"


async def test_a_confirmation_that_cannot_be_prepared_places_nothing(
    server_factory: ServerFactory, store: Store, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Person("accept")

    def database_down(**_kwargs: Any) -> str:
        raise ConnectionError("database went away")

    async with Client(server_factory(), elicitation_callback=person) as client:
        shopper = await Shopper.start(client)
        await _fill(shopper, store)
        quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
        monkeypatch.setattr(checkout_service, "confirmation_question", database_down)

        error = await shopper.fail("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

    assert error["code"] == "service_unavailable"
    assert person.asked == []
    assert _count(database, Order, shopper.session_id) == 0
