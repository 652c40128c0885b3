"""`shopmcp tasks convert --from tau2-retail`, `tasks replay` and `tasks grade` of a final state, as real commands.

The fixture is three of tau2's own retail tasks: 0 (an exchange of two items), 24 (no action: the store
must stay as imported) and 31 (an order cancelled to a gift card and another's items returned: users and
orders change). The commands run
as subprocesses on a store imported from tau2's db.json, on SQLite and PostgreSQL.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopmcp.services.harness.tasks import FinalStateEquals, ShoppingTask, grade, load_tasks
from shopmcp.services.tau2_retail.gold import base_state
from tests.cli.test_tau2_store import shopmcp
from tests.conftest import BACKENDS, create_pg_database, drop_pg_database
from tests.tau2_data import retail_db, retail_tools

TASK_IDS = ("0", "24", "31")
EXCHANGED = "#W2378156"  # task 0's order


@pytest.fixture(scope="module")
def tasks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's tasks.json, converted (once for the module) to shopmcp task JSON Lines."""
    retail_tools()  # skips (or fails, where required) without tau2's environment, which convert runs
    work = tmp_path_factory.mktemp("tau2-tasks")
    tau2_tasks = json.loads((retail_db().parent / "tasks.json").read_text(encoding="utf-8"))
    source = work / "tasks.json"
    source.write_text(json.dumps([task for task in tau2_tasks if task["id"] in TASK_IDS]), encoding="utf-8")
    converted = work / "tasks.jsonl"
    done = shopmcp("sqlite://", "tasks", "convert", "--from", "tau2-retail", str(source), "--db", str(retail_db()),
                   "--output", str(converted))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "converted 3 tasks" in done.stderr
    return converted


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the backend holding tau2's store, imported by `shopmcp store import`."""
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else create_pg_database()
    done = shopmcp(url, "store", "import", str(retail_db()), "--format", "tau2-retail")
    assert done.returncode == 0, done.stderr
    yield url
    if request.param == "postgresql":
        drop_pg_database(url)


def _final(task: ShoppingTask) -> FinalStateEquals:
    (condition,) = task.conditions
    assert isinstance(condition, FinalStateEquals)
    return condition


def _grade(url: str, tasks: Path, task_id: str, *extra: str) -> dict[str, Any]:
    done = shopmcp(url, "tasks", "grade", "--tasks", str(tasks), "--task", task_id, *extra)
    assert done.returncode == 0, done.stderr
    graded: dict[str, Any] = json.loads(done.stdout)
    return graded


def test_convert_gives_each_tau2_task_its_scenario_gold_calls_and_expected_final_state(tasks_file: Path) -> None:
    tasks = {task.id: task for task in load_tasks(tasks_file)}

    assert list(tasks) == list(TASK_IDS)
    exchange = tasks["0"]
    assert "You received your order #W2378156" in exchange.instruction
    assert "You are Yusuf Rossi in zip code 19122." in exchange.instruction
    assert [call.tool for call in exchange.expected_calls] == [
        "find_customer",
        "get_order",
        "get_product",
        "get_product",
        "request_exchange",
    ]
    finding = exchange.expected_calls[0]
    assert (finding.arguments, finding.role) == (
        {"first_name": "Yusuf", "last_name": "Rossi", "postal_code": "19122"},
        "support",
    )
    assert exchange.expected_calls[-1].model_dump() == {
        "tool": "request_exchange",
        "arguments": {
            "order_id": EXCHANGED,
            "variant_ids": ["1151293680", "4983901480"],
            "new_variant_ids": ["7706410293", "7747408585"],
            "payment_method_id": "credit_card_9513926",
            "customer_id": "yusuf_rossi_9620",
        },
        "principal": None,
        "role": "support",
        "external_ids": {"variant_ids": "tau2-retail:variant", "new_variant_ids": "tau2-retail:variant"},
        "source": "0_4",
    }
    condition = _final(exchange)
    assert list(condition.changed["orders"]) == [EXCHANGED]
    assert condition.changed["orders"][EXCHANGED]["status"] == "exchange requested"
    assert set(_final(tasks["31"]).changed) == {"users", "orders"}
    assert tasks["24"].expected_calls == []
    assert _final(tasks["24"]).changed == {}
    assert len({_final(task).base_sha256 for task in tasks.values()}) == 1


def test_grade_names_the_differences_until_the_gold_calls_are_made_then_scores_1(
    tasks_file: Path, store_url: str
) -> None:
    before = _grade(store_url, tasks_file, "0")
    untouched = _grade(store_url, tasks_file, "24")
    replayed = shopmcp(store_url, "tasks", "replay", "--tasks", str(tasks_file), "--task", "0")
    after = _grade(store_url, tasks_file, "0")
    other_task = _grade(store_url, tasks_file, "24")
    replayed_too = shopmcp(store_url, "tasks", "replay", "--tasks", str(tasks_file), "--task", "31")
    both = _grade(store_url, tasks_file, "31", "--base", str(retail_db()))

    assert before["score"] == 0.0
    assert before["passed"] is False
    assert before["conditions"][0]["differences"] == [
        f'orders/{EXCHANGED}/status: store "delivered", expected "exchange requested"',
        f'orders/{EXCHANGED}/exchange_items: missing in the store (expected ["1151293680", "4983901480"])',
        f'orders/{EXCHANGED}/exchange_new_items: missing in the store (expected ["7706410293", "7747408585"])',
        f'orders/{EXCHANGED}/exchange_payment_method_id: missing in the store (expected "credit_card_9513926")',
        f"orders/{EXCHANGED}/exchange_price_difference: missing in the store (expected -16.63)",
    ]
    assert untouched["score"] == 1.0
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout) == {"task_id": "0", "calls": 5, "refused": []}
    assert after["score"] == 1.0
    assert after["conditions"][0]["differences"] == []
    # The store's base (the installed db.json) names what changed outside a task's own records.
    assert other_task["score"] == 0.0
    assert other_task["conditions"][0]["differences"][0] == (
        f'orders/{EXCHANGED}/status: store "exchange requested", expected "delivered"'
    )
    # Task 31 changes a user and orders; they are as expected, and only task 0's order differs.
    assert replayed_too.returncode == 0, replayed_too.stderr
    assert both["score"] == 0.0
    assert len(both["conditions"][0]["differences"]) == 5
    assert all(line.startswith(f"orders/{EXCHANGED}/") for line in both["conditions"][0]["differences"])


def test_without_the_base_grading_names_the_changed_records_and_says_others_differ(tasks_file: Path) -> None:
    tasks = {task.id: task for task in load_tasks(tasks_file)}
    base = base_state(json.loads(retail_db().read_text(encoding="utf-8")))
    store = json.loads(json.dumps(base))
    store["orders"]["#W2378156"]["status"] = "cancelled"  # task 0 changes this order
    some_user = next(iter(store["users"]))
    store["users"][some_user]["email"] = "someone.else@example.com"  # no task changes this user

    with_base = grade(tasks["0"], None, store, base).conditions[0]
    without = grade(tasks["0"], None, store).conditions[0]
    nothing_expected = grade(tasks["24"], None, store).conditions[0]

    assert f'users/{some_user}/email: store "someone.else@example.com", expected ' in "\n".join(with_base.differences)
    assert without.differences[0] == f'orders/{EXCHANGED}/status: store "cancelled", expected "exchange requested"'
    assert not any(line.startswith("users/") for line in without.differences)
    assert without.reason.endswith("other users or orders differ too (grade with the base state to name them)")
    assert nothing_expected.differences == []
    assert not nothing_expected.passed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not JSON"),
        (json.dumps({"products": {}}), "not tau2 tasks"),
        (json.dumps([{"id": "1", "user_scenario": 5}]), "task 0 is not a tau2 task"),
    ],
)
def test_convert_refuses_what_is_not_tau2_tasks_with_exit_2(tmp_path: Path, content: str, message: str) -> None:
    retail_tools()
    source = tmp_path / "tasks.json"
    source.write_text(content, encoding="utf-8")

    done = shopmcp("sqlite://", "tasks", "convert", "--from", "tau2-retail", str(source), "--db", str(retail_db()))

    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_grade_refuses_an_unknown_task_a_missing_session_and_a_wrong_base_with_exit_2(
    tasks_file: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    other_base = tmp_path / "db.json"
    other_base.write_text(json.dumps({"products": {}, "users": {}, "orders": {}}), encoding="utf-8")

    unknown = shopmcp(url, "tasks", "grade", "--tasks", str(tasks_file), "--task", "nope")
    no_session = shopmcp(url, "tasks", "grade", "--task", "blue-tshirt-under-50")  # a demo task grades a session
    wrong_base = shopmcp(url, "tasks", "grade", "--tasks", str(tasks_file), "--task", "0", "--base", str(other_base))

    assert [unknown.returncode, no_session.returncode, wrong_base.returncode] == [2, 2, 2]
    assert "no task 'nope' (tasks: 0, 24, 31)" in unknown.stderr
    assert "give --session" in no_session.stderr
    assert "not the state task '0' starts from" in wrong_base.stderr


def test_a_converted_task_file_round_trips_through_the_task_model(tasks_file: Path) -> None:
    for line in tasks_file.read_text(encoding="utf-8").splitlines():
        task = ShoppingTask.model_validate_json(line)
        assert json.loads(task.model_dump_json()) == json.loads(line)
