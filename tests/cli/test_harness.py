"""The harness commands as a newcomer runs them: reset, the demo agent over stdio, export, grade, hash.

`shopmcp` runs as subprocesses on a fresh data directory (SQLite, the default
database). The store is the demo store's first 1,500 products (product k of a
seed is the same product at any size), which hold the first demo task's
T-shirt; every demo task passes on the full 5,000 too, but that takes longer.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
TIMEOUT_SECONDS = 300
DEMO_PRODUCTS = 1_500


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SHOPMCP_")} | {
        "SHOPMCP_ENV": "development",
        "SHOPMCP_DATA_DIR": str(data_dir),
        "SHOPMCP_LOG_LEVEL": "WARNING",
        "SHOPMCP_DEMO_PRODUCTS": str(DEMO_PRODUCTS),
    }
    return subprocess.run(
        [SHOPMCP, *args], env=environment, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )


def _hash(data_dir: Path) -> str:
    done = _run(data_dir, "state", "hash")
    assert done.returncode == 0, done.stderr
    digest = done.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    return digest


def test_the_demo_shops_for_a_task_and_the_commands_grade_export_hash_and_reset(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    reset = _run(data_dir, "db", "reset", "--seed", "42")
    assert reset.returncode == 0, reset.stderr
    fresh = _hash(data_dir)

    demo = _run(data_dir, "demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    for call in ("-> new_session", "-> search_products", "-> get_product", "-> add_to_cart", "-> place_order"):
        assert call in demo.stdout
    assert "score 1.00 (passed)" in demo.stdout
    session_id = re.search(r"<- session (ses_\S+)", demo.stdout)
    assert session_id is not None

    exported = _run(data_dir, "state", "export", "--session", session_id.group(1))
    graded = _run(data_dir, "tasks", "grade", "--session", session_id.group(1))
    shopped = _hash(data_dir)
    assert _run(data_dir, "db", "reset", "--seed", "42").returncode == 0
    after_reset = _hash(data_dir)

    state = json.loads(exported.stdout)
    assert [order["status"] for order in state["orders"]] == ["placed"]
    assert state["cart"]["lines"] == []
    assert exported.stdout == json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    grade = json.loads(graded.stdout)
    assert grade["score"] == 1.0
    assert grade["session_id"] == session_id.group(1)
    assert all(condition["passed"] for condition in grade["conditions"])
    assert shopped != fresh
    assert after_reset == fresh
    assert _run(data_dir, "state", "export", "--session", "ses_nope").returncode == 1
