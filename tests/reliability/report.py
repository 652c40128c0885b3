"""The reliability table's rows, written by the tests that measure them, and the run's switches.

`SHOPMCP_RELIABILITY_LONG=1` selects the long forms; `SHOPMCP_RELIABILITY_SEED`
fixes the seed of the random ones (else a fresh one, reported);
`SHOPMCP_RELIABILITY_REPORT=<file>` makes `record` append one JSON line per row
(`python -m reliability` reads them into docs/reliability.md's table).
"""

import json
import os
import secrets
from typing import Any

LONG = os.environ.get("SHOPMCP_RELIABILITY_LONG", "") not in ("", "0")


def run_seed() -> int:
    """The seed for this run's random choices: `SHOPMCP_RELIABILITY_SEED`, or a fresh one."""
    given = os.environ.get("SHOPMCP_RELIABILITY_SEED")
    return int(given) if given else secrets.randbelow(2**31)


def record(
    failure: str, *, tries: int, outcome: str, seed: int | None = None, extra: dict[str, Any] | None = None
) -> None:
    """One row of the table: what was tried, how many times, what happened."""
    path = os.environ.get("SHOPMCP_RELIABILITY_REPORT")
    if not path:
        return
    row = {"failure": failure, "tries": tries, "outcome": outcome, "seed": seed, **(extra or {})}
    with open(path, "a", encoding="utf-8") as report:
        report.write(json.dumps(row) + "\n")
