"""Run every benchmark, print the table, write JSON and Markdown results.

    .venv/bin/python -m bench                 # everything (catalogs generated once, then reused)
    .venv/bin/python -m bench --quick         # under two minutes: tiny catalogs, few calls
    .venv/bin/python -m bench --only calls,startup --skip-1m --postgres postgresql://postgres@127.0.0.1/postgres

Results go to `<output>/results/<name>.json` and `<output>/RESULTS.md` (`RESULTS-quick.md` for --quick),
output defaulting to `bench/`. The benchmark interface (BenchContext, Row) is in bench/harness.py.
"""

import argparse
import importlib
import os
import shlex
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench.harness import REPO, BenchContext, BenchFunction, Row, machine, versions, write_json

# The benchmarks, run in this order: a module `bench.<name>` with run(ctx) -> list[Row] (see bench/harness.py);
# `--only <name>` picks by the last part of the module name. One line each.
BENCHMARKS: list[str] = [
    "bench.calls",
    "bench.throughput",
    "bench.startup",
    "bench.memory",
    "bench.generation",
    "bench.search_mix",
    "bench.contention",
]

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="Whole run under two minutes (tiny catalogs).")
    parser.add_argument("--only", default="", help="Comma-separated benchmark names (e.g. calls,startup).")
    parser.add_argument("--skip-1m", action="store_true", help="Leave out the 1,000,000-product parts.")
    parser.add_argument("--output", type=Path, default=REPO / "bench", help="Directory for results/ and RESULTS.md.")
    parser.add_argument("--name", default="", help="Name of the JSON file (default: timestamp).")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="Admin URL of PostgreSQL ('' to skip it).")
    parser.add_argument(
        "--work-dir", type=Path, default=Path("/tmp/shopmcp-bench"), help="Where catalogs are kept between runs."
    )
    parser.add_argument(
        "--db-prefix", default="shopmcp_bench", help="Start of the names of the databases and files it makes."
    )
    return parser.parse_args(argv)


def postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers at `url`, else the reason it does not."""
    if not url:
        return "no --postgres URL given"
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL unreachable at {url}: {str(error).strip().splitlines()[0]}"
    return None


def load(names: str) -> list[tuple[str, BenchFunction]]:
    """The registered benchmarks, narrowed to `names` when given."""
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    known = {module_name.rsplit(".", 1)[-1]: module_name for module_name in BENCHMARKS}
    unknown = wanted - known.keys()
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(known)}")
    # Imported only when chosen, so one benchmark's imports cannot stop another from running.
    return [
        (name, importlib.import_module(module).run) for name, module in known.items() if not wanted or name in wanted
    ]


def _root_cause(error: BaseException) -> str:
    """The first leaf exception (task groups wrap them), as `Type: message`, cut to 200 characters."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}"[:200]


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    chosen = load(args.only)
    reason = postgres_reachable(args.postgres)
    ctx = BenchContext(
        quick=args.quick,
        skip_1m=args.skip_1m or args.quick,
        work_dir=args.work_dir / ("quick" if args.quick else "full"),
        postgres_admin=None if reason else args.postgres,
        postgres_skip_reason=reason,
        db_prefix=args.db_prefix,
    )
    if reason:
        ctx.log(f"PostgreSQL parts skipped: {reason}")
    before = machine()
    started = time.time()
    name = args.name or time.strftime("%Y%m%d-%H%M%S", time.gmtime(started)) + ("-quick" if args.quick else "")
    commit = versions(ctx.postgres_admin)  # what is measured: the tree as the run starts
    rows: list[Row] = []
    failures: dict[str, str] = {}

    def save(complete: bool) -> Path:
        payload: dict[str, Any] = {
            "command": command,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "seconds": round(time.time() - started, 1),
            "complete": complete,
            "quick": args.quick,
            "benchmarks": [name for name, _ in chosen],
            "machine": {key: value for key, value in before.items() if key != "load_average"},
            "load_average_before": before["load_average"],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "versions": commit,
            "postgres_skipped": reason,
            "failures": failures,
            "rows": [row.__dict__ for row in rows],
        }
        return _write(args, name, payload)

    try:
        for bench_name, run in chosen:
            ctx.log(f"{bench_name}: start")
            ctx.settle()
            bench_started = time.perf_counter()
            try:
                rows.extend(run(ctx))
            except Exception as error:  # one broken benchmark must not lose the others' figures
                failures[bench_name] = traceback.format_exc()
                ctx.log(f"{bench_name}: FAILED\n{failures[bench_name]}")
                rows.append(Row.skip(bench_name, "(benchmark failed)", _root_cause(error)))
            ctx.log(f"{bench_name}: done in {time.perf_counter() - bench_started:.1f} s")
            save(complete=False)  # an interrupted run keeps what it measured
    finally:
        ctx.close()
    json_path = save(complete=True)
    from bench import report

    print(report.table(rows))
    ctx.log(f"wrote {json_path}")
    return 1 if failures else 0


def _write(args: argparse.Namespace, name: str, payload: dict[str, Any]) -> Path:
    """The JSON under results/ and the Markdown next to it (its hand-written notes kept)."""
    from bench import report

    json_path: Path = args.output / "results" / f"{name}.json"
    write_json(json_path, payload)
    markdown_path = args.output / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    kept = report.kept_notes(markdown_path)
    markdown_path.write_text(report.markdown(payload, json_path.relative_to(args.output).as_posix()) + kept)
    return json_path


if __name__ == "__main__":
    sys.exit(main())
