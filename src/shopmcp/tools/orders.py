"""Order tools: list_orders, get_order, cancel_order."""

from typing import Annotated

from mcp.server import MCPServer
from pydantic import Field

from shopmcp.app_context import AppContext
from shopmcp.callers import Scope
from shopmcp.models.order_public import CancelReason, OrderList, OrderStatusName, OrderView
from shopmcp.services import orders
from shopmcp.tools.decorator import DESTRUCTIVE_IDEMPOTENT, READ_ONLY, shop_tools

OrderIdParam = Annotated[str, Field(min_length=1, max_length=64, description="The order_id from place_order.")]


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)

    @tool(READ_ONLY)
    def list_orders(
        scope: Scope,
        status: Annotated[OrderStatusName | None, Field(description="Only orders in this status.")] = None,
        limit: Annotated[int, Field(ge=1, le=50, description="Orders per page.")] = 10,
        cursor: Annotated[
            str | None, Field(max_length=500, description="The next_cursor of the previous page.")
        ] = None,
    ) -> OrderList:
        """List this session's orders, newest first, a page at a time, with status, item count and total."""
        return app.db.run_read(orders.list_orders, scope=scope, status=status, limit=limit, cursor=cursor)

    @tool(READ_ONLY)
    def get_order(scope: Scope, order_id: OrderIdParam) -> OrderView:
        """Show one order: lines and amounts as charged, shipments, address, payment, status history."""
        return app.db.run_read(orders.get_order, scope=scope, order_id=order_id)

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def cancel_order(
        scope: Scope,
        order_id: OrderIdParam,
        reason: Annotated[CancelReason, Field(description="Why the person cancels.")],
    ) -> OrderView:
        """Cancel an order that has not shipped yet: its units go back to stock and the payment is refunded.

        Only with the person's go-ahead. A shipped or delivered order fails with `order_not_cancellable`.
        Cancelling a cancelled order changes nothing and returns it.
        """
        return app.db.run_write(
            orders.cancel_order, scope=scope, provider=app.commerce.payments, order_id=order_id, reason=reason
        )
