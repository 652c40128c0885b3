"""Helpers for the catalog tool tests: calling tools as an agent would, and unique search words."""

import json
import secrets
from typing import Any

from mcp import Client

from tests.calls import ok

# What must never reach an agent: database, driver or Python internals.
LEAK_MARKERS = ("sqlite", "psycopg", "select ", "syntax error", "traceback", "fts5", "tsquery", 'file "/')


def unique_word() -> str:
    """A word no other test's catalog rows contain: a letter, then random hex."""
    return "q" + secrets.token_hex(5)


async def fail(client: Client, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call `tool`, expecting a business error; return `{code, message, resolution, details}`."""
    result = await client.call_tool(tool, args or {})
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    assert result.structured_content is not None, f"{tool} failed without a structured error: {result.content}"
    error = result.structured_content["error"]
    assert isinstance(error, dict)
    assert_no_leak(error["message"])
    return error


async def rejected(client: Client, tool: str, args: dict[str, Any]) -> str:
    """Call `tool` with arguments its input schema refuses; return the text the agent reads.

    The refusal is the structured `invalid_arguments` error, and its text is the same object.
    """
    result = await client.call_tool(tool, args)
    assert result.is_error, f"{tool} accepted {args}"
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "invalid_arguments"
    text = " ".join(getattr(part, "text", "") for part in result.content)
    assert json.loads(text) == result.structured_content
    return text


def assert_no_leak(text: str) -> None:
    lowered = text.lower()
    assert not any(marker in lowered for marker in LEAK_MARKERS), f"internals leaked: {text}"


def ids(result: dict[str, Any]) -> list[int]:
    return [item["id"] for item in result["items"]]


async def all_pages(client: Client, args: dict[str, Any]) -> list[int]:
    """Every product id of a search, page after page, in order."""
    found: list[int] = []
    cursor = None
    for _ in range(200):
        page = await ok(client, "search_products", {**args, **({"cursor": cursor} if cursor else {})})
        found += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("pagination did not end after 200 pages")
