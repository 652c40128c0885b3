"""find_customer at scale: one look-up by email and one by name and postal code, before and after 0011's indexes.

Builds a scratch store of `--customers` customers (each with a default address) at revision 0010, times
`services.customers.lookup.find_customers` by email and by name, prints the plan of the statement the
service sent, then upgrades to the newest revision (0011 adds the lower(...) indexes) and does the same
again: both sides in the same run, on the same rows. PostgreSQL tables are ANALYZEd after the load and
after the upgrade, as autovacuum would; SQLite is not (the application never runs ANALYZE).

    .venv/bin/python -m bench.customer_lookup --database-url sqlite:////tmp/shopmcp-customers.db
    .venv/bin/python -m bench.customer_lookup --database-url postgresql+psycopg://postgres@127.0.0.1/shopmcp_customers

The file or database is dropped and made again. Results recorded in bench/RESULTS.md.
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event, insert
from sqlalchemy.engine import make_url

from shopmcp import migrations
from shopmcp.db import Database
from shopmcp.models.customer import Customer, CustomerAddress
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.services.customers.lookup import find_customers

FIRST = ["Yusuf", "Mei", "Olivia", "Noah", "Aarav", "Sofia", "Liam", "Fatima", "Chen", "Amelia"]
Lookup = Callable[[Database, dict[str, Any]], None]


def reset(url: str) -> None:
    """An empty database (or no file) at `url`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").unlink(missing_ok=True)
        return
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}"')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')


def person(index: int) -> dict[str, str]:
    """Customer `index`'s name, email and postal code: names repeat (10 first names), name pairs do not."""
    first, last = FIRST[index % len(FIRST)], f"Rossi{index:05d}"
    return {"first": first, "last": last, "email": f"{first}.{last}@Example.com", "postal": f"{index % 90000 + 10000}"}


def load(db: Database, count: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    people = [person(index) for index in range(1, count + 1)]
    sessions = [
        {"id": f"ses_{i}", "principal": f"user_{i}", "default_key": "default", "created_at": now}
        for i in range(1, count + 1)
    ]
    customers = [
        {
            "id": i,
            "session_id": f"ses_{i}",
            "principal": f"user_{i}",
            "kind": "principal",
            "first_name": p["first"],
            "last_name": p["last"],
            "email": p["email"],
            "created_at": now,
        }
        for i, p in enumerate(people, start=1)
    ]
    addresses = [
        {
            "customer_id": i,
            "position": 0,
            "line1": f"{i} Main St",
            "city": "Springfield",
            "postal_code": p["postal"],
            "country": "US",
            "is_default": True,
        }
        for i, p in enumerate(people, start=1)
    ]
    with db.engine.begin() as connection:
        connection.execute(insert(ShoppingSession), sessions)
        connection.execute(insert(Customer), customers)
        connection.execute(insert(CustomerAddress), addresses)
    analyze(db)


def analyze(db: Database) -> None:
    if db.dialect == "postgresql":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE customer, customer_address")


@contextmanager
def captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) sent while the block runs."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def plan(db: Database, arguments: dict[str, Any]) -> str:
    """The database's plan for the statement find_customers sends for `arguments`."""
    with captured(db) as sent, db.read() as tx:
        find_customers(tx=tx, **arguments)
    statement, parameters = sent[-1]
    explain = "EXPLAIN QUERY PLAN " if db.dialect == "sqlite" else "EXPLAIN "
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return "\n".join(" ".join(str(cell) for cell in row[-1:]) if db.dialect == "sqlite" else row[0] for row in rows)


def timed(db: Database, calls: list[dict[str, Any]]) -> float:
    """Median seconds per find_customers call, after a warm-up of five."""
    for arguments in calls[:5]:
        with db.read() as tx:
            find_customers(tx=tx, **arguments)
    samples = []
    for arguments in calls:
        started = time.perf_counter()
        with db.read() as tx:
            found = find_customers(tx=tx, **arguments)
        samples.append(time.perf_counter() - started)
        assert len(found.customers) == 1, found
    return statistics.median(samples)


def cases(count: int, calls: int) -> dict[str, list[dict[str, Any]]]:
    """Look-ups of random customers, as a person would type them (other letter case, a space in the code)."""
    picked = [person(index) for index in random.Random(7).sample(range(1, count + 1), calls)]
    return {
        "email": [{"email": p["email"].upper()} for p in picked],
        "name + postal code": [
            {"first_name": p["first"].lower(), "last_name": p["last"].upper(), "postal_code": f" {p['postal']} "}
            for p in picked
        ],
    }


def measure(db: Database, looks: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[float, str]]:
    return {name: (timed(db, calls), plan(db, calls[0])) for name, calls in looks.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    reset(args.database_url)
    db = Database(args.database_url)
    migrations.upgrade(db.engine, "0010")
    load(db, args.customers)
    looks = cases(args.customers, args.calls)
    before = measure(db, looks)
    migrations.upgrade(db.engine)
    analyze(db)
    after = measure(db, looks)
    db.dispose()
    print(f"{db.dialect}, {args.customers:,} customers, median of {args.calls} look-ups\n")
    print("| look-up | before ms | after ms | before / after |\n|---|---:|---:|---:|")
    for name in looks:
        print(
            f"| {name} | {before[name][0] * 1000:.2f} | {after[name][0] * 1000:.3f} | "
            f"{before[name][0] / after[name][0]:.0f} |"
        )
    for name in looks:
        print(f"\n{name}, before:\n{before[name][1]}\n\n{name}, after:\n{after[name][1]}")


if __name__ == "__main__":
    main()
