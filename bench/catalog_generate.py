"""Generator benchmark: wall time and database size of `shopmcp catalog generate` at scale.

Runs the real command on a fresh database, then measures what it wrote:

    .venv/bin/python -m bench.catalog_generate --backend sqlite --products 100000
    .venv/bin/python -m bench.catalog_generate --backend postgresql --products 1000000

SQLite goes to a file in --directory (kept); PostgreSQL to a database
`shopmcp_bench_<products>` on the server of --postgres (dropped unless
--keep). Results of recorded runs are in bench/catalog_generate_results.md.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from shopmcp.db import Database

SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
TABLES = ("product", "variant", "variant_option", "offer", "price_history")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(backend: str, products: int, directory: Path, postgres: str) -> str:
    if backend == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"catalog-{products}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"shopmcp_bench_{products}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return make_url(postgres).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def database_size(url: str) -> int:
    db = Database(url)
    try:
        if db.dialect == "sqlite":
            database = make_url(url).database
            assert database is not None
            return Path(database).stat().st_size
        with db.read() as tx:
            return int(tx.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        db.dispose()


def row_counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        with db.read() as tx:
            return {table: int(tx.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()) for table in TABLES}
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--products", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--anchor-date", default="2026-01-01")
    parser.add_argument("--directory", type=Path, default=Path("/tmp/shopmcp-bench"))
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="Admin URL of the PostgreSQL server.")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards.")
    args = parser.parse_args()

    url = fresh_database(args.backend, args.products, args.directory, args.postgres)
    command = [
        SHOPMCP,
        "--database-url",
        url,
        "catalog",
        "generate",
        "--products",
        str(args.products),
        "--seed",
        str(args.seed),
        "--anchor-date",
        args.anchor_date,
    ]
    environment = {**os.environ, "SHOPMCP_ENV": "test"}
    print("$ " + " ".join(command), flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=environment)
    seconds = time.perf_counter() - started

    size = database_size(url)
    counts = row_counts(url)
    rows = sum(counts.values())
    print(
        f"| {args.backend} | {args.products:,} | {seconds:.0f} s | {size / 2**20:,.0f} MiB | {rows:,} "
        f"| {counts['variant']:,} / {counts['offer']:,} / {counts['price_history']:,} |"
    )
    if args.backend == "postgresql" and not args.keep:
        name = make_url(url).database
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
