"""The order clock through the MCP client: a placed order moves on to processing, shipped (with a tracking id)
and delivered, by the session's logical clock in seeded mode and by delays outside it.

Time is never waited for: the logical clock moves with the session's writes, and outside it the delays are
zero or an order's placing time is moved back, as if that much time had passed.
"""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult
from sqlmodel import select

from shopmcp.db import Database
from shopmcp.models.customer import WalletMethod
from shopmcp.models.order import Order, OrderStatusChange
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.server import build_server
from shopmcp.services import tau2_retail
from shopmcp.services.customers.accounts import ensure_customer
from tests.calls import ok
from tests.conftest import BACKENDS, make_settings
from tests.tau2_data import imported_store
from tests.tools.shopping import CLOCK_SEEDED as SEEDED
from tests.tools.shopping import US_ADDRESS, Shopper, Store, small_store

_TRACKING_ID = re.compile(r"^trk_[A-Za-z0-9_-]{24}$")


def _gift_card(database: Database, session_id: str) -> str:
    """An empty gift card in the session's wallet, to be refunded to (a plain session starts with none)."""
    with database.write() as tx:
        session = tx.exec(select(ShoppingSession).where(ShoppingSession.id == session_id)).one()
        customer = ensure_customer(tx, session)
        method_id = f"gift_card_{session_id[-8:]}"
        tx.add(WalletMethod(id=method_id, customer_id=customer.id or 0, kind="gift_card", position=0, balance=0))
    return method_id


def _back_date(database: Database, order_id: str, by: timedelta) -> None:
    """As if `by` had passed since the order was placed: its times so far move back by `by`."""
    with database.write() as tx:
        order = tx.get(Order, order_id)
        assert order is not None
        order.placed_at -= by
        for change in tx.exec(select(OrderStatusChange).where(OrderStatusChange.order_id == order_id)):
            change.changed_at -= by
            tx.add(change)
        tx.add(order)


async def _write(shopper: Shopper, shop: Store, times: int) -> None:
    """`times` writes of the shopper's session: each moves its logical clock one step."""
    for _ in range(times):
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.cable, shop.acme))


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _moves(order: dict[str, Any]) -> list[tuple[str, timedelta]]:
    placed = _at(order["placed_at"])
    return [(change["status"], _at(change["at"]) - placed) for change in order["history"]]


async def test_seeded_an_order_moves_on_with_the_sessions_writes_and_is_returned_once_delivered(
    server_factory: Any, database: Database
) -> None:
    shop = small_store(database)
    async with Client(server_factory(**SEEDED)) as client:
        shopper = await Shopper.start(client)
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.headphones, shop.acme), quantity=2)
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.headphones, shop.bolt))
        _, order = await shopper.buy()
        seen = [(await shopper.ok("get_order", order_id=order["order_id"], detail="full"))["status"]]
        for _ in range(3):
            await _write(shopper, shop, 2)
            seen.append((await shopper.ok("get_order", order_id=order["order_id"], detail="full"))["status"])
        refused = await shopper.fail("cancel_order", order_id=order["order_id"], reason="changed_mind")
        delivered = await shopper.ok("get_order", order_id=order["order_id"], detail="full")
        card = _gift_card(database, shopper.session_id)
        headphones = order["lines"][0]["variant_id"]
        returned = await shopper.ok(
            "request_return", order_id=order["order_id"], variant_ids=[headphones], payment_method_id=card
        )

    assert seen == ["placed", "processing", "shipped", "delivered"]
    assert refused["code"] == "order_not_cancellable"
    minute = timedelta(minutes=1)
    # Each move is recorded when it was due, not when it was noticed.
    assert _moves(delivered) == [
        ("placed", timedelta(0)),
        ("processing", 2 * minute),
        ("shipped", 4 * minute),
        ("delivered", 6 * minute),
    ]
    # One parcel per seller, each unit named by its variant, with a tracking id and the carrier.
    parcels = delivered["fulfilments"]
    assert sorted(len(parcel["variant_ids"]) for parcel in parcels) == [1, 2]
    assert all(_TRACKING_ID.match(parcel["tracking_ids"][0]) for parcel in parcels)
    assert {parcel["carrier"] for parcel in parcels} == {"Sandbox Post"}
    assert delivered["cancellable"] is False
    assert returned["status"] == "return_requested"


async def test_seeded_the_final_state_does_not_depend_on_how_often_the_order_was_read(
    server_factory: Any, database: Database
) -> None:
    shop = small_store(database)
    finals = []
    async with Client(server_factory(**SEEDED)) as client:
        for reads in (True, False):
            shopper = await Shopper.start(client)
            await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.shirt, shop.acme))
            _, order = await shopper.buy()
            for _ in range(5):
                await _write(shopper, shop, 1)
                if reads:
                    await shopper.ok("list_orders")
                    await shopper.ok("get_order", order_id=order["order_id"])
            finals.append(await shopper.ok("get_order", order_id=order["order_id"], detail="full"))

    def without_ids(view: dict[str, Any]) -> dict[str, Any]:
        trimmed = {key: value for key, value in view.items() if key not in {"order_id", "session_id", "payment"}}
        trimmed["fulfilments"] = [{**f, "tracking_ids": len(f["tracking_ids"])} for f in view["fulfilments"]]
        return trimmed

    assert finals[0]["status"] == "shipped"
    assert without_ids(finals[0]) == without_ids(finals[1])


async def test_after_the_delays_an_order_ships_cannot_be_cancelled_and_is_delivered(
    server_factory: Any, database: Database
) -> None:
    shop = small_store(database)
    server = server_factory(order_processing_after="0s", order_shipping_after="1h", order_delivery_after="2h")
    async with Client(server) as client:
        shopper = await Shopper.start(client)
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.headphones, shop.acme))
        _, order = await shopper.buy()
        order_id = order["order_id"]
        processing = await shopper.ok("get_order", order_id=order_id, detail="full")
        _back_date(database, order_id, timedelta(minutes=90))
        shipped = await shopper.ok("get_order", order_id=order_id, detail="full")
        refused = await shopper.fail("cancel_order", order_id=order_id, reason="changed_mind")
        _back_date(database, order_id, timedelta(hours=2))
        listed = await shopper.ok("list_orders", status="delivered")  # stored as shipped until this read
        delivered = await shopper.ok("get_order", order_id=order_id, detail="full")

    assert order["status"] == "placed"
    assert (processing["status"], processing["cancellable"], processing["fulfilments"]) == ("processing", True, [])
    assert shipped["status"] == "shipped"
    assert [len(parcel["tracking_ids"]) for parcel in shipped["fulfilments"]] == [1]
    assert shipped["fulfilments"][0]["variant_ids"] == [order["lines"][0]["variant_id"]]
    assert refused["code"] == "order_not_cancellable"
    assert refused["details"]["status"] == "shipped"
    assert [summary["status"] for summary in listed["orders"]] == ["delivered"]
    assert _moves(delivered) == [
        ("placed", timedelta(0)),
        ("processing", timedelta(0)),
        ("shipped", timedelta(hours=1)),
        ("delivered", timedelta(hours=3)),
    ]
    assert delivered["fulfilments"] == shipped["fulfilments"]


async def test_concurrent_readers_make_each_move_once(server_factory: Any, database: Database) -> None:
    shop = small_store(database)
    server = server_factory(order_processing_after="0s", order_shipping_after="0s", order_delivery_after="off")
    async with Client(server) as client:
        shopper = await Shopper.start(client)
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.headphones, shop.acme))
        _, order = await shopper.buy()
        seen: list[str] = []

        async def read(tool: str) -> None:
            if tool == "get_order":
                seen.append((await shopper.ok(tool, order_id=order["order_id"]))["status"])
            else:
                seen.append((await shopper.ok(tool))["orders"][0]["status"])

        async with anyio.create_task_group() as group:
            for number in range(8):
                group.start_soon(read, "get_order" if number % 2 else "list_orders")
        final = await shopper.ok("get_order", order_id=order["order_id"], detail="full")

    assert seen == ["shipped"] * 8
    assert [change["status"] for change in final["history"]] == ["placed", "processing", "shipped"]
    assert len(final["fulfilments"]) == 1


async def test_with_the_clock_off_orders_stay_placed(server_factory: Any, database: Database) -> None:
    shop = small_store(database)
    # Ten writes of ten minutes: with the default delays it would have shipped; off, it stays placed.
    server = server_factory(clock="2030-01-01T00:00:00Z", clock_step_seconds=600, order_processing_after="off")
    async with Client(server) as client:
        shopper = await Shopper.start(client)
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.headphones, shop.acme))
        _, order = await shopper.buy()
        await _write(shopper, shop, 10)
        later = await shopper.ok("get_order", order_id=order["order_id"], detail="full")
        cancelled = await shopper.ok("cancel_order", order_id=order["order_id"], reason="changed_mind")

    assert [change["status"] for change in later["history"]] == ["placed"]
    assert cancelled["status"] == "cancelled"


async def test_an_order_modified_before_processing_still_moves_on(server_factory: Any, database: Database) -> None:
    shop = small_store(database)
    small, medium = shop.variant_ids(shop.shirt)
    server = server_factory(order_processing_after="1h", order_shipping_after="off")
    async with Client(server) as client:
        shopper = await Shopper.start(client)
        card = _gift_card(database, shopper.session_id)
        with database.write() as tx:  # the card pays the dollar the bigger shirt costs more
            method = tx.get(WalletMethod, card)
            assert method is not None
            method.balance = 500
        await shopper.ok("add_to_cart", variant_id=small)
        _, order = await shopper.buy({**US_ADDRESS, "region": "OR", "postal_code": "97201", "city": "Portland"})
        modified = await shopper.ok(
            "modify_order_items",
            order_id=order["order_id"],
            variant_ids=[small],
            new_variant_ids=[medium],
            payment_method_id=card,
        )
        _back_date(database, order["order_id"], timedelta(hours=1))
        moved = await shopper.ok("get_order", order_id=order["order_id"], detail="full")

    assert modified["status"] == "items_modified"
    assert [change["status"] for change in moved["history"]] == ["placed", "items_modified", "processing"]


@pytest.fixture(scope="module", params=BACKENDS)
def tau2_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from imported_store(request.param, tmp_path_factory)


async def test_imported_tau2_orders_never_move_and_export_as_they_were(tau2_store: Database) -> None:
    before = tau2_store.run_read(tau2_retail.dump)
    order_id, user_id = "#W5166363", "lei_li_6575"  # pending in tau2's data
    settings = make_settings(
        tau2_store,
        principal=user_id,
        order_processing_after="0s",
        order_shipping_after="0s",
        order_delivery_after="0s",
    )
    async with Client(build_server(settings, db=tau2_store)) as lei:
        pending = await ok(lei, "get_order", {"order_id": order_id})
        listed = await ok(lei, "list_orders")

    assert pending["status"] == "placed"
    assert len(listed["orders"]) > 1
    assert tau2_store.run_read(tau2_retail.dump) == before


class _Person:
    """Accepts every confirmation question, and remembers it."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})


async def test_a_change_of_an_order_that_has_shipped_meanwhile_is_not_asked_about(
    server_factory: Any, database: Database
) -> None:
    shop = small_store(database)
    person = _Person()
    server = server_factory(order_processing_after="0s", order_shipping_after="0s", order_delivery_after="off")
    async with Client(server, mode="legacy", elicitation_callback=person) as client:
        shopper = await Shopper.start(client)
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.headphones, shop.acme))
        _, order = await shopper.buy()
        refused = await shopper.fail(
            "update_order_address", order_id=order["order_id"], shipping_address={**US_ADDRESS, "line1": "2 Elm St"}
        )

    assert len(person.asked) == 1, "the total was confirmed; the address of a shipped order is not asked about"
    assert refused["code"] == "order_not_modifiable"
    assert refused["details"]["status"] == "shipped"
