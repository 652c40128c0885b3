"""`shopmcp catalog generate | import | export`, run as the real command: exit codes and what a person reads.

The catalog rules themselves are tested on both databases in tests/services;
here `generate` runs on both, the rest on SQLite.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, create_pg_database, drop_pg_database

SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "shopify_product_template.csv"
_TIMEOUT = 180


def shopmcp(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SHOPMCP_ENV": "test", "SHOPMCP_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [SHOPMCP, "--database-url", database_url, "catalog", *args],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        env=environment,
        check=False,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Where the command creates an SQLite database (the file does not exist yet)."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database that does not exist yet (SQLite) or is empty and unmigrated (PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def test_generate_fills_a_new_database_and_refuses_to_fill_it_twice(database_url: str) -> None:
    first = shopmcp(database_url, "generate", "--products", "300", "--seed", "4", "--anchor-date", "2026-01-15")
    again = shopmcp(database_url, "generate", "--products", "300")
    appended = shopmcp(database_url, "generate", "--products", "20", "--append", "--seed", "4")

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Generated 300 products (")
    assert "product ids 1-300, seed 4" in first.stdout
    assert again.returncode == 1
    assert "already has 300 products; nothing was generated" in again.stderr
    assert "--append" in again.stderr
    assert appended.returncode == 0, appended.stderr
    assert "product ids 301-320" in appended.stdout


def test_generate_refuses_bad_arguments(sqlite_url: str) -> None:
    negative = shopmcp(sqlite_url, "generate", "--products", "-5")
    bad_date = shopmcp(sqlite_url, "generate", "--anchor-date", "yesterday")

    assert negative.returncode == 2
    assert "-5 is negative" in negative.stderr
    assert bad_date.returncode == 2
    assert "not a date like 2026-01-31" in bad_date.stderr


def test_import_reports_counts_then_nothing_new_on_a_second_run(sqlite_url: str) -> None:
    first = shopmcp(sqlite_url, "import", str(TEMPLATE))
    second = shopmcp(sqlite_url, "import", str(TEMPLATE), "--strict")

    assert first.returncode == 0, first.stderr
    assert "products: 3 created, 0 updated, 0 unchanged, 0 skipped" in first.stdout
    assert "variants: 16 created; offers: 16 created" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "products: 0 created, 0 updated, 3 unchanged, 0 skipped" in second.stdout


def test_import_lists_bad_rows_by_line_and_strict_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant Price\n"
        'fine,Fine,"<p>two\nlines</p>",Size,S,5.00\n'
        "broken,Broken,,Size,S,five\n",
        encoding="utf-8",
    )

    strict = shopmcp(sqlite_url, "import", str(bad), "--strict")
    lenient = shopmcp(sqlite_url, "import", str(bad))
    exported = shopmcp(sqlite_url, "export", "-")

    assert strict.returncode == 1
    assert "nothing written" in strict.stdout
    assert "line 4 (broken): Variant Price 'five'" in strict.stdout
    assert lenient.returncode == 1
    assert "products: 1 created, 0 updated, 0 unchanged, 1 skipped" in lenient.stdout
    assert "line 4 (broken)" in lenient.stdout
    assert [json.loads(line)["handle"] for line in exported.stdout.splitlines()] == ["fine"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("prices.txt", "whatever", "Cannot tell the format of"),
        ("prices.csv", "Name,Price\nshirt,10\n", "not a Shopify product CSV"),
        ("missing.csv", None, "No such file or directory"),
    ],
)
def test_import_refuses_a_file_it_cannot_read(
    sqlite_url: str, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")

    result = shopmcp(sqlite_url, "import", str(path))

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_synonyms_import_adds_rules_list_shows_them_and_a_bad_line_imports_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    rules = tmp_path / "synonyms.txt"
    rules.write_text("# the shop's words\nsneakers, kicks\nbrolly => umbrella\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("kicks, sneakers\nlonely\n", encoding="utf-8")

    imported = shopmcp(sqlite_url, "synonyms", "import", str(rules))
    refused = shopmcp(sqlite_url, "synonyms", "import", str(bad))
    listed = shopmcp(sqlite_url, "synonyms", "list")

    assert imported.returncode == 0, imported.stderr
    assert "Imported 2 synonym rules" in imported.stdout
    assert refused.returncode == 2
    assert "Line 2 is not a synonym rule" in refused.stderr
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "tv, television" in lines  # the shipped default set
    assert lines[-2:] == ["sneakers, kicks", "brolly => umbrella"]
