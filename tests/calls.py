"""Calling tools as an agent would, for every test that goes through an MCP client."""

from collections.abc import Mapping
from typing import Any

from mcp import Client


async def ok(client: Client, tool: str, args: Mapping[str, Any] | None = None, /, **named: Any) -> dict[str, Any]:
    """Call `tool` with `args` and/or keyword arguments; fail the test on an error result; return its content."""
    result = await client.call_tool(tool, {**(args or {}), **named})
    assert not result.is_error, f"{tool} failed: {result.structured_content or result.content}"
    content = result.structured_content
    assert isinstance(content, dict)
    return content
