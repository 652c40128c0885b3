"""Replaying a task's expected (gold) calls through the real MCP server, in-process, against a database.

Each call is made by its principal (e.g. a customer: the principal whose default session holds that
customer's account; by default the settings' principal) with its role (`support`: the support role, as
tau2's agent, acting on a found customer with `customer_id`) through `mcp.Client(build_server(...))`,
one client per principal and role, in the task's order; ids of the imported source are first
translated to the store's own. A refused call is reported and the replay goes on, as gold sequences
may hold calls the store rightly refuses.
"""

from contextlib import AsyncExitStack
from typing import Any

from mcp import Client
from pydantic import BaseModel

from shopmcp.config import Settings
from shopmcp.db import Database
from shopmcp.server import build_server
from shopmcp.services.harness.external_ids import local_arguments
from shopmcp.services.harness.tasks import ExpectedCall


class CallOutcome(BaseModel):
    index: int
    tool: str
    principal: str
    source: str | None
    ok: bool
    error: dict[str, Any] | None = None
    """The tool's error (`code`, `message`, ...) when it refused."""
    result: dict[str, Any] | None = None
    """The tool's structured result when it answered."""


async def replay_calls(settings: Settings, db: Database, calls: list[ExpectedCall]) -> list[CallOutcome]:
    """Make `calls` in order, each as its principal (or `settings.principal`) and role; every call's outcome."""
    outcomes: list[CallOutcome] = []
    async with AsyncExitStack() as stack:
        clients: dict[tuple[str, str], Client] = {}
        for index, call in enumerate(calls):
            principal = call.principal or settings.principal
            caller = (principal, call.role)
            if caller not in clients:
                update = {"principal": principal, "support_role": call.role == "support"}
                server = build_server(settings.model_copy(update=update), db=db)
                clients[caller] = await stack.enter_async_context(Client(server))
            arguments = db.run_read(local_arguments, call=call)
            result = await clients[caller].call_tool(call.tool, arguments)
            outcome = CallOutcome(index=index, tool=call.tool, principal=principal, source=call.source, ok=True)
            content = result.structured_content
            if not result.is_error:
                outcome.result = content
            else:
                error = content.get("error", content) if isinstance(content, dict) else None
                outcome.ok, outcome.error = False, error or {"message": str(result.content)}
            outcomes.append(outcome)
    return outcomes
