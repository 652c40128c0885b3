"""Replaying a task's expected (gold) calls through the real MCP server, in-process, against a database.

Each call is made by its principal (a tau2 user id: the principal whose default session holds that
user's account) through `mcp.Client(build_server(...))`, one client per principal, in the task's
order; ids of the imported source are first translated to the store's own. A refused call is
reported and the replay goes on, as gold sequences may hold calls the store rightly refuses.
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


async def replay_calls(settings: Settings, db: Database, calls: list[ExpectedCall]) -> list[CallOutcome]:
    """Make `calls` in order, each as its principal (or `settings.principal`); every call's outcome."""
    outcomes: list[CallOutcome] = []
    async with AsyncExitStack() as stack:
        clients: dict[str, Client] = {}
        for index, call in enumerate(calls):
            principal = call.principal or settings.principal
            if principal not in clients:
                server = build_server(settings.model_copy(update={"principal": principal}), db=db)
                clients[principal] = await stack.enter_async_context(Client(server))
            arguments = db.run_read(local_arguments, call=call)
            result = await clients[principal].call_tool(call.tool, arguments)
            outcome = CallOutcome(index=index, tool=call.tool, principal=principal, source=call.source, ok=True)
            if result.is_error:
                content = result.structured_content
                error = content.get("error", content) if isinstance(content, dict) else None
                outcome.ok, outcome.error = False, error or {"message": str(result.content)}
            outcomes.append(outcome)
    return outcomes
