"""Concurrent checkouts on both databases: no unit sold twice, one order per idempotency key.

Concurrent in-memory clients in a task group run real concurrent database
transactions: sync tools run on worker threads.
"""

from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client
from mcp.server import MCPServer
from sqlalchemy import func
from sqlmodel import col, select

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from shopmcp.models.order import Order
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, offer_stock, store_offer
from tests.tools.shopping import US_ADDRESS, Shopper, new_key

ServerFactory = Callable[..., MCPServer[AppContext]]

UNITS = 50
BUYERS = 80
CLIENTS = 16


def _last_units(database: Database, units: int) -> int:
    build = CatalogBuilder(database)
    seller = build.seller("Last Units Co")
    product = build.product("Limited Edition", variants=[VariantSpec(offers=[OfferSpec(seller, 2500, stock=units)])])
    return store_offer(database, product.id)


def _orders_in(database: Database, session_ids: list[str]) -> int:
    with database.read() as tx:
        statement = select(func.count()).select_from(Order).where(col(Order.session_id).in_(session_ids))
        return tx.exec(statement).one()


async def test_sixteen_clients_buying_the_last_fifty_units_sell_exactly_fifty(
    server_factory: ServerFactory, database: Database
) -> None:
    offer_id = _last_units(database, UNITS)
    server = server_factory()
    quotes: list[tuple[str, str]] = []
    async with Client(server) as setup:
        for _ in range(BUYERS):
            shopper = await Shopper.start(setup)
            await shopper.ok("add_to_cart", offer_id=offer_id)
            quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
            quotes.append((shopper.session_id, quote["quote_id"]))

    outcomes: list[str] = []
    queue = list(quotes)

    async def buyer() -> None:
        async with Client(server) as client:
            while queue:
                session_id, quote_id = queue.pop()
                args = {"session_id": session_id, "quote_id": quote_id, "idempotency_key": new_key()}
                result = await client.call_tool("place_order", args)
                content: dict[str, Any] = result.structured_content or {}
                outcomes.append(content["error"]["code"] if result.is_error else content["status"])

    with anyio.fail_after(180):
        async with anyio.create_task_group() as group:
            for _ in range(CLIENTS):
                group.start_soon(buyer)

    assert len(outcomes) == BUYERS
    assert outcomes.count("placed") == UNITS
    assert outcomes.count("insufficient_stock") == BUYERS - UNITS
    assert offer_stock(database, offer_id) == 0
    assert _orders_in(database, [session_id for session_id, _ in quotes]) == UNITS


async def test_ten_concurrent_calls_with_one_key_place_one_order(
    server_factory: ServerFactory, database: Database
) -> None:
    offer_id = _last_units(database, 5)
    server = server_factory()
    async with Client(server) as setup:
        shopper = await Shopper.start(setup)
        await shopper.ok("add_to_cart", offer_id=offer_id, quantity=2)
        quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
    args = {"session_id": shopper.session_id, "quote_id": quote["quote_id"], "idempotency_key": new_key()}
    answers: list[dict[str, Any] | None] = []

    async def place() -> None:
        async with Client(server) as client:
            answers.append((await client.call_tool("place_order", args)).structured_content)

    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(place)

    assert len(answers) == 10
    assert answers[0] is not None
    assert answers[0].get("status") == "placed", answers[0]
    assert all(answer == answers[0] for answer in answers)
    assert _orders_in(database, [shopper.session_id]) == 1
    assert offer_stock(database, offer_id) == 3
