"""list_orders, get_order and cancel_order through the in-memory client."""

import pytest
from mcp import Client

from shopmcp.db import Database
from shopmcp.services.orders.changes import advance_order
from shopmcp.services.orders.status import OrderStatus
from tests.factories import offer_stock
from tests.tools.shopping import Shopper, Store, make_coupon, small_store


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


async def _order(shopper: Shopper, store: Store, quantity: int = 1) -> dict[str, object]:
    await shopper.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.bolt), quantity=quantity)
    _, order = await shopper.buy()
    return order


async def test_list_orders_pages_newest_first_without_gaps(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    placed = [(await _order(shopper, store))["order_id"] for _ in range(5)]

    pages, cursor = [], None
    while True:
        page = await shopper.ok("list_orders", detail="full", limit=2, **({"cursor": cursor} if cursor else {}))
        pages.append([summary["order_id"] for summary in page["orders"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [order_id for page in pages for order_id in page] == list(reversed(placed))


async def test_list_orders_filters_by_status_and_summarizes(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    first = await _order(shopper, store, quantity=2)
    second = await _order(shopper, store)
    await shopper.ok("cancel_order", order_id=first["order_id"], reason="changed_mind")

    cancelled = await shopper.ok("list_orders", detail="full", status="cancelled")
    placed = await shopper.ok("list_orders", detail="full", status="placed")

    assert [o["order_id"] for o in cancelled["orders"]] == [first["order_id"]]
    assert [o["order_id"] for o in placed["orders"]] == [second["order_id"]]
    summary = cancelled["orders"][0]
    assert summary["item_count"] == 2
    assert summary["total"] == first["total"]
    assert summary["titles"] == [store.headphones.title]


async def test_bad_cursors_and_statuses_are_clear_errors(client: Client) -> None:
    shopper = await Shopper.start(client)

    forged = await shopper.fail("list_orders", detail="full", cursor="not-a-cursor")
    await shopper.rejected("list_orders", status="lost")
    await shopper.rejected("list_orders", limit=0)
    await shopper.rejected("list_orders", limit=51)

    assert forged["code"] == "invalid_cursor"


async def test_get_order_returns_what_place_order_returned(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    order = await _order(shopper, store)

    fetched = await shopper.ok("get_order", detail="full", order_id=order["order_id"])
    missing = await shopper.fail("get_order", detail="full", order_id="ord_missing")

    assert fetched == order
    assert missing["code"] == "not_found"
    assert "list_orders" in missing["message"]


async def test_cancel_restocks_refunds_and_frees_the_coupon(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    bolt = store.offer_id(store.headphones, store.bolt)
    code = make_coupon(database, once_per_session=True)
    await shopper.ok("add_to_cart", offer_id=bolt, quantity=3)
    await shopper.ok("add_to_cart", product_id=store.cable.id, quantity=2)
    await shopper.ok("apply_coupon", code=code)
    _, order = await shopper.buy()
    assert offer_stock(database, bolt) == 2

    cancelled = await shopper.ok("cancel_order", order_id=order["order_id"], reason="found_better_price")
    again = await shopper.ok("cancel_order", order_id=order["order_id"], reason="other")

    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "found_better_price"
    assert cancelled["payment"]["refund_id"].startswith("re_sandbox_")
    assert cancelled["cancellable"] is False
    assert [h["status"] for h in cancelled["history"]] == ["placed", "cancelled"]
    assert again == cancelled, "cancelling twice leaves the same state"
    assert offer_stock(database, bolt) == 5
    await shopper.ok("add_to_cart", offer_id=bolt)
    assert (await shopper.ok("apply_coupon", code=code))["coupon"]["applied"] is True


async def test_a_processing_order_can_be_cancelled_a_shipped_one_cannot(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    processing = await _order(shopper, store)
    shipped = await _order(shopper, store)
    with database.write() as tx:
        advance_order(tx=tx, order_id=str(processing["order_id"]), to=OrderStatus.PROCESSING)
        advance_order(tx=tx, order_id=str(shipped["order_id"]), to=OrderStatus.PROCESSING)
        advance_order(tx=tx, order_id=str(shipped["order_id"]), to=OrderStatus.SHIPPED, note="UPS 1Z999")
    bolt = store.offer_id(store.headphones, store.bolt)
    stock_before = offer_stock(database, bolt)

    cancelled = await shopper.ok("cancel_order", order_id=processing["order_id"], reason="delivery_too_slow")
    refused = await shopper.fail("cancel_order", order_id=shipped["order_id"], reason="changed_mind")
    still_shipped = await shopper.ok("get_order", detail="full", order_id=shipped["order_id"])

    assert cancelled["status"] == "cancelled"
    assert refused["code"] == "order_not_cancellable"
    assert refused["resolution"] == "unrecoverable"
    assert still_shipped["status"] == "shipped"
    assert still_shipped["history"][-1]["note"] == "UPS 1Z999"
    assert offer_stock(database, bolt) == stock_before + 1


async def test_unknown_cancel_reasons_are_rejected(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    order = await _order(shopper, store)

    await shopper.rejected("cancel_order", order_id=order["order_id"], reason="because")
    await shopper.rejected("cancel_order", order_id=order["order_id"])

    assert (await shopper.ok("get_order", detail="full", order_id=order["order_id"]))["status"] == "placed"


async def test_get_order_shows_the_charge_and_refund_and_each_lines_options(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    variant = store.variant_ids(store.shirt)[1]
    await shopper.ok("add_to_cart", variant_id=variant)
    _, order = await shopper.buy()

    placed = await shopper.ok("get_order", detail="full", order_id=order["order_id"])
    cancelled = await shopper.ok("cancel_order", order_id=order["order_id"], reason="no_longer_needed")

    assert [line["options"] for line in placed["lines"]] == [{"size": "M"}]
    assert placed["fulfilments"] == []
    assert placed["payment_history"] == [
        {"kind": "payment", "amount": order["total"], "payment_method": "test_card_visa"}
    ]
    assert cancelled["cancel_reason"] == "no_longer_needed"
    assert cancelled["payment_history"] == [
        {"kind": "payment", "amount": order["total"], "payment_method": "test_card_visa"},
        {"kind": "refund", "amount": order["total"], "payment_method": "test_card_visa"},
    ]
