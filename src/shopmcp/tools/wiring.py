"""What every tool shares: error translation and the annotation presets.

A tool body validates, resolves the caller's session, opens a DB session and
calls one service function. `shop_tool` turns what the service raises into a
tool result the agent can act on: a `ShopError` becomes
`{"error": {code, message, resolution, details}}` with `isError: true`; a
database outage becomes `service_unavailable`; anything else is logged with
its stack trace and reported as `internal_error`, without internals.
"""

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

import structlog
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from sqlalchemy.exc import DBAPIError

from shopmcp.core.errors import ErrorCode, Resolution, ShopError, invalid_input
from shopmcp.db import CommitOutcomeUnknownError, is_transient
from shopmcp.models.common import ErrorInfo, ErrorResult
from shopmcp.models.safe_text import has_nul
from shopmcp.observability import note_call

log = structlog.get_logger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
"""Reads the catalog or the caller's own state; changes nothing."""

WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
"""Changes the caller's own state (cart, session) in a way that can be undone."""

WRITE_IDEMPOTENT = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
"""Changes state; calling again with the same arguments changes nothing more."""

DESTRUCTIVE_IDEMPOTENT = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)
"""Commits money or stock (place_order, cancel_order); safe to repeat with the same arguments."""


def error_result(error: ShopError) -> CallToolResult:
    """The tool result for a business error: structured for agents, JSON text for the rest."""
    payload = ErrorResult(
        error=ErrorInfo(
            code=error.code.value,
            message=error.message,
            resolution=error.resolution.value,
            details=error.details,
        )
    ).model_dump(mode="json")
    return CallToolResult(
        is_error=True,
        structured_content=payload,
        content=[TextContent(type="text", text=json.dumps(payload, ensure_ascii=False))],
    )


def _translate(error: Exception) -> ShopError:
    if isinstance(error, ShopError):
        return error
    if isinstance(error, CommitOutcomeUnknownError):
        log.error("tool.commit_outcome_unknown")
        return ShopError(
            ErrorCode.UNAVAILABLE,
            "The store lost its database connection while saving this change and could not confirm "
            "whether it was saved. Check the current state (view_cart, list_orders) before repeating it; "
            "place_order with the same idempotency_key is always safe to repeat.",
        )
    if isinstance(error, DBAPIError) and is_transient(error):
        log.warning("tool.database_unavailable", error=type(error.orig).__name__)
        return ShopError(
            ErrorCode.UNAVAILABLE,
            "The store's database is briefly unavailable. Wait a moment and call the tool again.",
        )
    log.exception("tool.crashed")
    return ShopError(
        ErrorCode.INTERNAL,
        "Something went wrong on the server while handling this call; it has been logged. "
        "Try again; if it keeps failing, try a different request.",
        resolution=Resolution.UNRECOVERABLE,
    )


def _failed(error: Exception) -> CallToolResult:
    shop_error = _translate(error)
    note_call(error_code=shop_error.code.value)
    return error_result(shop_error)


def _refuse_nul(kwargs: dict[str, Any]) -> None:
    """No id, code or address of a session holds a NUL, and PostgreSQL cannot even compare one: refuse it."""
    for name, value in kwargs.items():
        if has_nul(value):
            raise invalid_input(
                f"`{name}` contains a NUL character (\\x00); no id, code or text in this store has one. "
                "Send it without that character.",
                argument=name,
            )


def _accept(kwargs: dict[str, Any]) -> None:
    """Catalog tools take any text: they read it as words and names, and compare no ids as text."""


def shop_tool(fn: F) -> F:
    """Wrap a tool function (sync or async) so that every failure is a structured tool error.

    A tool acting on a shopping session (it takes `session_id`) refuses text arguments holding a NUL
    character (`invalid_input`) before its body runs; catalog tools read a NUL in search text as a space.
    The wrapper's docstring is the tool's description: dedented, so that a model reads it without the
    source's indentation.
    """
    if fn.__doc__:
        fn.__doc__ = inspect.cleandoc(fn.__doc__)
    guard = _refuse_nul if "session_id" in inspect.signature(fn).parameters else _accept
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                guard(kwargs)
                return await fn(*args, **kwargs)
            except Exception as error:
                return _failed(error)

        return cast(F, async_wrapper)

    @functools.wraps(fn)
    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            guard(kwargs)
            return fn(*args, **kwargs)
        except Exception as error:
            return _failed(error)

    return cast(F, sync_wrapper)
