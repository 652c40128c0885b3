"""PostgreSQL crashes and comes back in the middle of traffic: the server recovers by itself, readiness
says so, and no order a client was told about is lost or placed twice.

Runs on a throwaway cluster of its own (tests/serving/pg_cluster.py), never on the shared server.
"""

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread
import httpx2
import psycopg
import pytest
from mcp import Client
from sqlmodel import func, select

from shopmcp import migrations
from shopmcp.db import Database
from shopmcp.models.catalog import Offer
from shopmcp.models.order import Order, OrderLine
from tests.serving import pg_cluster
from tests.serving.conftest import ServerProcess, connect, make_server
from tests.serving.shopping import ADDRESS, stocked_product

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(pg_cluster.unavailable_reason() is not None, reason=pg_cluster.unavailable_reason() or ""),
]

STOCK = 10_000
AGENTS = 4
ORDERS_BEFORE_CRASH = 4
ORDERS_AFTER_RECOVERY = 8
DOWNTIME_CHECK_TIMEOUT = 30.0
TEST_TIMEOUT = 180.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[pg_cluster.ThrowawayCluster]:
    cluster = pg_cluster.ThrowawayCluster()
    try:
        cluster.init()
        cluster.start()
        with psycopg.connect(cluster.url().replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute("CREATE DATABASE shop")
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def shop_db(cluster: pg_cluster.ThrowawayCluster) -> Iterator[Database]:
    db = Database(cluster.url("shop"))
    migrations.upgrade(db.engine)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def server(shop_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = make_server(tmp_path_factory.mktemp("restart"), shop_db).start()
    yield server
    server.stop()


@dataclass
class Ledger:
    """What the agents were told."""

    confirmed: dict[str, int] = field(default_factory=dict)
    """order_id -> units, for every order a place_order call answered with."""
    errors: list[str] = field(default_factory=list)
    placed: anyio.Event | None = None
    target: int = 0

    def record(self, order: dict[str, Any]) -> None:
        self.confirmed[order["order_id"]] = sum(line["quantity"] for line in order["lines"])
        if self.placed is not None and len(self.confirmed) >= self.target:
            self.placed.set()

    def expect(self, count: int) -> anyio.Event:
        self.placed, self.target = anyio.Event(), count
        if len(self.confirmed) >= count:
            self.placed.set()
        return self.placed


async def _until_ok(client: Client, ledger: Ledger, tool: str, **args: Any) -> dict[str, Any]:
    """Call `tool` until it succeeds, as a patient agent would: the same arguments (and idempotency key)."""
    deadline = time.monotonic() + TEST_TIMEOUT
    while time.monotonic() < deadline:
        try:
            result = await client.call_tool(tool, args)
        except Exception as error:  # the HTTP exchange itself failed; the agent tries again
            ledger.errors.append(f"{tool}: {type(error).__name__}")
        else:
            content = result.structured_content or {}
            if not result.is_error:
                return content
            code = content.get("error", {}).get("code")
            assert code == "service_unavailable", f"{tool} failed with {code}: {content}"
            ledger.errors.append(f"{tool}: {code}")
        await anyio.sleep(0.05)  # a beat before trying again, bounded by the deadline
    pytest.fail(f"{tool} never succeeded")


async def _agent(server: ServerProcess, product_id: int, index: int, ledger: Ledger, stop: anyio.Event) -> None:
    token = server.tokens["alice" if index % 2 else "bob"]
    async with connect(server.mcp_url, token=token, mode="legacy" if index % 2 else "auto") as client:
        while not stop.is_set():
            session_id = (await _until_ok(client, ledger, "new_session"))["session_id"]
            await _until_ok(
                client, ledger, "add_to_cart", product_id=product_id, quantity=1 + index % 2, session_id=session_id
            )
            quote = await _until_ok(client, ledger, "preview_checkout", shipping_address=ADDRESS, session_id=session_id)
            key = f"restart-{secrets.token_hex(6)}"
            order = await _until_ok(
                client, ledger, "place_order", quote_id=quote["quote_id"], idempotency_key=key, session_id=session_id
            )
            ledger.record(order)


def _readiness(server: ServerProcess) -> int:
    return httpx2.get(f"{server.base_url}/readyz", timeout=10).status_code


async def _wait_for_readiness(server: ServerProcess, status: int) -> None:
    with anyio.fail_after(DOWNTIME_CHECK_TIMEOUT):
        while await anyio.to_thread.run_sync(_readiness, server) != status:
            await anyio.sleep(0.05)


async def test_the_server_rides_out_postgres_crashes_and_loses_no_order(
    server: ServerProcess, shop_db: Database, cluster: pg_cluster.ThrowawayCluster
) -> None:
    product = stocked_product(shop_db, stock=STOCK)
    assert product.id is not None
    ledger = Ledger()
    stop = anyio.Event()

    with anyio.fail_after(TEST_TIMEOUT):
        async with anyio.create_task_group() as agents:
            for index in range(AGENTS):
                agents.start_soon(_agent, server, product.id, index, ledger, stop)
            await ledger.expect(ORDERS_BEFORE_CRASH).wait()

            # A short crash: the server's own retries ride it out; readiness tells the load balancer meanwhile.
            await anyio.to_thread.run_sync(cluster.stop)
            await _wait_for_readiness(server, 503)
            await anyio.to_thread.run_sync(cluster.start)
            await _wait_for_readiness(server, 200)
            await ledger.expect(len(ledger.confirmed) + ORDERS_AFTER_RECOVERY).wait()

            # An outage longer than the retry budget: agents get service_unavailable, then it all resumes.
            await anyio.to_thread.run_sync(cluster.stop)
            with anyio.fail_after(DOWNTIME_CHECK_TIMEOUT):
                while not ledger.errors:
                    await anyio.sleep(0.05)
            await anyio.to_thread.run_sync(cluster.start)
            await _wait_for_readiness(server, 200)
            await ledger.expect(len(ledger.confirmed) + ORDERS_AFTER_RECOVERY).wait()
            stop.set()

    assert server.process is not None
    assert server.process.poll() is None, "the server itself must not restart"
    assert {error.split(": ")[1] for error in ledger.errors} <= {"service_unavailable"}
    shop_db.engine.dispose()  # its pooled connections died with the crashes
    with shop_db.read() as tx:
        stored = dict(
            tx.exec(select(OrderLine.order_id, func.sum(OrderLine.quantity)).group_by(OrderLine.order_id)).all()
        )
        stock = tx.exec(select(Offer.stock).where(Offer.product_id == product.id)).one()
        orders = tx.exec(select(func.count()).select_from(Order)).one()
    assert stored == ledger.confirmed, "every confirmed order is stored, and nothing else was placed"
    assert orders == len(ledger.confirmed)
    assert stock == STOCK - sum(ledger.confirmed.values())
