"""Per-principal rate limit for HTTP callers, as MCP middleware.

Why in the MCP layer rather than as HTTP 429: the limit has to be something
both readers of the answer can act on. An agent only ever sees tool results,
so an over-limit tool call answers with a tool error `rate_limited` whose
message says how long to wait and whose details carry `retry_after_seconds`
for harnesses; any other request gets a JSON-RPC error with the same data.
Both travel the same way on every HTTP transport, including the legacy SSE
one, whose clients treat a non-2xx answer to a message POST as a broken
connection rather than as a refusal of one request.

The window is a moving one (the `limits` library) keyed by principal. With
the default in-memory storage each process counts on its own, so N processes
behind a load balancer allow up to N times the limit; a shared storage URI
(`SHOPMCP_RATE_LIMIT_STORAGE`, e.g. Redis) makes it one limit.
"""

import math
import time
from typing import Any

import limits
import structlog
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError

from shopmcp.auth import principal_of
from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.observability import note_call
from shopmcp.tool_errors import error_result

log = structlog.get_logger(__name__)

RATE_LIMITED_JSONRPC_CODE = -32029
"""JSON-RPC error code for a refused non-tool request (server-defined range)."""


# The requests that do work against the database. Protocol chatter (discovery,
# the handshake, listings, ping) is not counted: refusing it would break a
# client's connection instead of one call.
LIMITED_METHODS = frozenset({"tools/call", "resources/read", "prompts/get", "completion/complete"})


def describe(item: limits.RateLimitItem) -> str:
    """`20 per 1 second` style, as people say it."""
    unit = item.GRANULARITY.name
    return f"{item.amount} per {item.multiples} {unit if item.multiples == 1 else unit + 's'}"


class RateLimitMiddleware:
    """Refuses work beyond `limit` per principal; stdio and in-memory calls are never limited."""

    def __init__(self, limit: str, storage_uri: str = "async+memory://") -> None:
        self._item = limits.parse(limit)
        self._description = describe(self._item)
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, Storage):
            raise ValueError(f"rate limit storage {storage_uri!r} is not an async (`async+...`) storage")
        self._limiter = MovingWindowRateLimiter(storage)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        # No HTTP request: a local caller, never limited.
        if ctx.request is None or ctx.method not in LIMITED_METHODS:
            return await call_next(ctx)
        principal = principal_of(get_access_token())
        if await self._limiter.hit(self._item, principal):
            return await call_next(ctx)
        retry_after = await self._retry_after(principal)
        log.warning("rate_limited", principal=principal, method=ctx.method, retry_after_seconds=retry_after)
        message = (
            f"Too many requests from {principal}: the limit is {self._description}. "
            f"Wait {retry_after} seconds, then call again."
        )
        details = {"retry_after_seconds": retry_after, "limit": self._description}
        if ctx.method == "tools/call":
            note_call(principal=principal, error_code=ErrorCode.RATE_LIMITED.value)
            return error_result(ShopError(ErrorCode.RATE_LIMITED, message, details=details))
        raise MCPError(
            code=RATE_LIMITED_JSONRPC_CODE, message=message, data={"code": ErrorCode.RATE_LIMITED.value, **details}
        )

    async def _retry_after(self, principal: str) -> float:
        """Seconds until the oldest request in the window leaves it, rounded up to a tenth."""
        stats = await self._limiter.get_window_stats(self._item, principal)
        return max(0.1, math.ceil((stats.reset_time - time.time()) * 10) / 10)
