"""Semantic search's costs: a query's embedding, embedding a catalog, the nearest-neighbour scan.

    .venv/bin/python -m bench.semantic                         # 100,000 products on SQLite
    .venv/bin/python -m bench.semantic --products 20000 --database-url postgresql+psycopg://...

1. Query embedding: every query of bench/data/relevance_*.jsonl embedded one at a time (as a search
   does), `--rounds` times after one warm-up pass; median, p95 and p99 per query. Also the model's
   load time in a fresh process is reported (the first search of a process pays it).
2. Catalog embedding: a demo catalog of `--products` products is generated (that embeds it, as every
   generate does); then its embeddings are deleted and `refresh_embeddings` recomputes all of them,
   timed alone: reading the product texts, embedding, quantising and writing.
3. Nearest neighbours: the first search reads the matrix (timed), then each query's
   `nearest_products(limit=100)` over the whole catalog, median and p95.

Limits the issue sets: a query embeds in at most 5 ms p95; 100,000 products embed in at most 5 minutes.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from shopmcp.db import Database

DATA = Path(__file__).resolve().parent / "data"


def _queries() -> list[str]:
    queries = []
    for name in ("relevance_demo.jsonl", "relevance_csv.jsonl"):
        for line in (DATA / name).read_text().splitlines():
            if line.strip():
                queries.append(json.loads(line)["query"])
    return queries


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"median {statistics.median(ordered) * 1000:.3f} ms, p95 {at(0.95):.3f} ms, p99 {at(0.99):.3f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default="",
        help="default: a new SQLite file in a scratch directory; one with products is reused",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from shopmcp.services.semantic.embedder import embedder

    model = embedder()
    print(
        f"model: {model.name}, {model.table.shape[0]} tokens x {model.dimensions} dimensions; "
        f"import and load {time.perf_counter() - started:.3f} s"
    )

    queries = _queries()
    for query in queries:
        model.embed_one(query)
    samples = []
    for _ in range(args.rounds):
        for query in queries:
            began = time.perf_counter()
            model.embed_one(query)
            samples.append(time.perf_counter() - began)
    print(f"query embedding ({len(queries)} queries x {args.rounds}): {_percentiles(samples)}")

    from sqlalchemy import delete
    from sqlmodel import col, select

    from shopmcp import migrations
    from shopmcp.models.catalog import Product
    from shopmcp.models.semantic import ProductEmbedding
    from shopmcp.services.ingest.generator import generate_catalog
    from shopmcp.services.semantic.index import nearest_products
    from shopmcp.services.semantic.store import refresh_embeddings

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='shopmcp-semantic-')}/shop.db"
    db = Database(url)
    migrations.upgrade(db.engine)
    with db.read() as tx:
        existing = len(tx.exec(select(col(Product.id))).all())
    if existing:
        print(f"the database has {existing} products already: not generating")
    else:
        began = time.perf_counter()
        with db.write() as tx:
            generate_catalog(tx, products=args.products, seed=42)
        print(f"generated {args.products} products (with their embeddings) in {time.perf_counter() - began:.1f} s")

    with db.write() as tx:
        tx.exec(delete(ProductEmbedding))
    began = time.perf_counter()
    with db.write() as tx:
        ids = list(tx.exec(select(col(Product.id))).all())
        embedded = refresh_embeddings(tx, [i for i in ids if i is not None])
    seconds = time.perf_counter() - began
    print(f"embedded {embedded} products again in {seconds:.1f} s ({embedded / seconds:.0f} products/s)")

    with db.read() as tx:
        began = time.perf_counter()
        nearest_products(tx, "warm up", limit=100)
        print(f"first search (reads the matrix): {(time.perf_counter() - began) * 1000:.0f} ms")
        samples = []
        for query in queries:
            began = time.perf_counter()
            nearest_products(tx, query, limit=100)
            samples.append(time.perf_counter() - began)
    print(f"nearest 100 of {embedded} ({len(queries)} queries, embedding included): {_percentiles(samples)}")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
