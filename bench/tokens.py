"""What an agent reads: characters (and ~tokens, chars/4) of tool results on the demo store.

    .venv/bin/python -m bench.tokens                        # the demo store in bench/work/tokens-demo.db
    .venv/bin/python -m bench.tokens --db /tmp/demo.db --json out.json

Measures, through the real MCP client (in memory, the same text a stdio client gets):

- `tools/list`: names + descriptions + input schemas (compact JSON), the part a model reads;
- each catalog and order tool at each `detail` level it offers (one row when it has no `detail`);
- each demo task end to end: tools/list once, plus every call (name and compact JSON arguments)
  and every result's text, as the scripted agent of `shopmcp demo --task X` makes them.

The demo store is the one `shopmcp serve` seeds (5,000 products, seed 42), generated once into the
`--db` file; each demo task runs on a fresh copy of it, so tasks do not see each other's orders.
Sizes are deterministic for a given catalog and code (dates and random ids have fixed lengths),
so one run is the measurement. Recorded runs: bench/RESULTS.md, "Tokens".
"""

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, TextContent, TextResourceContents

from shopmcp.bootstrap import prepare_database
from shopmcp.config import Settings, load_settings
from shopmcp.db import Database
from shopmcp.demo import SAMPLE_ADDRESSES, ScriptedAgent, confirming_person
from shopmcp.observability import configure_logging
from shopmcp.server import build_server
from shopmcp.services.harness.tasks import grade, load_tasks

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO / "bench" / "work" / "tokens-demo.db"
TASKS = REPO / "src" / "shopmcp" / "data" / "tasks" / "demo.jsonl"
CHARS_PER_TOKEN = 4


def settings_for(path: Path) -> Settings:
    return load_settings(env="test", database_url=f"sqlite:///{path}", seed_demo_catalog=False)


def ensure_demo_store(path: Path) -> None:
    """The demo store `shopmcp serve` seeds (its default size and seed), generated once into `path`.

    A store made by an older checkout is migrated to this one's schema first.
    """
    if path.exists():
        settings = settings_for(path)
        db = Database(settings.database_url)
        prepare_database(settings, db)
        db.dispose()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    settings = settings_for(partial)
    db = Database(settings.database_url)
    prepare_database(settings.model_copy(update={"seed_demo_catalog": True}), db)
    db.dispose()
    partial.rename(path)


def text_of(result: CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


async def tools_list_chars(client: Client) -> int:
    """What a model reads of tools/list: each tool's name, description and input schema."""
    tools = (await client.list_tools()).tools
    return sum(len(tool.name) + len(tool.description or "") + len(compact(tool.input_schema)) for tool in tools)


async def detail_levels(client: Client) -> dict[str, list[str | None]]:
    """Per tool, the values of its `detail` argument ([None] when it has none)."""
    levels: dict[str, list[str | None]] = {}
    for tool in (await client.list_tools()).tools:
        detail = tool.input_schema.get("properties", {}).get("detail")
        levels[tool.name] = list(detail["enum"]) if detail and "enum" in detail else [None]
    return levels


class Recorder:
    """Stands in for the client in the scripted agent, counting what crosses it."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.chars = 0
        self.calls = 0
        self.largest = 0

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        result = await self.client.call_tool(name, arguments)
        text = len(text_of(result))
        self.chars += len(name) + len(compact(arguments)) + text
        self.calls += 1
        self.largest = max(self.largest, text)
        return result


Row = dict[str, Any]


def row(kind: str, name: str, chars: int, **extra: Any) -> Row:
    return {"kind": kind, "name": name, "chars": chars, "tokens": round(chars / CHARS_PER_TOKEN), **extra}


async def per_tool(db_path: Path) -> list[Row]:
    """Each catalog and order tool, at each detail level, on one copy of the store."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "store.db"
        shutil.copy(db_path, copy)
        settings = settings_for(copy)
        db = Database(settings.database_url)
        async with Client(build_server(settings, db=db), elicitation_callback=confirming_person(lambda _: None)) as c:
            rows.append(row("tools/list", "names + descriptions + input schemas", await tools_list_chars(c)))
            levels = await detail_levels(c)

            async def measure(label: str, tool: str, arguments: dict[str, Any]) -> None:
                for level in levels.get(tool, [None]):
                    args = arguments if level is None else {**arguments, "detail": level}
                    result = await c.call_tool(tool, args)
                    rows.append(row("tool", label, len(text_of(result)), detail=level or "-", error=result.is_error))

            browse = (await c.call_tool("search_products", {"limit": 50, "sort": "rating"})).structured_content or {}
            ids = [int(item["id"]) for item in browse["items"]]
            many_offers = max(browse["items"], key=lambda item: (item["offer_count"], -int(item["id"])))["id"]
            await measure("search_products, limit 10", "search_products", {"limit": 10})
            await measure(
                'search_products "wireless headphones", limit 10',
                "search_products",
                {"query": "wireless headphones", "limit": 10},
            )
            await measure("search_products, limit 50", "search_products", {"limit": 50})
            await measure(
                f"get_product (#{many_offers}, most offers of the top 50)", "get_product", {"product_id": many_offers}
            )
            await measure("compare_prices, 2 products", "compare_prices", {"product_ids": ids[:2]})
            await measure("compare_prices, 10 products", "compare_prices", {"product_ids": ids[:10]})
            await measure("list_categories", "list_categories", {})
            session = (await c.call_tool("new_session", {})).structured_content or {}
            sid = session["session_id"]
            for product_id in ids[:2]:
                product = (
                    await c.call_tool("get_product", {"product_id": product_id, "detail": "full"})
                    if levels.get("get_product", [None]) != [None]
                    else await c.call_tool("get_product", {"product_id": product_id})
                ).structured_content or {}
                await c.call_tool("add_to_cart", {"offer_id": cheapest_offer(product), "session_id": sid})
            await measure("view_cart, 2 lines", "view_cart", {"session_id": sid})
            quote = (
                await c.call_tool("preview_checkout", {"session_id": sid, "shipping_address": SAMPLE_ADDRESSES["US"]})
            ).structured_content or {}
            await measure(
                "preview_checkout, 2 lines",
                "preview_checkout",
                {"session_id": sid, "shipping_address": SAMPLE_ADDRESSES["US"]},
            )
            order = (
                await c.call_tool(
                    "place_order", {"session_id": sid, "quote_id": quote["quote_id"], "idempotency_key": "bench-1"}
                )
            ).structured_content or {}
            await measure("get_order, 2 lines", "get_order", {"session_id": sid, "order_id": order["order_id"]})
            await measure("list_orders, 1 order", "list_orders", {"session_id": sid})
            await measure("error: get_product of an unknown id", "get_product", {"product_id": 999999})
            await measure("error: add_to_cart without arguments", "add_to_cart", {"session_id": sid})
        db.dispose()
    return rows


def cheapest_offer(product: dict[str, Any]) -> int:
    return int(min(product["offers"], key=lambda offer: offer["price"]["amount"])["id"])


async def per_task(db_path: Path) -> list[Row]:
    """Each demo task end to end on a fresh copy of the store: tools/list once plus every call and result."""
    rows: list[Row] = []
    for task in load_tasks(TASKS):
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "store.db"
            shutil.copy(db_path, copy)
            settings = settings_for(copy)
            db = Database(settings.database_url)
            async with Client(
                build_server(settings, db=db), elicitation_callback=confirming_person(lambda _: None)
            ) as client:
                listed = await tools_list_chars(client)
                recorder = Recorder(client)
                agent = ScriptedAgent(recorder, lambda _: None)  # type: ignore[arg-type]  # the client's one used call
                session_id = await agent.shop(task)
                state = (await client.read_resource(f"shop://sessions/{session_id}/state")).contents[0]
            db.dispose()
        assert isinstance(state, TextResourceContents)
        passed = grade(task, json.loads(state.text)).passed
        rows.append(
            row(
                "task",
                task.id,
                listed + recorder.chars,
                calls=recorder.calls,
                largest_result=recorder.largest,
                passed=passed,
            )
        )
    total = sum(r["chars"] for r in rows)
    rows.append(row("task", "all demo tasks", total, calls=sum(r["calls"] for r in rows)))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| what | detail | text chars | ~tokens |", "|---|---|---:|---:|"]
    for r in rows:
        name = r["name"]
        if r["kind"] == "task":
            graded = "" if "passed" not in r else (", passed" if r["passed"] else ", FAILED")
            name = f"demo task {name} ({r['calls']} calls{graded})"
        lines.append(f"| {name} | {r.get('detail', '')} | {r['chars']:,} | {r['tokens']:,} |")
    return "\n".join(lines)


async def run(db_path: Path) -> list[Row]:
    runs: list[Callable[[Path], Awaitable[list[Row]]]] = [per_tool, per_task]
    rows: list[Row] = []
    for measure in runs:
        rows += await measure(db_path)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tokens", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="The demo store's SQLite file (made if missing).")
    parser.add_argument("--json", type=Path, default=None, help="Also write the rows as JSON here.")
    args = parser.parse_args(argv)
    configure_logging(log_format="console", level="WARNING")
    ensure_demo_store(args.db)
    rows = anyio.run(run, args.db)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
