"""Statements that do several lookups at once give what the lookups one by one gave, on both databases."""

import secrets
import string

from sqlalchemy import event, select
from sqlmodel import col

from shopmcp.db import Database
from shopmcp.models.catalog import Product
from shopmcp.services.search.query import parse_query
from shopmcp.services.search.sql import id_rows, ordered_join
from shopmcp.services.search.text import counts_capped, text_search
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec


def word() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def make(database: Database, *titles: str) -> list[Product]:
    build = CatalogBuilder(database)
    seller = build.seller("Batched")
    variants = [VariantSpec(options={}, offers=[OfferSpec(seller=seller, price=1500, stock=3)])]
    return [build.product(title, variants=variants) for title in titles]


def test_capped_counts_in_one_statement_equal_the_counts_one_by_one(database: Database) -> None:
    rare, common, absent = word(), word(), word()
    make(database, f"{rare} {common} lamp", *(f"{common} chair {i}" for i in range(4)))
    queries = [rare, common, absent, f"{rare} {common}", f"{rare} {absent}", "the", f"-{common}"]
    searches = [text_search(database.dialect, parse_query(query)) for query in queries]
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    with database.read() as tx:
        one_by_one = [0 if search.is_void(tx) else search.count_capped(tx, 3) for search in searches]
        event.listen(tx.connection(), "before_cursor_execute", seen)
        together = counts_capped(tx, searches, 3)
        event.remove(tx.connection(), "before_cursor_execute", seen)
        assert counts_capped(tx, [], 3) == []

    assert together == one_by_one
    assert together[:5] == [1, 4, 0, 1, 0]  # capped at 3 + 1
    assert len(statements) == 1


def test_a_list_of_ids_joined_first_finds_each_existing_product_once(database: Database) -> None:
    first, second = make(database, f"{word()} mug", f"{word()} cup")
    missing = 10**9
    with database.read() as tx:
        assert first.id is not None
        assert second.id is not None
        ids = id_rows(database.dialect, [second.id, first.id, second.id, missing])
        statement = select(col(Product.id)).select_from(ordered_join(ids, Product, col(Product.id) == ids.c.value))
        found = [row[0] for row in tx.execute(statement).all()]
        empty = id_rows(database.dialect, [])
        nothing = tx.execute(
            select(col(Product.id)).select_from(ordered_join(empty, Product, col(Product.id) == empty.c.value))
        ).all()

    assert sorted(found) == sorted([first.id, second.id])
    assert nothing == []
