"""Logging (structlog, always on stderr) and the one summary line per tool call (DESIGN.md section 9).

Behaviour lives in processors: every line is redacted of addresses, emails,
tokens and payment data before it is rendered, and stdlib logging (the MCP
SDK, uvicorn, SQLAlchemy) goes through the same processors.
"""

import logging
import sys
import time
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import CallToolResult

log = structlog.get_logger("shopmcp.tool")

# Keys whose values never reach a log line, at any depth.
_SENSITIVE_KEYS = frozenset(
    {
        "address",
        "shipping_address",
        "billing_address",
        "email",
        "phone",
        "name_on_card",
        "payment_method",
        "card",
        "token",
        "access_token",
        "authorization",
        "password",
        "secret",
    }
)
_REDACTED = "[redacted]"


def redact_sensitive(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Replace the value of every sensitive key, however deep, before rendering."""
    return {key: _redact(key, value) for key, value in event_dict.items()}


def _redact(key: str, value: Any) -> Any:
    if key.lower() in _SENSITIVE_KEYS:
        return _REDACTED
    if isinstance(value, Mapping):
        return {k: _redact(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact("", item) for item in value]
    return value


def configure_logging(*, log_format: Literal["console", "json"], level: str = "INFO") -> None:
    """Send structlog and stdlib logging to stderr, as JSON lines or for a terminal."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_sensitive,
    ]
    renderer: structlog.types.Processor
    if log_format == "json":
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDK logs each rejected argument set at INFO; our summary line already says it.
    logging.getLogger("mcp").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)


@dataclass
class CallInfo:
    """What the tool layer learns about a call, for its summary line."""

    tool: str
    principal: str | None = None
    session_id: str | None = None
    error_code: str | None = None


current_call: ContextVar[CallInfo | None] = ContextVar("shopmcp_current_call", default=None)


def note_call(**fields: str | None) -> None:
    """Record facts about the current tool call (principal, session_id, error_code)."""
    info = current_call.get()
    if info is not None:
        for name, value in fields.items():
            setattr(info, name, value)


class ToolCallLogMiddleware:
    """Writes one line per `tools/call`: tool, session_id, principal, outcome, duration_ms."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/call":
            return await call_next(ctx)
        name = ctx.params.get("name") if ctx.params else None
        info = CallInfo(tool=name if isinstance(name, str) else "?")
        # Tool bodies may run on worker threads, which get a copy of this
        # context: they mutate `info` rather than setting variables.
        token = current_call.set(info)
        started = time.perf_counter()
        outcome = "crash"
        try:
            result = await call_next(ctx)
            outcome = _outcome(result, info)
            return result
        finally:
            current_call.reset(token)
            log.info(
                "tool_call",
                tool=info.tool,
                session_id=info.session_id,
                principal=info.principal,
                outcome=outcome,
                error_code=info.error_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


def _outcome(result: HandlerResult, info: CallInfo) -> str:
    is_error = (isinstance(result, CallToolResult) and result.is_error) or (
        isinstance(result, dict) and result.get("isError") is True
    )
    if not is_error:
        return "ok"
    if info.error_code is None:
        info.error_code = "invalid_arguments"
    return "error"
