"""`shopmcp store import --format tau2-retail` and `shopmcp state export --format tau2-retail`, as real commands."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, create_pg_database, drop_pg_database
from tests.tau2_data import retail_db

SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
_TIMEOUT = 300


def shopmcp(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SHOPMCP_ENV": "test", "SHOPMCP_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [SHOPMCP, "--database-url", database_url, *args],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        env=environment,
        check=False,
    )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database that does not exist yet (SQLite) or is empty and unmigrated (PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def test_import_then_export_gives_back_tau2s_db_json_byte_for_byte(database_url: str, tmp_path: Path) -> None:
    source = retail_db()
    exported = tmp_path / "db.json"

    loaded = shopmcp(database_url, "store", "import", str(source), "--format", "tau2-retail")
    dumped = shopmcp(database_url, "state", "export", "--format", "tau2-retail", "--output", str(exported))

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == (
        "imported 50 products (591 variants), 500 customers (695 payment methods), 1000 orders"
    )
    assert dumped.returncode == 0, dumped.stderr
    assert exported.read_bytes() == source.read_bytes()


def test_import_refuses_a_store_that_is_not_empty_and_changes_nothing(database_url: str, tmp_path: Path) -> None:
    source = retail_db()
    first = shopmcp(database_url, "store", "import", str(source), "--format", "tau2-retail")
    assert first.returncode == 0, first.stderr

    again = shopmcp(database_url, "store", "import", str(source), "--format", "tau2-retail")
    exported = shopmcp(database_url, "state", "export", "--format", "tau2-retail")

    assert again.returncode == 2
    assert "empty store" in again.stderr
    assert "Nothing was imported" in again.stderr
    assert exported.stdout == source.read_text(encoding="utf-8")


def test_import_refuses_files_that_are_not_tau2_retail_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    not_json, wrong_shape, dangling = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    not_json.write_text("{", encoding="utf-8")
    wrong_shape.write_text(json.dumps({"products": []}), encoding="utf-8")
    order = {
        "order_id": "#W1",
        "user_id": "nobody_1",
        "address": {"address1": "1 A St", "address2": "", "city": "X", "country": "USA", "state": "CA", "zip": "1"},
        "items": [],
        "status": "pending",
        "fulfillments": [],
        "payment_history": [],
    }
    dangling.write_text(json.dumps({"products": {}, "users": {}, "orders": {"#W1": order}}), encoding="utf-8")

    results = [
        shopmcp(url, "store", "import", str(path), "--format", "tau2-retail")
        for path in (not_json, wrong_shape, dangling)
    ]
    exported = shopmcp(url, "state", "export", "--format", "tau2-retail")

    assert [result.returncode for result in results] == [2, 2, 2]
    assert "not JSON" in results[0].stderr
    assert "not tau2 retail data" in results[1].stderr
    assert "nobody_1" in results[2].stderr
    assert json.loads(exported.stdout) == {"products": {}, "users": {}, "orders": {}}
