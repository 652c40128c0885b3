"""Order statuses: the allowed moves, and nothing else."""

import pytest

from shopmcp.services.orders.status import TRANSITIONS, OrderStatus, can_change

ALLOWED = {
    ("placed", "processing"),
    ("placed", "cancelled"),
    ("processing", "shipped"),
    ("processing", "cancelled"),
    ("shipped", "delivered"),
}


@pytest.mark.parametrize("current", list(OrderStatus))
@pytest.mark.parametrize("target", list(OrderStatus))
def test_only_the_documented_moves_are_allowed(current: OrderStatus, target: OrderStatus) -> None:
    assert can_change(current, target) == ((current.value, target.value) in ALLOWED)


def test_every_status_has_its_moves_listed() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
