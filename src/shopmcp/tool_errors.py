"""How a failed tool call is answered: a business error as the agent reads it, and everything else translated.

A `ShopError` becomes a tool result with `isError: true` whose structured content is
`{"error": {code, message, resolution, details}}` and whose text is the same JSON; a database
outage becomes `service_unavailable`; anything else is logged with its stack trace and reported
as `internal_error`, without internals. The tool decorator (`tools.decorator`) and the rate
limit (`serving.rate_limit`) both answer through here.
"""

import json

import structlog
from mcp.types import CallToolResult, TextContent
from sqlalchemy.exc import DBAPIError

from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.db import CommitOutcomeUnknownError, is_transient
from shopmcp.models.common import ErrorInfo, ErrorResult

log = structlog.get_logger(__name__)


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


def translate(error: Exception) -> ShopError:
    """The business error an exception from a tool body stands for (logging the unexpected ones)."""
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
