"""search_products with and without semantic retrieval, interleaved call by call in one process.

    .venv/bin/python -m bench.semantic_ab --database-url sqlite:////tmp/sem100k.db

The service alone (no MCP), `SearchFeatures(semantic=True)` then `(semantic=False)` for each pair, so
both sides see the same load; median and p95 per case, and the median's change, in wall time and
in CPU time of this process (`time.process_time`: on SQLite, which runs in the process, the fairer
figure on a busy machine; on PostgreSQL it leaves out the server's work).
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
    parser.add_argument("--cases", nargs="*", default=list(CASES), help="Which cases (default: all).")
    args = parser.parse_args(argv)
    db = Database(args.database_url)
    sides = (SearchFeatures(), SearchFeatures(semantic=False))
    for name in args.cases:
        query = CASES[name]
        request = SearchRequest(query=query)
        for features in sides * 3:
            db.run_read(search_products, request=request, currency="USD", features=features)
        samples: dict[bool, list[float]] = {True: [], False: []}
        cpu: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.pairs):
            for features in sides:
                started, started_cpu = time.perf_counter(), time.process_time()
                db.run_read(search_products, request=request, currency="USD", features=features)
                samples[features.semantic].append(time.perf_counter() - started)
                cpu[features.semantic].append(time.process_time() - started_cpu)
        median = {side: statistics.median(values) * 1000 for side, values in samples.items()}
        p95 = {side: sorted(values)[int(0.95 * len(values))] * 1000 for side, values in samples.items()}
        cpu_median = {side: statistics.median(values) * 1000 for side, values in cpu.items()}
        print(
            f"{name:10} on median {median[True]:6.1f} p95 {p95[True]:6.1f} | "
            f"off median {median[False]:6.1f} p95 {p95[False]:6.1f} | {(median[True] / median[False] - 1) * 100:+.0f}%"
            f" | CPU on {cpu_median[True]:6.1f} off {cpu_median[False]:6.1f} "
            f"{(cpu_median[True] / cpu_median[False] - 1) * 100:+.0f}%"
        )
    db.dispose()


if __name__ == "__main__":
    main()
