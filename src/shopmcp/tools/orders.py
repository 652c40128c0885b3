"""Order tools: list_orders, get_order, cancel_order."""

from typing import TYPE_CHECKING, Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from pydantic import Field

from shopmcp.models.order_public import CancelReason, OrderList, OrderStatusName, OrderView
from shopmcp.services import orders
from shopmcp.sessions import scope_of
from shopmcp.tools.session import SessionIdParam, commerce_for
from shopmcp.tools.wiring import DESTRUCTIVE_IDEMPOTENT, READ_ONLY, shop_tool

if TYPE_CHECKING:
    from shopmcp.server import AppContext

OrderIdParam = Annotated[str, Field(min_length=1, max_length=64, description="The order_id from place_order.")]


def register(server: MCPServer[Any], app: "AppContext") -> None:
    shop = commerce_for(app.settings)

    @server.tool(annotations=READ_ONLY)
    @shop_tool
    def list_orders(
        ctx: Context[Any, Any],
        status: Annotated[OrderStatusName | None, Field(description="Only orders in this status.")] = None,
        limit: Annotated[int, Field(ge=1, le=50, description="Orders per page.")] = 10,
        cursor: Annotated[
            str | None, Field(max_length=500, description="The next_cursor of the previous page.")
        ] = None,
        session_id: SessionIdParam = None,
    ) -> OrderList:
        """List this session's orders, newest first, a page at a time, with status, item count and total."""
        scope = scope_of(ctx, app, session_id)
        return app.db.run_read(orders.list_orders, scope=scope, status=status, limit=limit, cursor=cursor)

    @server.tool(annotations=READ_ONLY)
    @shop_tool
    def get_order(ctx: Context[Any, Any], order_id: OrderIdParam, session_id: SessionIdParam = None) -> OrderView:
        """Show one order: lines and amounts as charged, shipments, address, payment, status history."""
        scope = scope_of(ctx, app, session_id)
        return app.db.run_read(orders.get_order, scope=scope, order_id=order_id)

    @server.tool(annotations=DESTRUCTIVE_IDEMPOTENT)
    @shop_tool
    def cancel_order(
        ctx: Context[Any, Any],
        order_id: OrderIdParam,
        reason: Annotated[CancelReason, Field(description="Why the person cancels.")],
        session_id: SessionIdParam = None,
    ) -> OrderView:
        """Cancel an order that has not shipped yet: its units go back to stock and the payment is refunded.

        Only with the person's go-ahead. A shipped or delivered order fails with `order_not_cancellable`.
        Cancelling a cancelled order changes nothing and returns it.
        """
        scope = scope_of(ctx, app, session_id)
        return app.db.run_write(
            orders.cancel_order, scope=scope, provider=shop.payments, order_id=order_id, reason=reason
        )
