"""Grading a session's export against a task: full, partial and zero credit, with a reason per condition."""

from pathlib import Path
from typing import Any

import pytest

from shopmcp.cli.harness import demo_tasks_path
from shopmcp.services.harness.tasks import ShoppingTask, find_task, grade, load_tasks


def _line(**overrides: Any) -> dict[str, Any]:
    return {
        "position": 0,
        "offer_id": 11,
        "product_id": 5,
        "variant_id": 7,
        "seller_id": 2,
        "product_title": "Slub T-Shirt",
        "variant_title": "Blue / M",
        "unit_price": 1999,
        "quantity": 1,
        "subtotal": 1999,
        "discount": 0,
        "tax": 145,
        "total": 2144,
        "categories": ["clothing", "tops", "t-shirts"],
        "brand": "Common Cloth",
        "options": {"color": "Blue", "size": "M"},
    } | overrides


def _order(status: str = "placed", **overrides: Any) -> dict[str, Any]:
    return {
        "id": "order-1",
        "status": status,
        "currency": "USD",
        "total": 2643,
        "coupon": None,
        "shipping_method": "standard",
        "shipping_address": {"country": "US"},
        "lines": [_line()],
    } | overrides


def _export(*orders: dict[str, Any], cart_lines: int = 0) -> dict[str, Any]:
    lines = [{"offer_id": 9, "quantity": 1}] * cart_lines
    return {
        "format": 1,
        "principal": "local",
        "cart": {"coupon": None, "lines": lines},
        "quotes": [],
        "orders": list(orders),
    }


TASK = ShoppingTask.model_validate(
    {
        "id": "blue-tee",
        "instruction": "Buy a blue T-shirt under $30, shipped express, with WELCOME10.",
        "conditions": [
            {"type": "order_line", "category": "t-shirts", "options": {"color": "blue"}},
            {"type": "order_total", "max": {"amount": 3000, "currency": "USD"}},
            {"type": "shipping_method", "method": "express"},
            {"type": "coupon_used", "code": "WELCOME10"},
        ],
    }
)


def test_a_session_that_did_everything_gets_full_credit() -> None:
    result = grade(TASK, _export(_order(shipping_method="express", coupon="WELCOME10")))

    assert result.score == 1.0
    assert result.passed
    assert all(condition.passed and condition.reason for condition in result.conditions)


def test_a_session_that_did_part_gets_partial_credit_with_reasons() -> None:
    result = grade(TASK, _export(_order(total=3500)))

    assert result.score == 0.25
    assert not result.passed
    passed = {condition.condition["type"]: condition for condition in result.conditions}
    assert passed["order_line"].passed
    assert not passed["order_total"].passed
    assert "$35.00" in passed["order_total"].reason
    assert "standard" in passed["shipping_method"].reason


def test_a_session_without_orders_or_only_cancelled_ones_gets_zero() -> None:
    assert grade(TASK, _export()).score == 0.0
    assert grade(TASK, _export(_order("cancelled", shipping_method="express", coupon="WELCOME10"))).score == 0.0


@pytest.mark.parametrize(
    ("line", "matches"),
    [
        (_line(), True),
        (_line(options={"color": "Red", "size": "M"}), False),
        (_line(categories=["clothing", "tops", "hoodies"]), False),
        (_line(quantity=2), True),
    ],
)
def test_an_order_line_must_match_category_and_options(line: dict[str, Any], matches: bool) -> None:
    result = grade(TASK, _export(_order(lines=[line])))

    assert result.conditions[0].passed is matches


def test_cancellation_cart_and_count_conditions() -> None:
    task = ShoppingTask.model_validate(
        {
            "id": "cancel",
            "instruction": "Order a T-shirt, then cancel it.",
            "conditions": [
                {"type": "order_line", "category": "t-shirts", "status": "cancelled"},
                {"type": "order_cancelled"},
                {"type": "order_placed", "count": 0, "exact": True},
                {"type": "cart_empty"},
            ],
        }
    )

    assert grade(task, _export(_order("cancelled"))).score == 1.0
    assert grade(task, _export(_order("cancelled"), cart_lines=1)).score == 0.75
    assert grade(task, _export(_order())).score == 0.25  # only the cart is right


def test_the_demo_task_file_loads_and_a_bad_line_is_named(tmp_path: Path) -> None:
    tasks = load_tasks(demo_tasks_path())
    assert 8 <= len(tasks) <= 12
    assert find_task(tasks, None) == tasks[0]

    bad = tmp_path / "tasks.jsonl"
    bad.write_text('{"id": "a", "instruction": "x", "conditions": [{"type": "order_placed"}]}\n{"id": "b"}\n')
    with pytest.raises(ValueError, match=r"tasks.jsonl:2"):
        load_tasks(bad)
