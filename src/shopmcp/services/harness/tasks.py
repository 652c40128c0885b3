"""Shopping tasks and their grading: what an episode had to achieve, checked against the session's final state.

A task file is JSON Lines, one `ShoppingTask` a line:

    {"id": "blue-tshirt", "instruction": "Buy a blue T-shirt ...",
     "conditions": [{"type": "order_line", "category": "t-shirts", "options": {"color": "Blue"}},
                    {"type": "order_total", "max": {"amount": 5000, "currency": "USD"}}]}

Grading reads the session's export (`services.harness.state.export_session`), so it
needs nothing but that JSON. Each condition passes or fails on its own, with a
reason; the score is the share that passed (partial credit). Conditions about
orders look at the session's orders that are not cancelled ("active"), unless
they say otherwise.
"""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shopmcp.core.money import format_money


class Amount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(ge=0, description="Minor units (cents).")
    currency: str = Field(min_length=3, max_length=3)


class _Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderPlaced(_Condition):
    """At least `count` active orders (exactly `count` when `exact`)."""

    type: Literal["order_placed"] = "order_placed"
    count: int = Field(default=1, ge=0)
    exact: bool = False


class OrderLineMatch(_Condition):
    """An order (active ones, unless `status` says otherwise) has a line matching every field given."""

    type: Literal["order_line"] = "order_line"
    status: Literal["active", "cancelled", "any"] = "active"
    category: str | None = Field(default=None, description="A category slug; its subcategories count.")
    brand: str | None = None
    options: dict[str, str] = Field(default_factory=dict, description='Variant options, e.g. {"color": "Blue"}.')
    min_quantity: int = Field(default=1, ge=1)
    max_unit_price: Amount | None = None


class OrderTotal(_Condition):
    """An active order's total is within the bounds given (inclusive)."""

    type: Literal["order_total"] = "order_total"
    max: Amount | None = None
    min: Amount | None = None


class ShippingMethodUsed(_Condition):
    type: Literal["shipping_method"] = "shipping_method"
    method: str


class CouponUsed(_Condition):
    type: Literal["coupon_used"] = "coupon_used"
    code: str


class NoCancelledOrders(_Condition):
    type: Literal["no_cancelled_orders"] = "no_cancelled_orders"


class OrderCancelled(_Condition):
    """At least one order of the session was cancelled."""

    type: Literal["order_cancelled"] = "order_cancelled"


class CartEmpty(_Condition):
    type: Literal["cart_empty"] = "cart_empty"


class ShipToCountry(_Condition):
    type: Literal["ship_to_country"] = "ship_to_country"
    country: str = Field(min_length=2, max_length=2)


Condition = Annotated[
    OrderPlaced
    | OrderLineMatch
    | OrderTotal
    | ShippingMethodUsed
    | CouponUsed
    | NoCancelledOrders
    | OrderCancelled
    | CartEmpty
    | ShipToCountry,
    Field(discriminator="type"),
]


class ShoppingTask(BaseModel):
    """One task: what to tell the agent, and the final-state conditions of success."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    instruction: str = Field(min_length=1)
    conditions: list[Condition] = Field(min_length=1)


class ConditionGrade(BaseModel):
    condition: dict[str, Any]
    passed: bool
    reason: str


class Grade(BaseModel):
    task_id: str
    score: float = Field(ge=0, le=1, description="Share of conditions passed.")
    passed: bool = Field(description="Every condition passed.")
    conditions: list[ConditionGrade]


_TASK = TypeAdapter(ShoppingTask)


def load_tasks(path: Path) -> list[ShoppingTask]:
    """The tasks of a JSON Lines file (blank lines and `#` comments skipped); ids must be unique.

    Raises:
        ValueError: a line is not a valid task (its line number is in the message), or an id repeats.
    """
    tasks: list[ShoppingTask] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            tasks.append(_TASK.validate_python(json.loads(line)))
        except ValueError as error:
            raise ValueError(f"{path}:{number}: not a valid task: {error}") from error
    ids = [task.id for task in tasks]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: task ids repeat")
    return tasks


def find_task(tasks: Iterable[ShoppingTask], task_id: str | None) -> ShoppingTask:
    """The task `task_id`, or the first one when it is None."""
    listed = list(tasks)
    if task_id is None:
        if not listed:
            raise ValueError("the task file has no tasks")
        return listed[0]
    for task in listed:
        if task.id == task_id:
            return task
    raise ValueError(f"no task {task_id!r} (tasks: {', '.join(task.id for task in listed)})")


def grade(task: ShoppingTask, exported: dict[str, Any]) -> Grade:
    """Score a session's export against `task`; see the module docstring."""
    results = []
    for condition in task.conditions:
        passed, reason = _check(condition, exported)
        results.append(
            ConditionGrade(
                condition=condition.model_dump(mode="json", exclude_defaults=False), passed=passed, reason=reason
            )
        )
    score = sum(result.passed for result in results) / len(results)
    return Grade(task_id=task.id, score=round(score, 4), passed=all(r.passed for r in results), conditions=results)


def _active(exported: dict[str, Any]) -> list[dict[str, Any]]:
    return [order for order in exported.get("orders", []) if order["status"] != "cancelled"]


def _with_status(exported: dict[str, Any], status: str) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = exported.get("orders", [])
    if status == "any":
        return orders
    if status == "cancelled":
        return [order for order in orders if order["status"] == "cancelled"]
    return _active(exported)


def _check(condition: _Condition, exported: dict[str, Any]) -> tuple[bool, str]:
    orders = _active(exported)
    if isinstance(condition, OrderPlaced):
        ok = len(orders) == condition.count if condition.exact else len(orders) >= condition.count
        want = f"{'exactly' if condition.exact else 'at least'} {condition.count}"
        return ok, f"{len(orders)} active order(s); wanted {want}"
    if isinstance(condition, OrderLineMatch):
        return _check_line(condition, _with_status(exported, condition.status))
    if isinstance(condition, OrderTotal):
        return _check_total(condition, orders)
    if isinstance(condition, ShippingMethodUsed):
        methods = sorted({order["shipping_method"] for order in orders})
        return condition.method in methods, f"active orders ship by {methods or 'nothing'}"
    if isinstance(condition, CouponUsed):
        codes = sorted({order["coupon"] for order in orders if order["coupon"]})
        return condition.code.upper() in codes, f"coupons on active orders: {codes or 'none'}"
    if isinstance(condition, NoCancelledOrders):
        cancelled = sum(order["status"] == "cancelled" for order in exported.get("orders", []))
        return cancelled == 0, f"{cancelled} cancelled order(s)"
    if isinstance(condition, OrderCancelled):
        cancelled = sum(order["status"] == "cancelled" for order in exported.get("orders", []))
        return cancelled > 0, f"{cancelled} cancelled order(s)"
    if isinstance(condition, CartEmpty):
        lines = exported.get("cart", {}).get("lines", [])
        return not lines, f"{len(lines)} line(s) in the cart"
    if isinstance(condition, ShipToCountry):
        countries = sorted({str(order["shipping_address"].get("country", "")).upper() for order in orders})
        return condition.country.upper() in countries, f"active orders ship to {countries or 'nowhere'}"
    raise AssertionError(f"unknown condition {condition!r}")


def _check_line(condition: OrderLineMatch, orders: list[dict[str, Any]]) -> tuple[bool, str]:
    lines = [line for order in orders for line in order["lines"]]
    for line in lines:
        if _line_matches(condition, line):
            return True, f"order line {line['product_title']!r} ({line['variant_title']}) x{line['quantity']} matches"
    if not lines:
        return False, f"no {condition.status} order has any line"
    titles = ", ".join(f"{line['product_title']!r} ({line['variant_title']})" for line in lines[:5])
    return False, f"no {condition.status} order line matches; lines: {titles}"


def _line_matches(condition: OrderLineMatch, line: dict[str, Any]) -> bool:
    if condition.category is not None and condition.category not in line.get("categories", []):
        return False
    if condition.brand is not None and (line.get("brand") or "").casefold() != condition.brand.casefold():
        return False
    options = {name.casefold(): str(value).casefold() for name, value in line.get("options", {}).items()}
    if any(options.get(name.casefold()) != value.casefold() for name, value in condition.options.items()):
        return False
    if line["quantity"] < condition.min_quantity:
        return False
    return condition.max_unit_price is None or line["unit_price"] <= condition.max_unit_price.amount


def _check_total(condition: OrderTotal, orders: list[dict[str, Any]]) -> tuple[bool, str]:
    def within(order: dict[str, Any]) -> bool:
        for bound, sign in ((condition.max, 1), (condition.min, -1)):
            if bound is None:
                continue
            if bound.currency != order["currency"] or sign * (order["total"] - bound.amount) > 0:
                return False
        return True

    totals = ", ".join(format_money(order["total"], order["currency"]) for order in orders) or "no active orders"
    return any(within(order) for order in orders), f"active order totals: {totals}"
