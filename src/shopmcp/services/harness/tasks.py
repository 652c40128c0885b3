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

A task converted from another benchmark (`services.tau2_retail.gold`) also lists its gold
`expected_calls`, and has a `final_state_equals` condition: it grades the whole store's records
(its tau2-retail export) rather than one session's, as tau2 grades its database.
"""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shopmcp.core.money import format_money
from shopmcp.services.harness.final_state import differences, overlay, state_sha256


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


class FinalStateEquals(_Condition):
    """The store's final records equal the expected ones (tau2 retail: every user and order).

    The expected state is `base` (the records the task starts from: the file the store was imported
    from) with `changed` put in place: the final value of each record the gold calls change. Both are
    named by hash, so a grader needs only the store; with the base at hand it also names every record
    that differs outside `changed`.
    """

    type: Literal["final_state_equals"] = "final_state_equals"
    format: Literal["tau2-retail"] = "tau2-retail"
    sha256: str = Field(pattern="^[0-9a-f]{64}$", description="Of the expected final state (final_state.state_sha256).")
    base_sha256: str = Field(pattern="^[0-9a-f]{64}$", description="Of the state the task starts from.")
    changed: dict[Literal["users", "orders"], dict[str, dict[str, Any]]] = Field(
        default_factory=dict, description="The expected final value of each record the gold calls change."
    )


Condition = Annotated[
    FinalStateEquals
    | OrderPlaced
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


class ExpectedCall(BaseModel):
    """A gold call: a tool, its arguments and who makes it; what a task's reference solution does."""

    model_config = ConfigDict(extra="forbid")

    tool: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    principal: str | None = Field(default=None, description="Who calls (e.g. a tau2 user id); None: any caller.")
    role: Literal["customer", "support"] = Field(
        default="customer",
        description="support: the caller has the support role (find_customer, customer_id), as tau2's agent.",
    )
    external_ids: dict[str, str] = Field(
        default_factory=dict,
        description='Arguments holding ids of an imported store\'s source, "<source>:<kind>" (e.g. '
        '"tau2-retail:variant"): replaying translates them to the store\'s own ids (0 where it has none).',
    )
    source: str | None = Field(default=None, description="The gold action it comes from, e.g. tau2's action id.")


class ShoppingTask(BaseModel):
    """One task: what to tell the agent, the final-state conditions of success, and its gold calls if known."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    instruction: str = Field(min_length=1)
    conditions: list[Condition] = Field(min_length=1)
    expected_calls: list[ExpectedCall] = Field(default_factory=list)

    @property
    def grades_a_session(self) -> bool:
        """Some condition reads one session's export (every condition but `final_state_equals`)."""
        return any(not isinstance(condition, FinalStateEquals) for condition in self.conditions)

    @property
    def store_format(self) -> str | None:
        """The export format of the store some condition reads (e.g. tau2-retail), or None."""
        return next((c.format for c in self.conditions if isinstance(c, FinalStateEquals)), None)


class ConditionGrade(BaseModel):
    condition: dict[str, Any]
    passed: bool
    reason: str
    differences: list[str] = Field(default_factory=list, description="Where the state differs (final state).")


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


def check_base(task: ShoppingTask, base: dict[str, Any]) -> None:
    """Raise ValueError unless `base` is the state `task`'s final-state condition starts from."""
    for condition in task.conditions:
        if isinstance(condition, FinalStateEquals) and state_sha256(base) != condition.base_sha256:
            raise ValueError(f"the base given is not the state task {task.id!r} starts from (its sha256 differs)")


def grade(
    task: ShoppingTask,
    exported: dict[str, Any] | None,
    store: dict[str, Any] | None = None,
    base: dict[str, Any] | None = None,
) -> Grade:
    """Score `task` on a session's export and/or the store's records; see the module docstring.

    `store` is the store's export in the task's `store_format` (needed by `final_state_equals`), `base`
    the state the task starts from (optional: it names records that differ outside the changed ones).
    """
    results = []
    for condition in task.conditions:
        if isinstance(condition, FinalStateEquals):
            if store is None:
                raise ValueError(f"task {task.id!r} grades the store's final state: give the store's export")
            results.append(_check_final_state(condition, store, base))
            continue
        if exported is None:
            raise ValueError(f"task {task.id!r} has conditions on a session: give the session's export")
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


def _check_final_state(
    condition: FinalStateEquals, store: dict[str, Any], base: dict[str, Any] | None
) -> ConditionGrade:
    found = {kind: store.get(kind, {}) for kind in ("users", "orders")}
    shown = condition.model_dump(mode="json", exclude={"changed"}) | {
        "changed": {kind: sorted(records) for kind, records in condition.changed.items()}
    }
    if state_sha256(found) == condition.sha256:
        return ConditionGrade(condition=shown, passed=True, reason="users and orders equal the expected final state")
    if base is not None:
        listed = differences(found, overlay(base, condition.changed))
        return ConditionGrade(
            condition=shown,
            passed=False,
            reason=f"{len(listed)} difference(s) from the expected final state",
            differences=listed,
        )
    # Without the base only the changed records can be compared field by field; whether others differ
    # too shows in the hash of the store's state with the changed records as expected.
    changed_now = {
        kind: {record_id: found[kind][record_id] for record_id in records if record_id in found[kind]}
        for kind, records in condition.changed.items()
    }
    listed = differences(changed_now, condition.changed)
    reason = f"{len(listed)} difference(s) in the records the gold calls change"
    if state_sha256(overlay(found, condition.changed)) != condition.sha256:
        reason += "; other users or orders differ too (grade with the base state to name them)"
    return ConditionGrade(condition=shown, passed=False, reason=reason, differences=listed)
