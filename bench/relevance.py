"""Search relevance: labelled natural-language queries through `search_products`, scored per search mechanism.

    .venv/bin/python -m bench.relevance                       # both sets, both backends
    .venv/bin/python -m bench.relevance --backend sqlite --set demo --json /tmp/relevance.json
    .venv/bin/python -m bench.relevance --quick               # a subset on a 500-product demo store (for tests)

Two catalogs: the demo store (what `make serve` fills: the generator's 5,000 products, seed 42) and a
store imported through the Shopify CSV importer from bench/data/relevance_store.csv, which the
generator did not make (its own product types, titles and option names). Each query of
bench/data/relevance_demo.jsonl and relevance_csv.jsonl goes through the real in-memory MCP client
(`mcp.Client(server)`) as `search_products(query=..., limit=10)`.

A query is judged from the catalog, never from product ids, so a judgment holds for any seed: a
product is relevant (grade 2) when its leaf category is one the query names and, where the query
names them, it has a variant with one of the option values (e.g. colour) and its lowest current
price is within the price bounds; a product of a named category that misses an option or price
bound is partly relevant (grade 1, for nDCG only). A query judged `"expect": "empty"` has nothing
related in the store: the right answer is no result, with a hint in `messages`.

Metrics over the queries that have relevant products: success@10 (a grade-2 product in the top 10),
top-1 (the first result is grade 2), nDCG@10 (gain 2^grade - 1, ideal ranking computed from the whole
catalog) and the zero-result rate. Over every query: how many answered zero results and the share
of those whose `messages` carry a hint; over the "expect empty" queries, the share answered empty.

Rows per mechanism: each search mechanism is a boolean setting (`search_relax`, `search_typos`,
`search_synonyms`, `search_price_words`, `search_semantic`); the baseline turns every one off, and
each next row turns one more on. Only settings that exist in this build are set (checked with
`Settings.model_fields`), so on a build without them only the baseline row is measured; the output says so.
"""

import argparse
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio
import psycopg
from mcp import Client
from sqlalchemy import text
from sqlalchemy.engine import make_url

from shopmcp.config import Settings, load_settings
from shopmcp.db import Database

DATA = Path(__file__).resolve().parent / "data"
SETS: dict[str, Path] = {"demo": DATA / "relevance_demo.jsonl", "csv": DATA / "relevance_csv.jsonl"}
STORE_CSV = DATA / "relevance_store.csv"
K = 10
DEMO_PRODUCTS = 5_000
QUICK_DEMO_PRODUCTS = 500
QUICK_EVERY = 8
"""--quick keeps every 8th query of each set."""
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"

MECHANISMS: tuple[tuple[str, str], ...] = (
    ("search_relax", "relaxation"),
    ("search_typos", "typos"),
    ("search_synonyms", "synonyms"),
    ("search_price_words", "price words"),
    ("search_semantic", "semantic"),
)
"""Settings fields, in the order the rows add them."""


# --- Labelled queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    """What makes a product relevant to a query: its leaf category, and optionally option values and price."""

    categories: frozenset[str]
    """Leaf category names, case-folded."""
    options: tuple[tuple[str, frozenset[str]], ...] = ()
    """(option name, accepted values), case-folded; the product needs a variant with one value for each."""
    max_price: int | None = None
    """Minor units; the product's lowest current price must not be above it."""
    min_price: int | None = None


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    query: str
    kind: str
    judgment: Judgment | None
    """None: nothing related in the store (the right answer is empty, with a hint)."""


def load_queries(path: Path) -> list[LabelledQuery]:
    """The queries of a JSON Lines file; a malformed line stops the run with its number."""
    queries: list[LabelledQuery] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            queries.append(parse_query(json.loads(line)))
        except (ValueError, KeyError, TypeError) as error:
            raise SystemExit(f"{path.name} line {number}: {error}") from error
        if queries[-1].id in seen:
            raise SystemExit(f"{path.name} line {number}: id {queries[-1].id!r} appears twice")
        seen.add(queries[-1].id)
    return queries


def parse_query(entry: dict[str, Any]) -> LabelledQuery:
    """One labelled query: {"id", "query", "kind", and either "expect": "empty" or "category": [...]}.

    Optional with a category: "options": {"color": ["blue", "navy"]}, "max_price"/"min_price" in major units.
    """
    query = str(entry["query"])
    if not query.strip():
        raise ValueError("empty query")
    if entry.get("expect") == "empty":
        return LabelledQuery(str(entry["id"]), query, str(entry.get("kind", "unrelated")), None)
    categories = entry["category"]
    if isinstance(categories, str):
        categories = [categories]
    if not categories:
        raise ValueError("a judged query needs at least one category")
    options = tuple(
        (
            name.casefold(),
            frozenset(str(value).casefold() for value in ([values] if isinstance(values, str) else values)),
        )
        for name, values in sorted(entry.get("options", {}).items())
    )
    judgment = Judgment(
        categories=frozenset(str(name).casefold() for name in categories),
        options=options,
        max_price=_minor(entry.get("max_price")),
        min_price=_minor(entry.get("min_price")),
    )
    return LabelledQuery(str(entry["id"]), query, str(entry.get("kind", "plain")), judgment)


def _minor(major: float | int | None) -> int | None:
    return None if major is None else round(float(major) * 100)


# --- The catalog as the judge sees it ------------------------------------------------------------


@dataclass(frozen=True)
class ProductFacts:
    leaf: str
    """Leaf category name, case-folded ('' for none)."""
    options: dict[str, frozenset[str]]
    """Option name -> values over all its variants, case-folded."""
    min_price: int | None


def read_facts(url: str) -> dict[int, ProductFacts]:
    """Every active product's leaf category, option values and lowest current price."""
    db = Database(url)
    try:
        with db.read() as tx:
            products = tx.execute(
                text(
                    "SELECT product.id, category.path, product.min_price FROM product "
                    "LEFT JOIN category ON category.id = product.category_id WHERE product.status = 'active'"
                )
            ).all()
            option_rows = tx.execute(text("SELECT product_id, name, value FROM variant_option")).all()
    finally:
        db.dispose()
    options: dict[int, dict[str, set[str]]] = {}
    for product_id, name, value in option_rows:
        options.setdefault(product_id, {}).setdefault(str(name).casefold(), set()).add(str(value).casefold())
    return {
        product_id: ProductFacts(
            leaf=(path or "").split(">")[-1].strip().casefold(),
            options={name: frozenset(values) for name, values in options.get(product_id, {}).items()},
            min_price=min_price,
        )
        for product_id, path, min_price in products
    }


def grade(judgment: Judgment, facts: ProductFacts | None) -> int:
    """2: relevant; 1: the right category but an option or price bound missed; 0: not relevant."""
    if facts is None or facts.leaf not in judgment.categories:
        return 0
    for name, accepted in judgment.options:
        if not facts.options.get(name, frozenset()) & accepted:
            return 1
    price = facts.min_price
    if judgment.max_price is not None and (price is None or price > judgment.max_price):
        return 1
    if judgment.min_price is not None and (price is None or price < judgment.min_price):
        return 1
    return 2


def ideal_grades(judgment: Judgment, catalog: dict[int, ProductFacts], k: int = K) -> list[int]:
    """The best `k` grades the catalog could return for the query, best first."""
    grades = sorted((g for g in (grade(judgment, facts) for facts in catalog.values()) if g), reverse=True)
    return grades[:k]


class Judge:
    """A catalog's judgments, the ideal rankings kept per judgment (several runs ask for the same ones)."""

    def __init__(self, catalog: dict[int, ProductFacts]) -> None:
        self.catalog = catalog
        self._ideal: dict[Judgment, list[int]] = {}

    def grade(self, judgment: Judgment, product_id: int) -> int:
        return grade(judgment, self.catalog.get(product_id))

    def ideal(self, judgment: Judgment) -> list[int]:
        if judgment not in self._ideal:
            self._ideal[judgment] = ideal_grades(judgment, self.catalog)
        return self._ideal[judgment]


# --- Metrics (pure) --------------------------------------------------------------------------------


def dcg(grades: Sequence[int]) -> float:
    """Discounted cumulative gain, gain 2^grade - 1, discount log2(rank + 1)."""
    return sum((2.0**g - 1) / math.log2(rank + 2) for rank, g in enumerate(grades))


def ndcg(grades: Sequence[int], ideal: Sequence[int]) -> float:
    best = dcg(ideal)
    return dcg(grades) / best if best else 0.0


@dataclass(frozen=True)
class QueryOutcome:
    """One query's answer as the judge sees it."""

    id: str
    kind: str
    expect_empty: bool
    grades: list[int]
    """Grade of each returned product, in order (at most K)."""
    ideal: list[int]
    total_count: int
    messages: list[str]
    error: str | None = None

    @property
    def zero(self) -> bool:
        return not self.grades

    @property
    def judgeable(self) -> bool:
        """A judged query whose catalog holds a relevant product (else it cannot be scored)."""
        return not self.expect_empty and 2 in self.ideal


@dataclass
class Metrics:
    queries: int = 0
    """Judged queries with a relevant product in the catalog."""
    success_at_10: float = 0.0
    top_1: float = 0.0
    ndcg_at_10: float = 0.0
    zero_result_rate: float = 0.0
    """Share of those judged queries that got no result at all."""
    expect_empty: int = 0
    expect_empty_answered_empty: float = 0.0
    zero_results: int = 0
    """Queries of any kind answered with no result."""
    zero_with_hint: float = 0.0
    """Share of the zero-result answers whose `messages` say something."""
    success_by_kind: dict[str, float] = field(default_factory=dict)
    """success@10 per kind of query (everyday words, misspelling, option, price, ...)."""
    unjudgeable: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def aggregate(outcomes: Sequence[QueryOutcome]) -> Metrics:
    """The set's metrics from its queries' outcomes (shares in 0..1)."""
    metrics = Metrics()
    judged = [outcome for outcome in outcomes if outcome.judgeable and outcome.error is None]
    empty = [outcome for outcome in outcomes if outcome.expect_empty and outcome.error is None]
    metrics.unjudgeable = [o.id for o in outcomes if not o.expect_empty and not o.judgeable]
    metrics.errors = [o.id for o in outcomes if o.error is not None]
    metrics.queries = len(judged)
    if judged:
        metrics.success_at_10 = _share(judged, lambda o: 2 in o.grades[:K])
        metrics.top_1 = _share(judged, lambda o: bool(o.grades) and o.grades[0] == 2)
        metrics.ndcg_at_10 = sum(ndcg(o.grades[:K], o.ideal) for o in judged) / len(judged)
        metrics.zero_result_rate = _share(judged, lambda o: o.zero)
        for kind in sorted({o.kind for o in judged}):
            of_kind = [o for o in judged if o.kind == kind]
            metrics.success_by_kind[kind] = _share(of_kind, lambda o: 2 in o.grades[:K])
    metrics.expect_empty = len(empty)
    if empty:
        metrics.expect_empty_answered_empty = _share(empty, lambda o: o.zero)
    zeros = [o for o in [*judged, *empty] if o.zero]
    metrics.zero_results = len(zeros)
    if zeros:
        metrics.zero_with_hint = _share(zeros, lambda o: any(m.strip() for m in o.messages))
    return metrics


def _share(outcomes: Sequence[QueryOutcome], test: Callable[[QueryOutcome], bool]) -> float:
    return sum(1 for outcome in outcomes if test(outcome)) / len(outcomes)


# --- Configurations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Configuration:
    name: str
    flags: dict[str, bool]
    """Only settings that exist in this build."""


def configurations(fields: Sequence[str] | None = None) -> list[Configuration]:
    """Baseline (every mechanism off), then one mechanism more per row, for the mechanisms this build has."""
    known = set(Settings.model_fields if fields is None else fields)
    present = [(name, label) for name, label in MECHANISMS if name in known]
    rows = [Configuration("baseline (all off)", {name: False for name, _ in present})]
    for index, (_name, label) in enumerate(present):
        on = {name for name, _ in present[: index + 1]}
        title = f"{label} alone" if index == 0 else f"+ {label}"
        rows.append(Configuration(title, {name: name in on for name, _ in present}))
    return rows


def missing_mechanisms(fields: Sequence[str] | None = None) -> list[str]:
    known = set(Settings.model_fields if fields is None else fields)
    return [name for name, _ in MECHANISMS if name not in known]


# --- Catalogs ----------------------------------------------------------------------------------------


@dataclass
class Places:
    """Where the run's databases live, and dropping them afterwards."""

    backend: str
    postgres_admin: str
    scratch: Path
    made: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.scratch / f'{name}.db'}"
        database = f"shopmcp_relevance_{os.getpid()}_{name}"
        with psycopg.connect(self.postgres_admin, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
        self.made.append(database)
        return (
            make_url(self.postgres_admin)
            .set(drivername="postgresql+psycopg", database=database)
            .render_as_string(hide_password=False)
        )

    def drop(self) -> None:
        if self.made:
            with psycopg.connect(self.postgres_admin, autocommit=True) as admin:
                for database in self.made:
                    admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            self.made.clear()


def _settings(url: str, **overrides: Any) -> Settings:
    return load_settings(env="test", database_url=url, log_level="WARNING", **overrides)


def build_demo(url: str, products: int) -> None:
    """The demo store exactly as `shopmcp serve` fills it on first start (seed and size from Settings)."""
    from shopmcp.bootstrap import prepare_database
    from shopmcp.services.ingest.generator.loader import settle

    settings = _settings(url, seed_demo_catalog=True, demo_products=products)
    db = Database(url)
    try:
        prepare_database(settings, db)
        settle(db)
    finally:
        db.dispose()


def build_csv(url: str, path: Path = STORE_CSV) -> None:
    """The CSV store, imported through the Shopify importer (strict: every row must land)."""
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.services.ingest.generator.loader import settle
    from shopmcp.services.ingest.importers import import_catalog

    settings = _settings(url, seed_demo_catalog=False)
    db = Database(url)
    try:
        ensure_schema(settings, db)
        with path.open("rb") as stream:
            report = import_catalog(db, stream, format="shopify-csv", strict=True, source=str(path))
        if not report.ok:
            raise RuntimeError(f"importing {path.name} failed: {report.summary()}")
        settle(db)
    finally:
        db.dispose()


# --- Running the queries -----------------------------------------------------------------------------


async def run_queries(
    url: str, configuration: Configuration, queries: Sequence[LabelledQuery], judge: Judge
) -> list[QueryOutcome]:
    """Every query through `search_products` over the in-memory MCP client, on a server with the row's settings."""
    from shopmcp.server import build_server

    settings = _settings(url, seed_demo_catalog=False, **configuration.flags)
    db = Database(url)
    outcomes: list[QueryOutcome] = []
    try:
        async with Client(build_server(settings, db=db)) as client:
            for labelled in queries:
                outcomes.append(await _ask(client, labelled, judge))
    finally:
        db.dispose()
    return outcomes


async def _ask(client: Client, labelled: LabelledQuery, judge: Judge) -> QueryOutcome:
    judgment = labelled.judgment
    ideal = judge.ideal(judgment) if judgment else []
    result = await client.call_tool("search_products", {"query": labelled.query, "limit": K})
    content = result.structured_content or {}
    if result.is_error:
        error = content.get("error", {})
        message = f"{error.get('code', 'error')}: {error.get('message', result.content)}"
        return QueryOutcome(labelled.id, labelled.kind, judgment is None, [], ideal, 0, [], error=message)
    ids = [int(item["id"]) for item in content["items"]][:K]
    grades = [judge.grade(judgment, product_id) for product_id in ids] if judgment else [0] * len(ids)
    return QueryOutcome(
        labelled.id,
        labelled.kind,
        judgment is None,
        grades,
        ideal,
        int(content["total_count"]),
        [str(message) for message in content.get("messages", [])],
    )


# --- Report ------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    backend: str
    set: str
    configuration: str
    flags: dict[str, bool]
    products: int
    """Active products in the catalog."""
    metrics: Metrics
    seconds: float
    outcomes: list[QueryOutcome]


def table(rows: Sequence[ReportRow]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| backend | set | mechanisms | queries | success@10 | top-1 | nDCG@10 | zero-result rate "
        "| expect-empty answered empty | zero results with a hint |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        m = row.metrics
        empty = f"{_pct(m.expect_empty_answered_empty)} of {m.expect_empty}" if m.expect_empty else "-"
        hint = f"{_pct(m.zero_with_hint)} of {m.zero_results}" if m.zero_results else "- (none)"
        lines.append(
            f"| {row.backend} | {row.set} | {row.configuration} | {m.queries} | {_pct(m.success_at_10)} "
            f"| {_pct(m.top_1)} | {m.ndcg_at_10:.3f} | {_pct(m.zero_result_rate)} | {empty} | {hint} |"
        )
    return "\n".join(lines)


def kind_table(rows: Sequence[ReportRow]) -> str:
    """success@10 per kind of query, as a Markdown table."""
    kinds = sorted({kind for row in rows for kind in row.metrics.success_by_kind})
    lines = [
        "| backend | set | mechanisms | " + " | ".join(kinds) + " |",
        "|---|---|---|" + "---|" * len(kinds),
    ]
    for row in rows:
        by_kind = row.metrics.success_by_kind
        cells = [_pct(by_kind[kind]) if kind in by_kind else "-" for kind in kinds]
        lines.append(f"| {row.backend} | {row.set} | {row.configuration} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def payload(
    rows: Sequence[ReportRow], command: str, notes: list[str], started: float, postgres: str | None
) -> dict[str, Any]:
    """Everything the run measured, per query included, as JSON-able data."""
    from bench.harness import machine, versions

    return {
        "command": command,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "machine": machine(),
        "versions": versions(postgres),
        "k": K,
        "notes": notes,
        "rows": [
            {
                "backend": row.backend,
                "set": row.set,
                "configuration": row.configuration,
                "flags": row.flags,
                "products": row.products,
                "seconds": round(row.seconds, 2),
                "metrics": asdict(row.metrics),
                "queries": [asdict(outcome) for outcome in row.outcomes],
            }
            for row in rows
        ],
    }


def compact_json(data: dict[str, Any]) -> str:
    """Indented JSON with each list of plain values, then each innermost object, on one line (one query a line)."""
    text = json.dumps(data, indent=1, default=str)
    text = re.sub(r"\[\n\s*([^\[\]{}]*?)\n\s*\]", lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text)
    return re.sub(r"\{\n\s*([^{}]*?)\n\s*\}", lambda m: "{" + re.sub(r",\n\s*", ", ", m.group(1)) + "}", text)


# --- Entry point -------------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--set", dest="sets", choices=("demo", "csv", "both"), default="both")
    parser.add_argument("--json", type=Path, help="Write every figure and each query's outcome here.")
    parser.add_argument(
        "--quick", action="store_true", help=f"Every {QUICK_EVERY}th query, {QUICK_DEMO_PRODUCTS}-product demo store."
    )
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="Admin URL of PostgreSQL.")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"[relevance {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def _places(backend: str, postgres_admin: str) -> Iterator[Places]:
    scratch = Path(tempfile.mkdtemp(prefix="shopmcp-relevance-"))
    places = Places(backend, postgres_admin, scratch)
    try:
        yield places
    finally:
        places.drop()
        shutil.rmtree(scratch, ignore_errors=True)


def measure(args: argparse.Namespace) -> tuple[list[ReportRow], list[str]]:
    """Build each catalog on each backend, run every configuration's queries, score them."""
    from shopmcp.observability import configure_logging

    configure_logging(log_format="console", level="WARNING")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    sets = ["demo", "csv"] if args.sets == "both" else [args.sets]
    notes: list[str] = []
    missing = missing_mechanisms()
    if missing:
        only = " Only the baseline row is measured (today's search)." if len(missing) == len(MECHANISMS) else ""
        notes.append(f"This build has no setting {', '.join(missing)}: no row for those.{only}")
    rows: list[ReportRow] = []
    for backend in backends:
        with _places(backend, args.postgres) as places:
            for set_name in sets:
                queries = load_queries(SETS[set_name])
                if args.quick:
                    queries = queries[::QUICK_EVERY]
                url = places.url(set_name)
                log(f"{backend}: building the {set_name} catalog")
                if set_name == "demo":
                    build_demo(url, QUICK_DEMO_PRODUCTS if args.quick else DEMO_PRODUCTS)
                else:
                    build_csv(url)
                catalog = read_facts(url)
                judge = Judge(catalog)
                log(f"{backend}: {len(catalog)} active products in the {set_name} catalog")
                for configuration in configurations():
                    log(f"{backend}, {set_name}: {configuration.name} ({len(queries)} queries)")
                    started = time.perf_counter()
                    outcomes = anyio.run(run_queries, url, configuration, queries, judge)
                    seconds = time.perf_counter() - started
                    metrics = aggregate(outcomes)
                    if metrics.unjudgeable:
                        log(f"  no relevant product in this catalog for: {', '.join(metrics.unjudgeable)}")
                    if metrics.errors:
                        log(f"  tool errors for: {', '.join(metrics.errors)}")
                    rows.append(
                        ReportRow(
                            backend,
                            set_name,
                            configuration.name,
                            configuration.flags,
                            len(catalog),
                            metrics,
                            seconds,
                            outcomes,
                        )
                    )
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    args = parse(arguments)
    started = time.time()
    rows, notes = measure(args)
    print(table(rows))
    print("\nsuccess@10 by kind of query:\n")
    print(kind_table(rows))
    for note in notes:
        print(f"\nNote: {note}")
    if args.json:
        import shlex

        args.json.parent.mkdir(parents=True, exist_ok=True)
        command = "python -m bench.relevance " + shlex.join(arguments)
        postgres = args.postgres if args.backend != "sqlite" else None
        args.json.write_text(compact_json(payload(rows, command, notes, started, postgres)) + "\n")
        log(f"wrote {args.json}")
    return 1 if any(row.metrics.errors for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
