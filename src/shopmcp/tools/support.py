"""The support role's own tool, find_customer; registered only with `SHOPMCP_SUPPORT_ROLE=true`.

The role's other half is the `customer_id` argument the account and order tools publish with the role on
(`tools/decorator.py`, `callers.AccountScope`). Who holds the role is `callers.holds_support_role`.
"""

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from pydantic import Field

from shopmcp.app_context import AppContext
from shopmcp.callers import require_support_role
from shopmcp.models.customer_public import CustomerMatches
from shopmcp.observability import note_call
from shopmcp.services import customers
from shopmcp.tools.decorator import READ_ONLY, shop_tools

NameParam = Annotated[str | None, Field(min_length=1, max_length=100)]


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    if not app.settings.support_role:
        return
    tool = shop_tools(server, app)

    @tool(READ_ONLY)
    def find_customer(
        ctx: Context[AppContext],
        email: Annotated[str | None, Field(min_length=3, max_length=254, description="The account's email.")] = None,
        first_name: NameParam = None,
        last_name: NameParam = None,
        postal_code: Annotated[
            str | None, Field(min_length=1, max_length=20, description="Of the account's default address.")
        ] = None,
    ) -> CustomerMatches:
        """Support role: find a customer by email, else by first_name + last_name + postal_code.

        Pass the customer_id found to the account and order tools to act on that customer's account.
        """
        require_support_role(ctx.headers, app)
        found = app.db.run_read(
            customers.find_customers, email=email, first_name=first_name, last_name=last_name, postal_code=postal_code
        )
        note_call(customer_id=",".join(match.customer_id for match in found.customers))
        return found
