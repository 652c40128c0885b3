"""Logging (structlog, always on stderr), the one summary line per tool call, and tracing.

Behaviour lives in processors: every line is redacted of addresses, emails,
tokens and payment data before it is rendered, carries the current trace and
span ids, and stdlib logging (the MCP SDK, uvicorn, SQLAlchemy) goes through
the same processors.

Tracing: the SDK opens one SERVER span per MCP request; the tool-call
middleware adds `mcp.session.id` and the principal (`enduser.id`) to it, and
SQLAlchemy events add a CLIENT child span per statement. Spans leave the
process only when the standard `OTEL_*` variables ask for an exporter
(`configure_tracing`); otherwise the API is a no-op.
"""

import logging
import os
import sys
import time
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import CallToolResult
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, ExceptionContext, ExecutionContext

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


def add_trace_ids(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Stamp the line with the current trace and span ids, so logs and traces join up."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def configure_logging(*, log_format: Literal["console", "json"], level: str = "INFO") -> None:
    """Send structlog and stdlib logging to stderr, as JSON lines or for a terminal."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_ids,
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


SUPPORT_ROLE = "support"
"""`role` of a call made with the support role (find_customer, or a tool acting for a customer_id)."""


@dataclass
class CallInfo:
    """What the tool layer learns about a call, for its summary line."""

    tool: str
    principal: str | None = None
    session_id: str | None = None
    error_code: str | None = None
    role: str | None = None
    """`support` for a call made with the support role; the principal is then the actor."""
    customer_id: str | None = None
    """The customer a call named with customer_id, or the ones find_customer found."""


current_call: ContextVar[CallInfo | None] = ContextVar("shopmcp_current_call", default=None)


def note_call(**fields: str | None) -> None:
    """Record facts about the current tool call (principal, session_id, error_code, role, customer_id)."""
    info = current_call.get()
    if info is not None:
        for name, value in fields.items():
            setattr(info, name, value)


class ToolCallLogMiddleware:
    """Writes one line per `tools/call`: tool, session_id, principal, outcome, duration_ms.

    A support call's line also has `role` and `customer_id`: who acted (principal) for which customer,
    an audit trail of every support call (never an email or address: the customer's id only).
    """

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/call":
            try:
                return await call_next(ctx)
            finally:
                _annotate_request_span(ctx, CallInfo(tool=""))
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
            _annotate_request_span(ctx, info)
            acting = {"role": info.role, "customer_id": info.customer_id} if info.role or info.customer_id else {}
            log.info(
                "tool_call",
                tool=info.tool,
                session_id=info.session_id,
                principal=info.principal,
                **acting,
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


def _annotate_request_span(ctx: ServerRequestContext[Any, Any], info: CallInfo) -> None:
    """Put the principal and session on the SDK's request span (and fill in the principal for the log line).

    `mcp.session.id` is the shopping session the call acted on, else the
    transport session of a handshake-era HTTP client. On HTTP with auth the
    principal is the token's subject even for calls that resolve no session.
    """
    if info.principal is None:
        token = get_access_token()
        if token is not None:
            info.principal = token.subject or token.client_id
    span = trace.get_current_span()
    if not span.is_recording():
        return
    headers = getattr(ctx.request, "headers", None)
    session_id = info.session_id or (headers.get("mcp-session-id") if headers is not None else None)
    if session_id:
        span.set_attribute("mcp.session.id", session_id)
    if info.principal:
        span.set_attribute("enduser.id", info.principal)
    if info.role:
        span.set_attribute("enduser.role", info.role)
    if info.customer_id:
        span.set_attribute("shopmcp.customer.id", info.customer_id)


# --- Tracing ---------------------------------------------------------------

_db_tracer = trace.get_tracer("shopmcp.db")
_SPAN_KEY = "_shopmcp_span"
_MAX_QUERY_TEXT = 2048


def configure_tracing(*, service_version: str) -> TracerProvider | None:
    """Export spans as the standard `OTEL_*` variables ask; off unless they do.

    On when `OTEL_TRACES_EXPORTER` names `otlp` or `console`, or when an OTLP
    endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
    is set; `OTEL_SDK_DISABLED=true` turns it off. The OTLP exporter reads
    its endpoint, headers and timeout from the same variables. The console
    exporter writes to stderr: stdout carries the protocol on stdio.
    """
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    exporters = [exporter for name in _requested_exporters() if (exporter := _exporter(name)) is not None]
    if not exporters:
        return None
    resource = Resource.create({"service.version": service_version})
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "shopmcp"}))
    provider = TracerProvider(resource=resource)
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def _requested_exporters() -> list[str]:
    named = os.environ.get("OTEL_TRACES_EXPORTER")
    if named is not None:
        return [name.strip().lower() for name in named.split(",") if name.strip() and name.strip() != "none"]
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return ["otlp"] if any(os.environ.get(name) for name in endpoints) else []


def _exporter(name: str) -> SpanExporter | None:
    if name == "console":
        return ConsoleSpanExporter(out=sys.stderr)
    if name != "otlp":
        structlog.get_logger(__name__).warning("tracing.unknown_exporter", exporter=name)
        return None
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol != "http/protobuf":
        structlog.get_logger(__name__).warning(
            "tracing.unsupported_protocol", protocol=protocol, supported="http/protobuf"
        )
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def trace_database(engine: Engine) -> None:
    """Open a CLIENT span for every statement `engine` runs inside a traced request (idempotent)."""
    if event.contains(engine, "before_cursor_execute", _start_statement_span):
        return
    event.listen(engine, "before_cursor_execute", _start_statement_span)
    event.listen(engine, "after_cursor_execute", _end_statement_span)
    event.listen(engine, "handle_error", _fail_statement_span)


def _start_statement_span(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    # Statements outside a sampled request (migrations, seeding) would only be noise.
    if context is None or not trace.get_current_span().is_recording():
        return
    words = statement.split(None, 1)
    operation = words[0].upper() if words else "SQL"
    url = conn.engine.url
    attributes: dict[str, str | int] = {
        "db.system.name": conn.dialect.name,
        "db.operation.name": operation,
        # Bound parameters stay out: the text has placeholders, never values.
        "db.query.text": statement[:_MAX_QUERY_TEXT],
    }
    if url.database:
        attributes["db.namespace"] = url.database
    if url.host:
        attributes["server.address"] = url.host
    if url.port:
        attributes["server.port"] = url.port
    span = _db_tracer.start_span(operation, kind=SpanKind.CLIENT, attributes=attributes)
    setattr(context, _SPAN_KEY, span)


def _end_statement_span(
    _conn: Connection, _cursor: Any, _statement: str, _parameters: Any, context: ExecutionContext | None, _many: bool
) -> None:
    span = getattr(context, _SPAN_KEY, None)
    if span is not None:
        span.end()
        setattr(context, _SPAN_KEY, None)


def _fail_statement_span(exception_context: ExceptionContext) -> None:
    span = getattr(exception_context.execution_context, _SPAN_KEY, None)
    if span is None:
        return
    error = exception_context.original_exception
    span.set_attribute("error.type", type(error).__qualname__)
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate:
        span.set_attribute("db.response.status_code", sqlstate)
    span.set_status(Status(StatusCode.ERROR))
    span.end()
    setattr(exception_context.execution_context, _SPAN_KEY, None)
