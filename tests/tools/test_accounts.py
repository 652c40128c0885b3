"""get_account and update_default_address through the in-memory client: who a customer is, and their addresses."""

import secrets
from collections.abc import Callable

import pytest
from mcp import Client
from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from tests.calls import ok
from tests.tools.shopping import NY_ADDRESS, US_ADDRESS, Shopper, Store, fail, small_store

ServerFactory = Callable[..., MCPServer[AppContext]]


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


async def test_a_new_session_is_an_empty_account_of_its_own(client: Client) -> None:
    shopper = await Shopper.start(client)

    account = await shopper.ok("get_account")

    assert account == {
        "session_id": shopper.session_id,
        "kind": "episode",
        "customer_id": None,
        "first_name": None,
        "last_name": None,
        "email": None,
        "addresses": [],
        "payment_methods": [],
        "order_ids": [],
    }


async def test_the_default_session_is_the_principals_own_account(server_factory: ServerFactory) -> None:
    async with Client(server_factory(principal=f"carol-{secrets.token_hex(3)}")) as carol:
        account = await ok(carol, "get_account")
        again = await ok(carol, "get_account")
        cart = await ok(carol, "view_cart")

    assert account["kind"] == "principal"
    assert account["session_id"] == again["session_id"] == cart["session_id"]


async def test_update_default_address_saves_normalizes_and_switches_the_default(client: Client) -> None:
    shopper = await Shopper.start(client)

    first = await shopper.ok("update_default_address", address={**US_ADDRESS, "country": "United States"})
    second = await shopper.ok("update_default_address", address=NY_ADDRESS)
    back = await shopper.ok("update_default_address", address=US_ADDRESS)

    assert first["customer_id"] is not None
    assert [a["country"] for a in first["addresses"]] == ["US"]
    assert [(a["line1"], a["is_default"]) for a in second["addresses"]] == [
        (NY_ADDRESS["line1"], True),
        (US_ADDRESS["line1"], False),
    ]
    # The first address again: the saved one becomes the default, no duplicate is saved.
    assert [(a["line1"], a["is_default"]) for a in back["addresses"]] == [
        (US_ADDRESS["line1"], True),
        (NY_ADDRESS["line1"], False),
    ]
    assert back["addresses"][0]["address_id"] == first["addresses"][0]["address_id"]
    assert back == await shopper.ok("get_account")
    # Calling it again with the same address changes nothing.
    assert await shopper.ok("update_default_address", address=US_ADDRESS) == back


async def test_an_unusable_address_is_refused_with_every_field_and_nothing_saved(client: Client) -> None:
    shopper = await Shopper.start(client)

    error = await shopper.fail(
        "update_default_address", address={**US_ADDRESS, "region": "Narnia", "postal_code": "nope"}
    )

    assert error["code"] == "invalid_address"
    assert set(error["details"]["fields"]) == {"region", "postal_code"}
    assert (await shopper.ok("get_account"))["addresses"] == []


async def test_missing_address_fields_are_refused_by_the_schema(client: Client) -> None:
    shopper = await Shopper.start(client)

    result = await shopper.rejected("update_default_address", address={"line1": "1 Main St"})

    assert "address" in str(result.content)


async def test_episodes_of_one_principal_never_see_each_others_accounts_or_orders(client: Client, store: Store) -> None:
    buyer, other = await Shopper.start(client), await Shopper.start(client)
    await buyer.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.bolt))
    _, order = await buyer.buy()
    await buyer.ok("update_default_address", address=NY_ADDRESS)

    mine, theirs = await buyer.ok("get_account"), await other.ok("get_account")

    assert mine["order_ids"] == [order["order_id"]]
    assert mine["customer_id"] != theirs["customer_id"]
    assert theirs["order_ids"] == []
    assert theirs["addresses"] == []
    assert (await other.fail("get_order", order_id=order["order_id"]))["code"] == "not_found"


async def test_another_principals_session_is_not_found(server_factory: ServerFactory) -> None:
    tag = secrets.token_hex(3)
    async with (
        Client(server_factory(principal=f"dan-{tag}")) as dan,
        Client(server_factory(principal=f"eve-{tag}")) as eve,
    ):
        dans = await Shopper.start(dan)
        await dans.ok("update_default_address", address=US_ADDRESS)

        foreign = await fail(eve, "get_account", {"session_id": dans.session_id})
        write = await fail(eve, "update_default_address", {"session_id": dans.session_id, "address": NY_ADDRESS})
        # A bad address in someone else's session says nothing about the address: the session is not found.
        bad = await fail(
            eve, "update_default_address", {"session_id": dans.session_id, "address": {**NY_ADDRESS, "country": "00"}}
        )
        account = await dans.ok("get_account")

    assert foreign["code"] == write["code"] == bad["code"] == "not_found"
    assert [a["line1"] for a in account["addresses"]] == [US_ADDRESS["line1"]]
