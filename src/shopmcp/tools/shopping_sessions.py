"""The shopping session tool: `new_session`."""

from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.callers import Caller
from shopmcp.models.cart_public import SessionInfo
from shopmcp.observability import note_call
from shopmcp.services import shopping_sessions
from shopmcp.tools.decorator import WRITE, shop_tools


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)

    @tool(WRITE)
    def new_session(caller: Caller) -> SessionInfo:
        """Start an empty shopping session (its own cart, quotes, orders); pass its id as session_id."""
        info = app.db.run_write(shopping_sessions.create_session, principal=caller.principal)
        note_call(principal=caller.principal, session_id=info.session_id)
        return info
