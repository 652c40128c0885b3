"""Cart tools and the cart resources; every tool returns the whole cart."""

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from pydantic import Field

from shopmcp.app_context import AppContext
from shopmcp.callers import Scope, caller_of, current_headers, resolve_scope
from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.models.cart import MAX_LINE_QUANTITY
from shopmcp.models.cart_public import CartView
from shopmcp.services import cart
from shopmcp.tools.decorator import READ_ONLY, WRITE, WRITE_IDEMPOTENT, shop_tools
from shopmcp.tools.params import Id

LineIdParam = Id
CouponCodeParam = Annotated[str, Field(min_length=1, max_length=50, description="The coupon code, any letter case.")]


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)
    money_args = {"currency": app.commerce.currency, "tax_table": app.commerce.tax_table}

    def write(fn: Callable[..., CartView], scope: Scope, **kwargs: Any) -> CartView:
        return app.db.run_write(fn, scope=scope, **money_args, **kwargs)

    @tool(WRITE)
    def add_to_cart(
        scope: Scope,
        product_id: Annotated[Id | None, Field(description="A product with one variant.")] = None,
        variant_id: Annotated[Id | None, Field(description="A variant (size, colour).")] = None,
        offer_id: Annotated[Id | None, Field(description="A seller's offer.")] = None,
        quantity: Annotated[int, Field(ge=1, le=MAX_LINE_QUANTITY, description="Units to add.")] = 1,
    ) -> CartView:
        """Add units by offer_id (that seller's offer), variant_id (its cheapest offer in stock) or product_id
        (the same, for a product with one variant; else variant_required lists them: ask the person).
        An offer already in the cart adds to its line.
        """
        return write(
            cart.add_to_cart,
            scope,
            quantity=quantity,
            product_id=product_id,
            variant_id=variant_id,
            offer_id=offer_id,
        )

    @tool(WRITE_IDEMPOTENT)
    def update_cart_item(
        scope: Scope,
        line_id: LineIdParam,
        quantity: Annotated[int, Field(ge=0, le=MAX_LINE_QUANTITY, description="0 removes the line.")],
    ) -> CartView:
        """Set a cart line's quantity (0 removes it)."""
        return write(cart.update_cart_item, scope, line_id=line_id, quantity=quantity)

    @tool(WRITE_IDEMPOTENT)
    def remove_from_cart(scope: Scope, line_id: LineIdParam) -> CartView:
        """Remove a cart line."""
        return write(cart.remove_from_cart, scope, line_id=line_id)

    @tool(READ_ONLY)
    def view_cart(scope: Scope) -> CartView:
        """The cart: lines, totals, messages; shipping and tax are estimates until preview_checkout."""
        return app.db.run_read(cart.view_cart, scope=scope, **money_args)

    @tool(WRITE_IDEMPOTENT)
    def clear_cart(scope: Scope) -> CartView:
        """Empty the cart, coupon included."""
        return write(cart.clear_cart, scope)

    @tool(WRITE_IDEMPOTENT)
    def apply_coupon(scope: Scope, code: CouponCodeParam) -> CartView:
        """Apply a coupon (one per order: another replaces it).

        Fails with invalid_coupon or coupon_not_applicable (the message says what the cart lacks).
        """
        return write(cart.apply_coupon, scope, code=code)

    @tool(WRITE_IDEMPOTENT)
    def remove_coupon(scope: Scope, code: CouponCodeParam) -> CartView:
        """Remove the applied coupon."""
        return write(cart.remove_coupon, scope, code=code)

    @server.resource(
        "shop://cart",
        name="cart",
        title="Your cart",
        description="The cart of your default shopping session, priced, as JSON (the result of view_cart).",
        mime_type="application/json",
    )
    def cart_resource() -> str:
        caller = caller_of(current_headers(), app.settings.principal)
        if caller.default_key is None:
            raise ResourceNotFoundError(
                "An anonymous caller has no default cart; read shop://sessions/{session_id}/cart instead."
            )
        return _cart_json(resolve_scope(current_headers(), app, None))

    @server.resource(
        "shop://sessions/{session_id}/cart",
        name="session_cart",
        title="Cart of a shopping session",
        description="The cart of one of your shopping sessions, priced, as JSON (the result of view_cart).",
        mime_type="application/json",
    )
    def session_cart_resource(session_id: str, ctx: Context[AppContext]) -> str:
        return _cart_json(resolve_scope(ctx.headers, app, session_id))

    def _cart_json(scope: Scope) -> str:
        try:
            view = app.db.run_read(cart.view_cart, scope=scope, **money_args)
        except ShopError as error:
            if error.code == ErrorCode.NOT_FOUND:
                raise ResourceNotFoundError(error.message) from error
            raise
        return view.model_dump_json()
