"""Asking the person to confirm an order change, the way place_order asks (see tools/checkout.py).

Each change tool has a `Resolve` dependency built from `confirmation_of`: when confirmations are on
(`confirm_orders=if_supported`) and the client declared form elicitation, it asks the service's
question; a question of None (nothing to change, or an error the tool reports itself) asks nothing.
`require_confirmed` turns a declined or cancelled answer into `confirmation_declined`, before any write.
A resolver takes the tool's arguments by name, `customer_id` among them: a support call's question is
about the customer's order.
"""

from collections.abc import Callable
from typing import Any

import structlog
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit
from pydantic import BaseModel, Field

from shopmcp.app_context import AppContext
from shopmcp.callers import Scope, peek_scope
from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.services.orders import clock
from shopmcp.tools.checkout import CouldNotAsk, NotAsked, _can_elicit

log = structlog.get_logger(__name__)


class ConfirmChange(BaseModel):
    """The person's answer to an order change."""

    confirm: bool = Field(title="Make this change", description="Check to change the order as described.")


def ask(
    ctx: Context[AppContext],
    app: AppContext,
    session_id: str | None,
    question: Callable[..., str | None],
    *,
    customer_id: str | None = None,
    **args: Any,
) -> Elicit[ConfirmChange] | NotAsked | CouldNotAsk:
    """Ask `question(scope=..., **args)` of the person, or nothing (see the module docstring)."""
    if app.settings.confirm_orders == "never" or not _can_elicit(ctx):
        return NotAsked()
    try:
        scope: Scope | None = peek_scope(ctx.headers, app, session_id, customer_id)
        if scope is None:
            return NotAsked()
        order_id = args.get("order_id")
        if isinstance(order_id, str):
            clock.before_read(app.db, scope, order_id)  # ask about the order as it is now, not as last seen
        text = app.db.run_read(question, scope=scope, **args)
    except Exception:
        log.exception("order_change.confirmation_failed")
        return CouldNotAsk()
    return NotAsked() if text is None else Elicit(text, ConfirmChange)


def require_confirmed(outcome: ElicitationResult[ConfirmChange]) -> None:
    if isinstance(outcome, AcceptedElicitation):
        data: Any = outcome.data
        if isinstance(data, CouldNotAsk):
            raise ShopError(
                ErrorCode.UNAVAILABLE,
                "The store could not prepare the confirmation; nothing changed. Call the tool again.",
            )
        if isinstance(data, NotAsked) or (isinstance(data, ConfirmChange) and data.confirm):
            return
    raise ShopError(
        ErrorCode.CONFIRMATION_DECLINED,
        "The person did not confirm the change, so the order was not changed. Ask them what they want.",
        resolution=Resolution.REQUIRES_BUYER_INPUT,
    )
