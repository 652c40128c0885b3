"""A tau2-bench retail store as its users see it through the MCP client: accounts, wallets and their orders.

Each test builds its own database (an import needs an empty store), on SQLite and PostgreSQL.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client

from shopmcp import migrations
from shopmcp.db import Database
from shopmcp.server import build_server
from shopmcp.services import tau2_retail
from tests.calls import ok
from tests.conftest import BACKENDS, create_pg_database, drop_pg_database, make_settings
from tests.tau2_data import retail_db
from tests.tools.shopping import fail


@pytest.fixture(scope="module", params=BACKENDS)
def tau2_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A database holding tau2's retail store, imported once per backend for this module's tests (which only read)."""
    source = retail_db()
    url = (
        f"sqlite:///{tmp_path_factory.mktemp('tau2') / 'store.db'}"
        if request.param == "sqlite"
        else create_pg_database()
    )
    db = Database(url)
    migrations.upgrade(db.engine)
    db.run_write(tau2_retail.load, data=json.loads(source.read_text(encoding="utf-8")))
    yield db
    db.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


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
        (uid, u) for uid, u in users.items() if any(m["source"] == "gift_card" for m in u["payment_methods"].values())
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
        order = await ok(noah, "get_order", order_id=mine["order_id"])
        listed = await ok(noah, "list_orders")
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
