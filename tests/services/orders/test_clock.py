"""The order clock's schedule: when each move is due, and which orders it never moves."""

from datetime import UTC, datetime, timedelta

import pytest

from shopmcp.core.runtime import OrderDelays
from shopmcp.models.order import Order
from shopmcp.services.orders.clock import due_moves, schedule
from shopmcp.services.orders.status import OrderStatus

PLACED = datetime(2030, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
DELAYS = OrderDelays(processing=MINUTE, shipping=2 * MINUTE, delivery=3 * MINUTE)


def _order(status: str = "placed", quote_id: str | None = "quo_1") -> Order:
    return Order(
        id="ord_1",
        session_id="ses_1",
        quote_id=quote_id,
        status=status,
        currency="USD",
        subtotal=0,
        discount_total=0,
        shipping_total=0,
        tax_total=0,
        total=0,
        shipments=[],
        shipping_address={},
        shipping_method="standard",
        payment_method="test_card_visa",
        payment_id="pay_1",
        placed_at=PLACED,
    )


def test_each_move_is_due_after_its_delay_from_the_move_before() -> None:
    assert schedule(PLACED, DELAYS) == [
        (OrderStatus.PROCESSING, PLACED + MINUTE),
        (OrderStatus.SHIPPED, PLACED + 3 * MINUTE),
        (OrderStatus.DELIVERED, PLACED + 6 * MINUTE),
    ]


def test_a_move_that_is_off_stops_the_order_before_it() -> None:
    assert schedule(PLACED, OrderDelays(processing=MINUTE, shipping=None, delivery=MINUTE)) == [
        (OrderStatus.PROCESSING, PLACED + MINUTE)
    ]
    assert schedule(PLACED, OrderDelays()) == []


@pytest.mark.parametrize(
    ("status", "minutes", "expected"),
    [
        ("placed", 0, []),
        ("placed", 1, ["processing"]),
        ("placed", 6, ["processing", "shipped", "delivered"]),
        ("items_modified", 3, ["processing", "shipped"]),
        ("processing", 3, ["shipped"]),
        ("shipped", 5, []),
        ("shipped", 6, ["delivered"]),
        ("delivered", 60, []),
        ("cancelled", 60, []),
        ("return_requested", 60, []),
    ],
)
def test_the_moves_due_start_from_the_orders_status(status: str, minutes: int, expected: list[str]) -> None:
    moves = due_moves(_order(status), DELAYS, PLACED + minutes * MINUTE)
    assert [status.value for status, _ in moves] == expected


def test_an_imported_order_never_moves() -> None:
    assert due_moves(_order(quote_id=None), DELAYS, PLACED + timedelta(days=365)) == []
