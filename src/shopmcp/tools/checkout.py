"""Checkout tools: preview_checkout (a quote) and place_order (the order), with optional confirmation.

Confirmation: with `confirm_orders=if_supported` (the default) and a client
that declared form elicitation, place_order first asks the person to confirm
the total. The question is a `Resolve` dependency, so it travels the way the
negotiated protocol wants: an `input_required` result on 2026-07-28, a
standalone `elicitation/create` request on the handshake era. A declined or
cancelled confirmation writes nothing and fails with `confirmation_declined`.
"""

from typing import Annotated, Any

import structlog
from mcp.server import MCPServer
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field

from shopmcp.app_context import AppContext
from shopmcp.callers import Scope, peek_scope
from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.models.catalog import ShippingMethod
from shopmcp.models.checkout_public import Quote, ShippingAddress
from shopmcp.models.order_public import OrderView
from shopmcp.services import checkout
from shopmcp.tools.decorator import DESTRUCTIVE_IDEMPOTENT, READ_ONLY, shop_tools

log = structlog.get_logger(__name__)

_INPUT_REQUIRED_VERSION = "2026-07-28"

QuoteIdParam = Annotated[str, Field(min_length=1, max_length=64)]
IdempotencyKeyParam = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
        description="One per purchase attempt, e.g. a UUID: repeated, it returns the same order.",
    ),
]


class ConfirmOrder(BaseModel):
    """The person's answer to the confirmation question."""

    confirm: bool = Field(title="Place this order", description="Check to place the order and pay the total.")


class NotAsked(BaseModel):
    """The confirmation was not asked (turned off, not supported, or nothing to confirm)."""


class CouldNotAsk(BaseModel):
    """The question could not be prepared (the database failed): the order must not go ahead unconfirmed."""


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)
    shop = app.commerce
    methods = ", ".join(shop.payments.methods())

    @tool(READ_ONLY)
    def preview_checkout(
        scope: Scope,
        shipping_address: ShippingAddress,
        shipping_method: Annotated[ShippingMethod, Field(description="For every seller in the cart.")] = "standard",
        payment_method: Annotated[
            str,
            Field(min_length=1, max_length=100, description=f"{methods}, or a payment_method_id from get_account."),
        ] = "test_card_visa",
    ) -> Quote:
        """Quote the cart for an address: lines, shipping, tax, total, quote_id; changes nothing else.

        Show the person the total.
        """
        return app.db.run_write(
            checkout.preview_checkout,
            scope=scope,
            currency=shop.currency,
            tax_table=shop.tax_table,
            provider=shop.payments,
            quote_ttl=shop.quote_ttl,
            shipping_address=shipping_address,
            shipping_method=shipping_method,
            payment_method=payment_method,
        )

    def confirmation(
        ctx: Context[AppContext], quote_id: str, idempotency_key: str, session_id: str | None
    ) -> Elicit[ConfirmOrder] | NotAsked | CouldNotAsk:
        if app.settings.confirm_orders == "never" or not _can_elicit(ctx):
            return NotAsked()
        # A resolver's exception would reach the client as an unstructured error; the tool body
        # turns this outcome into a structured one instead.
        try:
            scope = peek_scope(ctx.headers, app, session_id)
            if scope is None:
                return NotAsked()
            question = app.db.run_read(
                checkout.confirmation_question, scope=scope, quote_id=quote_id, idempotency_key=idempotency_key
            )
        except Exception:
            log.exception("place_order.confirmation_failed")
            return CouldNotAsk()
        return NotAsked() if question is None else Elicit(question, ConfirmOrder)

    @tool(DESTRUCTIVE_IDEMPOTENT)
    def place_order(
        scope: Scope,
        quote_id: QuoteIdParam,
        idempotency_key: IdempotencyKeyParam,
        confirmed: Annotated[ElicitationResult[ConfirmOrder], Resolve(confirmation)],
    ) -> OrderView:
        """Buy what a quote priced, once the person agreed to its total; returns the order.

        Changed prices or stock: quote_stale; an old quote: quote_expired. Preview again.
        """
        if isinstance(confirmed, AcceptedElicitation) and isinstance(confirmed.data, CouldNotAsk):
            raise ShopError(
                ErrorCode.UNAVAILABLE,
                "The store could not prepare the order confirmation; nothing was placed. Call place_order again.",
            )
        if not _confirmed(confirmed):
            raise checkout.confirmation_declined()
        return app.db.run_write(
            checkout.place_order,
            scope=scope,
            currency=shop.currency,
            tax_table=shop.tax_table,
            provider=shop.payments,
            quote_id=quote_id,
            idempotency_key=idempotency_key,
        )


def _can_elicit(ctx: Context[AppContext]) -> bool:
    """Whether the client can be asked: it declared form elicitation, and the protocol has a way to ask."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return True
    return bool(ctx.session.can_send_request)


def _confirmed(outcome: ElicitationResult[ConfirmOrder]) -> bool:
    if not isinstance(outcome, AcceptedElicitation):
        return False
    data: Any = outcome.data
    return isinstance(data, NotAsked) or (isinstance(data, ConfirmOrder) and data.confirm)
