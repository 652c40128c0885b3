"""The logical clock: a session's time moves one step per write of that session, so quotes still expire."""

from collections.abc import Callable

from mcp import Client
from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, store_offer
from tests.tools.shopping import US_ADDRESS, Shopper, new_key

ServerFactory = Callable[..., MCPServer[AppContext]]

START = "2030-01-01T00:00:00Z"


def _offer(database: Database) -> int:
    build = CatalogBuilder(database)
    product = build.product(
        "Clockwork Mouse", variants=[VariantSpec(offers=[OfferSpec(build.seller("Tick Tock"), 999, stock=50)])]
    )
    return store_offer(database, product.id)


async def test_a_quote_expires_after_enough_writes_of_its_session(
    server_factory: ServerFactory, database: Database
) -> None:
    offer_id = _offer(database)
    server = server_factory(clock=START, clock_step_seconds=300, quote_ttl_seconds=900)
    async with Client(server) as client:
        shopper, neighbour = await Shopper.start(client), await Shopper.start(client)
        await shopper.ok("add_to_cart", offer_id=offer_id)
        quote = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
        for _ in range(5):  # the neighbour's writes move the neighbour's clock only
            await neighbour.ok("add_to_cart", offer_id=offer_id)
        kept = await shopper.ok("preview_checkout", shipping_address=US_ADDRESS)
        for _ in range(3):
            await shopper.ok("update_cart_item", line_id=(await shopper.cart())["lines"][0]["line_id"], quantity=1)
        expired = await shopper.fail("place_order", quote_id=kept["quote_id"], idempotency_key=new_key())

    assert quote["expires_at"].startswith("2030-01-01T00:20:00")  # one write (5 min) + 15 min
    assert kept["expires_at"] == quote["expires_at"]
    assert expired["code"] == "quote_expired"
