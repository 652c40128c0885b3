"""Several server processes on one database, as behind a load balancer: any of them serves any session."""

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from shopmcp.db import Database
from tests.calls import ok
from tests.factories import offer_stock, store_offer
from tests.serving.conftest import ServerProcess, connect, make_server, running_pair
from tests.serving.shopping import ADDRESS, check_out, fill_cart, stocked_product

PUBLIC_URL = "http://shop.test/mcp"
STOCK = 5
SHOPPERS = 12

Replicas = tuple[ServerProcess, ServerProcess]


@pytest.fixture(scope="module")
def replicas(
    database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two processes sharing the database, the token file and the public URL; the handshake era stateless."""
    first = make_server(tmp_path_factory.mktemp("replica1"), database, public_url=PUBLIC_URL)
    second = make_server(tmp_path_factory.mktemp("replica2"), database, public_url=PUBLIC_URL, tokens_from=first)
    yield from running_pair(first, second)


@pytest.mark.parametrize(("fill_mode", "checkout_mode"), [("auto", "auto"), ("legacy", "legacy"), ("legacy", "auto")])
async def test_a_cart_filled_through_one_process_is_checked_out_through_the_other(
    replicas: Replicas, database: Database, fill_mode: str, checkout_mode: str
) -> None:
    first, second = replicas
    product = stocked_product(database)
    assert product.id is not None
    token = first.tokens["alice"]

    async with connect(first.mcp_url, token=token, mode=fill_mode) as via_first:
        session_id = await fill_cart(via_first, product.id, 2)
    async with connect(second.mcp_url, token=token, mode=checkout_mode) as via_second:
        order = await check_out(via_second, session_id)
    async with connect(first.mcp_url, token=token, mode=fill_mode) as via_first:
        followed = await ok(via_first, "get_order", order_id=order["order_id"], session_id=session_id)

    assert [line["quantity"] for line in order["lines"]] == [2]
    assert followed["order_id"] == order["order_id"]
    assert offer_stock(database, store_offer(database, product.id)) == 50 - 2


async def test_concurrent_checkouts_through_both_processes_never_oversell(
    replicas: Replicas, database: Database
) -> None:
    product = stocked_product(database, stock=STOCK)
    assert product.id is not None
    principals = ["alice", "bob"]
    outcomes: list[dict[str, Any]] = []

    async def shop(index: int, ready: anyio.Event, go: anyio.Event) -> None:
        server = replicas[index % 2]
        token = server.tokens[principals[index % 2]]
        async with connect(server.mcp_url, token=token, mode="auto" if index % 3 else "legacy") as client:
            session_id = await fill_cart(client, product.id or 0, 1)
            quote = await ok(client, "preview_checkout", shipping_address=ADDRESS, session_id=session_id)
            ready.set()
            await go.wait()
            arguments = {
                "quote_id": quote["quote_id"],
                "idempotency_key": f"race-{product.id}-{index}",
                "session_id": session_id,
            }
            result = await client.call_tool("place_order", arguments)
            assert result.structured_content is not None
            outcomes.append(result.structured_content)

    go = anyio.Event()
    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            readies = []
            for index in range(SHOPPERS):
                ready = anyio.Event()
                readies.append(ready)
                group.start_soon(shop, index, ready, go)
            for ready in readies:
                await ready.wait()
            go.set()

    placed = [outcome for outcome in outcomes if "error" not in outcome]
    refused = [outcome["error"]["code"] for outcome in outcomes if "error" in outcome]
    assert len(outcomes) == SHOPPERS
    assert len(placed) == STOCK
    assert set(refused) <= {"insufficient_stock", "out_of_stock", "quote_stale"}
    assert offer_stock(database, store_offer(database, product.id)) == 0
