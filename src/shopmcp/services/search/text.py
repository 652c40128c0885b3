"""The full-text half of search, one class per database: how a parsed query matches and scores products.

Both backends offer the same things to `search.products`:

- `count_capped`: how many products the text matches, counted only up to a
  cap, so a very common word costs no more than a rare one;
- `driven`: the products matching the text, read from the full-text index
  (a join the database walks in index order and can stop early);
- `filter`: the same test as a condition on `product` rows, for plans that
  walk a base-table index (a price sort) and check the text per row;
- `ranked`: the bounded candidates of a relevance sort with their scores,
  title matches (tier 0) before matches elsewhere (tier 1);
- `sorted`: a page in a base-table order (price, rating, newest) over every
  match.

SQLite: an FTS5 table `product_fts` (db.py) scored by bm25 with the column
weights below. PostgreSQL: `product.search_vector` with a GIN index, matched
with `to_tsquery` and scored by `ts_rank`, which weighs the A-D labels set in
db.py. On PostgreSQL the planner has statistics on the tsvector and chooses
between the GIN index and a base-table index itself; SQLite's planner knows
nothing about how common a word is, so `SqliteTextSearch` decides (see
`SqliteTextSearch.sorted`, and `search.sql` for the joins).
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    case,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy import column as sql_column
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnClause
from sqlmodel import Session, col

from shopmcp.models.catalog import Product
from shopmcp.services.search import query as search_query
from shopmcp.services.search.query import ColumnHint, ParsedQuery
from shopmcp.services.search.sql import OrderedJoin, ordered_join

BM25_WEIGHTS = (10.0, 5.0, 2.0, 1.0, 2.0)
"""FTS5 column weights: title, brand, category path, description, attribute values (migration 0009)."""


@dataclass(frozen=True)
class Budget:
    """How much work a plan may do before another plan takes over.

    SQLite counts its virtual machine's steps, not seconds: the same search
    then picks the same plan however busy the machine is (a wall-clock limit
    ran out under load and sent common searches to their far slower
    fallback). Here a walk runs 13,000 to 37,000 steps per millisecond
    (docs/search.md). PostgreSQL stops a statement by `statement_timeout`.
    """

    sqlite_steps: int
    postgres_seconds: float


WALK_BUDGET = Budget(sqlite_steps=300_000, postgres_seconds=0.01)
"""How far a sort's index may be walked, checking the text per row, before the matches are gathered instead."""

_QUERY_CANCELED = "57014"
"""PostgreSQL's SQLSTATE for a statement stopped by statement_timeout."""

WALK_CHECK_STEPS = 10_000
"""SQLite virtual-machine steps between two looks at the budget."""

TS_CONFIG = "english"

_fts = table("product_fts", sql_column("rowid", Integer))


def _fts_join() -> OrderedJoin:
    """`product_fts JOIN product`, walking the full-text index first."""
    return ordered_join(_fts, Product, col(Product.id) == _fts.c.rowid)


_fts_match_column: ColumnClause[Any] = literal_column("product_fts")
_search_vector: ColumnClause[Any] = literal_column("product.search_vector")


class OutOfTime(Exception):  # noqa: N818  (a signal, not a failure)
    """A statement run under `TextSearch.work_limit` used up its budget: another plan should take over."""


@dataclass(frozen=True)
class SortedPage:
    """One page of a non-relevance sort: what to select, the conditions besides the text, the order."""

    columns: list[Any]
    conditions: list[ColumnElement[bool]]
    ordering: list[Any]
    limit: int

    def statement(self, base: Select[Any]) -> Select[Any]:
        return base.where(*self.conditions).order_by(*self.ordering).limit(self.limit)


class TextSearch(ABC):
    """A parsed query bound to one database's full-text index.

    `hints` are tests on the brand and category columns that the filters
    imply; a backend may fold them into its full-text query to narrow it.
    """

    def __init__(self, query: ParsedQuery, hints: tuple[ColumnHint, ...] = ()) -> None:
        if query.is_empty:
            raise ValueError("an empty query matches by filters alone")
        self.query = query
        self.hints = hints

    def is_void(self, tx: Session) -> bool:  # noqa: ARG002
        """True when the database finds no word to look for in the query (e.g. only stop words)."""
        return False

    def count_capped(self, tx: Session, cap: int) -> int:
        """Products the text matches (any status), counting no further than `cap + 1`."""
        return int(tx.execute(select(self.count_expression(cap))).scalar_one())

    def count_expression(self, cap: int) -> ColumnElement[Any]:
        """`count_capped` as an expression, so that several counts share one statement (`counts_capped`)."""
        if not self.query.has_required:
            return literal(cap + 1, Integer)  # "everything but": as common as it gets
        matches = self._matching_ids().limit(cap + 1).subquery()
        return select(func.count()).select_from(matches).scalar_subquery()

    @abstractmethod
    def _matching_ids(self) -> Select[Any]:
        """The ids of the products the text matches, read from the full-text index alone."""

    @abstractmethod
    def filter(self) -> ColumnElement[bool]:
        """A condition on `product` that holds when the text matches the row."""

    @abstractmethod
    def driven(self, columns: list[Any]) -> Select[Any]:
        """`select(columns)` over the products the text matches, walked from the full-text index."""

    @abstractmethod
    def ranked(self, filters: list[ColumnElement[bool]], cap: int) -> Select[Any]:
        """Up to `cap` title matches and `cap` other matches passing `filters`: columns id, tier, score."""

    def sorted(self, tx: Session, page: SortedPage, *, common_above: int) -> Sequence[Row[Any]]:  # noqa: ARG002
        """The rows of a page sorted by a base-table key, over every match of the text."""
        return tx.execute(page.statement(select(*page.columns).where(self.filter()))).all()

    @contextmanager
    def work_limit(self, tx: Session, budget: Budget) -> Iterator[None]:  # noqa: ARG002
        """Stop the statements run inside with `OutOfTime` once they use up `budget`, where the backend needs it.

        PostgreSQL's planner already starts from the cheaper side; this does nothing there.
        """
        yield

    filters_may_lead = False
    """Whether `services.search` should let narrow filters lead when reading the words' matches is slow.

    Only SQLite: PostgreSQL's planner already weighs the GIN index against
    the filters' indexes (and can intersect them).
    """

    def membership(self) -> ColumnElement[bool]:
        """The text as a condition for plans driven by the filters' indexes rather than the words."""
        return self.filter()

    def ranked_by_filters(
        self, filters: list[ColumnElement[bool]], cap: int, leader: Select[Any] | None
    ) -> Select[Any]:
        """Relevance when the filters, not the words, narrow the search: title matches first, then best rated.

        For a plan that starts from the filters' indexes (or from `leader`'s
        products, see `filter_led`), where scoring each product against the
        words would cost a full-text query per product.
        """
        tier = case((self._title_membership(), 0), else_=1)
        columns = [col(Product.id).label("id"), tier.label("tier"), col(Product.rating).label("score")]
        return filter_led(columns, leader).where(self.membership(), *filters).limit(cap)

    def _title_membership(self) -> ColumnElement[bool]:
        return self.filter()


def filter_led(columns: list[Any], leader: Select[Any] | None) -> Select[Any]:
    """`select(columns)` from `product`, walked from `leader`'s products (column product_id) when given.

    `leader` holds the products of an option value. Without it SQLite starts
    from an index of `product` (status, price) and checks the option per row;
    at 1,000,000 products a common word with an option value 2,300 products
    have took 0.5-0.7 s that way, and 67 ms walked from the value's products.
    """
    if leader is None:
        return select(*columns)
    products = leader.subquery("option_products")
    return select(*columns).select_from(ordered_join(products, Product, col(Product.id) == products.c.product_id))


class SqliteTextSearch(TextSearch):
    filters_may_lead = True

    def _match(self, expression: str) -> ColumnElement[bool]:
        return _fts_match_column.match(literal(expression))

    def _expression(self) -> str:
        if self.query.has_required:
            return search_query.to_fts5(self.query, hints=self.hints)
        return search_query.to_fts5_any(self.query.excluded)

    def _matching_ids(self) -> Select[Any]:
        return select(_fts.c.rowid).where(self._match(self._expression()))

    def filter(self) -> ColumnElement[bool]:
        if not self.query.has_required:
            excluded = select(_fts.c.rowid).where(self._match(self._expression()))
            return col(Product.id).not_in(excluded)
        # A correlated probe: for a common word the walk of a base-table index
        # finds its page after a few rows, each checked by one index seek.
        probe = (
            select(literal(1)).select_from(_fts).where(self._match(self._expression()), _fts.c.rowid == col(Product.id))
        )
        return probe.exists()

    def sorted(self, tx: Session, page: SortedPage, *, common_above: int) -> Sequence[Row[Any]]:
        """Few matches: read them from the index and sort them. Many: walk the sort's index.

        The walk checks the text per row (one index seek each) and stops at the
        page's end, a few rows in for a common word. If the word's products lie
        far along the sort (a word for pricey things, sorted by price) the walk
        runs long, so it gets `WALK_BUDGET`; then the matches are
        gathered once and the walk redone checking membership, which costs a
        pass over the matches rather than an index seek per product.
        """
        if self.count_capped(tx, common_above) <= common_above:
            return tx.execute(page.statement(self.driven(page.columns))).all()
        walk = page.statement(select(*page.columns).where(self.filter()))
        try:
            with self.work_limit(tx, WALK_BUDGET):
                return tx.execute(walk).all()
        except OutOfTime:
            return tx.execute(page.statement(select(*page.columns).where(self.membership()))).all()

    @contextmanager
    def work_limit(self, tx: Session, budget: Budget) -> Iterator[None]:
        connection = tx.connection().connection.dbapi_connection
        assert connection is not None
        every = max(1, min(WALK_CHECK_STEPS, budget.sqlite_steps))
        steps = 0

        def used_up() -> bool:
            nonlocal steps
            steps += every
            return steps > budget.sqlite_steps

        # A true result from the handler interrupts the running statement.
        connection.set_progress_handler(used_up, every)
        try:
            yield
        except OperationalError as error:
            # Usually "interrupted"; an interrupt inside FTS5's own setup reads
            # "vtable constructor failed". Past the budget, it was ours.
            if "interrupted" not in str(error.orig) and steps <= budget.sqlite_steps:
                raise
            raise OutOfTime from error
        finally:
            connection.set_progress_handler(None, 0)

    def membership(self) -> ColumnElement[bool]:
        if not self.query.has_required:
            return self.filter()
        # `id + 0` keeps SQLite from driving the walk from the list: it stays a lookup.
        matched = select(_fts.c.rowid).where(self._match(self._expression()))
        return (col(Product.id) + 0).in_(matched)

    def _title_membership(self) -> ColumnElement[bool]:
        title = search_query.to_fts5(self.query, title_only=True, hints=self.hints)
        return (col(Product.id) + 0).in_(select(_fts.c.rowid).where(self._match(title)))

    def driven(self, columns: list[Any]) -> Select[Any]:
        if not self.query.has_required:
            return select(*columns).where(self.filter())
        return select(*columns).select_from(_fts_join()).where(self._match(self._expression()))

    def ranked(self, filters: list[ColumnElement[bool]], cap: int) -> Select[Any]:
        score = (-func.bm25(_fts_match_column, *BM25_WEIGHTS)).label("score")
        title = search_query.to_fts5(self.query, title_only=True, hints=self.hints)
        elsewhere = f"({self._expression()}) NOT ({title})"

        def tier(number: int, expression: str) -> Select[Any]:
            return (
                select(_fts.c.rowid.label("id"), literal(number, Integer).label("tier"), score)
                .select_from(_fts_join())
                .where(self._match(expression), *filters)
                .limit(cap)
            )

        # SQLite wants each LIMITed arm of a compound select in its own subquery.
        arms = [select(tier(n, e).subquery()) for n, e in ((0, title), (1, elsewhere))]
        return arms[0].union_all(arms[1])  # type: ignore[return-value]


class PostgresTextSearch(TextSearch):
    def _tsquery(self, text: str) -> ColumnElement[Any]:
        return func.to_tsquery(literal_column(f"'{TS_CONFIG}'::regconfig"), literal(text))

    def _match(self, text: str) -> ColumnElement[bool]:
        return _search_vector.bool_op("@@")(self._tsquery(text))

    def _text(self) -> str:
        if self.query.has_required:
            return search_query.to_tsquery(self.query)
        return search_query.to_tsquery_any(self.query.excluded)

    def is_void(self, tx: Session) -> bool:
        # The english configuration drops stop words: "the" alone is an empty
        # tsquery, which matches nothing, where FTS5 would match it.
        lexemes = tx.execute(select(func.numnode(self._tsquery(self._text())))).scalar_one()
        return int(lexemes) == 0

    def _matching_ids(self) -> Select[Any]:
        # A query of stop words alone (`is_void`) is an empty tsquery, which matches nothing: 0.
        return select(col(Product.id)).where(self._match(self._text()))

    def filter(self) -> ColumnElement[bool]:
        matched = self._match(self._text())
        return matched if self.query.has_required else ~func.coalesce(matched, False)

    def driven(self, columns: list[Any]) -> Select[Any]:
        return select(*columns).where(self.filter())

    def sorted(self, tx: Session, page: SortedPage, *, common_above: int) -> Sequence[Row[Any]]:  # noqa: ARG002
        """The planner's plan, within `WALK_BUDGET`; then every match, sorted.

        For a common word the planner walks the sort's index and checks the
        text per row, expecting to fill the page soon. When the word's products
        lie far along the sort it would walk most of the table, so the walk is
        cancelled after the budget and the matches are gathered from the GIN
        index (a CTE the planner cannot fold into an index walk) and sorted.
        """
        walk = page.statement(select(*page.columns).where(self.filter()))
        try:
            with self.work_limit(tx, WALK_BUDGET):
                return tx.execute(walk).all()
        except OutOfTime:
            matches = select(*page.columns).where(self.filter(), *page.conditions).cte("matches")
            matches = matches.prefix_with("MATERIALIZED")
            ordered = [_on(matches, term) for term in page.ordering]
            return tx.execute(select(*matches.c).order_by(*ordered).limit(page.limit)).all()

    @contextmanager
    def work_limit(self, tx: Session, budget: Budget) -> Iterator[None]:
        # A savepoint, so a cancelled statement leaves the read transaction usable.
        milliseconds = max(1, round(budget.postgres_seconds * 1000))
        try:
            with tx.begin_nested():
                tx.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
                yield
                tx.execute(text("SET LOCAL statement_timeout TO DEFAULT"))
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != _QUERY_CANCELED:
                raise
            raise OutOfTime from error

    def _title_membership(self) -> ColumnElement[bool]:
        title_vector = func.to_tsvector(literal_column(f"'{TS_CONFIG}'::regconfig"), col(Product.title))
        return title_vector.bool_op("@@")(self._tsquery(self._text()))

    def ranked(self, filters: list[ColumnElement[bool]], cap: int) -> Select[Any]:
        full = search_query.to_tsquery(self.query)
        score = func.ts_rank(_search_vector, self._tsquery(full)).cast(Float).label("score")

        def tier(number: int, condition: ColumnElement[bool]) -> Select[Any]:
            return (
                select(col(Product.id).label("id"), literal(number, Integer).label("tier"), score)
                .where(condition, *filters)
                .limit(cap)
            )

        # The expression of the title's own GIN index (db.py), so the planner can use it.
        title_vector = func.to_tsvector(literal_column(f"'{TS_CONFIG}'::regconfig"), col(Product.title))
        # Exclusions hold for the whole product, not the title alone.
        title_match = title_vector.bool_op("@@")(self._tsquery(full)) & self._match(full)
        # Excluding title matches from the second arm would compute every scanned
        # title's tsvector; a product in both arms keeps its better tier instead.
        both = select(tier(0, title_match).subquery()).union_all(select(tier(1, self._match(full)).subquery()))
        candidates = both.subquery()
        return select(
            candidates.c.id, func.min(candidates.c.tier).label("tier"), func.max(candidates.c.score).label("score")
        ).group_by(candidates.c.id)


def counts_capped(tx: Session, searches: Sequence[TextSearch], cap: int) -> list[int]:
    """`count_capped` of each search, in one statement (one round trip, one statement to compile)."""
    if not searches:
        return []
    row = tx.execute(select(*(search.count_expression(cap) for search in searches))).one()
    return [int(value) for value in row]


def _on(cte: Any, ordering: Any) -> Any:
    """`ordering` (a column, maybe `.desc()`) restated over the same-named column of `cte`."""
    column = getattr(ordering, "element", ordering)
    restated = cte.c[column.key]
    return restated.desc() if getattr(ordering, "modifier", None) is operators.desc_op else restated.asc()


def text_search(dialect: str, query: ParsedQuery, hints: tuple[ColumnHint, ...] = ()) -> TextSearch:
    """The full-text search of `query` on `dialect` (`sqlite` or `postgresql`)."""
    if dialect == "sqlite":
        return SqliteTextSearch(query, hints)
    return PostgresTextSearch(query, hints)
