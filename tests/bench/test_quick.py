"""`python -m bench --quick` runs every registered benchmark to the end and records a figure for each.

The benchmarks are code too: this keeps them from rotting. It runs the real entry point in a subprocess
(under two minutes), into a temporary output directory, on SQLite and, when reachable, PostgreSQL.
"""

import fcntl
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.__main__ import BENCHMARKS
from sqlalchemy.engine import make_url

from tests.conftest import _PG_SKIP_REASON, PG_ADMIN_URL

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 1200  # a loaded machine; the run itself takes about two minutes of CPU


# Its catalogs (tiny, made by `shopmcp catalog generate`) are kept here and in PostgreSQL databases named
# PREFIX_*, reused by the next run while the generator is unchanged; a lock makes concurrent runs take turns.
WORK_DIR = Path(tempfile.gettempdir()) / "shopmcp-benchtest"
PREFIX = "shopmcp_benchtest"


@pytest.fixture
def admin_url() -> str:
    """The PostgreSQL admin URL for the run, '' when unreachable (the run then skips PostgreSQL)."""
    return "" if _PG_SKIP_REASON else make_url(PG_ADMIN_URL).set(drivername="postgresql").render_as_string(False)


@pytest.fixture
def exclusive() -> Iterator[None]:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    with (WORK_DIR / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.mark.usefixtures("exclusive")
def test_the_quick_run_measures_every_benchmark(tmp_path: Path, admin_url: str) -> None:
    command = [sys.executable, "-m", "bench", "--quick", "--name", "quick", "--output", str(tmp_path)]
    command += ["--work-dir", str(WORK_DIR), "--db-prefix", PREFIX, "--postgres", admin_url]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-4000:]

    results = json.loads((tmp_path / "results" / "quick.json").read_text())
    assert results["failures"] == {}
    assert results["quick"] is True
    rows = results["rows"]
    for module in BENCHMARKS:
        name = module.rsplit(".", 1)[-1]
        measured = [row for row in rows if row["bench"] == name and isinstance(row["value"], int | float)]
        assert measured, f"no figures from {name}"
    backends = {row["backend"] for row in rows}
    assert "sqlite" in backends
    if admin_url:
        assert "postgresql" in backends
    assert (tmp_path / "RESULTS-quick.md").read_text().count("\n|") >= len(rows)
