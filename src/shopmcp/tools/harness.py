"""For agent test harnesses: the state of a session as a resource, and (admin only) the store hash and reset.

`shop://sessions/{session_id}/state` shows a caller its own sessions only,
as every session-scoped tool does. What reaches across sessions is admin-only
and registered only with `SHOPMCP_ADMIN_TOOLS=true`: the store-wide hash
(`shop://state/hash`) and `reset_store`, which wipes every session.
"""

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from shopmcp.app_context import AppContext
from shopmcp.callers import caller_of
from shopmcp.core.runtime import runtime_from
from shopmcp.models.types import MAX_INT
from shopmcp.services.harness import state
from shopmcp.services.harness.reset import reset_store as reset_service
from shopmcp.tools.decorator import shop_tools

RESET = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False)
"""Wipes every session and regenerates the catalog; the same seed again gives the same store."""


class ResetOutcome(BaseModel):
    """The store after reset_store."""

    seed: int = Field(description="The catalog seed the store was generated from.")
    products: int
    offers: int
    state_hash: str = Field(description="sha256 of the fresh store's state (as `shop://state/hash`).")


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    @server.resource(
        "shop://sessions/{session_id}/state",
        name="session_state",
        title="State of a shopping session",
        description="Canonical JSON of one of your sessions (cart, quotes, orders), as `shopmcp state export`.",
        mime_type="application/json",
    )
    def session_state_resource(session_id: str, ctx: Context[AppContext]) -> str:
        principal = caller_of(ctx.headers, app.settings.principal).principal
        exported = state.read_export(app.db, session_id, principal=principal)
        if exported is None:
            raise ResourceNotFoundError(f"No shopping session {session_id!r}.")
        return state.canonical_json(exported, indent=2)

    if app.settings.admin_tools:
        _register_admin(server, app)


def _register_admin(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)

    @server.resource(
        "shop://state/hash",
        name="state_hash",
        title="Hash of the store's state",
        description="sha256 over every session's cart, quotes and orders and every offer's stock "
        "(as `shopmcp state hash`).",
        mime_type="text/plain",
    )
    def state_hash_resource() -> str:
        return state.read_hash(app.db)

    @tool(RESET)
    def reset_store(
        seed: Annotated[int, Field(ge=0, le=MAX_INT, description="Catalog seed to generate the store from.")],
        products: Annotated[
            int | None, Field(ge=1, le=100_000, description="Products to generate (default: the demo store's size).")
        ] = None,
    ) -> ResetOutcome:
        """Admin: delete every session, cart, quote and order and generate the catalog of `seed` again.

        For test harnesses between episodes; every other caller's state is gone too.
        """
        settings = app.settings
        result = app.db.run_write(
            reset_service,
            products=products or settings.demo_products,
            seed=seed,
            currency=settings.currency,
            anchor=runtime_from(settings).catalog_anchor,
        )
        digest = state.read_hash(app.db)
        return ResetOutcome(seed=result.seed, products=result.products, offers=result.offers, state_hash=digest)
