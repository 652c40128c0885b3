"""Search latency by query class, on 100,000 and 1,000,000 products, against echo and a naive LIKE search.

A fixed mix of words, each plain and with filters, through the in-memory MCP client (what an agent
sees: framing, the server's worker thread, the client's check of every result against the output
schema):

- rare: `heirloom`, in about one product in 500 (`vocabulary.RARE_TERM`);
- common: `durable`, about one in three (`vocabulary.COMMON_TERM`);
- very common: `specifications`, in every description (the generator's "Specifications: ..."
  sentence, `generator/products.py`);
- two words: `durable heirloom` (both must match);
- no match: `zyxwvut` (`vocabulary.NO_MATCH_TERM`);

each plain, "filtered" (category `electronics` and its subcategories, in stock, at most $200) and
with an option filter (`color` = black, in stock); plus `durable` sorted by price and `durable`'s
second page. The calls go in rounds that take turns between the classes (one call of each per round),
so a burst of load from elsewhere on the machine falls on all classes alike. search_products always
computes and returns facets (the API has no switch to leave them out), so every class here is "with
facets"; the plain classes are the ones with the fewest filters the API allows.

Baselines measured in the same run: a bare in-memory echo tool (median), and the naive search the
design rules out: `LIKE '%word%'` on title and description (ILIKE on PostgreSQL, so both are
case-insensitive), the same filters, `ORDER BY id LIMIT 10`, through the same driver.

Targets: on 100,000 products, p95 of every class at most 15 ms and at most 30x the echo median; on
1,000,000, p95 at most 60 ms; the naive search at least 20x slower than search_products on the rare
and no-match classes.
"""

import time
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import text

from bench import servers
from bench.harness import BenchContext, Row, Stats, summarize
from shopmcp.db import Database
from shopmcp.services.ingest.generator.vocabulary import COMMON_TERM, NO_MATCH_TERM, RARE_TERM

NAME = "search_mix"
VERY_COMMON_TERM = "specifications"
WORDS: dict[str, str] = {
    "rare": RARE_TERM,
    "common": COMMON_TERM,
    "very common": VERY_COMMON_TERM,
    "two words": f"{COMMON_TERM} {RARE_TERM}",
    "no match": NO_MATCH_TERM,
}
FILTERS: dict[str, dict[str, Any]] = {
    "": {},
    "filtered": {"category": "electronics", "in_stock": True, "max_price": 200},
    "option": {"options": {"color": "black"}, "in_stock": True},
}
NAIVE_CLASSES = ("rare", "no match")
LIMIT_100K_MS = 15.0
LIMIT_1M_MS = 60.0
MAX_ECHO_RATIO = 30.0
MIN_NAIVE_RATIO = 20.0
QUICK_PRODUCTS = 500
"""The catalog size of --quick, the one the other quick benchmarks use too."""
QUICK_CLASSES = ("rare", "common", "very common", "two words", "no match", "rare, filtered", "common, page 2")


@dataclass(frozen=True)
class Plan:
    """How many calls per class (after warm-up) for one catalog size."""

    products: int
    calls: int
    warmup: int
    naive_calls: int
    p95_limit_ms: float | None
    """None: no targets (the tiny catalog of --quick, where a naive scan is cheap too)."""
    echo_calls: int = 200
    only: tuple[str, ...] = ()
    """The classes to run; empty: all of them."""
    naive_only: tuple[str, ...] = ()
    """Word classes the naive search runs for; empty: all (at 1M a LIKE scan takes seconds)."""


def plans(ctx: BenchContext) -> list[Plan]:
    if ctx.quick:
        return [Plan(QUICK_PRODUCTS, 5, 2, 1, None, echo_calls=50, only=QUICK_CLASSES)]
    found = [Plan(100_000, 100, 10, 5, LIMIT_100K_MS)]
    if not ctx.skip_1m:
        found.append(Plan(1_000_000, 30, 3, 2, LIMIT_1M_MS, naive_only=NAIVE_CLASSES))
    return found


def classes(only: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """The classes of the mix (all, or those named in `only`) and their search_products arguments."""
    mix: dict[str, dict[str, Any]] = {}
    for word_class, words in WORDS.items():
        for filter_name, filters in FILTERS.items():
            mix[f"{word_class}, {filter_name}" if filter_name else word_class] = {"query": words, **filters}
    mix["common, price_asc"] = {"query": COMMON_TERM, "sort": "price_asc"}
    mix["common, page 2"] = {"query": COMMON_TERM, "page": 2}
    return {name: arguments for name, arguments in mix.items() if not only or name in only}


def run(ctx: BenchContext) -> list[Row]:
    rows: list[Row] = []
    if not ctx.quick and ctx.skip_1m:
        rows += [Row.skip(NAME, "1,000,000 products", "--skip-1m", backend=backend) for backend in ctx.backends]
    return rows + run_plans(ctx, plans(ctx))


def run_plans(ctx: BenchContext, chosen: list[Plan]) -> list[Row]:
    """The mix on each backend for each plan (catalog size)."""
    rows: list[Row] = []
    for backend in ctx.backends:
        for plan in chosen:
            url = ctx.catalog(backend, plan.products)
            ctx.settle()  # the catalog may have just been built
            ctx.log(f"search: {backend}, {plan.products:,} products")
            echo, measured = anyio.run(_measure, url, plan)
            naive = _naive(url, plan)
            rows += _rows(backend, plan, echo, measured, naive)
    return rows


async def _measure(url: str, plan: Plan) -> tuple[Stats, dict[str, tuple[Stats, str]]]:
    """The echo median, then each class: its statistics and its match count as the tool reports it."""
    echo_samples: list[float] = []
    async with servers.connect("echo", "memory") as echo:
        for index in range(plan.echo_calls + plan.warmup):
            started = time.perf_counter()
            await echo.call_tool("echo", {"text": "ping"})
            if index >= plan.warmup:
                echo_samples.append(time.perf_counter() - started)
    async with servers.connect("shopmcp", "memory", url) as shop:
        arguments_of = {name: await _arguments(shop, arguments) for name, arguments in classes(plan.only).items()}
        samples: dict[str, list[float]] = {name: [] for name in arguments_of}
        content: dict[str, dict[str, Any]] = {}
        # Rounds take turns between the classes, so a burst of load from elsewhere falls on all of them alike.
        for index in range(plan.warmup + plan.calls):
            for name, arguments in arguments_of.items():
                started = time.perf_counter()
                result = await shop.call_tool("search_products", arguments)
                elapsed = time.perf_counter() - started
                if result.is_error or result.structured_content is None:
                    raise RuntimeError(f"search_products {arguments} failed: {result.content}")
                content[name] = result.structured_content
                if index >= plan.warmup:
                    samples[name].append(elapsed)
    measured: dict[str, tuple[Stats, str]] = {}
    for name, found in content.items():
        matches = f"{found['total_count']}{'' if found['total_count_exact'] else '+'}"
        measured[name] = (summarize(samples[name]), matches)
    return summarize(echo_samples), measured


async def _arguments(shop: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """search_products' arguments for a class: "page" 2 becomes the cursor the first page gives."""
    arguments = dict(arguments)
    if arguments.pop("page", None):
        first = await shop.call_tool("search_products", arguments)
        assert first.structured_content is not None
        assert first.structured_content["next_cursor"]
        arguments["cursor"] = first.structured_content["next_cursor"]
    return arguments


def _naive(url: str, plan: Plan) -> dict[str, Stats]:
    """The LIKE search of each word class, plain and filtered, `plan.naive_calls` times each."""
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            electronics = [
                int(row[0])
                for row in connection.execute(
                    text("SELECT id FROM category WHERE path = 'Electronics' OR path LIKE 'Electronics > %'")
                )
            ]
            found: dict[str, Stats] = {}
            for name, arguments in classes(plan.only).items():
                if "sort" in arguments or "page" in arguments:
                    continue
                if plan.naive_only and name.split(",")[0] not in plan.naive_only:
                    continue
                statement, parameters = naive_statement(db.dialect, arguments, electronics)
                connection.execute(statement, parameters).all()  # warm the cache as search_products' warm-up does
                samples = []
                for _ in range(plan.naive_calls):
                    started = time.perf_counter()
                    connection.execute(statement, parameters).all()
                    samples.append(time.perf_counter() - started)
                found[name] = summarize(samples)
            connection.rollback()
        return found
    finally:
        db.dispose()


def naive_statement(dialect: str, arguments: dict[str, Any], category_ids: list[int]) -> tuple[Any, dict[str, Any]]:
    """`LIKE '%word%'` on title and description for each word, the same filters, ORDER BY id LIMIT 10."""
    like = "ILIKE" if dialect == "postgresql" else "LIKE"
    conditions = ["p.status = 'active'", "p.min_price IS NOT NULL"]
    parameters: dict[str, Any] = {}
    for index, word in enumerate(str(arguments["query"]).split()):
        parameters[f"w{index}"] = f"%{word}%"
        conditions.append(f"(p.title {like} :w{index} OR p.description {like} :w{index})")
    if "category" in arguments:
        conditions.append(f"p.category_id IN ({', '.join(str(number) for number in category_ids)})")
    if arguments.get("in_stock"):
        conditions.append("p.in_stock")
    if "max_price" in arguments:
        parameters["max_price"] = int(arguments["max_price"]) * 100
        conditions.append("p.currency = 'USD' AND p.min_price <= :max_price")
    for option_index, (option, value) in enumerate(arguments.get("options", {}).items()):
        parameters[f"o{option_index}"], parameters[f"v{option_index}"] = option, value.lower()
        conditions.append(
            "EXISTS (SELECT 1 FROM variant_option o WHERE o.product_id = p.id "
            f"AND o.name = :o{option_index} AND lower(o.value) = :v{option_index})"
        )
    sql = f"SELECT p.id, p.title FROM product p WHERE {' AND '.join(conditions)} ORDER BY p.id LIMIT 10"
    return text(sql), parameters


def _rows(
    backend: str, plan: Plan, echo: Stats, measured: dict[str, tuple[Stats, str]], naive: dict[str, Stats]
) -> list[Row]:
    size = f"{plan.products:,}"
    # The echo median of this backend's part of the run: each part has its own, measured alongside it.
    echo_row = Row.measured(
        NAME, f"{size}: echo median (in memory)", echo.median_ms, "ms", backend=backend, extra=echo.as_dict()
    )
    rows = [echo_row]
    for name, (stats, matches) in measured.items():
        extra = {**stats.as_dict(), "matches": matches, "products": plan.products}
        label = f"{size}: {name}, p95"
        rows.append(
            Row.measured(NAME, label, stats.p95_ms, "ms", backend=backend, limit=plan.p95_limit_ms, extra=extra)
        )
        if plan.p95_limit_ms == LIMIT_100K_MS:
            rows.append(
                Row.versus(
                    NAME,
                    f"{size}: {name}, p95 vs echo median",
                    stats.p95_ms,
                    echo.median_ms,
                    "ms",
                    baseline_name="echo median",
                    backend=backend,
                    max_ratio=MAX_ECHO_RATIO,
                )
            )
        if name in naive:
            word_class = name.split(",")[0]
            rows.append(
                Row.versus(
                    NAME,
                    f"{size}: {name}, naive LIKE median vs search median",
                    naive[name].median_ms,
                    stats.median_ms,
                    "ms",
                    baseline_name="search_products median",
                    backend=backend,
                    min_ratio=MIN_NAIVE_RATIO if word_class in NAIVE_CLASSES and plan.p95_limit_ms else None,
                    extra=naive[name].as_dict(),
                )
            )
    return rows
