"""`shopmcp state | tasks | demo | db reset`: the commands for agent test harnesses (docs/harness.md)."""

import argparse
import json
import sys
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from shopmcp.cli.gold import add_gold_commands, store_for_grading
from shopmcp.config import Settings
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database

if TYPE_CHECKING:
    from shopmcp.services.harness.tasks import ShoppingTask

DEMO_TASKS = "data/tasks/demo.jsonl"


def demo_tasks_path() -> Path:
    """The packaged demo task set."""
    return Path(str(resources.files("shopmcp").joinpath(DEMO_TASKS)))


def add_harness(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `state`, `tasks` and `demo` to the top-level commands."""
    state = commands.add_parser("state", help="Canonical state of sessions and the store, for grading.")
    actions = state.add_subparsers(required=True)
    export = actions.add_parser(
        "export",
        help="Print a session's cart, quotes and orders as canonical JSON, or the whole store as tau2 retail data.",
    )
    export.add_argument("--session", help="The session id (required without --format).")
    export.add_argument(
        "--format",
        choices=("session", "tau2-retail"),
        default="session",
        help="session (default): one session's canonical JSON; tau2-retail: the store as tau2's db.json.",
    )
    export.add_argument("--output", type=Path, help="Write here instead of standard output.")
    export.set_defaults(handler=_state_export)
    digest = actions.add_parser("hash", help="Print the sha256 of the store's state (or of one session's).")
    digest.add_argument("--session", help="Hash only this session's export.")
    digest.set_defaults(handler=_state_hash)

    tasks = commands.add_parser(
        "tasks", help="Shopping tasks: list, grade, convert (tau2-bench retail) and replay their gold calls."
    ).add_subparsers(required=True)
    grade = tasks.add_parser(
        "grade", help="Score a session, or the store's final state, against a task (JSON: score 0..1, each condition)."
    )
    grade.add_argument("--tasks", type=Path, default=None, help="A JSON Lines task file (default: the demo tasks).")
    grade.add_argument("--session", help="The session id to grade (needed by every condition but final_state_equals).")
    grade.add_argument("--task", help="The task id (default: the file's first task).")
    grade.add_argument(
        "--base",
        type=Path,
        help="final_state_equals: the file the store was imported from, to name every record that differs "
        "(default: the installed tau2 db.json when it is the task's base).",
    )
    grade.set_defaults(handler=_tasks_grade)
    listing = tasks.add_parser("list", help="List the tasks of a file (default: the demo tasks).")
    listing.add_argument("--tasks", type=Path, default=None)
    listing.set_defaults(handler=_tasks_list)
    add_gold_commands(tasks)

    demo = commands.add_parser("demo", help="A scripted agent shops for a demo task over stdio, then is graded.")
    demo.add_argument("--task", help="The task id (default: the first demo task).")
    demo.add_argument("--tasks", type=Path, default=None, help="A JSON Lines task file (default: the demo tasks).")
    demo.set_defaults(handler=_demo)


def add_db_reset(db_commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `db reset` to the `db` commands."""
    reset = db_commands.add_parser("reset", help="Delete every session and order and generate the catalog again.")
    reset.add_argument("--seed", type=int, required=True, help="Catalog seed (the demo store is seed 42).")
    reset.add_argument("--products", type=int, help="Products to generate (default: SHOPMCP_DEMO_PRODUCTS, 5000).")
    reset.set_defaults(handler=_db_reset)


def _database(settings: Settings) -> Database:
    return Database(settings.resolved_database_url).with_runtime(runtime_from(settings))


def _state_export(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.services.harness import state

    if args.format == "tau2-retail":
        return _tau2_export(args, settings)
    if args.session is None:
        print("shopmcp: state export needs --session (or --format tau2-retail)", file=sys.stderr)
        return 2
    exported = state.read_export(_database(settings), args.session)
    if exported is None:
        print(f"shopmcp: no session {args.session}", file=sys.stderr)
        return 1
    print(state.canonical_json(exported, indent=2))
    return 0


def _tau2_export(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.services import tau2_retail

    text = tau2_retail.dumps(_database(settings))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


def _state_hash(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.services.harness import state

    db = _database(settings)
    if args.session is not None and db.run_read(state.export_session, session_id=args.session) is None:
        print(f"shopmcp: no session {args.session}", file=sys.stderr)
        return 1
    print(state.read_hash(db, session_id=args.session))
    return 0


def _load(path: Path | None) -> "list[ShoppingTask]":
    from shopmcp.services.harness.tasks import load_tasks

    return load_tasks(path or demo_tasks_path())


def _tasks_grade(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.services.harness import state
    from shopmcp.services.harness.tasks import find_task, grade

    try:
        task = find_task(_load(args.tasks), args.task)
        if task.grades_a_session and args.session is None:
            raise ValueError(f"task {task.id!r} has conditions on a session: give --session")
        db = _database(settings)
        store, base = store_for_grading(task, db, args.base)
    except (OSError, ValueError) as error:
        print(f"shopmcp: {error}", file=sys.stderr)
        return 2
    exported = None
    if task.grades_a_session:
        exported = state.read_export(db, args.session)
        if exported is None:
            print(f"shopmcp: no session {args.session}", file=sys.stderr)
            return 1
    result = grade(task, exported, store, base).model_dump(mode="json")
    if args.session is not None:
        result["session_id"] = args.session
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _tasks_list(args: argparse.Namespace, _settings: Settings) -> int:
    for task in _load(args.tasks):
        print(f"{task.id}\t{' '.join(task.instruction.split())}")  # one line each, whatever the instruction's layout
    return 0


def _demo(args: argparse.Namespace, _settings: Settings) -> int:
    import anyio

    from shopmcp.demo import run_demo
    from shopmcp.services.harness.tasks import find_task

    try:
        task = find_task(_load(args.tasks), args.task)
    except (OSError, ValueError) as error:
        print(f"shopmcp: {error}", file=sys.stderr)
        return 2
    result = anyio.run(run_demo, task, lambda line: print(line, flush=True))
    print(f"\nGrade of task {result.task_id}: score {result.score:.2f} ({'passed' if result.passed else 'not passed'})")
    for condition in result.conditions:
        print(f"  [{'x' if condition.passed else ' '}] {condition.condition['type']}: {condition.reason}")
    return 0 if result.passed else 1


def _db_reset(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.services.harness import state
    from shopmcp.services.harness.reset import reset_store

    db = _database(settings)
    ensure_schema(settings, db)
    started = time.perf_counter()
    result = db.run_write(
        reset_store,
        products=args.products or settings.demo_products,
        seed=args.seed,
        currency=settings.currency,
        anchor=runtime_from(settings).catalog_anchor,
    )
    seconds = time.perf_counter() - started
    print(
        f"Store reset to seed {result.seed}: {result.products} products, {result.offers} offers "
        f"in {seconds:.2f} s; state hash {state.read_hash(db)}",
        file=sys.stderr,
    )
    return 0
