"""Order tools: list_orders, get_order, cancel_order."""

from typing import Annotated

from mcp.server import MCPServer
from pydantic import Field

from shopmcp.app_context import AppContext
from shopmcp.callers import Scope
from shopmcp.models import concise
from shopmcp.models.order_public import CancelReason, OrderList, OrderStatusName, OrderView
from shopmcp.services import orders
from shopmcp.tools.decorator import DESTRUCTIVE_IDEMPOTENT, READ_ONLY, shop_tools
from shopmcp.tools.params import DetailParam

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
        detail: DetailParam = "concise",
    ) -> OrderList:
        """This session's orders, newest first: status, item count, total. detail=full adds titles."""
        listed = app.db.run_read(orders.list_orders, scope=scope, status=status, limit=limit, cursor=cursor)
        return concise.order_list(listed, detail)

    @tool(READ_ONLY)
    def get_order(scope: Scope, order_id: OrderIdParam, detail: DetailParam = "concise") -> OrderView:
        """One order: status, lines, total, whether it can be cancelled.

        detail=full adds amounts, shipments, address, payments, history.
        """
        return concise.order(app.db.run_read(orders.get_order, scope=scope, order_id=order_id), detail)

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def cancel_order(
        scope: Scope,
        order_id: OrderIdParam,
        reason: Annotated[CancelReason, Field(description="Why the person cancels.")],
    ) -> OrderView:
        """Cancel an unshipped order with the person's go-ahead: stock back, payment refunded.

        Shipped: order_not_cancellable.
        """
        return app.db.run_write(
            orders.cancel_order, scope=scope, provider=app.commerce.payments, order_id=order_id, reason=reason
        )
