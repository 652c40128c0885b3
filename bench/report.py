"""The results as a plain-text table (stdout) and as Markdown (RESULTS.md)."""

from pathlib import Path
from typing import Any

from bench.harness import Row

NOTES_MARKER = "<!-- notes: everything below this line is kept when the table above is regenerated -->"
_HEADER = ("benchmark", "backend", "measure", "value", "baseline", "ratio", "target", "met")


def _cells(row: Row) -> tuple[str, ...]:
    if row.skipped is not None:
        return (row.bench, row.backend or "", row.name, "skipped", "", "", row.skipped, "")
    value = "" if row.value is None else f"{_number(row.value)} {row.unit}".strip()
    baseline = "" if row.baseline is None else f"{_number(row.baseline)} {row.unit} ({row.baseline_name})"
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
    met = {True: "yes", False: "NO", None: ""}[row.passed]
    return (row.bench, row.backend or "", row.name, value, baseline, ratio, row.target or "", met)


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(rows: list[Row]) -> str:
    """Aligned plain-text table."""
    lines = [_HEADER, *(tuple(cell[:90] for cell in _cells(row)) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEADER))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines)


def markdown(payload: dict[str, Any], json_name: str) -> str:
    """RESULTS.md: the command, machine, versions, load and the full table."""
    rows = [Row(**row) for row in payload["rows"]]
    machine, found = payload["machine"], payload["versions"]
    missed = [row for row in rows if row.passed is False]
    out = [
        "# Benchmark results",
        "",
        f"Command: `{payload['command']}` — started {payload['started']}, took {payload['seconds']} s.",
        f"Raw figures: `{json_name}`."
        + (
            ""
            if payload.get("complete", True)
            else " **Incomplete: the run was interrupted; these are its figures so far.**"
        ),
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM, {machine['platform']}",
        f"- Load average (1, 5, 15 min): before {payload['load_average_before']}, "
        f"after {payload['load_average_after']} (a shared machine: read ratios, not absolutes)",
        f"- Versions: Python {found['python']}, mcp {found['mcp']}, SQLAlchemy {found['sqlalchemy']}, "
        f"SQLite {found['sqlite']}, PostgreSQL {found['postgresql'] or 'not used'}, "
        f"shopmcp {found['shopmcp_commit'][:12]}{' (uncommitted changes)' if found['shopmcp_dirty'] else ''}",
    ]
    if payload.get("postgres_skipped"):
        out.append(f"- PostgreSQL parts skipped: {payload['postgres_skipped']}")
    out += [
        f"- Targets met: {sum(row.passed is True for row in rows)}, missed: {len(missed)}",
        "",
        "| " + " | ".join(_HEADER) + " |",
        "|" + "---|" * len(_HEADER),
    ]
    out += ["| " + " | ".join(cell.replace("|", "/") for cell in _cells(row)) + " |" for row in rows]
    if payload.get("failures"):
        out += ["", "## Benchmarks that failed", ""]
        out += [f"- {name}: see the JSON's `failures` for the traceback" for name in payload["failures"]]
    return "\n".join(out) + "\n"


def kept_notes(path: Path) -> str:
    """The hand-written part of an existing RESULTS.md (from the NOTES_MARKER line on), kept across runs."""
    if not path.exists():
        return f"\n{NOTES_MARKER}\n"
    text = path.read_text()
    at = text.find(NOTES_MARKER)
    return "\n" + text[at:] if at >= 0 else f"\n{NOTES_MARKER}\n"
