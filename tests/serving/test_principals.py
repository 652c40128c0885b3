"""Principals over HTTP: a token's subject owns its sessions, and no other token can reach them."""

import pytest

from shopmcp.db import Database
from tests.calls import ok
from tests.serving.conftest import ServerProcess, connect
from tests.serving.shopping import check_out, error_of, fill_cart, stocked_product


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_principal_b_cannot_reach_principal_as_session(
    http_server: ServerProcess, database: Database, mode: str
) -> None:
    product = stocked_product(database)
    assert product.id is not None
    async with (
        connect(http_server.mcp_url, token=http_server.tokens["alice"], mode=mode) as alice,
        connect(http_server.mcp_url, token=http_server.make_jwt("bob"), mode=mode) as bob,
    ):
        session_id = await fill_cart(alice, product.id, 1)
        order = await check_out(alice, session_id)

        cart_error = await error_of(bob, "view_cart", session_id=session_id)
        add_error = await error_of(bob, "add_to_cart", product_id=product.id, session_id=session_id)
        order_error = await error_of(bob, "get_order", order_id=order["order_id"], session_id=session_id)
        own_order_error = await error_of(bob, "get_order", order_id=order["order_id"])
        alices_cart = await ok(alice, "view_cart", session_id=session_id)

    assert {cart_error["code"], add_error["code"], order_error["code"], own_order_error["code"]} == {"not_found"}
    assert alices_cart["lines"] == []


async def test_a_principal_keeps_its_default_session_across_connections_and_protocol_eras(
    http_server: ServerProcess, database: Database
) -> None:
    product = stocked_product(database)
    assert product.id is not None
    # A principal of its own, so its default session is fresh.
    principal = "carol-" + product.handle
    async with (
        connect(http_server.mcp_url, token=http_server.make_jwt(principal)) as first,
        connect(http_server.mcp_url, token=http_server.make_jwt(principal), mode="legacy") as second,
    ):
        await ok(first, "add_to_cart", product_id=product.id, quantity=3)
        cart = await ok(second, "view_cart")

    assert [line["quantity"] for line in cart["lines"]] == [3]
