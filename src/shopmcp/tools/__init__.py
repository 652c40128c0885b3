"""Thin MCP wiring by feature; each module's `register` adds its tools, resources and prompts."""

from typing import TYPE_CHECKING, Any

from mcp.server import MCPServer

from shopmcp.tools import assistant, cart, catalog, checkout, harness, orders, session

if TYPE_CHECKING:
    from shopmcp.server import AppContext


def register_all(server: MCPServer[Any], app: "AppContext") -> None:
    """Add every tool, resource, prompt and completion of shopmcp to `server`."""
    catalog.register(server, app)
    session.register(server, app)
    cart.register(server, app)
    checkout.register(server, app)
    orders.register(server, app)
    assistant.register(server, app)
    harness.register(server, app)
