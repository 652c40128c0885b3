"""`shopmcp orders advance`: a harness moves an order on by hand, and the shopper sees it."""

import json
from typing import Any

import pytest
from mcp import Client

from shopmcp.cli import main
from shopmcp.db import Database
from tests.tools.shopping import Shopper, small_store


@pytest.fixture(autouse=True)
def _process_logging_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command runs in this process: its logging set-up (stderr handler, structlog loggers cached on
    first use) would stay for the rest of the suite and hide log lines from the tests that capture them."""
    monkeypatch.setattr("shopmcp.cli.configure_logging", lambda **_: None)


def _advance(database: Database, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    url = database.engine.url.render_as_string(hide_password=False)
    with pytest.raises(SystemExit) as exited:
        main(["--database-url", url, "orders", "advance", *args])
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


@pytest.mark.parametrize("seed", [None, 5])
async def test_an_order_advanced_to_delivered_ships_on_the_way(
    server_factory: Any,
    database: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    seed: int | None,
) -> None:
    if seed is not None:  # the command reads its settings from the environment, as a harness runs it
        monkeypatch.setenv("SHOPMCP_DETERMINISTIC_SEED", str(seed))
    shop = small_store(database)
    async with Client(server_factory(deterministic_seed=seed)) as client:
        shopper = await Shopper.start(client)
        await shopper.ok("add_to_cart", offer_id=shop.offer_id(shop.headphones, shop.acme), quantity=2)
        _, order = await shopper.buy()
        code, out = _advance(database, capsys, order["order_id"], "--to", "delivered")
        seen = await shopper.ok("get_order", order_id=order["order_id"], detail="full")
        again, refusal = _advance(database, capsys, order["order_id"], "--to", "shipped")
        missing, _ = _advance(database, capsys, "ord_nope", "--to", "shipped")

    printed = json.loads(out)
    assert code == 0
    assert [change["status"] for change in printed["history"]] == ["placed", "processing", "shipped", "delivered"]
    times = [change["at"] for change in printed["history"]]
    assert times == sorted(times), "never before the order was placed, seeded or not"
    assert printed["fulfilments"] == seen["fulfilments"]
    assert seen["fulfilments"][0]["variant_ids"] == [order["lines"][0]["variant_id"]] * 2
    assert seen["status"] == "delivered"
    assert (again, missing) == (1, 1)
    assert "is delivered" in refusal
