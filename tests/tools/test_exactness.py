"""Exactness through the tools (hypothesis): for random carts, coupons and addresses the parts add up to the
total, no amount is negative, and the placed order costs exactly what its quote said.

Kept to a moderate number of examples; the pricing rules themselves are tested at high counts without the
database in tests/services/pricing/test_rules.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, store_offer
from tests.tools.shopping import Shopper, amounts_add_up, make_coupon, new_key

ServerFactory = Callable[..., MCPServer[AppContext]]

ADDRESSES: list[dict[str, Any]] = [
    {"name": "A", "line1": "1 St", "city": "LA", "region": "CA", "postal_code": "90001", "country": "US"},
    {"name": "B", "line1": "2 St", "city": "NYC", "region": "NY", "postal_code": "10001", "country": "US"},
    {"name": "C", "line1": "3 St", "city": "Portland", "region": "OR", "postal_code": "97201", "country": "US"},
    {"name": "D", "line1": "4 St", "city": "Montréal", "region": "QC", "postal_code": "H2X 1Y4", "country": "CA"},
    {"name": "E", "line1": "5 Str", "city": "Berlin", "postal_code": "10115", "country": "DE"},
    {"name": "F", "line1": "6 Rd", "city": "McMurdo", "country": "AQ"},
]


@dataclass
class RandomStore:
    offers: list[int]
    coupons: list[str]


@pytest.fixture
def random_store(database: Database) -> RandomStore:
    build = CatalogBuilder(database)
    gadgets = build.category("Gadgets")
    small = build.category("Small Gadgets", parent=gadgets)
    sellers = [
        build.seller("North", standard=(499, 3, 5), free_over=7_500),
        build.seller("South", standard=(333, 2, 6)),
        build.seller("East", standard=(0, 5, 9)),
    ]
    prices = [1, 99, 333, 1_001, 4_999, 12_345, 99_999]
    offers = []
    for index, price in enumerate(prices):
        product = build.product(
            f"Gadget {index}",
            category=small if index % 2 else gadgets,
            variants=[VariantSpec(offers=[OfferSpec(sellers[index % 3], price, stock=1_000_000)])],
        )
        offers.append(store_offer(database, product.id))
    coupons = [
        make_coupon(database, kind="percent", value=750),
        make_coupon(database, kind="percent", value=10_000),
        make_coupon(database, kind="fixed", value=333),
        make_coupon(database, kind="fixed", value=2_500, min_subtotal=10_000),
        make_coupon(database, kind="percent", value=1_500, category=small),
        make_coupon(database, kind="fixed", value=10**8),
    ]
    return RandomStore(offers, coupons)


@pytest.fixture
def server(server_factory: ServerFactory) -> MCPServer[AppContext]:
    """One server for all examples of a test (building one per example would dominate the time)."""
    return server_factory()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    picks=st.lists(st.tuples(st.integers(0, 6), st.integers(1, 40)), min_size=1, max_size=5),
    coupon=st.one_of(st.none(), st.integers(0, 5)),
    address=st.sampled_from(ADDRESSES),
)
def test_random_carts_add_up_and_orders_cost_what_their_quote_said(
    server: MCPServer[AppContext],
    random_store: RandomStore,
    picks: list[tuple[int, int]],
    coupon: int | None,
    address: dict[str, Any],
) -> None:
    async def shop() -> None:
        with anyio.fail_after(60):
            await shop_once()

    async def shop_once() -> None:
        async with Client(server) as client:
            shopper = await Shopper.start(client)
            for offer_index, quantity in picks:
                await shopper.ok("add_to_cart", offer_id=random_store.offers[offer_index], quantity=quantity)
            if coupon is not None:
                result = await client.call_tool(
                    "apply_coupon", {"code": random_store.coupons[coupon], "session_id": shopper.session_id}
                )
                if result.is_error:
                    assert result.structured_content is not None
                    assert result.structured_content["error"]["code"] == "coupon_not_applicable"
            cart = await shopper.cart()
            amounts_add_up(cart, shipping_key="estimated_shipping", tax_key="estimated_tax")

            quote = await shopper.ok("preview_checkout", shipping_address=address)
            order = await shopper.ok("place_order", quote_id=quote["quote_id"], idempotency_key=new_key())

            amounts_add_up(quote)
            amounts_add_up(order)
            assert quote["subtotal"] == cart["subtotal"]
            assert quote["discount"] == cart["discount"]
            for field in ("subtotal", "discount", "shipping", "tax", "total"):
                assert order[field] == quote[field]
            assert [(x["offer_id"], x["quantity"], x["total"]) for x in order["lines"]] == [
                (x["offer_id"], x["quantity"], x["total"]) for x in quote["lines"]
            ]

    anyio.run(shop)
