"""The session tool (`new_session`) and what every session-scoped tool shares."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from pydantic import Field

from shopmcp.config import Settings
from shopmcp.models.cart_public import SessionInfo
from shopmcp.observability import note_call
from shopmcp.services import shopping_sessions as session_service
from shopmcp.services.payments import PaymentProvider, provider_named
from shopmcp.services.pricing.tax import PACKAGED_TABLE, TaxTable, load_tax_table
from shopmcp.sessions import caller_of, remember_request_headers
from shopmcp.tools.wiring import WRITE, shop_tool

if TYPE_CHECKING:
    from shopmcp.server import AppContext

SessionIdParam = Annotated[
    str | None,
    Field(
        max_length=64,
        description="The shopping session to act on, from new_session. Leave it out to use your default session "
        "(an anonymous HTTP caller gets a new session instead: keep the session_id from the result).",
    ),
]


@dataclass(frozen=True)
class Commerce:
    """What the cart, checkout and order tools need besides the database."""

    currency: str
    tax_table: TaxTable
    payments: PaymentProvider


def commerce_for(settings: Settings) -> Commerce:
    return Commerce(
        currency=settings.currency,
        tax_table=load_tax_table(settings.tax_rates_file or PACKAGED_TABLE),
        payments=provider_named(settings.payment_provider),
    )


def register(server: MCPServer[Any], app: "AppContext") -> None:
    # Static resources (shop://cart) get no Context; this keeps the headers for them.
    server.middleware.append(remember_request_headers)

    @server.tool(annotations=WRITE)
    @shop_tool
    def new_session(ctx: Context[Any, Any]) -> SessionInfo:
        """Start a new, empty shopping session (its own cart, quotes and orders) and return its id.

        Pass the id as `session_id` to the cart, checkout and order tools to keep
        several shopping tasks apart; without it they use your default session.
        """
        caller = caller_of(ctx.headers, app.settings.principal)
        info = app.db.run_write(session_service.create_session, principal=caller.principal)
        note_call(principal=caller.principal, session_id=info.session_id)
        return info
