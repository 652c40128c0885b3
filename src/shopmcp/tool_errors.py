"""How a failed tool call is answered: a business error as the agent reads it, and everything else translated.

A `ShopError` becomes a tool result with `isError: true` whose structured content is
`{"error": {code, message, resolution, details}}` and whose text is the same JSON; a database
outage becomes `service_unavailable`; anything else is logged with its stack trace and reported
as `internal_error`, without internals. Arguments that break a tool's input schema become
`invalid_arguments`, naming each field and what it accepts. The tool decorator (`tools.decorator`),
the server (`server.ShopServer`) and the rate limit (`serving.rate_limit`) all answer through here.

Every result's text is `compact_json` of its structured content: a model reads every character.
"""

import json
from typing import Any

import structlog
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError
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
        content=[TextContent(type="text", text=compact_json(payload))],
    )


def compact_json(value: Any) -> str:
    """The text a model reads for structured content: JSON without spaces (half the size of indented JSON)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def invalid_arguments(tool: str, error: ValidationError, input_schema: dict[str, Any] | None) -> ShopError:
    """The SDK's refusal of a call's arguments, as the structured error an agent can correct itself from.

    Each field says what was wrong (pydantic's message, never the rejected value: that is the
    caller's data) and what the input schema accepts there.
    """
    schema = input_schema or {}
    properties: dict[str, Any] = schema.get("properties", {})
    fields: list[dict[str, str]] = []
    for problem in error.errors(include_input=False, include_url=False):
        location = [str(part) for part in problem["loc"]]
        name = location[0] if location else ""
        entry = {"field": ".".join(location), "problem": str(problem["msg"])}
        if name in properties:
            entry["accepts"] = accepts(properties[name], schema.get("$defs", {}))
        elif problem["type"] != "missing":
            entry["accepts"] = "nothing: no such argument"
        fields.append(entry)
    listed = "; ".join(
        f"{entry['field']}: {entry['problem']}" + (f" (accepts {entry['accepts']})" if "accepts" in entry else "")
        for entry in fields
    )
    return ShopError(
        ErrorCode.INVALID_ARGUMENTS,
        f"The arguments of {tool} do not fit its input schema: {listed}. Correct them and call {tool} again.",
        details={"tool": tool, "fields": fields},
    )


def accepts(schema: dict[str, Any], definitions: dict[str, Any]) -> str:
    """A short reading of a JSON schema: what a value must be, e.g. "an integer from 1 to 999"."""
    if "$ref" in schema:
        return accepts(definitions.get(str(schema["$ref"]).rsplit("/", 1)[-1], {}), definitions)
    if "anyOf" in schema:
        readings = [accepts(option, definitions) for option in schema["anyOf"] if option.get("type") != "null"]
        nullable = any(option.get("type") == "null" for option in schema["anyOf"])
        return " or ".join(readings + (["null"] if nullable else []))
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(value) for value in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any value")
    bounds = _bounds(schema, "minimum", "maximum", "")
    if kind == "string":
        return "a string" + _bounds(schema, "minLength", "maxLength", " characters")
    if kind == "array":
        items = accepts(schema.get("items", {}), definitions)
        return "a list" + (_bounds(schema, "minItems", "maxItems", " items") or " of items") + f", each {items}"
    if kind == "object":
        required = schema.get("required", [])
        named = f" with {', '.join(required)}" if required else ""
        return "an object" + named + _bounds(schema, "minProperties", "maxProperties", " entries")
    article = "an" if str(kind)[0] in "aeiou" else "a"
    return f"{article} {kind}{bounds}"


def _bounds(schema: dict[str, Any], low: str, high: str, unit: str) -> str:
    if low in schema and high in schema:
        return f" of {schema[low]} to {schema[high]}{unit}" if unit else f" from {schema[low]} to {schema[high]}"
    if low in schema:
        return f" of at least {schema[low]}{unit}" if unit else f" of at least {schema[low]}"
    if high in schema:
        return f" of at most {schema[high]}{unit}" if unit else f" of at most {schema[high]}"
    return ""


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
