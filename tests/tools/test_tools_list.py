"""A snapshot of `tools/list`: names, descriptions, input and output schemas, annotations.

Clients and harnesses break when the tool surface changes, so every change
must show up in review as a diff of `tests/snapshots/tools_list.json`. After
an intended change, rewrite the snapshot with

    SHOPMCP_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/tools/test_tools_list.py

and commit it with the change.
"""

import json
import os
from pathlib import Path
from typing import Any

from mcp import Client

from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.server import INSTRUCTIONS, build_server

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "tools_list.json"
UPDATE_VARIABLE = "SHOPMCP_UPDATE_SNAPSHOTS"


async def _listed_tools(tmp_path: Path) -> list[dict[str, Any]]:
    # Listing tools touches no table: an unmigrated database file is enough.
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    server = build_server(load_settings(env="test", database_url=url, seed_demo_catalog=False), db=Database(url))
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    listed = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    return sorted(listed, key=lambda tool: str(tool["name"]))


async def test_tools_list_matches_the_snapshot(tmp_path: Path) -> None:
    listed = await _listed_tools(tmp_path)
    rendered = json.dumps(listed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    if os.environ.get(UPDATE_VARIABLE) == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    stored = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""

    assert rendered == stored, (
        "The tool surface differs from tests/snapshots/tools_list.json. "
        f"If the change is intended, run `{UPDATE_VARIABLE}=1 .venv/bin/pytest tests/tools/test_tools_list.py` "
        "and commit the rewritten snapshot with it."
    )


async def test_every_tool_is_annotated_and_typed(tmp_path: Path) -> None:
    for tool in await _listed_tools(tmp_path):
        name = tool["name"]
        annotations = tool.get("annotations", {})
        assert "readOnlyHint" in annotations, f"{name} has no readOnlyHint"
        assert "outputSchema" in tool, f"{name} has no output schema"
        assert tool.get("description"), f"{name} has no description"
        definitions = tool["inputSchema"].get("$defs", {})
        for argument, schema in tool["inputSchema"].get("properties", {}).items():
            if argument in SAID_IN_THE_INSTRUCTIONS or argument.endswith(("_id", "_ids")):
                continue
            referenced = definitions.get(str(schema.get("$ref", "")).rpartition("/")[2], {})
            assert schema.get("description") or referenced.get("description"), f"{name}.{argument} has no description"


SAID_IN_THE_INSTRUCTIONS = {"session_id", "detail"}
"""Arguments the server's instructions explain once for every tool, as they do where ids come from."""


def test_the_instructions_explain_what_arguments_leave_undescribed() -> None:
    for said in (*SAID_IN_THE_INSTRUCTIONS, "Ids an argument asks for", 'detail="full"'):
        assert said in INSTRUCTIONS, said


async def test_catalog_tools_are_read_only(tmp_path: Path) -> None:
    tools = {tool["name"]: tool for tool in await _listed_tools(tmp_path)}

    for name in ("search_products", "get_product", "compare_prices", "list_categories"):
        annotations = tools[name]["annotations"]
        assert annotations["readOnlyHint"] is True
        assert annotations["destructiveHint"] is False
        assert annotations["idempotentHint"] is True
