"""The server factory: `build_server(settings)` returns a ready `MCPServer`.

Everything a server is made of is listed here: its one `AppContext`, its middleware, its auth and
its tools. Preparing the database (migrations, the demo store) is not the factory's job:
`bootstrap.prepare_database` does it before serving.
"""

import json
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
from shopmcp.models.types import MAX_INT
from shopmcp.observability import ToolCallLogMiddleware, trace_database
from shopmcp.serving.rate_limit import RateLimitMiddleware
from shopmcp.tool_errors import compact_json, error_result, invalid_arguments
from shopmcp.tools import register_all

INSTRUCTIONS = """\
shopmcp is a store. Find products with search_products, read one with get_product, weigh sellers \
with compare_prices (landed cost, delivery, price history). Buy with add_to_cart, preview_checkout \
(a quote to show the person) and place_order once they agree; follow up with list_orders and get_order. \
Ids an argument asks for (product_id, offer_id, order_id, ...) come from the results that show them. \
Cart, checkout and order tools take an optional session_id: one from new_session keeps a task apart; \
without it they use your default session (an anonymous HTTP caller gets a new one per call: keep the \
session_id a result returns). Cart tools return the whole cart; a quantity above the stock is reduced \
to it and messages say so. Money is {amount in integer minor units, currency, formatted}. \
search_products, get_product, compare_prices, list_categories, get_order and list_orders answer \
concisely by default; pass detail="full" for what their description says full adds. \
A failed call returns {"error": {code, message, resolution, details}}: the message says what to do next \
(invalid_arguments names each field and what it accepts). Tools that change an order or the account act \
only with the person's go-ahead (the client may ask them to confirm). Sandbox payment methods: test_card_visa and \
test_card_mastercard succeed, test_card_declined and test_card_insufficient_funds fail at place_order."""

SUPPORT_INSTRUCTIONS = """ \
Support role: find_customer finds a customer by email, else by name and postal code; pass its customer_id \
to get_account and the order tools to act on that customer's account (their orders only). Every such call \
is logged with you and the customer."""

SUPPORT_ARGUMENTS = frozenset({"customer_id"})
"""Arguments only the support role uses; listed only with it (`ShopServer`)."""


def build_server(settings: Settings | None = None, *, db: Database | None = None) -> MCPServer[AppContext]:
    """Build the shopmcp server over `db` (default: the database `settings` names)."""
    settings = settings or load_settings()
    app = build_app_context(settings, db)

    @asynccontextmanager
    async def lifespan(_server: MCPServer[AppContext]) -> AsyncIterator[AppContext]:
        yield app

    auth = build_auth(settings)
    server = ShopServer(
        "shopmcp",
        title="shopmcp",
        description="A store for AI agents: search, compare prices, cart, checkout and orders.",
        instructions=INSTRUCTIONS + (SUPPORT_INSTRUCTIONS if settings.support_role else ""),
        version=__version__,
        lifespan=lifespan,
        middleware=middleware(settings),
        token_verifier=auth.verifier if auth else None,
        auth=auth.settings if auth else None,
    )
    server.unlisted_arguments = frozenset() if settings.support_role else SUPPORT_ARGUMENTS
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
      an optional argument (leaving it out says the same; null is still accepted), and the length bounds
      of strings and the 32-bit ceiling of ids: guards against abuse, not choices a model makes (a value
      beyond them is still refused, as `invalid_arguments` saying the bound).
    - With the support role off, tools/list leaves out the account and order tools' `customer_id`
      (`unlisted_arguments`): only the role gives it a use, and the default listing stays within its
      budget. The tools still take it, so a caller without the role who sends one is answered
      `not_found` as for any customer not theirs, rather than silently acting on their own account.
    """

    unlisted_arguments: frozenset[str] = frozenset()

    async def list_tools(self) -> list[Tool]:
        tools = await super().list_tools()
        for tool in tools:
            tool.input_schema = _as_listed(_without(tool.input_schema, self.unlisted_arguments))
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


def _without(schema: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """`schema` without the top-level arguments `names`."""
    properties = schema.get("properties")
    if not names or not isinstance(properties, dict) or not names & properties.keys():
        return schema
    return {**schema, "properties": {name: value for name, value in properties.items() if name not in names}}


def _as_listed(schema: dict[str, Any]) -> dict[str, Any]:
    """An input schema as tools/list shows it (see `ShopServer`)."""
    listed: dict[str, Any] = _optionals_left_out(_without_guards(_without_titles(_inlined(schema))))
    return listed


def _optionals_left_out(schema: Any) -> Any:
    """`schema` with every object's optional properties as `_optional` lists them, at any depth."""
    if isinstance(schema, list):
        return [_optionals_left_out(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept = {key: _optionals_left_out(value) for key, value in schema.items()}
    if isinstance(kept.get("properties"), dict):
        kept["properties"] = {name: _optional(value) for name, value in kept["properties"].items()}
    return kept


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}], "default": null, ...}` as X with the rest: an argument one leaves out
    (with several alternatives besides null, `anyOf` keeps them)."""
    options = schema.get("anyOf")
    if not isinstance(options, list) or schema.get("default", 0) is not None or {"type": "null"} not in options:
        return schema
    kept = [option for option in options if option != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**kept[0], **rest} if len(kept) == 1 else {"anyOf": kept, **rest}


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each `$defs` entry written where it is used, when it is used once (a tool's address):
    the `$ref` indirection costs characters and a model's attention, and shares nothing."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return schema
    text = json.dumps(schema)
    single = {name for name in defs if text.count(json.dumps(f"#/$defs/{name}")) == 1}
    if not single:
        return schema

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.removeprefix("#/$defs/") in single and len(node) == 1:
            return inline(defs[ref.removeprefix("#/$defs/")])
        return {key: inline(value) for key, value in node.items() if not (key == "$defs" and node is schema)}

    kept_defs = {name: inline(value) for name, value in defs.items() if name not in single}
    return {**inline(schema), **({"$defs": kept_defs} if kept_defs else {})}


_GUARDS = {"maxLength": None, "minLength": None, "maximum": MAX_INT}
"""Keywords tools/list leaves out, with the one value it leaves out (None: any value)."""


def _without_guards(schema: Any) -> Any:
    """`schema` without the bounds in `_GUARDS`, at any depth (a property so named stays); an id (1 to
    MAX_INT) is listed as a plain integer."""
    if isinstance(schema, list):
        return [_without_guards(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    an_id = schema.get("maximum") == MAX_INT and schema.get("minimum") == 1
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
            kept[key] = {name: _without_guards(sub) for name, sub in value.items()}
        elif (
            (key in _GUARDS and _GUARDS[key] in (None, value))
            or (an_id and key == "minimum")
            or (key == "propertyNames" and not _without_guards(value))
        ):
            continue
        else:
            kept[key] = _without_guards(value)
    return kept


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
