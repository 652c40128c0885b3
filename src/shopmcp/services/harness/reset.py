"""Reset: return the whole store to its seeded state (for harnesses between runs).

Everything goes, sessions, carts, quotes, orders, counters and the catalog,
and the catalog is generated again from `seed` with the demo coupons, in one
write transaction: a reader sees the old store or the new one, never half of
each. PostgreSQL empties the tables with one TRUNCATE (identities restart);
SQLite deletes their rows (ids restart at 1 as the tables are empty).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, text
from sqlmodel import Session, SQLModel

from shopmcp.services.ingest.demo_coupons import seed_demo_coupons
from shopmcp.services.ingest.generator import generate_catalog


@dataclass(frozen=True)
class ResetResult:
    products: int
    offers: int
    seed: int


def reset_store(*, tx: Session, products: int, seed: int, currency: str, anchor: datetime | None) -> ResetResult:
    """Empty every table and generate the store of `seed` again (see the module docstring)."""
    _empty_everything(tx)
    generated = generate_catalog(tx, products=products, seed=seed, anchor=anchor, currency=currency)
    seed_demo_coupons(tx=tx, currency=currency)
    return ResetResult(products=generated.products, offers=generated.offers, seed=seed)


def _tables() -> list[Table]:
    import shopmcp.models  # noqa: F401 - registers every table on the metadata

    return list(reversed(SQLModel.metadata.sorted_tables))


def _empty_everything(tx: Session) -> None:
    tables = _tables()
    if tx.get_bind().dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        tx.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    # The FTS index first in one statement, so the per-row delete trigger finds nothing to do.
    tx.execute(text("DELETE FROM product_fts"))
    for table in tables:
        tx.execute(table.delete())
