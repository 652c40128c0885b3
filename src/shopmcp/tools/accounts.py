"""Account tools: get_account, update_default_address."""

from mcp.server import MCPServer

from shopmcp.app_context import AppContext
from shopmcp.callers import Scope
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.customer_public import Account
from shopmcp.services import customers
from shopmcp.tools.decorator import READ_ONLY, WRITE_IDEMPOTENT, shop_tools


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)

    @tool(READ_ONLY)
    def get_account(scope: Scope) -> Account:
        """Show the account of this session's customer: name, email, saved addresses (default first),
        wallet payment methods (cards, PayPal, gift cards with their balance) and order ids.

        Your default session is your own account; a session from new_session is an account of its own.
        """
        return app.db.run_read(customers.get_account, scope=scope)

    @tool(WRITE_IDEMPOTENT)
    def update_default_address(scope: Scope, address: ShippingAddress) -> Account:
        """Make an address the account's default: saved if new, reused if already saved. Returns the account.

        Only with the person's go-ahead. An unusable address fails with `invalid_address`, naming each field.
        """
        return app.db.run_write(customers.update_default_address, scope=scope, address=address)
