"""Order statuses: the allowed moves, and nothing else."""

import pytest

from shopmcp.services.orders.status import STATUS_TO_TAU2, TAU2_STATUSES, TRANSITIONS, OrderStatus, can_change

ALLOWED = {
    ("placed", "processing"),
    ("placed", "shipped"),
    ("placed", "cancelled"),
    ("processing", "shipped"),
    ("processing", "cancelled"),
    ("shipped", "delivered"),
    ("delivered", "return_requested"),
    ("delivered", "exchange_requested"),
    ("placed", "items_modified"),
    ("items_modified", "processing"),
    ("items_modified", "shipped"),
}


@pytest.mark.parametrize("current", list(OrderStatus))
@pytest.mark.parametrize("target", list(OrderStatus))
def test_only_the_documented_moves_are_allowed(current: OrderStatus, target: OrderStatus) -> None:
    assert can_change(current, target) == ((current.value, target.value) in ALLOWED)


def test_every_status_has_its_moves_listed() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)


def test_tau2_status_names_map_both_ways_and_cover_every_status() -> None:
    assert set(TAU2_STATUSES) == {
        "pending",
        "processed",
        "delivered",
        "cancelled",
        "return requested",
        "exchange requested",
        "pending (item modified)",
    }
    assert all(STATUS_TO_TAU2[ours] == theirs for theirs, ours in TAU2_STATUSES.items())
    assert set(STATUS_TO_TAU2) == set(OrderStatus)
    assert STATUS_TO_TAU2[OrderStatus.PROCESSING] == "pending"
