"""`shopmcp tasks convert | replay`, and the store's records for grading `final_state_equals` (docs/harness.md)."""

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopmcp.config import Settings
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database

if TYPE_CHECKING:
    from shopmcp.services.harness.tasks import ShoppingTask

TASK_FORMATS = ("tau2-retail",)
EXIT_OK, EXIT_UNUSABLE = 0, 2


def add_gold_commands(tasks: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `convert` and `replay` to the `tasks` commands."""
    convert = tasks.add_parser(
        "convert",
        help="Turn another benchmark's tasks into shopmcp task JSON Lines (gold calls, final-state condition).",
        description="tau2-retail: each task's user scenario becomes the instruction, its gold actions the expected "
        "calls, and tau2's own environment (the tau2-env extra) replays them to give the expected final users "
        "and orders.",
    )
    convert.add_argument("tasks_json", type=Path, help="tau2's tasks.json (data/tau2/domains/retail/tasks.json).")
    convert.add_argument("--from", dest="source", choices=TASK_FORMATS, required=True, help="The file's format.")
    convert.add_argument("--db", type=Path, help="The store the tasks start from (default: db.json beside it).")
    convert.add_argument("--output", type=Path, help="Write here instead of standard output.")
    convert.set_defaults(handler=_convert)
    replay = tasks.add_parser(
        "replay", help="Make a task's expected calls through the MCP tools, in-process, on this database (JSON)."
    )
    replay.add_argument("--tasks", type=Path, required=True, help="A JSON Lines task file.")
    replay.add_argument("--task", help="The task id (default: the file's first task).")
    replay.set_defaults(handler=_replay)


def _convert(args: argparse.Namespace, _settings: Settings) -> int:
    from shopmcp.services.tau2_retail.gold import Tau2TasksError, convert

    db_path: Path = args.db or args.tasks_json.parent / "db.json"
    try:
        tasks = convert(args.tasks_json, db_path)
    except OSError as error:
        print(f"shopmcp: cannot read {error.filename}: {error.strerror or error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except Tau2TasksError as error:
        print(f"shopmcp: cannot convert: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    text = "".join(task.model_dump_json() + "\n" for task in tasks)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    print(f"converted {len(tasks)} tasks", file=sys.stderr)
    return EXIT_OK


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    import anyio

    from shopmcp.replay import replay_calls
    from shopmcp.services.harness.tasks import find_task, load_tasks

    try:
        task = find_task(load_tasks(args.tasks), args.task)
    except (OSError, ValueError) as error:
        print(f"shopmcp: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    db = Database(settings.resolved_database_url).with_runtime(runtime_from(settings))
    try:
        outcomes = anyio.run(replay_calls, settings, db, task.expected_calls)
    finally:
        db.dispose()
    refused = [outcome.model_dump(mode="json") for outcome in outcomes if not outcome.ok]
    print(json.dumps({"task_id": task.id, "calls": len(outcomes), "refused": refused}, indent=2, ensure_ascii=False))
    return EXIT_OK


def store_for_grading(
    task: "ShoppingTask", db: Database, base_path: Path | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The store's export and the base state a task's `final_state_equals` needs; (None, None) without one.

    The base is `base_path`, or the installed tau2 db.json when it is the task's base (else none).

    Raises:
        ValueError: `base_path` is not tau2 data, or not the state the task starts from.
        OSError: `base_path` cannot be read.
    """
    from shopmcp.services import tau2_retail
    from shopmcp.services.harness.tasks import check_base
    from shopmcp.services.tau2_retail.gold import base_state, installed_retail_dir

    if task.store_format is None:
        return None, None
    installed = installed_retail_dir()
    path = base_path or (installed / "db.json" if installed else None)
    base = None
    if path is not None:
        try:
            base = base_state(json.loads(path.read_text(encoding="utf-8")))
            check_base(task, base)
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"--base {path}: not tau2 retail's db.json ({error!r})") from error
        except ValueError:
            if base_path is not None:
                raise
            base = None  # the installed data is another store than the task's: grade without a base
    store = tau2_retail.read_dump(db)
    return store, base
