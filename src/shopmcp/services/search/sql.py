"""SQL shapes search needs that SQLAlchemy does not spell: a join whose loop order is fixed, a list of ids.

SQLite's planner knows nothing about how many rows a full-text MATCH or a
bounded CTE holds, and without ANALYZE statistics it may start from the
wrong side of a join: walk a `product` index and run the full-text query
once per product, or scan every option row to group them in index order.
CROSS JOIN is SQLite's documented way to fix the order of the loops; other
databases get a plain JOIN and plan it themselves.
"""

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, FromClause, func, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join


class OrderedJoin(Join):
    """`left JOIN right`, walked left first (rendered as CROSS JOIN on SQLite)."""

    inherit_cache = True


@compiles(OrderedJoin, "sqlite")
def _render_ordered(join: OrderedJoin, compiler: SQLCompiler, **kw: Any) -> str:
    rendered: str = compiler.visit_join(join, **kw)  # type: ignore[no-untyped-call]
    return rendered.replace(" JOIN ", " CROSS JOIN ", 1)


def ordered_join(left: FromClause, right: Any, onclause: ColumnElement[bool]) -> OrderedJoin:
    """Join `right` (a table or a table model) to `left`, walking `left` first.

    `left` must be a plain table, CTE or subquery: the rendering puts CROSS
    in front of the first JOIN it writes.
    """
    return OrderedJoin(left, getattr(right, "__table__", right), onclause)


def id_rows(dialect: str, ids: Iterable[int]) -> Any:
    """`ids` (sorted, duplicates dropped) as a table of one column, `value`, bound as a single parameter.

    Joined first (`ordered_join(id_rows(...), Product, ...)`), it makes a known list of products
    drive the lookup. `product.id IN (...)` with other conditions let SQLite's planner, which has no
    statistics, walk the status index instead: every listed product (100,000 at 100,000) to keep 400
    neighbours by meaning. One parameter also spares compiling a placeholder per id.
    """
    unique = sorted({int(product_id) for product_id in ids})  # in key order: the lookups walk the table forwards
    if dialect == "sqlite":
        return func.json_each(literal(json.dumps(unique))).table_valued("value", name="ids")
    return func.unnest(literal(unique, ARRAY(BigInteger))).table_valued("value", name="ids").render_derived()
