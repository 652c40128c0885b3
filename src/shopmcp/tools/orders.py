"""Order tools: list_orders, get_order, cancel_order, and the changes of a pending order (address, payment)."""

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import Field

from shopmcp.app_context import AppContext
from shopmcp.callers import AccountScope
from shopmcp.models import concise
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.order_public import CancelReason, OrderList, OrderStatusName, OrderView
from shopmcp.services import checkout, orders
from shopmcp.services.orders import after_delivery, amend, clock, items
from shopmcp.tools.checkout import CouldNotAsk, NotAsked
from shopmcp.tools.confirm import ConfirmChange, ask, require_confirmed
from shopmcp.tools.decorator import DESTRUCTIVE_IDEMPOTENT, READ_ONLY, shop_tools
from shopmcp.tools.params import DetailParam

OrderIdParam = Annotated[str, Field(min_length=1, max_length=64)]
WalletMethodParam = Annotated[
    str, Field(min_length=1, max_length=100, description="A payment_method_id of get_account's wallet.")
]
ReturnedUnitsParam = Annotated[
    list[int], Field(min_length=1, max_length=50, description="Units to send back, by the lines' variant_id.")
]
ChangedUnitsParam = Annotated[
    list[int], Field(min_length=1, max_length=50, description="Units to change, by the lines' variant_id.")
]
NewVariantsParam = Annotated[
    list[int], Field(min_length=1, max_length=50, description="For each, another variant of the same product.")
]
Asked = Elicit[ConfirmChange] | NotAsked | CouldNotAsk


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)

    @tool(READ_ONLY)
    def list_orders(
        scope: AccountScope,
        status: Annotated[OrderStatusName | None, Field(description="Only orders in this status.")] = None,
        limit: Annotated[int, Field(ge=1, le=50, description="Orders per page.")] = 10,
        cursor: Annotated[
            str | None, Field(max_length=500, description="The next_cursor of the previous page.")
        ] = None,
        detail: DetailParam = "concise",
    ) -> OrderList:
        """This session's orders, newest first: status, item count, total. detail=full adds titles."""
        listed = clock.read_up_to_date(
            app.db, orders.list_orders, scope=scope, status=status, limit=limit, cursor=cursor
        )
        return concise.order_list(listed, detail)

    @tool(READ_ONLY)
    def get_order(scope: AccountScope, order_id: OrderIdParam, detail: DetailParam = "concise") -> OrderView:
        """One order: status, lines, total, whether it can be cancelled.

        detail=full adds amounts, shipments, address, payments, history.
        """
        return concise.order(clock.read_up_to_date(app.db, orders.get_order, scope=scope, order_id=order_id), detail)

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def cancel_order(
        scope: AccountScope,
        order_id: OrderIdParam,
        reason: Annotated[CancelReason, Field(description="Why the person cancels.")],
    ) -> OrderView:
        """Cancel an unshipped order: stock back, payment refunded.

        Shipped: order_not_cancellable.
        """
        return app.db.run_write(
            orders.cancel_order, scope=scope, provider=app.commerce.payments, order_id=order_id, reason=reason
        )

    def address_confirmation(
        ctx: Context[AppContext],
        order_id: str,
        shipping_address: ShippingAddress,
        session_id: str | None,
        customer_id: str | None,
    ) -> Asked:
        address = ShippingAddress.model_validate(shipping_address)
        return ask(
            ctx,
            app,
            session_id,
            amend.address_question,
            customer_id=customer_id,
            normalize=checkout.normalize_address,
            order_id=order_id,
            shipping_address=address,
        )

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def update_order_address(
        scope: AccountScope,
        order_id: OrderIdParam,
        shipping_address: ShippingAddress,
        confirmed: Annotated[ElicitationResult[ConfirmChange], Resolve(address_confirmation)],
    ) -> OrderView:
        """Ship an order that has not shipped yet to another address; amounts stay as charged.

        Fails with `order_not_modifiable` once shipped.
        """
        require_confirmed(confirmed)
        return app.db.run_write(
            amend.update_order_address,
            scope=scope,
            tax_table=app.commerce.tax_table,
            normalize=checkout.normalize_address,
            order_id=order_id,
            shipping_address=shipping_address,
        )

    def payment_confirmation(
        ctx: Context[AppContext],
        order_id: str,
        payment_method_id: str,
        session_id: str | None,
        customer_id: str | None,
    ) -> Asked:
        return ask(
            ctx,
            app,
            session_id,
            amend.payment_question,
            customer_id=customer_id,
            order_id=order_id,
            payment_method_id=payment_method_id,
        )

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def update_order_payment(
        scope: AccountScope,
        order_id: OrderIdParam,
        payment_method_id: WalletMethodParam,
        confirmed: Annotated[ElicitationResult[ConfirmChange], Resolve(payment_confirmation)],
    ) -> OrderView:
        """Pay an order that has not shipped yet with another wallet method; the old one is refunded. Once per order.

        A gift card must cover the total.
        """
        require_confirmed(confirmed)
        return app.db.run_write(
            amend.update_order_payment,
            scope=scope,
            provider=app.commerce.payments,
            order_id=order_id,
            payment_method_id=payment_method_id,
        )

    def items_confirmation(
        ctx: Context[AppContext],
        order_id: str,
        variant_ids: list[int],
        new_variant_ids: list[int],
        payment_method_id: str,
        session_id: str | None,
        customer_id: str | None,
    ) -> Asked:
        return ask(
            ctx,
            app,
            session_id,
            items.items_question,
            customer_id=customer_id,
            order_id=order_id,
            variant_ids=variant_ids,
            new_variant_ids=new_variant_ids,
            payment_method_id=payment_method_id,
        )

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def modify_order_items(
        scope: AccountScope,
        order_id: OrderIdParam,
        variant_ids: ChangedUnitsParam,
        new_variant_ids: NewVariantsParam,
        payment_method_id: WalletMethodParam,
        confirmed: Annotated[ElicitationResult[ConfirmChange], Resolve(items_confirmation)],
    ) -> OrderView:
        """Swap units of a placed order for other variants of the same products; the price difference is charged
        or refunded to the wallet method. Once per order; afterwards it is `items_modified` and cannot be cancelled.
        """
        require_confirmed(confirmed)
        return app.db.run_write(
            items.modify_order_items,
            scope=scope,
            order_id=order_id,
            variant_ids=variant_ids,
            new_variant_ids=new_variant_ids,
            payment_method_id=payment_method_id,
        )

    def return_confirmation(
        ctx: Context[AppContext],
        order_id: str,
        variant_ids: list[int],
        payment_method_id: str,
        session_id: str | None,
        customer_id: str | None,
    ) -> Asked:
        return ask(
            ctx,
            app,
            session_id,
            after_delivery.request_question,
            customer_id=customer_id,
            order_id=order_id,
            variant_ids=variant_ids,
            payment_method_id=payment_method_id,
        )

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def request_return(
        scope: AccountScope,
        order_id: OrderIdParam,
        variant_ids: ReturnedUnitsParam,
        payment_method_id: Annotated[
            str, Field(min_length=1, max_length=100, description="The original payment method or a wallet gift card.")
        ],
        confirmed: Annotated[ElicitationResult[ConfirmChange], Resolve(return_confirmation)],
    ) -> OrderView:
        """Request a return of units of a delivered order (once per order); refunded when they come back."""
        require_confirmed(confirmed)
        return app.db.run_write(
            after_delivery.request_return,
            scope=scope,
            order_id=order_id,
            variant_ids=variant_ids,
            payment_method_id=payment_method_id,
        )

    def exchange_confirmation(
        ctx: Context[AppContext],
        order_id: str,
        variant_ids: list[int],
        new_variant_ids: list[int],
        payment_method_id: str,
        session_id: str | None,
        customer_id: str | None,
    ) -> Asked:
        return ask(
            ctx,
            app,
            session_id,
            after_delivery.request_question,
            customer_id=customer_id,
            order_id=order_id,
            variant_ids=variant_ids,
            new_variant_ids=new_variant_ids,
            payment_method_id=payment_method_id,
        )

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def request_exchange(
        scope: AccountScope,
        order_id: OrderIdParam,
        variant_ids: ReturnedUnitsParam,
        new_variant_ids: NewVariantsParam,
        payment_method_id: WalletMethodParam,
        confirmed: Annotated[ElicitationResult[ConfirmChange], Resolve(exchange_confirmation)],
    ) -> OrderView:
        """Request an exchange of units of a delivered order for other variants (once per order); the price
        difference is settled with the wallet method when they come back.
        """
        require_confirmed(confirmed)
        return app.db.run_write(
            after_delivery.request_exchange,
            scope=scope,
            order_id=order_id,
            variant_ids=variant_ids,
            new_variant_ids=new_variant_ids,
            payment_method_id=payment_method_id,
        )
