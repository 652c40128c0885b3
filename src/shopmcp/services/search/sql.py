"""SQL shapes search needs that SQLAlchemy does not spell: a join whose loop order is fixed.

SQLite's planner knows nothing about how many rows a full-text MATCH or a
bounded CTE holds, and without ANALYZE statistics it may start from the
wrong side of a join: walk a `product` index and run the full-text query
once per product, or scan every option row to group them in index order.
CROSS JOIN is SQLite's documented way to fix the order of the loops; other
databases get a plain JOIN and plan it themselves.
"""

from typing import Any

from sqlalchemy import ColumnElement, FromClause
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
