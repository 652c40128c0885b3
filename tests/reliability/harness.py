"""Shared by the reliability tests: a blocking facade over the in-memory client, and the checks on answers.

Hypothesis drives state machines and fuzzers synchronously, while `mcp.Client`
is async. A blocking portal runs an anyio event loop in a thread; each client
is entered inside that loop (`wrap_async_context_manager`) and every call
goes through `portal.call`, so a rule is a plain function call.
"""

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

from shopmcp.app_context import AppContext
from tests.reliability.report import LONG

__all__ = ["LONG"]  # the long form: `SHOPMCP_RELIABILITY_LONG=1 .venv/bin/pytest tests/reliability -q`

CALL_TIMEOUT = 60.0
"""The most one tool call may take before the test fails (a hung server, not a slow one)."""

BUSINESS_CODES = frozenset(
    {
        "not_found",
        "invalid_input",
        "invalid_arguments",
        "invalid_cursor",
        "out_of_stock",
        "insufficient_stock",
        "variant_required",
        "invalid_coupon",
        "coupon_not_applicable",
        "empty_cart",
        "invalid_address",
        "quote_expired",
        "quote_stale",
        "payment_declined",
        "insufficient_funds",
        "idempotency_conflict",
        "order_not_cancellable",
        "order_not_modifiable",
        "confirmation_declined",
    }
)
"""Every error code a well-behaved server may answer a bad or unlucky call with (not internal_error)."""

# What an error message must never carry: a stack, SQL, a file path, a Python exception name.
LEAK_PATTERNS = re.compile(
    r"Traceback|traceback|File \"|\.py\b|/home/|/work/|/usr/|site-packages|"
    r"\bSELECT\b.*\bFROM\b|\bINSERT INTO\b|\bUPDATE\b.*\bSET\b|sqlalchemy|psycopg|sqlite3|"
    r"IntegrityError|OperationalError|ProgrammingError|DataError|KeyError|TypeError|AttributeError|"
    r"Error executing tool",
    re.DOTALL,
)


@dataclass
class SyncClient:
    """One connected in-memory client, called from synchronous code."""

    portal: BlockingPortal
    client: Client

    def call(self, tool: str, args: dict[str, Any]) -> CallToolResult:
        result: CallToolResult = self.portal.call(self._call, tool, args)
        return result

    async def _call(self, tool: str, args: dict[str, Any]) -> CallToolResult:
        with anyio.fail_after(CALL_TIMEOUT):
            return await self.client.call_tool(tool, args)

    def run(self, fn: Any, *args: Any) -> Any:
        """Run `await fn(client, *args)` on the portal's loop."""
        return self.portal.call(fn, self.client, *args)


@contextmanager
def sync_clients(*servers: MCPServer[AppContext]) -> Iterator[list[SyncClient]]:
    """One blocking client per server, all on one portal, closed at the end."""
    with start_blocking_portal() as portal, ExitStack() as stack:
        yield [SyncClient(portal, stack.enter_context(portal.wrap_async_context_manager(Client(s)))) for s in servers]


def text_of(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def error_of(result: CallToolResult) -> dict[str, Any] | None:
    """The structured business error of a result, None for a success; fails on an error without structure."""
    if not result.is_error:
        return None
    assert result.structured_content is not None, f"an error without structured content: {text_of(result)[:500]}"
    error = result.structured_content.get("error")
    assert isinstance(error, dict), f"an error result without an error object: {result.structured_content}"
    return error


def assert_clean_error(error: dict[str, Any], *, allowed: frozenset[str] = BUSINESS_CODES) -> None:
    """A business error in its one shape: a known code, a message without internals, a resolution."""
    assert error.get("code") in allowed, f"unexpected error code: {error}"
    assert set(error) == {"code", "message", "resolution", "details"}, error
    assert error["resolution"] in {"recoverable", "requires_buyer_input", "unrecoverable"}, error
    message = error["message"]
    assert isinstance(message, str), error
    assert message.strip(), error
    leak = LEAK_PATTERNS.search(message + json.dumps(error["details"], ensure_ascii=False))
    assert leak is None, f"error text shows internals ({leak.group(0)!r}): {error}"


def ok(client: SyncClient, tool: str, **args: Any) -> dict[str, Any]:
    result = client.call(tool, args)
    assert not result.is_error, f"{tool} failed: {result.structured_content or text_of(result)}"
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def outcome(client: SyncClient, tool: str, args: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Call `tool`; a success returns `{"ok": content}`, an error must be clean and one of `allowed`."""
    result = client.call(tool, args)
    error = error_of(result)
    if error is None:
        assert isinstance(result.structured_content, dict), f"{tool} succeeded without structured content"
        return {"ok": result.structured_content}
    assert_clean_error(error, allowed=allowed)
    return {"error": error}
