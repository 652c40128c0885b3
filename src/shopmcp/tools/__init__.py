"""Thin MCP wiring by feature; each module's `register` adds its tools, resources and prompts.

Every tool goes through the one decorator (`decorator.shop_tools`); its body is one service call.
"""

from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.tools import accounts, assistant, cart, catalog, checkout, harness, orders, shopping_sessions, support


def register_all(server: MCPServer[AppContext], app: AppContext) -> None:
    """Add every tool, resource, prompt and completion of shopmcp to `server`."""
    catalog.register(server, app)
    shopping_sessions.register(server, app)
    cart.register(server, app)
    checkout.register(server, app)
    orders.register(server, app)
    accounts.register(server, app)
    assistant.register(server, app)
    harness.register(server, app)
    support.register(server, app)
