"""Isolation: a session, line, quote or order of someone else is answered exactly like one that does not exist.

Two principals with several sessions each. Every session-scoped tool is
called with every foreign id; each answer must be `not_found`, identical
(apart from the id itself) to the answer for an id that never existed, and
the owner's state must be the same afterwards.
"""

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from tests.factories import offer_stock
from tests.tools.shopping import US_ADDRESS, Shopper, Store, make_coupon, new_key, small_store

ServerFactory = Callable[..., MCPServer[AppContext]]


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


def _normalized(error: dict[str, Any], identifier: object) -> dict[str, Any]:
    """The error with the id it names replaced, so answers for two different ids can be compared."""
    details = {**error["details"], "id": "<id>"} if error["details"].get("id") == identifier else error["details"]
    return {**error, "message": error["message"].replace(f"id {identifier!r}.", "id <id>."), "details": details}


async def _fill(shopper: Shopper, store: Store, coupon: str) -> dict[str, Any]:
    """A session with a placed order, an open quote and a cart with a coupon; returns its ids."""
    await shopper.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.bolt))
    _, order = await shopper.buy()
    await shopper.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.acme), quantity=2)
    cart = await shopper.ok("add_to_cart", product_id=store.cable.id)
    await shopper.ok("apply_coupon", code=coupon)
    quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    await shopper.ok("update_default_address", address=US_ADDRESS)
    return {
        "session": shopper.session_id,
        "lines": [line["line_id"] for line in cart["lines"]],
        "quote": quote["quote_id"],
        "order": order["order_id"],
    }


async def _state(shopper: Shopper, ids: dict[str, Any]) -> dict[str, Any]:
    return {
        "cart": await shopper.cart(),
        "orders": await shopper.ok("list_orders"),
        "order": await shopper.ok("get_order", order_id=ids["order"]),
        "account": await shopper.ok("get_account"),
    }


def _session_calls(store: Store, ids: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every session-scoped tool, with arguments that would be valid in the owner's session."""
    return [
        ("view_cart", {}),
        ("add_to_cart", {"product_id": store.cable.id}),
        ("update_cart_item", {"line_id": ids["lines"][0], "quantity": 1}),
        ("remove_from_cart", {"line_id": ids["lines"][0]}),
        ("clear_cart", {}),
        ("apply_coupon", {"code": "WHATEVER"}),
        ("remove_coupon", {"code": "WHATEVER"}),
        ("preview_checkout", {"shipping_address": US_ADDRESS}),
        ("place_order", {"quote_id": ids["quote"], "idempotency_key": new_key()}),
        ("list_orders", {}),
        ("get_order", {"order_id": ids["order"]}),
        ("cancel_order", {"order_id": ids["order"], "reason": "other"}),
        ("update_order_address", {"order_id": ids["order"], "shipping_address": US_ADDRESS}),
        ("update_order_payment", {"order_id": ids["order"], "payment_method_id": "paypal_1"}),
        (
            "modify_order_items",
            {"order_id": ids["order"], "variant_ids": [1], "new_variant_ids": [2], "payment_method_id": "p"},
        ),
        ("request_return", {"order_id": ids["order"], "variant_ids": [1], "payment_method_id": "p"}),
        (
            "request_exchange",
            {"order_id": ids["order"], "variant_ids": [1], "new_variant_ids": [2], "payment_method_id": "p"},
        ),
        ("get_account", {}),
        ("update_default_address", {"address": US_ADDRESS}),
    ]


def _object_calls(ids: dict[str, Any], line: int, quote: str, order: str) -> list[tuple[str, dict[str, Any], object]]:
    """Calls naming one object by id, with the id they name."""
    return [
        ("update_cart_item", {"line_id": line, "quantity": 1}, line),
        ("remove_from_cart", {"line_id": line}, line),
        ("place_order", {"quote_id": quote, "idempotency_key": new_key()}, quote),
        ("get_order", {"order_id": order}, order),
        ("cancel_order", {"order_id": order, "reason": "other"}, order),
        ("update_order_address", {"order_id": order, "shipping_address": US_ADDRESS}, order),
        ("update_order_payment", {"order_id": order, "payment_method_id": "paypal_1"}, order),
        (
            "modify_order_items",
            {"order_id": order, "variant_ids": [1], "new_variant_ids": [2], "payment_method_id": "p"},
            order,
        ),
        ("request_return", {"order_id": order, "variant_ids": [1], "payment_method_id": "p"}, order),
        (
            "request_exchange",
            {"order_id": order, "variant_ids": [1], "new_variant_ids": [2], "payment_method_id": "p"},
            order,
        ),
    ]


async def test_foreign_ids_look_like_ids_that_do_not_exist(
    server_factory: ServerFactory, store: Store, database: Database
) -> None:
    tag = secrets.token_hex(3)
    coupon = make_coupon(database)
    async with (
        Client(server_factory(principal=f"alice-{tag}")) as alice_client,
        Client(server_factory(principal=f"bob-{tag}")) as bob_client,
    ):
        alice = [await Shopper.start(alice_client) for _ in range(2)]
        bob = [await Shopper.start(bob_client) for _ in range(2)]
        alice_ids = [await _fill(shopper, store, coupon) for shopper in alice]
        bob_ids = [await _fill(shopper, store, coupon) for shopper in bob]
        before = [await _state(shopper, ids) for shopper, ids in zip(alice, alice_ids, strict=True)]
        stock_before = offer_stock(database, store.offer_id(store.headphones, store.acme))

        # Another principal's session ids, with every session-scoped tool.
        missing_session = f"ses_{secrets.token_urlsafe(18)}"
        for ids in alice_ids:
            for tool, args in _session_calls(store, ids):
                foreign = await Shopper(bob_client, ids["session"]).fail(tool, **args)
                missing = await Shopper(bob_client, missing_session).fail(tool, **args)
                assert foreign["code"] == "not_found", tool
                assert _normalized(foreign, ids["session"]) == _normalized(missing, missing_session), tool

        # Another principal's (and another session's) lines, quotes and orders, inside one's own session.
        nowhere = (2**31 - 2, f"quo_{secrets.token_urlsafe(18)}", f"ord_{secrets.token_urlsafe(18)}")
        intruders = [(bob[0], alice_ids[0]), (bob[1], alice_ids[1]), (alice[1], alice_ids[0])]
        for intruder, ids in intruders:
            foreign_calls = _object_calls(ids, ids["lines"][0], ids["quote"], ids["order"])
            missing_calls = _object_calls(ids, *nowhere)
            for (tool, args, foreign_id), (_, missing_args, missing_id) in zip(
                foreign_calls, missing_calls, strict=True
            ):
                foreign = await intruder.fail(tool, **args)
                missing = await intruder.fail(tool, **missing_args)
                assert foreign["code"] == "not_found", tool
                assert _normalized(foreign, foreign_id) == _normalized(missing, missing_id), tool

        # The cart resource of another principal's session.
        with pytest.raises(MCPError) as foreign_read:
            await bob_client.read_resource(f"shop://sessions/{alice_ids[0]['session']}/cart")
        with pytest.raises(MCPError) as missing_read:
            await bob_client.read_resource(f"shop://sessions/{missing_session}/cart")
        assert foreign_read.value.error.message.replace(alice_ids[0]["session"], "<id>") == (
            missing_read.value.error.message.replace(missing_session, "<id>")
        )

        after = [await _state(shopper, ids) for shopper, ids in zip(alice, alice_ids, strict=True)]
        bob_orders = [await shopper.ok("list_orders") for shopper in bob]

    assert after == before
    assert offer_stock(database, store.offer_id(store.headphones, store.acme)) == stock_before
    assert [[o["order_id"] for o in orders["orders"]] for orders in bob_orders] == [[ids["order"]] for ids in bob_ids]


async def test_each_principal_has_its_own_default_session(server_factory: ServerFactory, store: Store) -> None:
    tag = secrets.token_hex(3)
    async with (
        Client(server_factory(principal=f"alice-{tag}")) as alice,
        Client(server_factory(principal=f"bob-{tag}")) as bob,
        Client(server_factory(principal=f"alice-{tag}")) as alice_again,
    ):
        alice_cart = await alice.call_tool("add_to_cart", {"product_id": store.cable.id})
        bob_cart = await bob.call_tool("view_cart", {})
        alice_elsewhere = await alice_again.call_tool("view_cart", {})

    assert alice_cart.structured_content is not None
    assert bob_cart.structured_content is not None
    assert alice_elsewhere.structured_content is not None
    assert bob_cart.structured_content["lines"] == []
    assert alice_elsewhere.structured_content["session_id"] == alice_cart.structured_content["session_id"]
    assert alice_elsewhere.structured_content["lines"] == alice_cart.structured_content["lines"]
    assert bob_cart.structured_content["session_id"] != alice_cart.structured_content["session_id"]
