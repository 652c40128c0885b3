"""`python -m bench.relevance`: its metrics on a hand-checked case, its labelled sets, and a --quick run on SQLite.

The relevance figures themselves are not asserted here (they are what the benchmark measures);
the arithmetic that turns answers into figures is.
"""

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from bench.relevance import Judgment, ProductFacts, QueryOutcome

from bench import relevance
from shopmcp.services.ingest.generator.vocabulary import LEAVES

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 600

HEADPHONES = Judgment(categories=frozenset({"headphones"}), options=(("color", frozenset({"white"})),), max_price=5000)
CATALOG = {
    1: ProductFacts("headphones", {"color": frozenset({"black"})}, 3000),  # right category, wrong colour
    2: ProductFacts("headphones", {"color": frozenset({"white", "blue"})}, 4500),  # relevant
    3: ProductFacts("earbuds", {"color": frozenset({"white"})}, 2000),  # other category
    4: ProductFacts("headphones", {"color": frozenset({"white"})}, 9000),  # right colour, above the price bound
}


def test_grades_follow_category_options_and_price() -> None:
    assert [relevance.grade(HEADPHONES, CATALOG[i]) for i in (1, 2, 3, 4)] == [1, 2, 0, 1]
    assert relevance.grade(HEADPHONES, None) == 0
    assert relevance.ideal_grades(HEADPHONES, CATALOG) == [2, 1, 1]


def test_ndcg_on_a_hand_computed_ranking() -> None:
    # Returned: product 1 (grade 1) then product 2 (grade 2); ideal: 2, 1, 1.
    dcg = (2**1 - 1) / math.log2(2) + (2**2 - 1) / math.log2(3)
    ideal = (2**2 - 1) / math.log2(2) + (2**1 - 1) / math.log2(3) + (2**1 - 1) / math.log2(4)
    assert relevance.dcg([1, 2]) == pytest.approx(1 + 3 / 1.5849625)
    assert relevance.ndcg([1, 2], [2, 1, 1]) == pytest.approx(dcg / ideal)
    assert relevance.ndcg([2, 1, 1], [2, 1, 1]) == pytest.approx(1.0)
    assert relevance.ndcg([], [2]) == 0.0


def test_aggregate_on_a_hand_checked_set() -> None:
    def outcome(
        name: str, grades: list[int], *, empty: bool = False, messages: list[str] | None = None
    ) -> QueryOutcome:
        ideal = [] if empty else [2, 1, 1]
        return QueryOutcome(name, "plain", empty, grades, ideal, len(grades), messages or [])

    outcomes = [
        outcome("late hit", [1, 2]),  # success, not top-1
        outcome("top hit", [2, 0, 0]),  # success and top-1
        outcome("zero", []),  # a false zero, no hint
        outcome("miss", [0, 1]),  # answered, nothing relevant
        outcome("empty, hinted", [], empty=True, messages=["No product matches; try 'bag'."]),
        outcome("empty, answered", [0], empty=True),
        QueryOutcome("no relevant product", "plain", False, [0], [1], 1, []),  # not judgeable
        QueryOutcome("failed", "plain", False, [], [2], 0, [], error="invalid_argument: bad"),
    ]
    metrics = relevance.aggregate(outcomes)
    ideal = 3 + 1 / math.log2(3) + 1 / math.log2(4)
    expected_ndcg = ((1 + 3 / math.log2(3)) / ideal + 3 / ideal + 0 + (1 / math.log2(3)) / ideal) / 4
    assert metrics.queries == 4
    assert metrics.success_at_10 == pytest.approx(2 / 4)
    assert metrics.top_1 == pytest.approx(1 / 4)
    assert metrics.ndcg_at_10 == pytest.approx(expected_ndcg)
    assert metrics.zero_result_rate == pytest.approx(1 / 4)
    assert metrics.expect_empty == 2
    assert metrics.expect_empty_answered_empty == pytest.approx(1 / 2)
    assert metrics.zero_results == 2  # "zero" and "empty, hinted"
    assert metrics.zero_with_hint == pytest.approx(1 / 2)
    assert metrics.unjudgeable == ["no relevant product"]
    assert metrics.errors == ["failed"]


def test_rows_add_one_mechanism_each_and_only_settings_that_exist() -> None:
    assert [c.name for c in relevance.configurations(["database_url"])] == ["baseline (all off)"]
    assert relevance.configurations(["database_url"])[0].flags == {}
    rows = relevance.configurations(["search_typos", "search_relax", "search_price_words"])
    assert [c.name for c in rows] == ["baseline (all off)", "relaxation alone", "+ typos", "+ price words"]
    assert rows[0].flags == {"search_relax": False, "search_typos": False, "search_price_words": False}
    assert rows[2].flags == {"search_relax": True, "search_typos": True, "search_price_words": False}
    assert all(rows[-1].flags.values())


def test_labelled_sets_are_large_enough_and_name_categories_the_catalogs_have() -> None:
    demo = relevance.load_queries(relevance.SETS["demo"])
    imported = relevance.load_queries(relevance.SETS["csv"])
    assert len(demo) >= 220
    assert len(imported) >= 60
    leaves = {leaf.path[-1].casefold() for leaf in LEAVES}
    with relevance.STORE_CSV.open(newline="") as stream:
        csv_leaves = {row["Product Category"].split(">")[-1].strip().casefold() for row in csv.DictReader(stream)} - {
            ""
        }
    for queries, known in ((demo, leaves), (imported, csv_leaves)):
        for labelled in queries:
            if labelled.judgment is not None:
                assert labelled.judgment.categories <= known, labelled.id
        assert any(labelled.judgment is None for labelled in queries)  # some expect nothing


def test_a_malformed_line_is_refused_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "query": "tent", "category": ["Tents"]}\n{"id": "b", "query": "tent"}\n')
    with pytest.raises(SystemExit, match="line 2"):
        relevance.load_queries(path)


def test_the_quick_run_reports_every_set_and_row(tmp_path: Path) -> None:
    output = tmp_path / "relevance.json"
    command = [sys.executable, "-m", "bench.relevance", "--quick", "--backend", "sqlite", "--json", str(output)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "| sqlite | demo | baseline (all off) |" in done.stdout

    report = json.loads(output.read_text())
    configurations = [c.name for c in relevance.configurations()]
    assert [(row["set"], row["configuration"]) for row in report["rows"]] == [
        (name, configuration) for name in ("demo", "csv") for configuration in configurations
    ]
    for row in report["rows"]:
        assert row["backend"] == "sqlite"
        asked = relevance.load_queries(relevance.SETS[row["set"]])[:: relevance.QUICK_EVERY]
        assert [query["id"] for query in row["queries"]] == [labelled.id for labelled in asked]
        metrics = row["metrics"]
        assert metrics["errors"] == []
        assert metrics["queries"] + metrics["expect_empty"] + len(metrics["unjudgeable"]) == len(asked)
        for share in ("success_at_10", "top_1", "ndcg_at_10", "zero_result_rate", "zero_with_hint"):
            assert 0.0 <= metrics[share] <= 1.0
        assert metrics["top_1"] <= metrics["success_at_10"]
        assert all(len(query["grades"]) <= relevance.K for query in row["queries"])
        # The figures are those of the per-query outcomes recorded next to them.
        recomputed = relevance.aggregate([QueryOutcome(**query) for query in row["queries"]])
        assert recomputed.success_at_10 == pytest.approx(metrics["success_at_10"])
        assert recomputed.ndcg_at_10 == pytest.approx(metrics["ndcg_at_10"])
    assert 400 < report["rows"][0]["products"] <= relevance.QUICK_DEMO_PRODUCTS  # drafts and archived left out
