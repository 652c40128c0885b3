"""Account tools: get_account, update_default_address."""

from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.callers import AccountScope
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.customer_public import Account
from shopmcp.services import customers
from shopmcp.tools.decorator import READ_ONLY, WRITE_IDEMPOTENT, shop_tools


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)

    @tool(READ_ONLY)
    def get_account(scope: AccountScope) -> Account:
        """This session's customer: name, email, addresses (default first), wallet (payment_method_ids,
        gift card balances), order ids. new_session starts an account of its own.
        """
        return app.db.run_read(customers.get_account, scope=scope)

    @tool(WRITE_IDEMPOTENT)
    def update_default_address(scope: AccountScope, address: ShippingAddress) -> Account:
        """Make an address the account's default (saved if new)."""
        return app.db.run_write(customers.update_default_address, scope=scope, address=address)
