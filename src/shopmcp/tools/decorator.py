"""The one tool decorator, and the annotation presets every tool picks from.

A tool module's `register` takes `tool = shop_tools(server, app)` and decorates each tool
function with `@tool(READ_ONLY)` (or another preset). That registers the function with the SDK
(`server.tool`), wrapped so that:

- a parameter `scope: Scope` receives the shopping session the call acts on, resolved by
  `callers.resolve_scope` from the request and the tool's `session_id` argument; the tool the
  client sees takes `session_id` (and the request's `Context`) in its place;
- a scope typed `AccountScope` (the account and order tools) also takes `customer_id`: the support
  role's way to act on a found customer's account (`callers.resolve_scope` decides who may; anyone
  else gets `not_found`). tools/list shows it only with the role on (`server.ShopServer`);
- a parameter `caller: Caller` receives who is calling (`callers.caller_of`);
- every failure, in the tool body or in resolving its scope, is a structured tool error
  (`tool_errors`), never an exception reaching the SDK;
- a tool acting on a shopping session (it takes `session_id`) refuses text arguments holding a
  NUL character (`invalid_input`) before anything runs; catalog tools read a NUL in search text
  as a space.

The function's docstring is the tool's description, dedented so that a model reads it without
the source's indentation. A tool body is then one call: `app.db.run_read` or `run_write` of one
service function.
"""

import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations

from shopmcp.app_context import AppContext
from shopmcp.callers import ForCustomer, caller_of, resolve_scope
from shopmcp.core.errors import invalid_input
from shopmcp.models.safe_text import has_nul
from shopmcp.observability import note_call
from shopmcp.tool_errors import error_result, translate
from shopmcp.tools.params import CustomerIdParam, SessionIdParam

ToolFunction = Callable[..., Any]
ToolDecorator = Callable[[ToolFunction], ToolFunction]

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
"""Reads the catalog or the caller's own state; changes nothing."""

WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
"""Changes the caller's own state (cart, session) in a way that can be undone."""

WRITE_IDEMPOTENT = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
"""Changes state; calling again with the same arguments changes nothing more."""

DESTRUCTIVE_IDEMPOTENT = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)
"""Commits money or stock (place_order, cancel_order); safe to repeat with the same arguments."""

_CONTEXT = "ctx"
_SCOPE = "scope"
_CALLER = "caller"
_SESSION_ID = "session_id"
_CUSTOMER_ID = "customer_id"


def shop_tools(server: MCPServer[AppContext], app: AppContext) -> Callable[[ToolAnnotations], ToolDecorator]:
    """The decorator that registers the tools of `server` (see the module docstring)."""

    def tool(annotations: ToolAnnotations) -> ToolDecorator:
        def register(fn: ToolFunction) -> ToolFunction:
            wrapped = shop_tool(fn, app)
            server.tool(annotations=annotations)(wrapped)
            return wrapped

        return register

    return tool


def shop_tool(fn: ToolFunction, app: AppContext) -> ToolFunction:
    """`fn` as the SDK should call it: its scope or caller resolved, every failure a structured tool error."""
    if fn.__doc__:
        fn.__doc__ = inspect.cleandoc(fn.__doc__)
    signature = inspect.signature(fn)
    hints = typing.get_type_hints(fn, include_extras=True)
    injected = {name for name in (_SCOPE, _CALLER) if name in signature.parameters}
    for_customer = _is_account_scope(hints.get(_SCOPE))
    published = _published(signature, hints, injected, for_customer=for_customer)
    guard = _refuse_nul if _SESSION_ID in published.parameters else _accept
    keeps_context = _CONTEXT in signature.parameters

    def arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
        guard(kwargs)
        if not injected:
            return kwargs
        headers: Mapping[str, str] | None = (kwargs[_CONTEXT] if keeps_context else kwargs.pop(_CONTEXT)).headers
        if _SCOPE in injected:
            customer_id = kwargs.pop(_CUSTOMER_ID) if for_customer else None
            kwargs[_SCOPE] = resolve_scope(headers, app, kwargs.pop(_SESSION_ID), customer_id)
        if _CALLER in injected:
            kwargs[_CALLER] = caller_of(headers, app.settings.principal)
        return kwargs

    wrapper: Any  # a function, given below the attributes the SDK reads
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(**kwargs: Any) -> Any:
            try:
                return await fn(**arguments(kwargs))
            except Exception as error:
                return _failed(error)

        wrapper = async_wrapper
    else:

        @functools.wraps(fn)
        def sync_wrapper(**kwargs: Any) -> Any:
            try:
                return fn(**arguments(kwargs))
            except Exception as error:
                return _failed(error)

        wrapper = sync_wrapper
    # What the SDK reads to build the tool's input schema and find its Context: the published signature.
    wrapper.__signature__ = published
    wrapper.__annotations__ = {
        **{name: parameter.annotation for name, parameter in published.parameters.items()},
        "return": hints["return"],
    }
    published_function: ToolFunction = wrapper
    return published_function


def _is_account_scope(annotation: Any) -> bool:
    return any(isinstance(marker, ForCustomer) for marker in getattr(annotation, "__metadata__", ()))


def _published(
    signature: inspect.Signature, hints: dict[str, Any], injected: set[str], *, for_customer: bool
) -> inspect.Signature:
    """The signature the client sees: injected parameters replaced by the request's Context, `session_id`
    and, for an account tool, `customer_id`."""
    parameters = [
        parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[name])
        for name, parameter in signature.parameters.items()
        if name not in injected
    ]
    if injected and _CONTEXT not in signature.parameters:
        parameters.insert(
            0, inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=Context[AppContext])
        )
    if _SCOPE in injected:
        parameters.append(
            inspect.Parameter(_SESSION_ID, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=SessionIdParam)
        )
    if for_customer:
        parameters.append(
            inspect.Parameter(_CUSTOMER_ID, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=CustomerIdParam)
        )
    return signature.replace(parameters=parameters, return_annotation=hints["return"])


def _failed(error: Exception) -> CallToolResult:
    shop_error = translate(error)
    note_call(error_code=shop_error.code.value)
    return error_result(shop_error)


def _refuse_nul(kwargs: dict[str, Any]) -> None:
    """No id, code or address of a session holds a NUL, and PostgreSQL cannot even compare one: refuse it."""
    for name, value in kwargs.items():
        if has_nul(value):
            raise invalid_input(
                f"`{name}` contains a NUL character (\\x00); no id, code or text in this store has one. "
                "Send it without that character.",
                argument=name,
            )


def _accept(kwargs: dict[str, Any]) -> None:
    """Catalog tools take any text: they read it as words and names, and compare no ids as text."""
