"""Changing a pending order through the MCP client (update_order_address, update_order_payment), on a
tau2-bench retail store, compared with what tau2's own tools do to the same order on its own in-memory db.

Each test acts on orders and users no other test here touches; the store is imported once per backend.
"""

import json
from collections.abc import Iterator
from typing import Any, Literal

import anyio
import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult, ErrorData
from sqlmodel import select

from shopmcp.db import Database
from shopmcp.models.catalog import Offer
from shopmcp.models.customer import WalletMethod
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.server import build_server
from shopmcp.services import tau2_retail
from shopmcp.services.customers.accounts import ensure_customer
from tests.calls import ok
from tests.conftest import BACKENDS, make_settings
from tests.factories import offer_stock
from tests.tau2_data import imported_store, retail_db, retail_tools
from tests.tools.shopping import US_ADDRESS, Shopper, Store, fail, new_key, small_store


@pytest.fixture(scope="module", params=BACKENDS)
def tau2_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from imported_store(request.param, tmp_path_factory)


def _client(db: Database, user_id: str, **kwargs: Any) -> Client:
    return Client(build_server(make_settings(db, principal=user_id), db=db), **kwargs)


def _same_as_tau2(db: Database, tools: Any, order_id: str) -> None:
    """Our export of the order and its user equals tau2's own db after the same operation."""
    exported = db.run_read(tau2_retail.dump)
    theirs = tools.db.orders[order_id]
    expected = theirs.model_dump(exclude_none=True)
    # tau2 sums item prices in floats and writes the difference unrounded (8.400000000000006);
    # shopmcp keeps cents, so its export writes 8.4. Every other field must be identical.
    for payment in expected["payment_history"]:
        payment["amount"] = round(payment["amount"], 2)
    assert exported["orders"][order_id] == expected
    assert exported["users"][theirs.user_id] == tools.db.users[theirs.user_id].model_dump(exclude_none=True)


def _history(order: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(p["kind"], p["amount"]["amount"], p["payment_method"]) for p in order["payment_history"]]


NEW_ADDRESS = {
    "name": "Isabella Lopez",
    "line1": "12 Hudson Street",
    "line2": "Apt 4",
    "city": "New York",
    "region": "NY",
    "postal_code": "10013",
    "country": "USA",
}


async def test_an_address_change_is_what_tau2_writes_and_a_retry_changes_nothing(tau2_store: Database) -> None:
    order_id = "#W4923227"
    tools = retail_tools()
    tools.modify_pending_order_address(order_id, "12 Hudson Street", "Apt 4", "New York", "NY", "USA", "10013")

    async with _client(tau2_store, "isabella_lopez_6490") as isabella:
        changed = await ok(isabella, "update_order_address", order_id=order_id, shipping_address=NEW_ADDRESS)
        again = await ok(isabella, "update_order_address", order_id=order_id, shipping_address=NEW_ADDRESS)

    assert changed["shipping_address"]["line1"] == "12 Hudson Street"
    assert changed["shipping_address"]["country"] == "USA"
    assert again == changed
    _same_as_tau2(tau2_store, tools, order_id)


async def test_a_default_address_change_is_what_tau2_writes_for_the_user(tau2_store: Database) -> None:
    """The account keeps its own spelling of the country ("USA"), as tau2 stores the text it is given."""
    user_id = "ivan_santos_6635"
    tools = retail_tools()
    tools.modify_user_address(user_id, "12 Hudson Street", "Apt 4", "New York", "NY", "USA", "10013")

    async with _client(tau2_store, user_id) as ivan:
        account = await ok(ivan, "update_default_address", address={**NEW_ADDRESS, "name": "Ivan Santos"})

    assert account["addresses"][0]["country"] == "USA"
    exported = tau2_store.run_read(tau2_retail.dump)
    assert exported["users"][user_id] == tools.db.users[user_id].model_dump(exclude_none=True)


async def test_a_payment_change_to_a_gift_card_is_what_tau2_writes(tau2_store: Database) -> None:
    order_id, user_id, card = (
        "#W1080318",
        "omar_kim_3528",
        "gift_card_3749819",
    )  # $53.43 on a card; $91 on the gift card
    tools = retail_tools()
    tools.modify_pending_order_payment(order_id, card)

    async with _client(tau2_store, user_id) as omar:
        changed = await ok(omar, "update_order_payment", order_id=order_id, payment_method_id=card)
        retried = await ok(omar, "update_order_payment", order_id=order_id, payment_method_id=card)
        account = await ok(omar, "get_account")
        second = await fail(
            omar, "update_order_payment", {"order_id": order_id, "payment_method_id": "credit_card_3577130"}
        )

    assert _history(changed) == [
        ("payment", 5343, "credit_card_3577130"),
        ("payment", 5343, card),
        ("refund", 5343, "credit_card_3577130"),
    ]
    assert retried == changed
    assert next(m for m in account["payment_methods"] if m["payment_method_id"] == card)["balance"]["amount"] == 3757
    assert second["code"] == "order_not_modifiable"
    _same_as_tau2(tau2_store, tools, order_id)


async def test_a_gift_card_paid_order_moved_to_paypal_credits_the_card_as_tau2_does(tau2_store: Database) -> None:
    order_id, user_id = "#W3414433", "lei_li_6575"  # $3,227.98 from gift_card_8049813
    tools = retail_tools()
    tools.modify_pending_order_payment(order_id, "paypal_5914760")

    async with _client(tau2_store, user_id) as lei:
        await ok(lei, "update_order_payment", order_id=order_id, payment_method_id="paypal_5914760")

    _same_as_tau2(tau2_store, tools, order_id)


async def test_refusals_are_clear_and_change_nothing(tau2_store: Database) -> None:
    data = json.loads(retail_db().read_text(encoding="utf-8"))
    user_id = "sophia_thomas_5301"
    pending = "#W4862767"  # $2,492.53 by PayPal; the gift card holds $66
    delivered = next(o for o in data["orders"].values() if o["user_id"] == user_id and o["status"] == "delivered")
    theirs = next(o for o in data["orders"].values() if o["user_id"] != user_id and o["status"] == "pending")
    before = tau2_store.run_read(tau2_retail.dump)

    async with _client(tau2_store, user_id) as sophia:
        short = await fail(
            sophia, "update_order_payment", {"order_id": pending, "payment_method_id": "gift_card_9178183"}
        )
        same = await fail(sophia, "update_order_payment", {"order_id": pending, "payment_method_id": "paypal_5297429"})
        unknown = await fail(
            sophia, "update_order_payment", {"order_id": pending, "payment_method_id": "paypal_0000000"}
        )
        shipped = await fail(
            sophia, "update_order_address", {"order_id": delivered["order_id"], "shipping_address": NEW_ADDRESS}
        )
        bad = await fail(
            sophia, "update_order_address", {"order_id": pending, "shipping_address": {**NEW_ADDRESS, "region": "ZZ"}}
        )
        foreign = await fail(
            sophia, "update_order_payment", {"order_id": theirs["order_id"], "payment_method_id": "paypal_5297429"}
        )
        foreign_address = await fail(
            sophia, "update_order_address", {"order_id": theirs["order_id"], "shipping_address": NEW_ADDRESS}
        )
        missing = await fail(sophia, "update_order_payment", {"order_id": "#W0000000", "payment_method_id": "x"})

    assert short["code"] == "insufficient_funds"
    assert same["code"] == unknown["code"] == "invalid_input"
    assert shipped["code"] == "order_not_modifiable"
    assert shipped["details"]["status"] == "delivered"
    assert bad["code"] == "invalid_address"
    assert foreign["code"] == foreign_address["code"] == missing["code"] == "not_found"
    assert foreign["message"].replace(theirs["order_id"], "<id>") == missing["message"].replace("#W0000000", "<id>")
    after = tau2_store.run_read(tau2_retail.dump)
    assert after["orders"][pending] == before["orders"][pending]
    assert after["orders"][theirs["order_id"]] == before["orders"][theirs["order_id"]]
    assert after["users"][user_id] == before["users"][user_id]


async def test_two_concurrent_payment_changes_of_one_order_one_wins(tau2_store: Database) -> None:
    order_id, user_id = "#W9728773", "omar_silva_7446"  # paid by gift_card_5540683
    results: dict[str, Any] = {}

    async def change(method: str) -> None:
        async with _client(tau2_store, user_id) as omar:
            result = await omar.call_tool("update_order_payment", {"order_id": order_id, "payment_method_id": method})
            results[method] = result

    async with anyio.create_task_group() as group:
        group.start_soon(change, "paypal_2192303")
        group.start_soon(change, "credit_card_5322562")

    failed = [r for r in results.values() if r.is_error]
    assert len(failed) == 1
    assert failed[0].structured_content["error"]["code"] == "order_not_modifiable"
    exported = tau2_store.run_read(tau2_retail.dump)
    history = exported["orders"][order_id]["payment_history"]
    assert [p["transaction_type"] for p in history] == ["payment", "payment", "refund"]
    assert history[2]["payment_method_id"] == "gift_card_5540683"
    assert exported["users"][user_id]["payment_methods"]["gift_card_5540683"]["balance"] == round(68.0 + 1412.7, 2)


async def test_a_checkout_order_changes_payment_and_keeps_its_tax_destination(tau2_store: Database) -> None:
    user_id = "yusuf_garcia_3055"
    shirt = tau2_store.run_read(_variant_id, item_id="9612497925")

    async with _client(tau2_store, user_id) as yusuf:
        await ok(yusuf, "add_to_cart", variant_id=shirt)
        quote = await ok(yusuf, "preview_checkout", shipping_address=US_ADDRESS)
        order = await ok(yusuf, "place_order", quote_id=quote["quote_id"], idempotency_key=new_key())
        moved = await ok(yusuf, "update_order_payment", order_id=order["order_id"], payment_method_id="paypal_7503218")
        elsewhere = await fail(
            yusuf,
            "update_order_address",
            {"order_id": order["order_id"], "shipping_address": {**US_ADDRESS, "region": "OR", "postal_code": "97201"}},
        )
        next_door = await ok(
            yusuf,
            "update_order_address",
            order_id=order["order_id"],
            shipping_address={**US_ADDRESS, "line1": "2 Elm St"},
        )
        cancelled = await ok(yusuf, "cancel_order", order_id=order["order_id"], reason="no_longer_needed")

    total = order["total"]["amount"]
    assert order["tax"]["amount"] > 0
    assert _history(moved) == [
        ("payment", total, "test_card_visa"),
        ("payment", total, "paypal_7503218"),
        ("refund", total, "test_card_visa"),
    ]
    assert moved["payment"]["method"] == "paypal_7503218"
    assert elsewhere["code"] == "invalid_address"
    assert next_door["shipping_address"]["line1"] == "2 Elm St"
    assert next_door["total"] == order["total"]
    # The cancel gives back what each method still holds: the PayPal payment, not the card's twice.
    assert _history(cancelled)[3:] == [("refund", total, "paypal_7503218")]


def store_offer_of(database: Database, variant_id: int) -> int:
    with database.read() as tx:
        offer_id = tx.exec(select(Offer.id).where(Offer.variant_id == variant_id)).one()
    assert offer_id is not None
    return offer_id


def _variant_id(tx: Any, item_id: str) -> int:
    from shopmcp.models.catalog import Variant

    found = tx.exec(select(Variant.id).where(Variant.sku == f"tau2-{item_id}")).one()
    assert isinstance(found, int)
    return found


class Person:
    """Answers the confirmation question like a person, and remembers it."""

    def __init__(self, answer: Literal["accept", "decline", "cancel"]) -> None:
        self.answer, self.asked = answer, list[str]()

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult | ErrorData:
        self.asked.append(params.message)
        if self.answer == "accept":
            return ElicitResult(action="accept", content={"confirm": True})
        return ElicitResult(action=self.answer)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_person_confirms_a_change_and_a_declined_one_changes_nothing(tau2_store: Database, mode: str) -> None:
    order_id, user_id = "#W8465042", "ethan_thomas_1791"
    address = {**NEW_ADDRESS, "name": "Ethan Thomas", "line1": f"{mode} 1 Main St"}
    declining, accepting = Person("decline"), Person("accept")

    async with _client(tau2_store, user_id, mode=mode, elicitation_callback=declining) as ethan:
        declined = await fail(ethan, "update_order_address", {"order_id": order_id, "shipping_address": address})
        unchanged = await ok(ethan, "get_order", order_id=order_id, detail="full")
    async with _client(tau2_store, user_id, mode=mode, elicitation_callback=accepting) as ethan:
        changed = await ok(ethan, "update_order_address", order_id=order_id, shipping_address=address)
        retried = await ok(ethan, "update_order_address", order_id=order_id, shipping_address=address)

    assert declined["code"] == "confirmation_declined"
    assert unchanged["shipping_address"]["line1"] != address["line1"]
    assert changed["shipping_address"]["line1"] == address["line1"]
    assert retried == changed
    assert len(accepting.asked) == 1, "a retry of a done change asks nothing"
    assert order_id in accepting.asked[0]
    assert address["line1"] in accepting.asked[0]


# --- modify_order_items ------------------------------------------------------------------


def _v(db: Database, item_id: str) -> int:
    found: int = db.run_read(_variant_id, item_id=item_id)
    return found


async def test_modifying_items_charges_the_difference_once_as_tau2_does(tau2_store: Database) -> None:
    order_id, user_id, card = "#W2443586", "aarav_nguyen_7344", "gift_card_2742113"  # $22 on the card
    old, new, other = "9690244451", "6342039236", "9690244451"
    tools = retail_tools()
    tools.modify_pending_order_items(order_id, [old], [new], card)
    args = {"order_id": order_id, "variant_ids": [_v(tau2_store, old)], "new_variant_ids": [_v(tau2_store, new)]}

    async with _client(tau2_store, user_id) as aarav:
        changed = await ok(aarav, "modify_order_items", **args, payment_method_id=card)
        retried = await ok(aarav, "modify_order_items", **args, payment_method_id=card)
        twice = await fail(aarav, "modify_order_items", {**args, "payment_method_id": "paypal_7859314"})
        cancel = await fail(aarav, "cancel_order", {"order_id": order_id, "reason": "no_longer_needed"})
        payment = await fail(aarav, "update_order_payment", {"order_id": order_id, "payment_method_id": card})
        same = await fail(
            aarav,
            "modify_order_items",
            {
                "order_id": "#W2443586",
                "variant_ids": [_v(tau2_store, new)],
                "new_variant_ids": [_v(tau2_store, other)],
                "payment_method_id": card,
            },
        )

    assert changed["status"] == "items_modified"
    assert _history(changed)[1:] == [("payment", 840, card)]  # 244.91 - 236.51
    assert retried == changed
    assert twice["code"] == same["code"] == payment["code"] == "order_not_modifiable"
    assert cancel["code"] == "order_not_cancellable"
    _same_as_tau2(tau2_store, tools, order_id)


async def test_a_cheaper_variant_refunds_the_difference_to_the_gift_card_as_tau2_does(tau2_store: Database) -> None:
    data = json.loads(retail_db().read_text(encoding="utf-8"))
    order_id, user_id, card = "#W8193638", "mei_kovacs_5767", "gift_card_1776915"
    item = data["orders"][order_id]["items"][0]
    variants = data["products"][item["product_id"]]["variants"].values()
    cheaper = min((v for v in variants if v["available"] and v["item_id"] != item["item_id"]), key=lambda v: v["price"])
    assert cheaper["price"] < item["price"]
    tools = retail_tools()
    tools.modify_pending_order_items(order_id, [item["item_id"]], [cheaper["item_id"]], card)

    async with _client(tau2_store, user_id) as mei:
        await ok(
            mei,
            "modify_order_items",
            order_id=order_id,
            variant_ids=[_v(tau2_store, item["item_id"])],
            new_variant_ids=[_v(tau2_store, cheaper["item_id"])],
            payment_method_id=card,
        )

    _same_as_tau2(tau2_store, tools, order_id)


async def test_item_changes_are_refused_clearly_and_change_nothing(tau2_store: Database) -> None:
    order_id, user_id = "#W8955613", "olivia_lopez_9494"
    data = json.loads(retail_db().read_text(encoding="utf-8"))
    item = data["orders"][order_id]["items"][0]
    foreign_product = next(
        v["item_id"] for pid, p in data["products"].items() if pid != item["product_id"] for v in p["variants"].values()
    )
    unavailable = [
        v["item_id"] for v in data["products"][item["product_id"]]["variants"].values() if not v["available"]
    ]
    mine = _v(tau2_store, item["item_id"])
    before = tau2_store.run_read(tau2_retail.dump)

    async with _client(tau2_store, user_id) as olivia:

        async def refused(old: list[int], new: list[int], method: str = "gift_card_6682391") -> dict[str, Any]:
            return await fail(
                olivia,
                "modify_order_items",
                {"order_id": order_id, "variant_ids": old, "new_variant_ids": new, "payment_method_id": method},
            )

        same = await refused([mine], [mine])
        other_product = await refused([mine], [_v(tau2_store, foreign_product)])
        not_in_order = await refused([_v(tau2_store, foreign_product)], [mine])
        lengths = await refused([mine], [mine, mine])
        unknown_method = await refused([mine], [_v(tau2_store, foreign_product)], "paypal_0000000")
        gone = await refused([mine], [_v(tau2_store, unavailable[0])]) if unavailable else same

    for error in (same, other_product, not_in_order, lengths, unknown_method, gone):
        assert error["code"] == "invalid_input", error
    after = tau2_store.run_read(tau2_retail.dump)
    assert after["orders"][order_id] == before["orders"][order_id]
    assert after["users"][user_id] == before["users"][user_id]


async def test_two_concurrent_item_changes_of_one_order_one_wins(tau2_store: Database) -> None:
    order_id, user_id, card = "#W8306539", "daiki_jackson_4362", "gift_card_9164233"
    data = json.loads(retail_db().read_text(encoding="utf-8"))
    item = data["orders"][order_id]["items"][0]
    others = [
        v["item_id"]
        for v in data["products"][item["product_id"]]["variants"].values()
        if v["available"] and v["item_id"] != item["item_id"]
    ][:2]
    results: list[Any] = []

    async def change(new: str) -> None:
        async with _client(tau2_store, user_id) as daiki:
            args = {
                "order_id": order_id,
                "variant_ids": [_v(tau2_store, item["item_id"])],
                "new_variant_ids": [_v(tau2_store, new)],
                "payment_method_id": card,
            }
            results.append(await daiki.call_tool("modify_order_items", args))

    async with anyio.create_task_group() as group:
        for new in others:
            group.start_soon(change, new)

    assert sorted(r.is_error for r in results) == [False, True]
    assert next(r for r in results if r.is_error).structured_content["error"]["code"] == "order_not_modifiable"
    order = tau2_store.run_read(tau2_retail.dump)["orders"][order_id]
    assert order["status"] == "pending (item modified)"
    assert len(order["payment_history"]) == 2


# --- request_return, request_exchange ------------------------------------------------------


async def test_a_return_to_a_gift_card_is_what_tau2_records_once(tau2_store: Database) -> None:
    order_id, user_id, card = "#W3113816", "emma_santos_9753", "gift_card_6023546"  # paid by credit_card_5869505
    returned = ["4422467033", "2206116040"]
    tools = retail_tools()
    tools.return_delivered_order_items(order_id, returned, card)
    args = {"order_id": order_id, "variant_ids": [_v(tau2_store, item) for item in returned], "payment_method_id": card}

    async with _client(tau2_store, user_id) as emma:
        requested = await ok(emma, "request_return", **args)
        retried = await ok(emma, "request_return", **args)
        exchange = await fail(
            emma,
            "request_exchange",
            {**args, "new_variant_ids": [_v(tau2_store, "3358616356"), _v(tau2_store, "3358616356")]},
        )

    assert requested["status"] == "return_requested"
    assert requested["after_delivery"]["kind"] == "return"
    assert requested["after_delivery"]["payment_method"] == card
    assert retried == requested
    assert exchange["code"] == "order_not_modifiable"
    _same_as_tau2(tau2_store, tools, order_id)


async def test_an_exchange_records_the_difference_as_tau2_does_and_refusals_are_clear(tau2_store: Database) -> None:
    data = json.loads(retail_db().read_text(encoding="utf-8"))
    order_id, user_id, card = "#W9077205", "amelia_wilson_4614", "gift_card_7108145"  # paid by the gift card
    old, new = "9370300555", "4068787148"  # $45.90 -> $52.01
    pending = next(o["order_id"] for o in data["orders"].values() if o["status"] == "pending")
    tools = retail_tools()
    tools.exchange_delivered_order_items(order_id, [old], [new], card)
    exchange = {"order_id": order_id, "variant_ids": [_v(tau2_store, old)], "new_variant_ids": [_v(tau2_store, new)]}

    async with _client(tau2_store, user_id) as amelia:
        not_original = await fail(
            amelia,
            "request_return",
            {"order_id": order_id, "variant_ids": [_v(tau2_store, old)], "payment_method_id": "paypal_4101143"},
        )
        not_in_order = await fail(
            amelia,
            "request_return",
            {"order_id": order_id, "variant_ids": [_v(tau2_store, new)], "payment_method_id": card},
        )
        same = await fail(
            amelia,
            "request_exchange",
            {**exchange, "new_variant_ids": exchange["variant_ids"], "payment_method_id": card},
        )
        foreign = await fail(amelia, "request_exchange", {**exchange, "order_id": pending, "payment_method_id": card})
        requested = await ok(amelia, "request_exchange", **exchange, payment_method_id=card)
        retried = await ok(amelia, "request_exchange", **exchange, payment_method_id=card)

    assert not_original["code"] == not_in_order["code"] == same["code"] == "invalid_input"
    assert foreign["code"] == "not_found"
    assert requested["status"] == "exchange_requested"
    assert requested["after_delivery"]["price_difference"]["amount"] == 611
    assert retried == requested
    _same_as_tau2(tau2_store, tools, order_id)


async def test_a_pending_order_cannot_be_returned(tau2_store: Database) -> None:
    data = json.loads(retail_db().read_text(encoding="utf-8"))
    order_id, user_id = "#W5166363", "lei_li_6575"  # pending; its other order's payment is changed above
    order = data["orders"][order_id]
    async with _client(tau2_store, user_id) as lei:
        error = await fail(
            lei,
            "request_return",
            {
                "order_id": order_id,
                "variant_ids": [_v(tau2_store, order["items"][0]["item_id"])],
                "payment_method_id": order["payment_history"][0]["payment_method_id"],
            },
        )
    assert error["code"] == "order_not_modifiable"
    assert error["details"]["status"] == "placed"


async def test_a_concurrent_return_and_exchange_of_one_order_one_wins(tau2_store: Database) -> None:
    order_id, user_id = "#W3069600", "chen_silva_7485"
    item, other = _v(tau2_store, "4545791457"), _v(tau2_store, "6843647669")
    calls = [
        ("request_return", {"variant_ids": [item], "payment_method_id": "credit_card_1565124"}),
        (
            "request_exchange",
            {"variant_ids": [item], "new_variant_ids": [other], "payment_method_id": "gift_card_7250692"},
        ),
    ]
    results: list[Any] = []

    async def call(tool: str, args: dict[str, Any]) -> None:
        async with _client(tau2_store, user_id) as chen:
            results.append(await chen.call_tool(tool, {"order_id": order_id, **args}))

    async with anyio.create_task_group() as group:
        for tool, args in calls:
            group.start_soon(call, tool, args)

    assert sorted(r.is_error for r in results) == [False, True]
    assert next(r for r in results if r.is_error).structured_content["error"]["code"] == "order_not_modifiable"
    status = tau2_store.run_read(tau2_retail.dump)["orders"][order_id]["status"]
    assert status in {"return requested", "exchange requested"}


# --- Stock, on a store of tracked offers -------------------------------------------------------


@pytest.fixture
def shop(database: Database) -> Store:
    return small_store(database)


def _give_wallet(database: Database, session_id: str) -> str:
    """A sandbox PayPal account in the session's wallet (a plain session starts with an empty one)."""
    with database.write() as tx:
        session = tx.exec(select(ShoppingSession).where(ShoppingSession.id == session_id)).one()
        customer = ensure_customer(tx, session)
        tx.add(WalletMethod(id=f"paypal_{session_id[-8:]}", customer_id=customer.id or 0, kind="paypal", position=0))
    return f"paypal_{session_id[-8:]}"


async def test_an_item_change_gives_back_the_old_unit_and_takes_the_new_one(
    server_factory: Any, shop: Store, database: Database
) -> None:
    small, medium = shop.variant_ids(shop.shirt)  # S $19.99, M $20.99, Acme, stock 10 each
    s_offer, m_offer = (store_offer_of(database, small), store_offer_of(database, medium))
    async with Client(server_factory()) as client:
        shopper = await Shopper.start(client)
        method = _give_wallet(database, shopper.session_id)
        await shopper.ok("add_to_cart", variant_id=small, quantity=2)
        untaxed = {**US_ADDRESS, "region": "OR", "postal_code": "97201", "city": "Portland"}
        _, order = await shopper.buy(untaxed)
        assert order["tax"]["amount"] == 0
        changed = await shopper.ok(
            "modify_order_items",
            order_id=order["order_id"],
            variant_ids=[small],
            new_variant_ids=[medium],
            payment_method_id=method,
        )

    assert (offer_stock(database, s_offer), offer_stock(database, m_offer)) == (9, 9)
    assert [(line["variant_id"], line["quantity"]) for line in changed["lines"]] == [(small, 1), (medium, 1)]
    assert changed["total"]["amount"] == order["total"]["amount"] + 100
    assert _history(changed)[1:] == [("payment", 100, method)]
    assert changed["status"] == "items_modified"


async def test_payment_and_item_changes_are_confirmed_by_the_person_too(tau2_store: Database) -> None:
    order_id, user_id, card = "#W8328622", "ava_smith_1453", "gift_card_8836799"  # paid by the card; $78 on it
    old, new = _v(tau2_store, "9192177173"), _v(tau2_store, "9408160950")  # $335.99 -> $381.26
    change = {"order_id": order_id, "variant_ids": [old], "new_variant_ids": [new], "payment_method_id": card}
    declining, accepting = Person("decline"), Person("accept")

    async with _client(tau2_store, user_id, elicitation_callback=declining) as ava:
        declined = await fail(ava, "update_order_payment", {"order_id": order_id, "payment_method_id": "paypal_0"})
        declined_items = await fail(ava, "modify_order_items", change)
    async with _client(tau2_store, user_id, elicitation_callback=accepting) as ava:
        changed = await ok(ava, "modify_order_items", **change)
        retried = await ok(ava, "modify_order_items", **change)

    # An unknown method is not asked about: the tool reports it.
    assert declined["code"] == "invalid_input"
    assert declined_items["code"] == "confirmation_declined"
    assert len(declining.asked) == 1
    assert changed["status"] == "items_modified"
    assert retried == changed
    assert len(accepting.asked) == 1
    assert "$45.27 is charged to gift_card_8836799" in accepting.asked[0]


async def test_returns_and_exchanges_are_confirmed_by_the_person(tau2_store: Database) -> None:
    order_id, user_id = "#W8032761", "daiki_moore_8567"  # delivered, paid by gift_card_2977513
    old, new = _v(tau2_store, "8030558068"), _v(tau2_store, "3928046918")
    person = Person("decline")

    async with _client(tau2_store, user_id, elicitation_callback=person) as daiki:
        returned = await fail(
            daiki,
            "request_return",
            {"order_id": order_id, "variant_ids": [old], "payment_method_id": "gift_card_2977513"},
        )
        exchanged = await fail(
            daiki,
            "request_exchange",
            {
                "order_id": order_id,
                "variant_ids": [old],
                "new_variant_ids": [new],
                "payment_method_id": "gift_card_2977513",
            },
        )
        order = await ok(daiki, "get_order", order_id=order_id)

    assert returned["code"] == exchanged["code"] == "confirmation_declined"
    assert len(person.asked) == 2
    assert person.asked[0].startswith("Return ")
    assert person.asked[1].startswith("Exchange ")
    assert order["status"] == "delivered"
