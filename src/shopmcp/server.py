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
from mcp.types import CallToolResult, InputRequiredResult, TextContent, Tool
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
shopmcp is a store. Find products with search_products, read one with get_product, weigh sellers \
with compare_prices (landed cost, delivery, price history). Buy with add_to_cart, preview_checkout \
(a quote to show the person) and place_order once they agree; follow up with list_orders and get_order. \
Cart, checkout and order tools take an optional session_id: one from new_session keeps a task apart; \
without it they use your default session (an anonymous HTTP caller gets a new one per call: keep the \
session_id a result returns). Cart tools return the whole cart; a quantity above the stock is reduced \
to it and messages say so. Money is {amount in integer minor units, currency, formatted}. \
search_products, get_product, compare_prices, list_categories, get_order and list_orders answer \
concisely by default; pass detail="full" for what their description says full adds. \
A failed call returns {"error": {code, message, resolution, details}}: the message says what to do next \
(invalid_arguments names each field and what it accepts). Sandbox payment methods: test_card_visa and \
test_card_mastercard succeed, test_card_declined and test_card_insufficient_funds fail at place_order."""


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
    - tools/list leaves out what pydantic derives and a model reads without learning anything: each
      argument's `title` ("Product Id" for product_id), and the `null` alternative and `default: null` of
      an optional argument (leaving it out says the same; null is still accepted).
    """

    async def list_tools(self) -> list[Tool]:
        tools = await super().list_tools()
        for tool in tools:
            tool.input_schema = _as_listed(tool.input_schema)
        return tools

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


def _as_listed(schema: dict[str, Any]) -> dict[str, Any]:
    """An input schema as tools/list shows it (see `ShopServer`)."""
    listed: dict[str, Any] = _without_titles(schema)
    for owner in [listed, *listed.get("$defs", {}).values()]:
        if isinstance(owner.get("properties"), dict):
            owner["properties"] = {name: _optional(value) for name, value in owner["properties"].items()}
    return listed


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}], "default": null, ...}` as X with the rest: an argument one leaves out."""
    options = schema.get("anyOf")
    if not isinstance(options, list) or schema.get("default", 0) is not None or len(options) != 2:
        return schema
    kept = [option for option in options if option != {"type": "null"}]
    if len(kept) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**kept[0], **rest}


def _without_titles(schema: Any) -> Any:
    """`schema` without the `title` of any subschema (a property named "title" stays: it is a name, not a title)."""
    if isinstance(schema, list):
        return [_without_titles(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
            kept[key] = {name: _without_titles(sub) for name, sub in value.items()}
        elif key == "title" and isinstance(value, str):
            continue
        else:
            kept[key] = _without_titles(value)
    return kept
