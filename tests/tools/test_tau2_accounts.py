"""A tau2-bench retail store as its users see it through the MCP client: accounts, wallets and their orders.

Each test builds its own database (an import needs an empty store), on SQLite and PostgreSQL.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from sqlmodel import Session, select

from shopmcp.db import Database
from shopmcp.models.catalog import Variant
from shopmcp.server import build_server
from shopmcp.services import tau2_retail
from tests.calls import ok
from tests.conftest import BACKENDS, make_settings
from tests.tau2_data import imported_store, retail_db
from tests.tools.shopping import US_ADDRESS, fail, new_key


@pytest.fixture(scope="module", params=BACKENDS)
def tau2_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A database holding tau2's retail store, imported once per backend for this module's tests.

    Tests that change it each act on users and orders no other test here reads.
    """
    yield from imported_store(request.param, tmp_path_factory)


_CHANGED_USERS = {"ethan_lopez_6291", "sofia_rossi_8776", "james_li_5688", "harper_ito_5985"}
"""The users whose orders or wallets the tests below change."""


def _tau2() -> dict[str, object]:
    data: dict[str, object] = json.loads(Path(retail_db()).read_text(encoding="utf-8"))
    return data


async def test_a_tau2_user_sees_their_profile_address_and_wallet(tau2_store: Database) -> None:
    async with Client(build_server(make_settings(tau2_store, principal="noah_brown_6181"), db=tau2_store)) as noah:
        account = await ok(noah, "get_account")

    assert account["kind"] == "principal"
    assert account["customer_id"] == "noah_brown_6181"
    assert (account["first_name"], account["last_name"], account["email"]) == (
        "Noah",
        "Brown",
        "noah.brown7922@example.com",
    )
    assert account["addresses"] == [
        {
            "address_id": account["addresses"][0]["address_id"],
            "is_default": True,
            "name": None,
            "line1": "986 Sunset Drive",
            "line2": "Suite 259",
            "city": "Denver",
            "region": "CO",
            "postal_code": "80279",
            "country": "USA",
        }
    ]
    assert account["payment_methods"] == [
        {"payment_method_id": "paypal_5727330", "kind": "paypal", "brand": None, "last_four": None, "balance": None},
        {
            "payment_method_id": "credit_card_7815826",
            "kind": "credit_card",
            "brand": "mastercard",
            "last_four": "9212",
            "balance": None,
        },
    ]
    assert account["order_ids"] == ["#W7678072"]


async def test_gift_card_balances_are_cents_and_every_users_orders_are_listed(tau2_store: Database) -> None:
    data = _tau2()
    users = data["users"]
    assert isinstance(users, dict)
    user_id, user = next(
        (uid, u)
        for uid, u in users.items()
        if uid not in _CHANGED_USERS and any(m["source"] == "gift_card" for m in u["payment_methods"].values())
    )
    gift = next(m for m in user["payment_methods"].values() if m["source"] == "gift_card")

    async with Client(build_server(make_settings(tau2_store, principal=user_id), db=tau2_store)) as client:
        account = await ok(client, "get_account")

    card = next(m for m in account["payment_methods"] if m["kind"] == "gift_card")
    assert card["payment_method_id"] == gift["id"]
    assert card["balance"]["amount"] == round(gift["balance"] * 100)
    assert card["balance"]["currency"] == "USD"
    assert sorted(account["order_ids"]) == sorted(user["orders"])


async def test_a_tau2_user_reads_their_orders_and_never_another_users(tau2_store: Database) -> None:
    data = _tau2()
    orders = data["orders"]
    assert isinstance(orders, dict)
    mine = next(o for o in orders.values() if o["user_id"] == "noah_brown_6181")
    theirs = next(o for o in orders.values() if o["user_id"] != "noah_brown_6181")

    async with Client(build_server(make_settings(tau2_store, principal="noah_brown_6181"), db=tau2_store)) as noah:
        order = await ok(noah, "get_order", order_id=mine["order_id"], detail="full")
        listed = await ok(noah, "list_orders", detail="full")
        foreign = await fail(noah, "get_order", {"order_id": theirs["order_id"]})
        missing = await fail(noah, "get_order", {"order_id": "#W0000000"})

    assert order["order_id"] == mine["order_id"]
    assert [line["product_title"] for line in order["lines"]] == [item["name"] for item in mine["items"]]
    assert [line["unit_price"]["amount"] for line in order["lines"]] == [
        round(item["price"] * 100) for item in mine["items"]
    ]
    assert order["total"]["amount"] == sum(round(item["price"] * 100) for item in mine["items"])
    assert [summary["order_id"] for summary in listed["orders"]] == [mine["order_id"]]
    assert foreign["code"] == missing["code"] == "not_found"
    assert foreign["message"].replace(theirs["order_id"], "<id>") == missing["message"].replace("#W0000000", "<id>")


async def test_get_order_shows_options_fulfilments_and_payment_history(tau2_store: Database) -> None:
    data = _tau2()
    orders = data["orders"]
    assert isinstance(orders, dict)
    delivered = next(o for o in orders.values() if o["status"] == "delivered" and o["user_id"] not in _CHANGED_USERS)

    async with Client(build_server(make_settings(tau2_store, principal=delivered["user_id"]), db=tau2_store)) as client:
        order = await ok(client, "get_order", order_id=delivered["order_id"], detail="full")

    assert order["status"] == "delivered"
    assert [line["options"] for line in order["lines"]] == [item["options"] for item in delivered["items"]]
    assert [list(line["options"]) for line in order["lines"]] == [list(item["options"]) for item in delivered["items"]]
    assert [f["tracking_ids"] for f in order["fulfilments"]] == [f["tracking_id"] for f in delivered["fulfillments"]]
    assert [len(f["variant_ids"]) for f in order["fulfilments"]] == [
        len(f["item_ids"]) for f in delivered["fulfillments"]
    ]
    assert [(p["kind"], p["amount"]["amount"], p["payment_method"]) for p in order["payment_history"]] == [
        (p["transaction_type"], round(p["amount"] * 100), p["payment_method_id"]) for p in delivered["payment_history"]
    ]


async def test_cancelling_a_gift_card_order_credits_the_card_at_once_as_tau2_does(tau2_store: Database) -> None:
    data = _tau2()
    order_id, user_id, card_id = "#W6779827", "ethan_lopez_6291", "gift_card_7219486"

    async with Client(build_server(make_settings(tau2_store, principal=user_id), db=tau2_store)) as ethan:
        before = await ok(ethan, "get_account")
        cancelled = await ok(ethan, "cancel_order", order_id=order_id, reason="no_longer_needed")
        again = await ok(ethan, "cancel_order", order_id=order_id, reason="no_longer_needed")
        after = await ok(ethan, "get_account")

    def balance(account: dict[str, object]) -> int:
        methods = account["payment_methods"]
        assert isinstance(methods, list)
        return int(next(m for m in methods if m["payment_method_id"] == card_id)["balance"]["amount"])

    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "no_longer_needed"
    assert [(p["kind"], p["amount"]["amount"], p["payment_method"]) for p in cancelled["payment_history"]] == [
        ("payment", 407945, card_id),
        ("refund", 407945, card_id),
    ]
    assert again == cancelled
    assert balance(after) == balance(before) + 407945

    # The export holds what tau2's own cancel_pending_order leaves behind.
    exported = tau2_store.run_read(tau2_retail.dump)
    orders, users = data["orders"], data["users"]
    assert isinstance(orders, dict)
    assert isinstance(users, dict)
    expected = {
        **orders[order_id],
        "status": "cancelled",
        "payment_history": [
            *orders[order_id]["payment_history"],
            {"transaction_type": "refund", "amount": 4079.45, "payment_method_id": card_id},
        ],
        "cancel_reason": "no longer needed",
    }
    assert exported["orders"][order_id] == expected
    assert exported["users"][user_id]["payment_methods"][card_id]["balance"] == round(49.0 + 4079.45, 2)


async def test_cancelling_a_card_order_records_the_refund_and_leaves_the_wallet(tau2_store: Database) -> None:
    order_id, user_id = "#W5918442", "sofia_rossi_8776"

    async with Client(build_server(make_settings(tau2_store, principal=user_id), db=tau2_store)) as sofia:
        before = await ok(sofia, "get_account")
        cancelled = await ok(sofia, "cancel_order", order_id=order_id, reason="ordered_by_mistake")
        after = await ok(sofia, "get_account")

    assert [(p["kind"], p["payment_method"]) for p in cancelled["payment_history"]] == [
        ("payment", "credit_card_5051208"),
        ("refund", "credit_card_5051208"),
    ]
    assert after["payment_methods"] == before["payment_methods"]


async def test_a_processed_order_cannot_be_cancelled(tau2_store: Database) -> None:
    async with Client(build_server(make_settings(tau2_store, principal="james_li_5688"), db=tau2_store)) as james:
        error = await fail(james, "cancel_order", {"order_id": "#W2611340", "reason": "no_longer_needed"})
        order = await ok(james, "get_order", order_id="#W2611340", detail="full")

    assert error["code"] == "order_not_cancellable"
    assert order["status"] == "shipped"
    assert [p["kind"] for p in order["payment_history"]] == ["payment"]


def _variant_id(db: Database, item_id: str) -> int:
    def find(tx: Session) -> int | None:
        return tx.exec(select(Variant.id).where(Variant.sku == f"tau2-{item_id}")).one()

    found = db.run_read(find)
    assert found is not None
    return found


def _gift_balance(account: dict[str, Any], card_id: str) -> int:
    return int(next(m for m in account["payment_methods"] if m["payment_method_id"] == card_id)["balance"]["amount"])


async def test_a_gift_card_of_the_wallet_pays_refunds_and_cannot_overdraw(tau2_store: Database) -> None:
    user_id, card_id = "harper_ito_5985", "gift_card_4058084"  # $100.00 on the card
    shirt = _variant_id(tau2_store, "9612497925")  # a $50.88 T-shirt

    async with Client(build_server(make_settings(tau2_store, principal=user_id), db=tau2_store)) as harper:
        await ok(harper, "add_to_cart", variant_id=shirt)
        quote = await ok(harper, "preview_checkout", shipping_address=US_ADDRESS, payment_method=card_id)
        key = new_key()
        order = await ok(harper, "place_order", quote_id=quote["quote_id"], idempotency_key=key)
        repeated = await ok(harper, "place_order", quote_id=quote["quote_id"], idempotency_key=key)
        paid = await ok(harper, "get_account")

        await ok(harper, "add_to_cart", variant_id=shirt)
        short = await fail(harper, "preview_checkout", {"shipping_address": US_ADDRESS, "payment_method": card_id})
        cancelled = await ok(harper, "cancel_order", order_id=order["order_id"], reason="no_longer_needed")
        refunded = await ok(harper, "get_account")

    total = order["total"]["amount"]
    assert total == quote["total"]["amount"] == 5457  # 50.88 + 7.25% California tax, free shipping
    assert repeated == order
    assert _gift_balance(paid, card_id) == 10000 - total
    assert order["payment_history"] == [{"kind": "payment", "amount": order["total"], "payment_method": card_id}]
    assert short["code"] == "insufficient_funds"
    assert short["details"]["balance"] == 10000 - total
    assert [p["kind"] for p in cancelled["payment_history"]] == ["payment", "refund"]
    assert _gift_balance(refunded, card_id) == 10000


async def test_another_accounts_wallet_method_is_no_method_at_all(tau2_store: Database) -> None:
    shirt = _variant_id(tau2_store, "9612497925")

    async with Client(build_server(make_settings(tau2_store, principal="harper_ito_5985"), db=tau2_store)) as harper:
        session = (await ok(harper, "new_session"))["session_id"]
        await ok(harper, "add_to_cart", variant_id=shirt, session_id=session)
        # Noah's PayPal account, and the gift card of this principal's own account but from another session.
        args = {"shipping_address": US_ADDRESS, "session_id": session}
        foreign = await fail(harper, "preview_checkout", {**args, "payment_method": "paypal_5727330"})
        other_session = await fail(harper, "preview_checkout", {**args, "payment_method": "gift_card_4058084"})
        missing = await fail(harper, "preview_checkout", {**args, "payment_method": "paypal_0000000"})

    assert foreign["code"] == other_session["code"] == missing["code"] == "invalid_input"
    assert foreign["message"].replace("paypal_5727330", "<id>") == missing["message"].replace("paypal_0000000", "<id>")
