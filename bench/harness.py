"""The benchmark harness: context, result rows, timing statistics, catalogs, machine facts.

A benchmark is a module `bench/<name>.py` with a function `run(ctx: BenchContext) -> list[Row]`;
`bench/__main__.py` lists them in `BENCHMARKS` (one line each, `"bench.<name>"`) and runs them in order,
importing a module only when it is chosen (`--only <name>,...`). Exceptions are caught per benchmark and
reported as a failed row (the run exits 1). A sketch:

    from bench.harness import BenchContext, Row, summarize

    NAME = "search"  # the module's own name, used as the rows' `bench`

    def run(ctx: BenchContext) -> list[Row]:
        url = ctx.catalog("sqlite", 100_000)           # generated once, reused while seed/size match
        samples = [...]                                # seconds per call
        stats = summarize(samples)
        return [Row.measured(NAME, "rare, p95", stats.p95_ms, "ms", backend="sqlite",
                             limit=15.0)]             # value <= limit passes

Rows carry the figure, the baseline measured in the same run (if any), their ratio, the target and
whether it was met. Use the constructors:

- `Row.measured(bench, name, value, unit, limit=..., floor=...)`: a figure against an absolute
  target (`value <= limit` and/or `value >= floor`), or no target at all.
- `Row.versus(bench, name, value, baseline, unit, baseline_name=..., max_ratio=..., min_ratio=...)`:
  a figure against a baseline; ratio = value / baseline, the target bounds the ratio.

`passed` is None when a row has no target. `extra` holds anything else worth keeping (JSON-able).
A benchmark that cannot run a part (PostgreSQL unreachable, 1M skipped) returns a `Row.skip(bench, name, reason)`
with the reason, so the table shows it instead of silently omitting it.

`BenchContext` gives a benchmark what it needs: `quick` (whole run under two minutes: tiny catalogs,
few calls), `skip_1m`, `backends` (`["sqlite", "postgresql"]`, PostgreSQL only when reachable;
`postgres_skip_reason` says why not), `catalog(backend, products)` (a database URL holding a
`shopmcp catalog generate` catalog of that size, seed `SEED` and anchor date `ANCHOR_DATE`, built on
first use and reused on later runs), `scratch_url(backend, name)` (an empty database for a benchmark
to fill; PostgreSQL ones are dropped when the run ends), `shopmcp` (path of the CLI), `log(...)`
(progress to stderr) and `work_dir` (a directory for files kept between runs).
"""

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SEED = 1
ANCHOR_DATE = "2026-11-01"
SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the results table."""

    bench: str
    name: str
    value: float | None
    unit: str
    backend: str | None = None
    baseline: float | None = None
    baseline_name: str | None = None
    ratio: float | None = None
    target: str | None = None
    passed: bool | None = None
    skipped: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def measured(
        cls,
        bench: str,
        name: str,
        value: float,
        unit: str,
        *,
        backend: str | None = None,
        limit: float | None = None,
        floor: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> "Row":
        """A figure with an optional absolute target (`value <= limit`, `value >= floor`)."""
        target, passed = _bounds(value, unit, limit, floor)
        return cls(bench, name, value, unit, backend=backend, target=target, passed=passed, extra=extra or {})

    @classmethod
    def versus(
        cls,
        bench: str,
        name: str,
        value: float,
        baseline: float,
        unit: str,
        *,
        baseline_name: str,
        backend: str | None = None,
        max_ratio: float | None = None,
        min_ratio: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> "Row":
        """A figure against a baseline of the same run; the target bounds value / baseline."""
        ratio = value / baseline if baseline else math.inf
        target, passed = _bounds(ratio, "x", max_ratio, min_ratio)
        return cls(
            bench,
            name,
            value,
            unit,
            backend=backend,
            baseline=baseline,
            baseline_name=baseline_name,
            ratio=ratio,
            target=f"ratio {target}" if target else None,
            passed=passed,
            extra=extra or {},
        )

    @classmethod
    def skip(cls, bench: str, name: str, reason: str, *, backend: str | None = None) -> "Row":
        """A part that did not run, with the reason shown in the table."""
        return cls(bench, name, None, "", backend=backend, skipped=reason)


def _bounds(value: float, unit: str, limit: float | None, floor: float | None) -> tuple[str | None, bool | None]:
    parts: list[str] = []
    passed: bool | None = None
    if limit is not None:
        parts.append(f"<= {limit:g}{unit if unit == 'x' else ' ' + unit}")
        passed = value <= limit
    if floor is not None:
        parts.append(f">= {floor:g}{unit if unit == 'x' else ' ' + unit}")
        passed = (passed is not False) and value >= floor
    return (", ".join(parts) or None), passed


@dataclass(frozen=True)
class Stats:
    """Summary of timing samples, in milliseconds."""

    count: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of unsorted samples (fraction in 0..1)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def summarize(seconds: list[float]) -> Stats:
    """Median, p95, p99 and mean of per-call wall times given in seconds."""
    if not seconds:
        raise ValueError("no samples")
    return Stats(
        count=len(seconds),
        median_ms=statistics.median(seconds) * 1000,
        p95_ms=percentile(seconds, 0.95) * 1000,
        p99_ms=percentile(seconds, 0.99) * 1000,
        mean_ms=statistics.fmean(seconds) * 1000,
    )


@dataclass
class BenchContext:
    """What a benchmark gets from the entry point."""

    quick: bool
    skip_1m: bool
    work_dir: Path
    postgres_admin: str | None
    postgres_skip_reason: str | None = None
    verbose: bool = True
    shopmcp: str = SHOPMCP
    db_prefix: str = "shopmcp_bench"
    """Start of the names of the databases (PostgreSQL) and files (SQLite) this run makes."""
    _scratch_pg: list[str] = field(default_factory=list)

    @property
    def backends(self) -> list[str]:
        """Backends to run on: SQLite always, PostgreSQL when reachable."""
        return ["sqlite", "postgresql"] if self.postgres_admin else ["sqlite"]

    def log(self, message: str) -> None:
        """Progress line on stderr."""
        if self.verbose:
            print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def catalog(self, backend: str, products: int, *, seed: int = SEED, anchor_date: str = ANCHOR_DATE) -> str:
        """URL of a database holding a generated catalog of `products`; generated on first use, then reused."""
        from bench import catalogs

        return catalogs.ensure(self, backend, products, seed=seed, anchor_date=anchor_date)

    def settle(self) -> None:
        """Have PostgreSQL write out the dirty pages earlier work left (a 1,000,000-product load leaves
        gigabytes), so its checkpoint does not write them in the background while the next figures are taken."""
        if self.postgres_admin is None:
            return
        import psycopg

        with psycopg.connect(self.postgres_admin, autocommit=True) as admin:
            admin.execute("CHECKPOINT")

    def scratch_url(self, backend: str, name: str) -> str:
        """URL of an empty database named after `name` (SQLite file in work_dir, or a PostgreSQL database)."""
        from bench import catalogs

        return catalogs.scratch(self, backend, name)

    def close(self) -> None:
        """Drop the scratch PostgreSQL databases."""
        from bench import catalogs

        catalogs.drop_scratch(self)


BenchFunction = Callable[[BenchContext], list[Row]]


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    """`with timer() as elapsed: ...; elapsed()` gives seconds since entry."""
    started = time.perf_counter()
    yield lambda: time.perf_counter() - started


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM and the load average now."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_kib / 1024 / 1024, 1),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def versions(postgres_admin: str | None) -> dict[str, Any]:
    """Python, mcp, SQLite, PostgreSQL and the shopmcp git commit."""
    import sqlite3
    from importlib.metadata import version

    found: dict[str, Any] = {
        "python": platform.python_version(),
        "mcp": version("mcp"),
        "sqlalchemy": version("sqlalchemy"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "shopmcp_commit": _git(["rev-parse", "HEAD"]),
        "shopmcp_dirty": bool(_git(["status", "--porcelain", "--untracked-files=no", "src", "bench"])),
    }
    if postgres_admin:
        import psycopg

        with psycopg.connect(postgres_admin, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            found["postgresql"] = row[0] if row else None
    return found


def _git(args: list[str]) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write the run's results as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
