"""The HTTP application: Streamable HTTP (both protocol eras) or legacy SSE, with health routes.

Choices, and why (docs/serving.md tells operators the same):

- One endpoint, `/mcp`, serves both eras: the SDK routes a request carrying
  a 2026-07-28 `MCP-Protocol-Version` header to its session-less
  per-request path and anything else to the handshake-era transport.
- JSON responses (`SHOPMCP_HTTP_JSON_RESPONSE`, default on): every tool
  answers in milliseconds and sends no progress, so an SSE stream per
  response would carry one message at a higher cost and through proxies
  that buffer or time out streams. A client that accepts only JSON is
  served too. The price: no server-to-client requests for handshake-era
  clients (the 2026-07-28 era asks for input within the result instead).
- No event store: with JSON responses there is no stream to resume.
- Handshake-era sessions (`SHOPMCP_HTTP_STATELESS`): stateless when auth is
  on, because a principal's default shopping session (a database row)
  already carries the cart from call to call, so nothing about a client
  lives in process memory and any process behind a load balancer can serve
  any request, without sticky routing. Without auth (loopback only) the
  transport session is kept in memory, so an anonymous handshake-era client
  keeps one cart for its connection. The legacy SSE transport is stateful
  by nature: its stream and its POSTs must reach the same process.
"""

from typing import Any, Literal

from mcp.server import MCPServer
from starlette.applications import Starlette

from shopmcp.config import Settings
from shopmcp.db import Database
from shopmcp.serving.health import health_routes
from shopmcp.serving.security import check_can_serve, transport_security

HttpTransport = Literal["http", "sse"]

MCP_PATH = "/mcp"
SSE_PATH = "/sse"
SSE_MESSAGE_PATH = "/messages/"


def is_stateless(settings: Settings) -> bool:
    """Whether handshake-era Streamable HTTP clients get no in-memory transport session."""
    return settings.http_stateless if settings.http_stateless is not None else settings.auth_enabled


def build_http_app(server: MCPServer[Any], settings: Settings, db: Database, transport: HttpTransport) -> Starlette:
    """The ASGI app serving `server` over `transport` (its middleware, the rate limit included, is the server's)."""
    check_can_serve(settings)
    security = transport_security(settings)
    if transport == "http":
        app = server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            json_response=settings.http_json_response,
            stateless_http=is_stateless(settings),
            event_store=None,
            max_request_body_size=settings.max_request_bytes,
            transport_security=security,
            host=settings.http_host,
        )
    else:
        app = server.sse_app(
            sse_path=SSE_PATH,
            message_path=SSE_MESSAGE_PATH,
            max_request_body_size=settings.max_request_bytes,
            transport_security=security,
            host=settings.http_host,
        )
    # First, so no catch-all route of the SDK's can shadow them.
    app.router.routes[0:0] = health_routes(db)
    return app
