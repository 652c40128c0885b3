"""Caller resolution: who is calling, and which shopping session a call acts on.

The one place that turns an MCP request into a `Scope`; every session-scoped
tool (through the tool decorator) and resource goes through `resolve_scope`.
docs/architecture.md has the rules and why.

The principal:
- HTTP with auth: the verified bearer token's subject (else its client id);
- HTTP without auth (allowed on loopback only): `anonymous`;
- stdio and in memory (no HTTP headers): `settings.principal` (default `local`).

The session: the `session_id` argument when given (the services then check,
in SQL, that it belongs to the principal); otherwise the principal's default
session, created on first use. An anonymous HTTP caller has no default
session of its own: a handshake-era client gets one tied to its transport
session id (scoped to `anonymous` plus that id, never trusted as identity),
and a 2026-07-28 client, which has no transport session, gets a new session
on each such call, its id returned in the result like a storefront cart id.
"""

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from shopmcp.app_context import AppContext
from shopmcp.auth import ANONYMOUS, principal_of
from shopmcp.models.shopping_session import DEFAULT_SESSION_KEY, TRANSPORT_SESSION_KEY_PREFIX
from shopmcp.observability import note_call
from shopmcp.services import shopping_sessions
from shopmcp.services.shopping_sessions import Scope

__all__ = ["ANONYMOUS", "Caller", "Scope", "caller_of", "current_headers", "peek_scope", "resolve_scope"]

TRANSPORT_SESSION_HEADER = "mcp-session-id"


@dataclass(frozen=True)
class Caller:
    """Who is calling, and how their default shopping session is found."""

    principal: str
    default_key: str | None
    """How the caller's default session is found; None when each call without session_id gets a new one."""


def caller_of(headers: Mapping[str, str] | None, local_principal: str) -> Caller:
    """The caller of the current request, from its verified token or transport.

    Args:
        headers: The request's HTTP headers; None on stdio and in memory.
        local_principal: The principal of a stdio or in-memory caller.
    """
    token = get_access_token()
    if token is not None:
        return Caller(principal=principal_of(token), default_key=DEFAULT_SESSION_KEY)
    if headers is None:
        return Caller(principal=local_principal, default_key=DEFAULT_SESSION_KEY)
    transport_session = headers.get(TRANSPORT_SESSION_HEADER)
    if transport_session:
        return Caller(principal=ANONYMOUS, default_key=f"{TRANSPORT_SESSION_KEY_PREFIX}{transport_session}")
    return Caller(principal=ANONYMOUS, default_key=None)


def resolve_scope(headers: Mapping[str, str] | None, app: AppContext, session_id: str | None) -> Scope:
    """The scope a session-scoped call acts on; creates the default session on first use."""
    caller = caller_of(headers, app.settings.principal)
    if session_id is not None:
        resolved = session_id
    elif caller.default_key is None:
        resolved = app.db.run_write(shopping_sessions.create_session, principal=caller.principal).session_id
    else:
        found = app.db.run_read(
            shopping_sessions.find_keyed_session, principal=caller.principal, default_key=caller.default_key
        )
        resolved = found or app.db.run_write(
            shopping_sessions.ensure_keyed_session, principal=caller.principal, default_key=caller.default_key
        )
    note_call(principal=caller.principal, session_id=resolved)
    return Scope(principal=caller.principal, session_id=resolved)


def peek_scope(headers: Mapping[str, str] | None, app: AppContext, session_id: str | None) -> Scope | None:
    """The scope a call would act on, without creating any session; None when it would be a new one."""
    caller = caller_of(headers, app.settings.principal)
    if session_id is not None:
        return Scope(principal=caller.principal, session_id=session_id)
    if caller.default_key is None:
        return None
    found = app.db.run_read(
        shopping_sessions.find_keyed_session, principal=caller.principal, default_key=caller.default_key
    )
    return Scope(principal=caller.principal, session_id=found) if found else None


# Static resources get no Context from the SDK; this middleware keeps the
# request's headers where `current_headers` finds them.
_request_headers: ContextVar[Mapping[str, str] | None] = ContextVar("shopmcp_request_headers", default=None)


async def remember_request_headers(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Server middleware: make the request's HTTP headers (None on stdio) available to `current_headers`."""
    token = _request_headers.set(getattr(ctx.request, "headers", None))
    try:
        return await call_next(ctx)
    finally:
        _request_headers.reset(token)


def current_headers() -> Mapping[str, str] | None:
    """The HTTP headers of the request being handled, for handlers that get no Context."""
    return _request_headers.get()
