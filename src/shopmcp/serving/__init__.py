"""Serving shopmcp over HTTP: the app, its security, rate limit and health routes, and uvicorn."""

import contextlib
from typing import Any

import structlog
import uvicorn
from mcp.server import MCPServer

from shopmcp.config import Settings
from shopmcp.db import Database
from shopmcp.serving.app import MCP_PATH, SSE_PATH, HttpTransport, build_http_app, is_stateless
from shopmcp.serving.security import UnsafeServeError, check_can_serve

__all__ = ["HttpTransport", "UnsafeServeError", "build_http_app", "check_can_serve", "serve_http"]

log = structlog.get_logger(__name__)

# Open SSE streams never end on their own: give them this long once shutdown starts.
_GRACEFUL_SHUTDOWN_SECONDS = 5
# uvicorn closes an idle keep-alive connection after 5 s by default. A client that sends its next
# request just as the server closes gets a reset it cannot tell from a crash (a POST is not retried):
# under load, agents' pauses between calls are often about that long. Idle connections stay open
# longer than the 60 s idle timeout of common load balancers, so the balancer, not us, closes them.
_KEEP_ALIVE_SECONDS = 75


def serve_http(server: MCPServer[Any], settings: Settings, db: Database, transport: HttpTransport) -> None:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    app = build_http_app(server, settings, db, transport)
    log.info(
        "serving",
        transport=transport,
        url=f"http://{settings.http_host}:{settings.http_port}{MCP_PATH if transport == 'http' else SSE_PATH}",
        public_url=settings.resolved_public_url,
        auth="on" if settings.auth_enabled else "off",
        stateless=is_stateless(settings) if transport == "http" else False,
        rate_limit=settings.rate_limit or "off",
    )
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our structlog handler on the root logger renders uvicorn's lines too
        access_log=settings.http_access_log,
        server_header=False,
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
        timeout_keep_alive=_KEEP_ALIVE_SECONDS,
    )
    # uvicorn shuts down gracefully on SIGINT, then raises it again for the caller: that is us, done.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
