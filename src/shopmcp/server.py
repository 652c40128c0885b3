"""The server factory: `build_server(settings)` returns a ready `MCPServer`.

Everything a server is made of is listed here: its one `AppContext`, its middleware, its auth and
its tools. Preparing the database (migrations, the demo store) is not the factory's job:
`bootstrap.prepare_database` does it before serving.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from mcp.server import MCPServer
from mcp.server.context import ServerMiddleware
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent
from pydantic import ValidationError

from shopmcp import __version__
from shopmcp.app_context import AppContext, build_app_context
from shopmcp.auth import build_auth
from shopmcp.callers import remember_request_headers
from shopmcp.config import Settings, load_settings
from shopmcp.db import Database
from shopmcp.observability import ToolCallLogMiddleware, trace_database
from shopmcp.serving.rate_limit import RateLimitMiddleware
from shopmcp.tool_errors import compact_json, error_result, invalid_arguments
from shopmcp.tools import register_all

INSTRUCTIONS = """\
shopmcp is a store. Find products with search_products (filters, sorts, facets), \
read one with get_product, and weigh sellers with compare_prices (landed cost, \
delivery, price history). Buy with add_to_cart, preview_checkout (a quote to show \
the person) and place_order once they agree; follow up with list_orders and get_order. \
Cart, checkout and order tools take an optional session_id (new_session starts one). \
Money is always integer minor units with a currency and a formatted string. \
A failed call returns {"error": {code, message, resolution}}: the message says what to do next."""


def build_server(settings: Settings | None = None, *, db: Database | None = None) -> MCPServer[AppContext]:
    """Build the shopmcp server over `db` (default: the database `settings` names)."""
    settings = settings or load_settings()
    app = build_app_context(settings, db)

    @asynccontextmanager
    async def lifespan(_server: MCPServer[AppContext]) -> AsyncIterator[AppContext]:
        yield app

    auth = build_auth(settings)
    server: MCPServer[AppContext] = ShopServer(
        "shopmcp",
        title="shopmcp",
        description="A store for AI agents: search, compare prices, cart, checkout and orders.",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        middleware=middleware(settings),
        token_verifier=auth.verifier if auth else None,
        auth=auth.settings if auth else None,
    )
    trace_database(app.db.engine)
    register_all(server, app)
    return server


def middleware(settings: Settings) -> Sequence[ServerMiddleware[Any]]:
    """Every middleware of the server, outermost first.

    - the tool-call log: one summary line per tools/call, and the principal and session on its span;
    - the request's headers kept for handlers the SDK gives no Context (static resources);
    - the per-principal rate limit (`SHOPMCP_RATE_LIMIT`), which counts HTTP requests only: a stdio or
      in-memory caller has no HTTP request and is never limited.
    """
    chain: list[ServerMiddleware[Any]] = [ToolCallLogMiddleware(), remember_request_headers]
    if settings.rate_limit:
        chain.append(RateLimitMiddleware(settings.rate_limit, settings.rate_limit_storage))
    return chain


class ShopServer(MCPServer[AppContext]):
    """The SDK's server, answering every tool call as a model should read it.

    - The text block is the compact JSON of exactly the structured content (the SDK writes it
      indented, up to twice the characters for the same data), errors included.
    - Arguments the input schema refuses are the structured `invalid_arguments` error, naming each
      field and what it accepts, instead of the SDK's pydantic text.
    """

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppContext, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            result = await super().call_tool(name, arguments, context)
        except ToolError as error:
            if isinstance(error, UnexpectedToolError) or not isinstance(error.__cause__, ValidationError):
                raise
            tool = self._tool_manager.get_tool(name)
            result = error_result(invalid_arguments(name, error.__cause__, tool.parameters if tool else None))
        if isinstance(result, CallToolResult) and result.structured_content is not None:
            result.content = [TextContent(type="text", text=compact_json(result.structured_content))]
        return result
