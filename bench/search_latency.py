"""search_products latency: a rare, a common and a no-match query, through the in-memory MCP client.

Generate the catalog first (same seed and anchor date, same rows), then time:

    .venv/bin/shopmcp --database-url sqlite:////tmp/bench-100k.db \\
        catalog generate --products 100000 --seed 1 --anchor-date 2026-11-01
    .venv/bin/python -m bench.search_latency --database-url sqlite:////tmp/bench-100k.db

(the same with `postgresql+psycopg://postgres@127.0.0.1/bench_100k` for PostgreSQL). The words are
the generator's: `heirloom` in about one product in 500, `durable` in about one in three,
`zyxwvut` in none (`services/ingest/generator/vocabulary.py`). Each case is called `--warmup` times, then
timed `--calls` times, one call after another; the figures are wall time per call as the client
sees it (MCP framing, the server's worker thread, the output-schema check the client makes on
every result) and, for comparison, the service function alone. Results of the recorded runs are
in docs/search.md.
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client

from shopmcp.config import load_settings
from shopmcp.db import Database
from shopmcp.observability import configure_logging
from shopmcp.server import build_server
from shopmcp.services.ingest.generator.vocabulary import COMMON_TERM, NO_MATCH_TERM, RARE_TERM
from shopmcp.services.search.products import SearchRequest, search_products

CASES: dict[str, dict[str, Any]] = {
    "rare": {"query": RARE_TERM},
    "common": {"query": COMMON_TERM},
    "no match": {"query": NO_MATCH_TERM},
    "common, price_asc": {"query": COMMON_TERM, "sort": "price_asc"},
    "common, page 2": {"query": COMMON_TERM},
    "browse, no query": {},
    # Relaxed queries (docs/search.md): a word no product has, a typo, a person's sentence.
    "common + no-match word": {"query": f"{COMMON_TERM} {NO_MATCH_TERM}"},
    "typo (hedphones)": {"query": "hedphones"},
    "sentence": {"query": "comfortable running shoes for flat feet"},
    # Semantic retrieval (SHOPMCP_SEARCH_SEMANTIC=false for the same cases without it): a need no
    # title spells, and a word whose every-word matches are reordered by meaning.
    "need (water my plants)": {"query": "something to water my plants"},
    "reordered (laptop)": {"query": "laptop"},
}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
    }


def timed(call: Callable[[], Any], calls: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


async def client_timings(url: str, calls: int, warmup: int) -> dict[str, dict[str, Any]]:
    db = Database(url)
    settings = load_settings(env="test", database_url=url, seed_demo_catalog=False, log_level="WARNING")
    results: dict[str, dict[str, Any]] = {}
    async with Client(build_server(settings, db=db)) as client:
        for name, args in CASES.items():
            if name == "common, page 2":
                first = await client.call_tool("search_products", args)
                assert first.structured_content is not None
                args = {**args, "cursor": first.structured_content["next_cursor"]}
            outcome = await client.call_tool("search_products", args)
            assert not outcome.is_error, outcome.content
            content = outcome.structured_content
            assert content is not None
            samples: list[float] = []
            cpu: list[float] = []
            for round_number in range(warmup + calls):
                started, started_cpu = time.perf_counter(), time.process_time()
                await client.call_tool("search_products", args)
                if round_number >= warmup:
                    samples.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
            results[name] = {
                "total_count": f"{content['total_count']}{'' if content['total_count_exact'] else '+'}",
                "client": summary(samples),
                # This process's CPU per call (client, server, and SQLite, which runs in it; not
                # PostgreSQL's server): what a busy machine inflates least.
                "client_cpu": summary(cpu),
            }
    db.dispose()
    return results


def service_timings(url: str, calls: int, warmup: int, results: dict[str, dict[str, Any]]) -> None:
    db = Database(url)
    for name, args in CASES.items():
        if name == "common, page 2":
            first = db.run_read(search_products, request=SearchRequest(**args), currency="USD")
            args = {**args, "cursor": first.next_cursor}
        request = SearchRequest(**args)

        def call(request: SearchRequest = request) -> None:
            db.run_read(search_products, request=request, currency="USD")

        samples = timed(call, calls, warmup)
        results[name]["service"] = summary(samples)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="A catalog made by `shopmcp catalog generate`.")
    parser.add_argument("--calls", type=int, default=200, help="Timed calls per case.")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed calls per case first.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    parser.add_argument("--client-only", action="store_true", help="Skip the service-alone timings.")
    args = parser.parse_args()
    configure_logging(log_format="console", level="WARNING")

    results = anyio.run(client_timings, args.database_url, args.calls, args.warmup)
    if not args.client_only:
        service_timings(args.database_url, args.calls, args.warmup, results)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{'case':<20} {'matches':>8} {'client median':>14} {'client p95':>11} {'CPU median':>11}"
        f" {'service median':>15} {'p95':>9}"
    )
    for name, figures in results.items():
        client, cpu = figures["client"], figures["client_cpu"]
        service = figures.get("service", {"median_ms": float("nan"), "p95_ms": float("nan")})
        print(
            f"{name:<20} {figures['total_count']:>8} {client['median_ms']:>11.2f} ms {client['p95_ms']:>8.2f} ms"
            f" {cpu['median_ms']:>8.2f} ms {service['median_ms']:>12.2f} ms {service['p95_ms']:>9.2f} ms"
        )


if __name__ == "__main__":
    main()
