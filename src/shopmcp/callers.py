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

The support role (`SHOPMCP_SUPPORT_ROLE`, off by default): held by the stdio /
in-memory principal and by HTTP tokens carrying `SHOPMCP_SUPPORT_SCOPE`, never
by an anonymous caller. An account tool's `customer_id` (`AccountScope`) makes
a support call act on that customer's home session; anyone else is answered
`not_found` for every customer_id but that of the account the call acts on
anyway, so a plain customer learns nothing about other customers.
"""

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from shopmcp.app_context import AppContext
from shopmcp.auth import ANONYMOUS, principal_of
from shopmcp.config import Settings
from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.models.shopping_session import DEFAULT_SESSION_KEY, TRANSPORT_SESSION_KEY_PREFIX
from shopmcp.observability import SUPPORT_ROLE, note_call
from shopmcp.services import customers, shopping_sessions
from shopmcp.services.shopping_sessions import Scope, session_not_found

__all__ = [
    "ANONYMOUS",
    "AccountScope",
    "Caller",
    "ForCustomer",
    "Scope",
    "caller_of",
    "current_headers",
    "holds_support_role",
    "peek_scope",
    "require_support_role",
    "resolve_scope",
]

TRANSPORT_SESSION_HEADER = "mcp-session-id"


class ForCustomer:
    """Marks a tool's scope as an account's, which a support call may point at another customer (`customer_id`)."""


AccountScope = Annotated[Scope, ForCustomer()]
"""The scope of an account or order tool: the tool decorator adds `customer_id` to it (listed in tools/list
only with the support role on, `SHOPMCP_SUPPORT_ROLE`)."""


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


def holds_support_role(headers: Mapping[str, str] | None, settings: Settings) -> bool:
    """Whether the current caller holds the support role (see the module docstring)."""
    if not settings.support_role:
        return False
    token = get_access_token()
    if token is not None:
        return settings.support_scope in token.scopes
    return headers is None


def require_support_role(headers: Mapping[str, str] | None, app: AppContext) -> str:
    """The calling principal, who must hold the support role; its call is logged as a support call."""
    caller = caller_of(headers, app.settings.principal)
    if not holds_support_role(headers, app.settings):
        raise ShopError(
            ErrorCode.FORBIDDEN,
            f"Only the support role may look customers up: a bearer token with the scope "
            f"{app.settings.support_scope!r}. Act on your own account without customer_id.",
            resolution=Resolution.UNRECOVERABLE,
        )
    note_call(principal=caller.principal, role=SUPPORT_ROLE)
    return caller.principal


def resolve_scope(
    headers: Mapping[str, str] | None, app: AppContext, session_id: str | None, customer_id: str | None = None
) -> Scope:
    """The scope a session-scoped call acts on; creates the default session on first use.

    With `customer_id` (an account tool's argument, support role), the customer's home session;
    `not_found` for an unknown customer, and for a caller without the role, for any customer but the
    one of the session the call acts on anyway.
    """
    if customer_id is not None:
        scope = _customer_scope(headers, app, session_id, customer_id, create=True)
        assert scope is not None, "resolving a customer's scope returns it or raises"
        return scope
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


def peek_scope(
    headers: Mapping[str, str] | None, app: AppContext, session_id: str | None, customer_id: str | None = None
) -> Scope | None:
    """The scope a call would act on, without creating any session; None when it would be a new one
    or fail (an unknown customer_id)."""
    if customer_id is not None:
        return _customer_scope(headers, app, session_id, customer_id, create=False)
    caller = caller_of(headers, app.settings.principal)
    if session_id is not None:
        return Scope(principal=caller.principal, session_id=session_id)
    if caller.default_key is None:
        return None
    found = app.db.run_read(
        shopping_sessions.find_keyed_session, principal=caller.principal, default_key=caller.default_key
    )
    return Scope(principal=caller.principal, session_id=found) if found else None


def _customer_scope(
    headers: Mapping[str, str] | None, app: AppContext, session_id: str | None, customer_id: str, *, create: bool
) -> Scope | None:
    """The home session of customer `customer_id` for a support caller; the caller's own scope when it is
    that customer's. Resolving (`create`) logs the attempt and raises `not_found` where peeking returns None."""
    home: Scope | None
    if holds_support_role(headers, app.settings):
        home = app.db.run_read(customers.customer_home, customer_id=customer_id)
        if create:
            actor = caller_of(headers, app.settings.principal).principal
            at = home.session_id if home else None
            note_call(principal=actor, session_id=at, customer_id=customer_id, role=SUPPORT_ROLE)
        if home is not None and session_id is not None and session_id != home.session_id:
            if create:
                raise session_not_found(session_id)
            return None
    else:
        own = resolve_scope(headers, app, session_id) if create else peek_scope(headers, app, session_id)
        matches = own is not None and app.db.run_read(customers.customer_id_of, scope=own) == customer_id
        home = own if matches else None
        if create:
            note_call(customer_id=customer_id)
    if home is None and create:
        raise customers.customer_not_found(customer_id)
    return home


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
