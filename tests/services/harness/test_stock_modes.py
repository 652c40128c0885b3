"""Per-session stock keeps parallel episodes apart; shared stock still never oversells.

Twenty concurrent in-memory clients, each in a session of its own, shop the
same offer at once: real concurrent transactions on worker threads.
"""

from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client
from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, offer_stock, store_offer
from tests.tools.shopping import US_ADDRESS, Shopper, new_key

ServerFactory = Callable[..., MCPServer[AppContext]]

EPISODES = 20
UNITS = 3


def _scarce_offer(database: Database, units: int) -> int:
    build = CatalogBuilder(database)
    seller = build.seller("Scarce Goods")
    product = build.product("Numbered Print", variants=[VariantSpec(offers=[OfferSpec(seller, 1500, stock=units)])])
    return store_offer(database, product.id)


async def _episode(server: MCPServer[AppContext], offer_id: int, quantity: int, outcomes: list[dict[str, Any]]) -> None:
    """One agent: its own client and session; tries to buy `quantity` units, records what happened."""
    async with Client(server) as client:
        shopper = await Shopper.start(client)
        outcome: dict[str, Any] = {"session_id": shopper.session_id}
        added = await client.call_tool(
            "add_to_cart", {"session_id": shopper.session_id, "offer_id": offer_id, "quantity": quantity}
        )
        content = added.structured_content or {}
        if added.is_error:
            outcomes.append(outcome | {"result": content["error"]["code"]})
            return
        outcome["in_cart"] = content["item_count"]
        # In shared mode the units may sell out under a slower episode at any step: that is an outcome too.
        previewed = await client.call_tool(
            "preview_checkout", {"session_id": shopper.session_id, "shipping_address": US_ADDRESS}
        )
        quote = previewed.structured_content or {}
        if previewed.is_error:
            outcomes.append(outcome | {"result": quote["error"]["code"]})
            return
        placed = await client.call_tool(
            "place_order",
            {"session_id": shopper.session_id, "quote_id": quote["quote_id"], "idempotency_key": new_key()},
        )
        placed_content = placed.structured_content or {}
        result = placed_content["error"]["code"] if placed.is_error else placed_content["status"]
        outcomes.append(outcome | {"result": result, "order": placed_content.get("order_id")})


async def _run_episodes(server: MCPServer[AppContext], offer_id: int, quantity: int) -> list[dict[str, Any]]:
    outcomes: list[dict[str, Any]] = []
    with anyio.fail_after(180):
        async with anyio.create_task_group() as group:
            for _ in range(EPISODES):
                group.start_soon(_episode, server, offer_id, quantity, outcomes)
    assert len(outcomes) == EPISODES
    return outcomes


async def test_per_session_stock_lets_every_concurrent_episode_buy_the_whole_stock(
    server_factory: ServerFactory, database: Database
) -> None:
    offer_id = _scarce_offer(database, UNITS)
    server = server_factory(stock_mode="per_session")

    outcomes = await _run_episodes(server, offer_id, UNITS)

    assert [outcome["result"] for outcome in outcomes] == ["placed"] * EPISODES
    assert all(outcome["in_cart"] == UNITS for outcome in outcomes)
    assert offer_stock(database, offer_id) == UNITS  # the catalog's own copy is untouched
    async with Client(server) as client:
        spent = Shopper(client, outcomes[0]["session_id"])
        assert (await spent.fail("add_to_cart", offer_id=offer_id))["code"] == "out_of_stock"
        fresh = await Shopper.start(client)
        assert (await fresh.ok("add_to_cart", offer_id=offer_id, quantity=UNITS + 5))["item_count"] == UNITS
        await spent.ok("cancel_order", order_id=outcomes[0]["order"], reason="changed_mind")
        assert (await spent.ok("add_to_cart", offer_id=offer_id, quantity=UNITS))["item_count"] == UNITS


async def test_shared_stock_sells_each_unit_once_to_concurrent_episodes(
    server_factory: ServerFactory, database: Database
) -> None:
    offer_id = _scarce_offer(database, UNITS)

    outcomes = await _run_episodes(server_factory(), offer_id, 1)

    results = [outcome["result"] for outcome in outcomes]
    assert results.count("placed") == UNITS
    assert set(results) <= {"placed", "insufficient_stock", "out_of_stock"}
    assert offer_stock(database, offer_id) == 0
