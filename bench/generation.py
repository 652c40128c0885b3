"""Generation and import: products per second of `shopmcp catalog generate` and `catalog import`.

Generation runs the real command on an empty scratch database (100,000 products; 2,000 with --quick)
and, for 1,000,000 products, builds the catalog the search benchmark then reuses (`ctx.catalog`): its
time is measured when it is built and recorded in `<work_dir>/generation.json`, and a later run that
reuses the catalog reports the recorded figure (marked `reused`). Import exports the generated catalog
as JSON Lines (`catalog export`) and imports its first 10,000 products into another empty database
(the importer, which checks and cleans every record, runs far slower than the generator).

Besides wall time, each row keeps the CPU seconds of the command and its worker processes and, on
PostgreSQL, of the server backend that did the writing, sampled from /proc: CPU time moves far less
than wall time when other work shares the machine. Target: 1,000,000 products generated and indexed
in under 5 minutes.
"""

import itertools
import json
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.harness import ANCHOR_DATE, SEED, BenchContext, Row

NAME = "generation"
SIZES = (100_000,)
QUICK_SIZE = 200
IMPORT_PRODUCTS = 10_000
"""Products of the export re-imported (its first lines): the importer is far slower than the generator."""
MILLION = 1_000_000
MILLION_LIMIT_SECONDS = 300.0
_SAMPLE_SECONDS = 0.5


@dataclass(frozen=True)
class Timed:
    """One command: wall seconds, CPU seconds of the command's processes and of the PostgreSQL backend."""

    seconds: float
    client_cpu: float
    server_cpu: float | None
    load: tuple[float, float]

    def extra(self, products: int) -> dict[str, Any]:
        return {
            "products": products,
            "wall_s": round(self.seconds, 1),
            "client_cpu_s": round(self.client_cpu, 1),
            "server_cpu_s": None if self.server_cpu is None else round(self.server_cpu, 1),
            "load_before_after": [round(value, 2) for value in self.load],
        }


def run(ctx: BenchContext) -> list[Row]:
    rows: list[Row] = []
    sizes = (QUICK_SIZE,) if ctx.quick else SIZES
    for backend in ctx.backends:
        for products in sizes:
            # --quick imports on SQLite only: each command is a process start-up, most of a tiny run.
            rows += _generate_and_import(ctx, backend, products, also_import=not ctx.quick or backend == "sqlite")
        if ctx.skip_1m:
            rows.append(Row.skip(NAME, "generate 1,000,000", "--quick or --skip-1m", backend=backend))
        else:
            rows.append(_million(ctx, backend))
    return rows


def _generate_and_import(ctx: BenchContext, backend: str, products: int, *, also_import: bool) -> list[Row]:
    ctx.log(f"generation: {backend}, {products:,} products")
    url = ctx.scratch_url(backend, f"generate_{products}")
    generated = timed_command(ctx, url, ["catalog", "generate", *_generate_args(products)])
    generate_row = _rate(f"generate {products:,}, products/s", products, generated, backend)
    if not also_import:
        return [generate_row]
    export = ctx.work_dir / f"export_{backend}_{products}.jsonl"
    subprocess.run(
        [ctx.shopmcp, "--database-url", url, "catalog", "export", str(export)],
        check=True,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    part = ctx.work_dir / f"export_{backend}_{products}_part.jsonl"
    with export.open("rb") as whole, part.open("wb") as first_lines:
        first_lines.writelines(itertools.islice(whole, IMPORT_PRODUCTS))
    export.unlink(missing_ok=True)
    imported_count = min(products, IMPORT_PRODUCTS)
    target = ctx.scratch_url(backend, f"import_{products}")
    imported = timed_command(ctx, target, ["catalog", "import", str(part)])
    part.unlink(missing_ok=True)
    label = f"import {imported_count:,} of the {products:,} (JSONL export), products/s"
    return [generate_row, _rate(label, imported_count, imported, backend)]


def _rate(label: str, products: int, timed: Timed, backend: str) -> Row:
    """Products per second of one timed command, with its wall and CPU seconds."""
    return Row.measured(NAME, label, products / timed.seconds, "1/s", backend=backend, extra=timed.extra(products))


def _million(ctx: BenchContext, backend: str) -> Row:
    """Build (or reuse) the 1M catalog; its generation time is measured when built, and recorded."""
    records_path = ctx.work_dir / "generation.json"
    records: dict[str, Any] = json.loads(records_path.read_text()) if records_path.exists() else {}
    key = f"{backend}-{MILLION}-s{SEED}-{ANCHOR_DATE}"
    ctx.log(f"generation: {backend}, 1,000,000 products (built once, then reused)")
    started_cpu = _children_cpu()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    url = ctx.catalog(backend, MILLION)
    seconds = time.perf_counter() - started
    reused = seconds < 60.0 and key in records  # a reused catalog answers in a second or two
    if not reused:
        records[key] = Timed(seconds, _children_cpu() - started_cpu, None, (load_before, os.getloadavg()[0])).extra(
            MILLION
        )
        records_path.write_text(json.dumps(records, indent=2) + "\n")
    figures = records.get(key)
    if figures is None:
        return Row.skip(NAME, "generate 1,000,000, wall time", "catalog reused, no recorded time", backend=backend)
    return Row.measured(
        NAME,
        "generate 1,000,000, wall time",
        figures["wall_s"],
        "s",
        backend=backend,
        limit=MILLION_LIMIT_SECONDS,
        extra={**figures, "reused": reused, "url": make_url(url).render_as_string(hide_password=True)},
    )


def _generate_args(products: int) -> list[str]:
    return ["--products", str(products), "--seed", str(SEED), "--anchor-date", ANCHOR_DATE]


def _environment() -> dict[str, str]:
    return {**os.environ, "SHOPMCP_ENV": "test", "SHOPMCP_LOG_LEVEL": "WARNING"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_command(ctx: BenchContext, url: str, arguments: list[str]) -> Timed:
    """Run `shopmcp --database-url url <arguments>`; wall time, its CPU, and its PostgreSQL backends' CPU."""
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    sampler = _BackendSampler(url) if make_url(url).get_backend_name() == "postgresql" else None
    started = time.perf_counter()
    if sampler:
        sampler.start()
    try:
        subprocess.run(
            [ctx.shopmcp, "--database-url", url, *arguments],
            check=True,
            env=_environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    finally:
        seconds = time.perf_counter() - started
        server_cpu = sampler.stop() if sampler else None
    return Timed(seconds, _children_cpu() - cpu_before, server_cpu, (load_before, os.getloadavg()[0]))


class _BackendSampler:
    """CPU seconds used by the PostgreSQL backends connected to one database, sampled from /proc."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self._database = str(parsed.database)
        self._admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        self._latest: dict[int, float] = {}
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> float:
        self._stopped.set()
        self._thread.join(timeout=10)
        return sum(self._latest.values())

    def _sample(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        with psycopg.connect(self._admin, autocommit=True) as admin:
            while not self._stopped.wait(_SAMPLE_SECONDS):
                pids = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self._database,),
                ).fetchall()
                for (pid,) in pids:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue  # ended between the query and the read; its last sample stands
                    self._latest[pid] = (int(fields[11]) + int(fields[12])) / ticks
