"""Search plans: the search service alone (no MCP) on the search mix and on the cases its plan choice is for.

search_mix times what an agent sees; this times `services.search.search_products` directly, so a change
to how a search picks its plan (words first, filters first, budgets) can be compared with the code
before it on the same catalog in the same minute: run it once as is and once with `PYTHONPATH` pointing
at the `src` of a checkout of the older commit. Besides the mix's classes it runs the cases the plan
choice is about: a common word whose filters reject almost all of its matches (a price of at most $1,
a rating of at least 4.95), an option value no product has, and a rare option value with a common word.

    .venv/bin/python -m bench.search_plans --database-url sqlite:////tmp/shopmcp-bench/bench_100000_s1.db
    PYTHONPATH=/path/to/older/src .venv/bin/python -m bench.search_plans --database-url ...

Catalogs from `shopmcp catalog generate --seed 1 --anchor-date 2026-11-01` (what `python -m bench`
builds). Results recorded in docs/search.md.
"""

import argparse
import statistics
import time
from typing import Any

from shopmcp.db import Database
from shopmcp.services.search.products import SearchRequest, search_products

FILTERED: dict[str, Any] = {"category": "electronics", "in_stock": True, "max_price": 200}
BLACK: dict[str, Any] = {"options": {"color": "black"}, "in_stock": True}
CASES: dict[str, dict[str, Any]] = {
    "rare": {"query": "heirloom"},
    "common": {"query": "durable"},
    "very common": {"query": "specifications"},
    "rare, filtered": {"query": "heirloom", **FILTERED},
    "common, filtered": {"query": "durable", **FILTERED},
    "very common, filtered": {"query": "specifications", **FILTERED},
    "rare, option": {"query": "heirloom", **BLACK},
    "common, option": {"query": "durable", **BLACK},
    "very common, option": {"query": "specifications", **BLACK},
    "two words, option": {"query": "durable heirloom", **BLACK},
    "common, price_asc": {"query": "durable", "sort": "price_asc"},
    "common, option, price_asc": {"query": "durable", "options": {"color": "black"}, "sort": "price_asc"},
    "common, at most $1": {"query": "durable", "max_price": 1},
    "common, rating >= 4.95": {"query": "durable", "min_rating": 4.95},
    "very common, option no product has": {"query": "specifications", "options": {"size": "xxs"}},
    "common, rare option": {"query": "durable", "options": {"weight": "5 lb"}},
    "very common, rare option": {"query": "specifications", "options": {"weight": "5 lb"}, "in_stock": True},
}


def measure(database: Database, rounds: int) -> dict[str, list[float]]:
    """Seconds per search for each case, in rounds that take turns between the cases (after one warm-up round)."""
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    for index in range(rounds + 1):
        for name, arguments in CASES.items():
            started = time.perf_counter()
            with database.read() as tx:
                search_products(tx=tx, request=SearchRequest(**arguments), currency="USD")
            if index:
                samples[name].append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    samples = measure(Database(args.database_url), args.rounds)
    print("| case | median ms | max ms |\n|---|---:|---:|")
    for name, seconds in samples.items():
        print(f"| {name} | {statistics.median(seconds) * 1000:.1f} | {max(seconds) * 1000:.1f} |")


if __name__ == "__main__":
    main()
