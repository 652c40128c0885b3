"""Issue 6's reliability checks in one command, and the table of what was tried, how often, with what outcome.

    .venv/bin/python -m reliability              # bounded: pytest tests/reliability, then a 20 s load
    .venv/bin/python -m reliability --long       # 110 kills per database, 5 minutes of 200 agents, ...
    .venv/bin/python -m reliability --skip-pytest    # the load alone (CI: `make test` ran tests/reliability)

The pytest part runs every test in tests/reliability (`SHOPMCP_RELIABILITY_LONG=1`
in the long form); rows come from the tests that `record` them, and every other
test is a row of its own (passed or failed). The load runs on a fresh SQLite
file and, where the local PostgreSQL answers, a fresh PostgreSQL database
(two server processes), dropped afterwards. `--seed` fixes every random choice.
Exit status 1 if anything failed.
"""

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from reliability.load import LoadResult, run_load

PG_ADMIN = os.environ.get("SHOPMCP_RELIABILITY_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BOUNDED_LOAD = {"agents": 100, "duration": 20.0}
LONG_LOAD = {"agents": 200, "duration": 300.0}


@dataclass
class Row:
    failure: str
    tries: str
    outcome: str
    ok: bool


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _pytest_rows(long: bool, seed: int, workdir: Path, paths: list[str]) -> list[Row]:
    report = workdir / "rows.jsonl"
    junit = workdir / "junit.xml"
    env = dict(os.environ, SHOPMCP_RELIABILITY_REPORT=str(report), SHOPMCP_RELIABILITY_SEED=str(seed))
    if long:
        env["SHOPMCP_RELIABILITY_LONG"] = "1"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *paths,
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
    ]
    subprocess.run(command, env=env, check=False)
    rows = []
    if report.exists():
        for line in report.read_text().splitlines():
            data = json.loads(line)
            rows.append(Row(data["failure"], str(data["tries"]), data["outcome"], ok=True))
    rows.extend(_junit_rows(junit, recorded=bool(rows)))
    return rows


def _junit_rows(junit: Path, *, recorded: bool) -> list[Row]:
    """Every test as a row: failures always, passes of tests that recorded no row of their own."""
    if not junit.exists():
        return [Row("pytest tests/reliability", "-", "did not run (no junit report)", ok=False)]
    recording = {"test_crash_safety", "test_idempotency_retries"} if recorded else set()
    rows = []
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        name = f"{module}::{case.get('name')}"
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        if failed:
            failure = case.find("failure")
            message = failure if failure is not None else case.find("error")
            text = (message.get("message") if message is not None else "") or ""
            rows.append(Row(name, "1", f"FAILED: {text[:300]}", ok=False))
        elif module not in recording:
            rows.append(
                Row(name, "1", "skipped" if skipped else f"passed ({float(case.get('time', 0)):.0f} s)", ok=True)
            )
    return rows


@contextmanager
def _databases(workdir: Path) -> Iterator[list[tuple[str, int]]]:
    """(url, server processes) of a fresh SQLite file and, if it answers, a fresh PostgreSQL database."""
    urls = [(f"sqlite:///{workdir / 'load.db'}", 1)]
    name = f"shopmcp_reliability_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        urls.append((f"{base}/{name}", 2))
        created = True
    except psycopg.OperationalError as error:
        if os.environ.get("SHOPMCP_TEST_REQUIRE_PG"):
            raise SystemExit(f"PostgreSQL required but unreachable: {error}") from error
        print(f"reliability: PostgreSQL unreachable, load on SQLite only ({error})", file=sys.stderr)
        created = False
    try:
        yield urls
    finally:
        if created:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _load_row(result: LoadResult, seed: int) -> Row:
    rss = result.rss_mib
    memory = (
        f"RSS MiB first/last sample {rss[0]} / {rss[-1]}, growth after minute one {result.growth_mib()}" if rss else ""
    )
    expected = ", ".join(f"{key} x{count}" for key, count in sorted(result.expected.items())) or "none"
    problems = []
    if result.unexpected:
        problems.append(f"UNEXPECTED ERRORS {result.unexpected[:3]}")
    if result.lost:
        problems.append(f"LOST ORDERS {list(result.lost.items())[:3]}")
    if result.extra_in_db:
        problems.append(f"{result.extra_in_db} ORDERS IN THE DATABASE NO AGENT WAS TOLD OF")
    if result.broken:
        problems.append(f"BROKEN {result.broken}")
    outcome = (
        f"{'; '.join(problems) or 'no unexpected error, no lost order'}; {result.trips} trips, {result.calls} calls, "
        f"{result.orders} orders in {result.duration_s} s; expected business errors: {expected}; {memory}"
    )
    return Row(
        f"{result.agents} agents on HTTP for {result.duration_s:.0f} s, {result.processes} process(es) "
        f"({result.database}, seed {seed})",
        str(result.trips),
        outcome,
        ok=result.ok,
    )


def _table(rows: list[Row], command: str, seed: int, loads: tuple[str, str], started: str) -> str:
    lines = [
        f"Run {started} UTC on {platform.node()} ({os.cpu_count()} cores): `{command}`, seed {seed}, "
        f"load average {loads[0]} at the start and {loads[1]} at the end.",
        "",
        "| Failure tried | Times | Outcome |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {row.failure} | {row.tries} | {row.outcome.replace('|', '/')} |" for row in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--long", action="store_true", help="the long forms (about an hour and a half)")
    parser.add_argument("--skip-pytest", action="store_true", help="only the load (tests/reliability ran elsewhere)")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--tests", nargs="+", default=["tests/reliability"], help="the pytest part's paths")
    parser.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    load_before = _load_average()
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="shopmcp-reliability-") as directory:
        workdir = Path(directory)
        if not args.skip_pytest:
            rows += _pytest_rows(args.long, seed, workdir, args.tests)
        if not args.skip_load:
            shape = LONG_LOAD if args.long else BOUNDED_LOAD
            with _databases(workdir) as urls:
                for url, processes in urls:
                    result = run_load(
                        url, agents=int(shape["agents"]), duration=shape["duration"], processes=processes, seed=seed
                    )
                    rows.append(_load_row(result, seed))
                    notes.append(f"RSS MiB every 10 s, {result.database}: {result.rss_mib}")
    command = "python -m reliability " + " ".join(sys.argv[1:])
    table = _table(rows, command.strip(), seed, (load_before, _load_average()), started)
    table += "".join(f"\n{note}\n" for note in notes)
    print(table)
    if args.out:
        args.out.write_text(table)
    raise SystemExit(0 if all(row.ok for row in rows) else 1)


if __name__ == "__main__":
    main()
