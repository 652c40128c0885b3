"""Liveness and readiness routes: unauthenticated, for load balancers and orchestrators."""

import anyio
import anyio.to_thread
import structlog
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shopmcp.db import Database

log = structlog.get_logger(__name__)

READY_TIMEOUT_SECONDS = 3.0


def _ping(db: Database) -> None:
    with db.read() as tx:
        tx.execute(select(1)).one()


def health_routes(db: Database) -> list[Route]:
    """`/healthz`: the process answers. `/readyz`: it can reach its database, so it can take traffic."""

    async def live(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def ready(_request: Request) -> JSONResponse:
        try:
            with anyio.fail_after(READY_TIMEOUT_SECONDS):
                await anyio.to_thread.run_sync(_ping, db, abandon_on_cancel=True)
        except Exception as error:
            log.warning("health.database_unavailable", error=type(error).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ready", "database": "ok"})

    return [
        Route("/healthz", live, methods=["GET", "HEAD"], name="liveness"),
        Route("/readyz", ready, methods=["GET", "HEAD"], name="readiness"),
    ]
