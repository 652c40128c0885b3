"""search_products with and without semantic retrieval, interleaved call by call in one process.

    .venv/bin/python -m bench.semantic_ab --database-url sqlite:////tmp/sem100k.db

The service alone (no MCP), `SearchFeatures(semantic=True)` then `(semantic=False)` for each pair, so
both sides see the same load; median and p95 per case, and the median's change.
"""

import argparse
import statistics
import time

from shopmcp.db import Database
from shopmcp.services.search.products import SearchFeatures, SearchRequest, search_products

CASES = {
    "rare": "heirloom",
    "common": "durable",
    "laptop": "laptop",
    "two words": "durable heirloom",
    "sentence": "comfortable running shoes for flat feet",
    "need": "something to water my plants",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pairs", type=int, default=25)
    args = parser.parse_args(argv)
    db = Database(args.database_url)
    sides = (SearchFeatures(), SearchFeatures(semantic=False))
    for name, query in CASES.items():
        request = SearchRequest(query=query)
        for features in sides * 3:
            db.run_read(search_products, request=request, currency="USD", features=features)
        samples: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.pairs):
            for features in sides:
                started = time.perf_counter()
                db.run_read(search_products, request=request, currency="USD", features=features)
                samples[features.semantic].append(time.perf_counter() - started)
        median = {side: statistics.median(values) * 1000 for side, values in samples.items()}
        p95 = {side: sorted(values)[int(0.95 * len(values))] * 1000 for side, values in samples.items()}
        print(
            f"{name:10} on median {median[True]:6.1f} p95 {p95[True]:6.1f} | "
            f"off median {median[False]:6.1f} p95 {p95[False]:6.1f} | {(median[True] / median[False] - 1) * 100:+.0f}%"
        )
    db.dispose()


if __name__ == "__main__":
    main()
