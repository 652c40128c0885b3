"""tau2-bench retail's 114 tasks through the harness commands: convert, then per task import, replay, grade.

    .venv/bin/python -m bench.tau2_grade [--backend sqlite|postgresql] [--json PATH] [--tasks 0,5,7]
                                         [--compare REPLAY_JSON]

The commands run in-process as `shopmcp` entry points (`shopmcp.cli.main`), in this order:
1. `shopmcp tasks convert --from tau2-retail tasks.json --output tasks.jsonl` (tau2's own environment
   computes each task's expected final users and orders);
2. `shopmcp store import db.json --format tau2-retail` into a template database, copied per task (a file
   copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL: the same bytes as an import per task);
3. per task, on its fresh copy: `shopmcp tasks replay --tasks tasks.jsonl --task ID` (the gold calls through
   the MCP tools), then `shopmcp tasks grade --tasks tasks.jsonl --task ID` (score and differences).
`--compare` takes the `--json` output of `bench.tau2_replay` and checks that a task scores 1 exactly where
that replay found it `equal`. Written up in docs/tau2-replay.md.
"""

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.tau2_replay import DEFAULT_PG, Stores, retail_dir
from shopmcp.cli import main as shopmcp_main


def shopmcp(*args: str) -> tuple[int, str]:
    """Run `shopmcp ARGS` in-process: its exit code and standard output."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        try:
            shopmcp_main(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
    return code, output.getvalue()


def _cli_import(url: str, db_json: Path) -> None:
    code, _ = shopmcp("--database-url", url, "store", "import", str(db_json), "--format", "tau2-retail")
    if code != 0:
        sys.exit(f"store import failed ({code})")


def run(backend: str, pg_url: str, only: set[str] | None) -> list[dict[str, Any]]:
    retail = retail_dir()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tau2-grade-") as work:
        tasks_file = Path(work) / "tasks.jsonl"
        started = time.perf_counter()
        code, _ = shopmcp(
            "tasks", "convert", "--from", "tau2-retail", str(retail / "tasks.json"), "--output", str(tasks_file)
        )
        if code != 0:
            sys.exit(f"convert failed ({code})")
        print(f"converted in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        ids = [json.loads(line)["id"] for line in tasks_file.read_text(encoding="utf-8").splitlines()]
        stores = Stores(backend, retail / "db.json", Path(work), pg_url, import_store=_cli_import)
        try:
            for task_id in ids:
                if only is not None and task_id not in only:
                    continue
                url = stores.fresh()
                try:
                    results.append(_one(url, tasks_file, task_id))
                finally:
                    stores.drop(url)
        finally:
            stores.close()
    return results


def _one(url: str, tasks_file: Path, task_id: str) -> dict[str, Any]:
    common = ("--tasks", str(tasks_file), "--task", task_id)
    code, replayed = shopmcp("--database-url", url, "tasks", "replay", *common)
    if code != 0:
        return {"task": task_id, "error": f"replay exited {code}"}
    code, graded = shopmcp("--database-url", url, "tasks", "grade", *common)
    if code != 0:
        return {"task": task_id, "error": f"grade exited {code}"}
    grade = json.loads(graded)
    condition = grade["conditions"][0]
    row = {
        "task": task_id,
        "score": grade["score"],
        "refused": [
            {"tool": r["tool"], "code": (r["error"] or {}).get("code")} for r in json.loads(replayed)["refused"]
        ],
        "reason": condition["reason"],
        "differences": condition["differences"],
    }
    print(f"task {task_id}: score {row['score']} {row['differences'][:1] or ''}")
    return row


def compare(results: list[dict[str, Any]], replay_json: Path) -> dict[str, Any]:
    """Where the grades and bench.tau2_replay's outcomes disagree (score 1 exactly where `equal`)."""
    outcomes = {row["task"]: row["outcome"] for row in json.loads(replay_json.read_text(encoding="utf-8"))["tasks"]}
    disagree = [
        row["task"]
        for row in results
        if row["task"] in outcomes and (row.get("score") == 1.0) != (outcomes[row["task"]] == "equal")
    ]
    return {"compared": sum(row["task"] in outcomes for row in results), "disagree": disagree}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tau2_grade", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="Admin URL of the PostgreSQL server.")
    parser.add_argument("--json", type=Path, help="Write the per-task results here.")
    parser.add_argument("--tasks", help="Only these task ids (comma-separated).")
    parser.add_argument("--compare", type=Path, help="bench.tau2_replay's --json output to check agreement with.")
    options = parser.parse_args(argv)
    # The test settings: no demo catalog, warnings only (a line per tool call would drown the results).
    os.environ["SHOPMCP_ENV"] = "test"
    only = set(options.tasks.split(",")) if options.tasks else None
    started = time.perf_counter()
    results = run(options.backend, options.postgres, only)
    summary: dict[str, Any] = {
        "backend": options.backend,
        "tasks": len(results),
        "score_1": sum(row.get("score") == 1.0 for row in results),
        "score_0": sum(row.get("score") == 0.0 for row in results),
        "errors": [row["task"] for row in results if "error" in row],
        "seconds": round(time.perf_counter() - started, 1),
    }
    if options.compare:
        summary["against_replay"] = compare(results, options.compare)
    print(json.dumps(summary))
    if options.json:
        options.json.write_text(json.dumps({"summary": summary, "tasks": results}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
