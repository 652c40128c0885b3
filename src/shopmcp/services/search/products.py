"""search_products: full-text match, filters, sorts, keyset pages, a bounded count and facets.

How a search runs (the numbers behind these choices are in docs/search.md):

1. The raw text is parsed into quoted words (`search.query`), so any text is
   safe. Filters resolve to conditions on `product`: only listed products
   (active, offered), the category with its subcategories, the brand, the
   price range (on the lowest current price, in the store currency), stock,
   rating and option values.
2. Count and facets read at most `COUNT_CAP + 1` matching products once and
   group them (`search.facets`): exact up to the cap, "at least" beyond it.
3. The page: for a relevance sort with text, the candidates are at most
   `RELEVANCE_POOL` title matches and as many other matches, read from the
   full-text index in its own order and scored only those; title matches
   rank first, then by score (bm25 / ts_rank), then id. So a word in a third
   of the catalog costs about what a rare word costs. The other sorts
   (price, rating, newest) are exact over every match: a rare text drives
   from the full-text index and sorts its few matches; a common one walks
   the sort's base-table index and checks the text per row, stopping at the
   page's end.
4. Pages are keyset-paginated on (sort key, id) with a cursor bound to the
   query and filters (`core.cursors`).

Without text, relevance means best rated first.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlmodel import Session, col

from shopmcp.core.cursors import KeyValue, cursor_binding, decode_cursor, encode_cursor, fingerprint
from shopmcp.core.errors import ErrorCode, ShopError, invalid_input
from shopmcp.core.money import money, to_minor
from shopmcp.models.catalog import Brand, Category, Product, VariantOption
from shopmcp.models.catalog_public import CategoryRef, PriceRange, ProductSummary, SearchResult, SortOrder
from shopmcp.services.catalog.for_sale import is_listed
from shopmcp.services.catalog.taxonomy import normalize_name, resolve_brand, resolve_category
from shopmcp.services.search import related, relax
from shopmcp.services.search.attributes import with_matched_attributes
from shopmcp.services.search.facets import SearchStats, compute_stats
from shopmcp.services.search.meaning import MIN_SIMILARITY_ALONE, by_meaning, understood
from shopmcp.services.search.query import MAX_TERMS, ColumnHint, ParsedQuery, Term, column_hint, parse_query
from shopmcp.services.search.sql import id_rows, ordered_join
from shopmcp.services.search.synonyms import synonyms as synonym_rules
from shopmcp.services.search.text import Budget, OutOfTime, SortedPage, TextSearch, filter_led, text_search
from shopmcp.services.search.words import find_price_words, is_stop_word
from shopmcp.services.semantic import RRF_K, reciprocal_rank_fusion

COUNT_CAP = 1000
"""Matches counted exactly (and faceted) before the count becomes "at least"."""

RELEVANCE_POOL = 1000
"""Title matches, and as many other matches, scored for a relevance sort."""

WORDS_FIRST_BUDGET = Budget(sqlite_steps=800_000, postgres_seconds=0.025)
"""How much reading a common word's matches may cost before narrow filters drive the search instead.

Only SQLite uses it (`TextSearch.filters_may_lead`). 800,000 steps (25-60 ms here) let a common
word with a common option value finish words first (`durable`, color black: 671,000 steps for the
count and facets at 100,000 and at 1,000,000 products), where the filter-led plan costs 2-7 times
as much; docs/search.md has the measurements."""

PageRow = tuple[int, list[KeyValue]]
"""A product id and its sort key (the id last)."""

RELAX_BELOW = 1
"""Relax when the search by every word finds fewer products than this (Typesense's drop_tokens_threshold).

One, not a page: with a page's worth, a search whose words all match a few products would list
loosely related ones after them, which agents and the exact-match callers read as matches."""

_BY_WORDS, _BY_FILTERS, _RELAXED, _FUSED = 0, 1, 2, 3
"""How a relevance page was ranked; its cursor keeps the next page to the same way."""


def invalid_cursor(reason: str) -> ShopError:
    """The error for a cursor that cannot continue this search; `reason` says why."""
    return ShopError(
        ErrorCode.INVALID_CURSOR,
        f"The cursor is not valid for this search ({reason}). Call search_products again with the same "
        "arguments and no cursor to start from the first page, then pass the `next_cursor` it returns.",
    )


@dataclass(frozen=True)
class SearchRequest:
    """The arguments of search_products, validated for shape by the tool's schema."""

    query: str = ""
    category: str | None = None
    brand: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    min_rating: float | None = None
    sort: SortOrder = "relevance"
    limit: int = 10
    cursor: str | None = None

    def binding(self) -> dict[str, Any]:
        """What a cursor is bound to: every argument but limit and cursor, normalised."""
        return {
            "query": " ".join(self.query.split()),
            "category": self.category,
            "brand": self.brand,
            "min_price": str(self.min_price) if self.min_price is not None else None,
            "max_price": str(self.max_price) if self.max_price is not None else None,
            "in_stock": self.in_stock,
            "options": sorted((name.lower(), value.lower()) for name, value in self.options.items()),
            "min_rating": self.min_rating,
            "sort": self.sort,
        }


@dataclass(frozen=True)
class _Order:
    """A non-relevance sort: its key column, direction, and the key's type in a cursor."""

    column: Any
    descending: bool
    key_type: type


def _orders() -> dict[str, _Order]:
    return {
        "relevance": _Order(col(Product.rating), True, float),
        "rating": _Order(col(Product.rating), True, float),
        "price_asc": _Order(col(Product.min_price), False, int),
        "price_desc": _Order(col(Product.min_price), True, int),
        "newest": _Order(col(Product.created_at), True, str),
    }


@dataclass(frozen=True)
class SearchFeatures:
    """Which ways of forgiving a query are on (Settings `search_*`; each can be measured alone)."""

    relax: bool = True
    typos: bool = True
    synonyms: bool = True
    price_words: bool = True
    semantic: bool = True


def search_products(
    *, tx: Session, request: SearchRequest, currency: str, features: SearchFeatures = SearchFeatures()
) -> SearchResult:
    """Find listed products by text and filters; see the module docstring for how."""
    result = _search(tx, request, currency, features)
    result.items = with_matched_attributes(tx, result.items, request.query)
    return result


def _search(tx: Session, request: SearchRequest, currency: str, features: SearchFeatures) -> SearchResult:
    notes: list[str] = []
    if features.price_words and request.min_price is None and request.max_price is None and request.query:
        price = find_price_words(request.query)
        if price is not None:
            request = replace(request, query=price.rest, min_price=price.min_price, max_price=price.max_price)
            notes.append(f"Read '{price.phrase}' as a price {price.describe()} ({currency}).")
    parsed = parse_query(request.query)
    messages = notes + _query_messages(request.query, parsed)
    if features.synonyms and parsed.has_required:
        parsed, applied = synonym_rules(tx).expand(parsed)
        for said, searched in applied:
            others = [phrase for phrase in searched if phrase != said]
            if others:
                messages.append(f"Also searched {_quoted(others)} for '{said}' (synonyms).")
    if parsed.has_required and all(_is_stop_clause(clause) for clause in parsed.clauses):
        messages.append("The query holds only very common words, so only the filters were applied.")
        parsed = ParsedQuery(excluded=parsed.excluded, dropped_terms=parsed.dropped_terms)
    relaxable = (features.relax or features.typos or features.semantic) and parsed.has_required
    bound_to = fingerprint(request.binding())
    if relaxable and request.cursor and cursor_binding(request.cursor) not in (None, bound_to):
        return _relaxed(tx, request, parsed, currency, features, messages, plain=None)
    plain = _plain(tx, request, parsed, currency, messages, bound_to, rerank=features.semantic)
    if relaxable and not request.cursor and plain.total_count < RELAX_BELOW:
        return _relaxed(tx, request, parsed, currency, features, messages, plain=plain)
    return plain


def _quoted(words: Sequence[str]) -> str:
    return ", ".join(f"'{word}'" for word in words)


def _is_stop_clause(clause: tuple[Term, ...]) -> bool:
    return all(all(is_stop_word(word) for word in term.words) for term in clause)


def _plain(
    tx: Session,
    request: SearchRequest,
    parsed: ParsedQuery,
    currency: str,
    messages: list[str],
    bound_to: str,
    extra: Sequence[ColumnElement[bool]] = (),
    *,
    rerank: bool = False,
) -> SearchResult:
    """Every word required: the search as it always ran (`extra`: more conditions, from option words)."""
    messages = list(messages)
    filters, hints, leader = _filters(tx, request, currency)
    filters += extra
    text = None if parsed.is_empty else text_search(tx.get_bind().dialect.name, parsed, hints)
    if text is not None and text.is_void(tx):
        messages.append("The query holds only very common words, so only the filters were applied.")
        text, parsed = None, ParsedQuery()
    ranked = request.sort == "relevance" and parsed.has_required

    narrowed = len(filters) > 1 and text is not None and text.filters_may_lead  # more than "listed"
    stats = _stats(tx, text, filters, currency, narrowed=narrowed, leader=leader)
    rows: list[PageRow]
    next_key: list[KeyValue] | None
    if stats.counted == 0 and not request.cursor:
        # The count read the same matches the page would; a query whose words never meet (the
        # usual start of a relaxed search) skips its ranking, 2-6 ms at 100,000 products.
        rows, next_key = [], None
    elif ranked:
        rows, next_key = _ranked_page(
            tx, text, filters, request, bound_to, narrowed=narrowed, leader=leader, rerank=rerank and RERANK_PLAIN
        )
        if not stats.exact:
            messages.append(
                f"More than {COUNT_CAP:,} products match: relevance ranks the first {RELEVANCE_POOL:,} title "
                "matches and the first other matches. Add words or filters to narrow the search, or sort by "
                "price, rating or newest to go through every match."
            )
    else:
        rows, next_key = _sorted_page(tx, text, filters, request, bound_to)
    items = _summaries(tx, rows)
    return SearchResult(
        items=items,
        total_count=stats.counted,
        total_count_exact=stats.exact,
        next_cursor=encode_cursor(bound_to, next_key) if next_key is not None else None,
        sort=request.sort,
        facets=stats.facets,
        messages=messages,
    )


def _relaxed(
    tx: Session,
    request: SearchRequest,
    parsed: ParsedQuery,
    currency: str,
    features: SearchFeatures,
    messages: list[str],
    *,
    plain: SearchResult | None,
) -> SearchResult:
    """Fewer products match every word than a page holds: the plan of `search.relax`, said in `messages`."""
    dialect = tx.get_bind().dialect.name
    filters, hints, _ = _filters(tx, request, currency)
    relaxed = relax.plan(tx, parsed, dialect, relax=features.relax, typos=features.typos, cap=COUNT_CAP)
    changed = bool(relaxed.stop_words or relaxed.missing or relaxed.corrections or relaxed.option_pairs)
    # A query the model cannot read is read as corrected ("labtop" -> laptop): a misspelling's pieces
    # mean little. One it can read stays as said: what the person asked, not what the words guessed.
    if relaxed.corrections and not understood(request.query):
        request = replace(request, query=related.as_corrected(request.query, relaxed.corrections))
    meaning = by_meaning(tx, request.query, filters) if features.semantic and request.sort == "relevance" else []
    # Whether meaning can tell the words found from what was asked for (`search.related`).
    judged = features.relax and bool(relaxed.units) and request.sort == "relevance" and features.semantic
    judged = judged and understood(request.query)
    set_aside = False
    if not relaxed.units:
        meaning = _clear(meaning)
    if plain is None and not relaxed.units and not meaning:
        raise invalid_cursor("it belongs to a search with other arguments")
    if not relaxed.units and not meaning:
        if plain is not None and plain.items:
            return plain
        return _nothing_related(tx, request, currency, messages, relaxed.missing)
    if plain is not None and not changed and len(relaxed.units) == 1 and not meaning:
        return plain  # one unit, nothing to drop or correct: relaxing cannot find more
    if not features.relax and (relaxed.missing or not (relaxed.corrections or relaxed.option_pairs)) and not meaning:
        if plain is None:
            raise invalid_cursor("it belongs to a search with other arguments")
        return plain  # without relaxing, a word nothing matches leaves nothing to show
    # Every unit left, as the catalog spells it, may find a page of products together: then it is
    # the ordinary search of those words (bounded, with its own plans), bound to this rewriting.
    clauses = tuple(unit.clause for unit in relaxed.units if unit.clause)
    rewritten = ParsedQuery(clauses=clauses, excluded=relaxed.excluded)
    option_filters = [relax.option_condition(unit.options) for unit in relaxed.units if unit.options]
    every = fingerprint({**request.binding(), "relaxed": relaxed.key(), "every": True})
    cursor_from = cursor_binding(request.cursor) if request.cursor else None
    # Words were dropped and meaning has neighbours: the fused ranking below serves the person's
    # request better than the words left alone ("kitchen knives": "kitchen" alone lists the kitchen).
    words_dropped = bool(meaning and relaxed.missing)
    if (
        relaxed.units
        and (cursor_from == every or (cursor_from is None and not words_dropped))
        and (not rewritten.has_required or relax.may_match(tx, rewritten, dialect))
    ):
        labels = [unit.label for unit in relaxed.units]
        found_all = _plain(
            tx,
            request,
            rewritten,
            currency,
            [*messages, *_relaxed_messages(relaxed, labels)],
            every,
            option_filters,
            rerank=features.semantic,
        )
        # Fewer than a page: the subsets below list these first, then products matching some words.
        set_aside = judged and related.unrelated(relaxed, None, [item.id for item in found_all.items], meaning)
        if set_aside:
            messages = [*messages, related.too_little(labels)]
        elif found_all.total_count >= request.limit or cursor_from is not None:
            if relaxed.option_pairs:
                found_all.items = _with_matched_options(tx, found_all.items, relaxed.option_pairs)
            return found_all
    found: list[relax.Candidate] = []
    best: list[str] = []
    whole = True
    if relaxed.units and (features.relax or features.typos) and not set_aside:
        found, best, whole = relax.candidates(
            tx,
            relaxed,
            dialect,
            filters,
            hints,
            cap=RELEVANCE_POOL,
            best_only=request.sort != "relevance",
            every_unit=not features.relax,
        )
    if found and judged and related.unrelated(relaxed, best, [pid for pid, _, _ in found], meaning):
        messages = [*messages, related.too_little(best)]
        found, best = [], []
    meaning = _credible(tx, request.query, found, meaning)
    if not found and not meaning and plain is not None and not plain.items:
        return _nothing_related(tx, request, currency, messages, [*relaxed.missing, *(u.said for u in relaxed.units)])
    if (
        plain is not None
        and len(found) <= plain.total_count
        and not relaxed.corrections
        and not relaxed.option_pairs
        and not meaning
    ):
        return plain
    bound_to = fingerprint({**request.binding(), "relaxed": relaxed.key(), "meaning": bool(meaning)})
    by_words = {pid for pid, _, _ in found}
    messages = [*messages, *(_relaxed_messages(relaxed, best) if found else [])]
    if meaning:
        found = _fused(found, [pid for pid, _ in meaning], len(relaxed.units))
    if request.sort == "relevance":
        keyed: list[PageRow] = [(pid, [_RELAXED, tier, score, pid]) for pid, tier, score in found]
        after = (
            decode_cursor(request.cursor, bound_to, (int, int, float, int), invalid=invalid_cursor)
            if request.cursor
            else None
        )
        if after is not None:
            start = (int(after[1]), -float(after[2]), int(after[3]))
            keyed = [row for row in keyed if (int(row[1][1]), -float(row[1][2]), row[0]) > start]
    else:
        keyed = _sort_relaxed(tx, [pid for pid, _, _ in found], request, bound_to)
    rows, next_key = _cut(keyed[: request.limit + 1], request.limit)
    listed = id_rows(dialect, [pid for pid, _, _ in found[: COUNT_CAP + 1]])
    matched = select(*_STAT_COLUMNS()).select_from(ordered_join(listed, Product, col(Product.id) == listed.c.value))
    stats = compute_stats(tx, matched.cte("matched"), cap=COUNT_CAP, currency=currency)
    items = _summaries(tx, rows)
    if relaxed.option_pairs:
        items = _with_matched_options(tx, items, relaxed.option_pairs)
    if meaning:
        messages.append(_meaning_message(relaxed, request.query, items, by_words))
    return SearchResult(
        items=items,
        total_count=stats.counted,
        total_count_exact=stats.exact and whole,
        next_cursor=encode_cursor(bound_to, next_key) if next_key is not None else None,
        sort=request.sort,
        facets=stats.facets,
        messages=messages,
    )


def _nothing_related(
    tx: Session, request: SearchRequest, currency: str, messages: list[str], missing: list[str]
) -> SearchResult:
    """An empty answer whose `messages` say what matched nothing and what to try instead."""
    categories = relax.nearest_categories(tx, [word for said in missing for word in said.split()])
    hint = (
        f" Try a broader word, or one of these categories (pass as `category`): {', '.join(categories)}."
        if categories
        else " Try a broader word."
    )
    stats = compute_stats(tx, select(*_STAT_COLUMNS()).where(false()).cte("matched"), cap=COUNT_CAP, currency=currency)
    said = _quoted(missing) if missing else "the query"
    return SearchResult(
        items=[],
        total_count=0,
        total_count_exact=True,
        next_cursor=None,
        sort=request.sort,
        facets=stats.facets,
        messages=[*messages, f"No product matches {said}." + hint],
    )


def _clear(meaning: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The neighbours close enough to stand without any word of the query (`MIN_SIMILARITY_ALONE`)."""
    return [(pid, similarity) for pid, similarity in meaning if similarity >= MIN_SIMILARITY_ALONE]


def _credible(
    tx: Session, query: str, found: list[relax.Candidate], meaning: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """The neighbours worth showing beside what the words found.

    Words found nothing: only clear neighbours (`_clear`). Words found products: a neighbour the
    words did not find must be about as close to the query as the best of the first word matches
    (within `MEANING_MARGIN`); so a query of made-up or rare words, whose neighbours are noise, keeps
    its word matches alone, while "kitchen knives", whose words found sharpeners and knife blocks,
    gets the knives. Word matches without a vector (not embedded) leave only clear neighbours.
    """
    from shopmcp.services.semantic.index import similarities

    if not meaning:
        return meaning
    if not found:
        return _clear(meaning)
    scores = similarities(tx, query, [pid for pid, _, _ in found[:MEANING_CALIBRATION]])
    bar = max(scores.values()) - MEANING_MARGIN if scores else MIN_SIMILARITY_ALONE
    words = {pid for pid, _, _ in found}
    return [(pid, similarity) for pid, similarity in meaning if pid in words or similarity >= bar]


MEANING_CALIBRATION = 10
"""Word matches whose similarity sets the bar for neighbours the words did not find."""

MEANING_MARGIN = 0.05
"""How much less similar than the best word match a neighbour may be (cosine)."""

RERANK_PLAIN = True
"""Reorder the first matches of an every-word search by meaning too (`_reranked`)."""

RERANK_DEPTH = 200
"""Every-word matches reordered by meaning: twenty pages."""

KEEP_ALL_WORDS_FIRST = False
"""Whether products matching every unit of a relaxed query stay ahead of the fused list (see `_fused`).

Off: measured on the relevance sets (bench/RESULTS.md), keeping them first cost 1.6 points of
success@10 on the demo store (92.9% against 94.5%) and changed nothing on the CSV store."""


def _fused(found: list[relax.Candidate], meaning: list[int], units: int) -> list[relax.Candidate]:
    """The word ranking and the meaning ranking as one list, by Reciprocal Rank Fusion (k = 60).

    Products that match every unit of the query (tier 0 and 1 of the relaxed ranking: the heaviest
    subset when it is the whole query) keep their place ahead of the rest when `KEEP_ALL_WORDS_FIRST`;
    the rest, and the meaning neighbours, are fused. Rows come back as (id, group, score), ordered by
    group, then score descending, then id, which is what the relaxed cursor pages on.
    """
    first = [row for row in found if row[1] <= 1] if KEEP_ALL_WORDS_FIRST and units else []
    kept = {pid for pid, _, _ in first}
    words = [pid for pid, _, _ in found if pid not in kept]
    scores: dict[int, float] = {}
    for ranked in (words, [pid for pid in meaning if pid not in kept]):
        for rank, pid in enumerate(ranked, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    head = [(pid, 0, float(len(first) - position)) for position, (pid, _, _) in enumerate(first)]
    tail = sorted(((pid, 1, score) for pid, score in scores.items()), key=lambda row: (-row[2], row[0]))
    return head + tail


def _meaning_message(relaxed: relax.Plan, query: str, items: list[ProductSummary], by_words: set[int]) -> str:
    if not relaxed.units or not by_words:
        said = _quoted(relaxed.missing) if relaxed.missing else f"'{query.strip()}'"
        return (
            f"No product matches the words {said}; these products were found by meaning (similar descriptions), "
            "so check each is what the person wants."
        )
    close = [str(item.id) for item in items if item.id not in by_words]
    if not close:
        return "Results are ranked by the query's words and by meaning together."
    return (
        f"Ranked by the query's words and by meaning together; products {', '.join(close)} match by meaning "
        "only (none of the query's rarer words), so check each is what the person wants."
    )


def _STAT_COLUMNS() -> list[Any]:  # noqa: N802  (a constant list, built per call for fresh columns)
    return [
        col(Product.id).label("id"),
        col(Product.category_id).label("category_id"),
        col(Product.brand_id).label("brand_id"),
        col(Product.min_price).label("min_price"),
        col(Product.currency).label("currency"),
    ]


def _relaxed_messages(relaxed: relax.Plan, best: list[str]) -> list[str]:
    messages = [f"Showing results for '{fixed}' (the query said '{said}')." for said, fixed in relaxed.corrections]
    options = [unit.said for unit in relaxed.units if unit.options]
    if options:
        messages.append(f"Read {_quoted(options)} as variant options (color, size, material...).")
    if len(best) == len(relaxed.units) and not relaxed.missing and not relaxed.stop_words:
        return messages  # every word matched once read as the catalog spells it
    line = "No product matches all words"
    if best:
        line += f"; showing products matching {_quoted([' '.join(best)])}"
        if len(best) < len(relaxed.units):
            line += ", then products matching some of the words"
    if relaxed.missing:
        line += f"; no product matches {_quoted(relaxed.missing)}"
    if relaxed.stop_words:
        line += f"; ignored the common words {_quoted(relaxed.stop_words)}"
    messages.append(line + ".")
    return messages


def _sort_relaxed(tx: Session, ids: list[int], request: SearchRequest, bound: str) -> list[PageRow]:
    order = _orders()[request.sort]
    key, product_id = order.column, col(Product.id)
    conditions: list[ColumnElement[bool]] = []
    if request.cursor:
        after_key, after_id = decode_cursor(request.cursor, bound, (order.key_type, int), invalid=invalid_cursor)
        conditions.append(_after(key, product_id, _key_value(order, after_key), int(after_id), order.descending))
    ordering = [key.desc(), product_id.desc()] if order.descending else [key.asc(), product_id.asc()]
    listed = id_rows(tx.get_bind().dialect.name, ids)
    statement = select(product_id, key).select_from(ordered_join(listed, Product, product_id == listed.c.value))
    found = tx.execute(statement.where(*conditions).order_by(*ordering).limit(request.limit + 1)).all()
    return [(int(row[0]), [_cursor_value(row[1]), int(row[0])]) for row in found]


def _with_matched_options(
    tx: Session, items: list[ProductSummary], pairs: list[tuple[str, str]]
) -> list[ProductSummary]:
    """Say which option values of each product matched words of the query."""
    ids = [item.id for item in items]
    if not ids:
        return items
    value = func.lower(col(VariantOption.value))
    rows = tx.execute(
        select(col(VariantOption.product_id), col(VariantOption.name), col(VariantOption.value))
        .where(col(VariantOption.product_id).in_(ids))
        .where(or_(*(and_(col(VariantOption.name) == name, value == lowered) for name, lowered in pairs)))
        .order_by(col(VariantOption.product_id), col(VariantOption.variant_id))
    ).all()
    matched: dict[int, dict[str, str]] = {}
    for product_id, name, found in rows:
        matched.setdefault(int(product_id), {}).setdefault(name, found)
    return [item.model_copy(update={"matched_options": matched.get(item.id)}) for item in items]


def _query_messages(raw: str, parsed: ParsedQuery) -> list[str]:
    messages = []
    if raw.strip() and parsed.is_empty:
        messages.append("The query has no words to search for, so only the filters were applied.")
    if parsed.dropped_terms:
        messages.append(
            f"Only the first {MAX_TERMS} words of the query were used; {parsed.dropped_terms} more were ignored."
        )
    return messages


# --- Filters ---------------------------------------------------------------------


def _filters(
    tx: Session, request: SearchRequest, currency: str
) -> tuple[list[ColumnElement[bool]], tuple[ColumnHint, ...], Select[Any] | None]:
    """The conditions on `product` the arguments ask for, the column hints they imply for full text,
    and the products of the option value with the fewest (a filter-led plan walks from them)."""
    filters: list[ColumnElement[bool]] = [is_listed()]
    leader: tuple[int, Select[Any]] | None = None
    hints: list[ColumnHint | None] = []
    if request.category:
        category = resolve_category(tx, request.category)
        filters.append(col(Product.category_id).in_(category.ids))
        hints.append(column_hint("category", category.indexed_names))
    if request.brand:
        brand = resolve_brand(tx, request.brand)
        filters.append(col(Product.brand_id).in_(brand.ids))
        hints.append(column_hint("brand", brand.indexed_names))
    filters += _price_filters(request, currency)
    if request.in_stock is not None:
        filters.append(col(Product.in_stock) == request.in_stock)
    if request.min_rating is not None:
        filters.append(col(Product.rating) >= request.min_rating)
    for name, value in sorted(request.options.items()):
        condition, counted, products = _option_filter(tx, name, value)
        filters.append(condition)
        if leader is None or counted < leader[0]:
            leader = (counted, products)
    return filters, tuple(hint for hint in hints if hint is not None), leader[1] if leader else None


def _price_filters(request: SearchRequest, currency: str) -> list[ColumnElement[bool]]:
    low, high = request.min_price, request.max_price
    if low is None and high is None:
        return []
    if low is not None and high is not None and low > high:
        raise invalid_input(
            f"min_price {low} is above max_price {high}: swap them, or leave one out.",
            min_price=str(low),
            max_price=str(high),
        )
    conditions = [col(Product.currency) == currency]
    if low is not None:
        conditions.append(col(Product.min_price) >= to_minor(low, currency))
    if high is not None:
        conditions.append(col(Product.min_price) <= to_minor(high, currency))
    return conditions


def _option_filter(tx: Session, name: str, value: str) -> tuple[ColumnElement[bool], int, Select[Any]]:
    """Some variant of the product has option `name` = `value`, in any letter case; with how many products
    have it (counted up to `COUNT_CAP + 1`) and their distinct ids.

    A rare value (at most `COUNT_CAP` products, counted on the search DDL's
    index) is a list the database can start from; a common one is checked
    per product, so a walk in sort order stops at the page's end. A value no
    product has is a constant false, which the database sees before reading
    anything (otherwise a very common word would be read to its end, words
    first, then gathered again for the filter-led plan: 2 s at 1,000,000).
    """
    having = select(col(VariantOption.product_id)).where(
        col(VariantOption.name) == normalize_name(name),
        func.lower(col(VariantOption.value)) == normalize_name(value),
    )
    counted = tx.execute(select(func.count()).select_from(having.limit(COUNT_CAP + 1).subquery())).scalar_one()
    products = having.distinct()
    if counted == 0:
        return false(), counted, products
    if counted <= COUNT_CAP:
        return col(Product.id).in_(having), counted, products
    return having.where(col(VariantOption.product_id) == col(Product.id)).exists(), counted, products


# --- Count and facets -----------------------------------------------------------------


def _stats(
    tx: Session,
    text: TextSearch | None,
    filters: list[ColumnElement[bool]],
    currency: str,
    *,
    narrowed: bool,
    leader: Select[Any] | None,
) -> SearchStats:
    columns: list[Any] = [
        col(Product.id).label("id"),
        col(Product.category_id).label("category_id"),
        col(Product.brand_id).label("brand_id"),
        col(Product.min_price).label("min_price"),
        col(Product.currency).label("currency"),
    ]

    def over(base: Select[Any]) -> SearchStats:
        matched = base.where(*filters).limit(COUNT_CAP + 1).cte("matched")
        return compute_stats(tx, matched, cap=COUNT_CAP, currency=currency)

    if text is None:
        return over(select(*columns))
    if not narrowed:
        return over(text.driven(columns))
    # Words first is right unless narrow filters reject most of a common word's
    # matches; then the filters' indexes should lead and the words be checked.
    try:
        with text.work_limit(tx, WORDS_FIRST_BUDGET):
            return over(text.driven(columns))
    except OutOfTime:
        return over(filter_led(columns, leader).where(text.membership()))


# --- Pages -----------------------------------------------------------------------------


def _ranked_page(
    tx: Session,
    text: TextSearch | None,
    filters: list[ColumnElement[bool]],
    request: SearchRequest,
    bound: str,
    *,
    narrowed: bool,
    leader: Select[Any] | None,
    rerank: bool = False,
) -> tuple[list[PageRow], list[KeyValue] | None]:
    assert text is not None
    after = (
        decode_cursor(request.cursor, bound, (int, int, float, int), invalid=invalid_cursor) if request.cursor else None
    )
    fused_after = after is not None and int(after[0]) == _FUSED
    limit = RERANK_DEPTH if (rerank and (after is None or fused_after)) else request.limit

    def fetch(way: int) -> Sequence[Any]:
        start = after[1:] if after is not None and not fused_after else None
        return _ranked_rows(tx, _candidates(text, filters, way, leader), start, limit)

    if after is not None and fused_after:
        way = int(after[1])
        fetched = fetch(way)
    elif after is not None:
        way = int(after[0])
        fetched = fetch(way)
    elif not narrowed:
        way = _BY_WORDS
        fetched = fetch(way)
    else:
        try:
            with text.work_limit(tx, WORDS_FIRST_BUDGET):
                way = _BY_WORDS
                fetched = fetch(way)
        except OutOfTime:
            way = _BY_FILTERS
            fetched = fetch(way)
    rows: list[PageRow] = [(int(row[0]), [way, int(row[1]), float(row[2]), int(row[0])]) for row in fetched]
    if limit == RERANK_DEPTH:
        return _reranked(tx, rows, way, request, int(after[2]) if after is not None else -1)
    return _cut(rows, request.limit)


def _reranked(
    tx: Session, rows: list[PageRow], way: int, request: SearchRequest, after_position: int
) -> tuple[list[PageRow], list[KeyValue] | None]:
    """Every word matched: the first `RERANK_DEPTH` matches reordered by words and meaning together (RRF).

    The set is the word ranking's own, so nothing that lacks a word joins it; only the order moves
    (a "laptop" query's laptops come up among backpacks titled "laptop backpack"). Past the reordered
    matches, the next cursor goes on with the word ranking where they end.
    """
    from shopmcp.services.semantic.index import similarities

    more = len(rows) > RERANK_DEPTH
    head = rows[:RERANK_DEPTH]
    scores = similarities(tx, request.query, [pid for pid, _ in head]) if understood(request.query) else {}
    meaning = sorted(scores, key=lambda pid: (-scores[pid], pid))
    fused = reciprocal_rank_fusion([[pid for pid, _ in head], meaning])
    positioned: list[PageRow] = [(pid, [_FUSED, way, float(i), pid]) for i, pid in enumerate(fused)]
    page = positioned[after_position + 1 : after_position + 1 + request.limit]
    if after_position + 1 + request.limit < len(positioned):
        return page, page[-1][1]
    if more and head:
        return page, head[-1][1]  # the word ranking goes on after its last reordered match
    return page, None


def _candidates(text: TextSearch, filters: list[ColumnElement[bool]], way: int, leader: Select[Any] | None) -> Any:
    if way == _BY_WORDS:
        return text.ranked(filters, RELEVANCE_POOL).subquery("candidates")
    if way == _BY_FILTERS:
        return text.ranked_by_filters(filters, RELEVANCE_POOL, leader).subquery("candidates")
    raise invalid_cursor("it holds an unexpected value")


def _ranked_rows(tx: Session, candidates: Any, after: list[KeyValue] | None, limit: int) -> Sequence[Any]:
    tier, score, product_id = candidates.c.tier, candidates.c.score, candidates.c.id
    statement = select(product_id, tier, score).order_by(tier, score.desc(), product_id)
    if after is not None:
        after_tier, after_score, after_id = after
        statement = statement.where(
            or_(
                tier > after_tier,
                and_(tier == after_tier, score < after_score),
                and_(tier == after_tier, score == after_score, product_id > after_id),
            )
        )
    return tx.execute(statement.limit(limit + 1)).all()


def _sorted_page(
    tx: Session, text: TextSearch | None, filters: list[ColumnElement[bool]], request: SearchRequest, bound: str
) -> tuple[list[PageRow], list[KeyValue] | None]:
    order = _orders()[request.sort]
    key, product_id = order.column, col(Product.id)
    conditions = list(filters)
    if request.cursor:
        after_key, after_id = decode_cursor(request.cursor, bound, (order.key_type, int), invalid=invalid_cursor)
        conditions.append(_after(key, product_id, _key_value(order, after_key), int(after_id), order.descending))
    ordering = [key.desc(), product_id.desc()] if order.descending else [key.asc(), product_id.asc()]
    page = SortedPage(columns=[product_id, key], conditions=conditions, ordering=ordering, limit=request.limit + 1)
    if text is None:
        found = tx.execute(page.statement(select(*page.columns))).all()
    else:
        found = text.sorted(tx, page, common_above=COUNT_CAP)
    rows: list[PageRow] = [(int(row[0]), [_cursor_value(row[1]), int(row[0])]) for row in found]
    return _cut(rows, request.limit)


def _after(key: Any, product_id: Any, value: Any, after_id: int, descending: bool) -> ColumnElement[bool]:
    # Written as `key >= v AND (key > v OR id > i)` rather than a row value, so
    # every database sees a range on the index's first column.
    if descending:
        return and_(key <= value, or_(key < value, product_id < after_id))
    return and_(key >= value, or_(key > value, product_id > after_id))


def _key_value(order: _Order, value: KeyValue) -> Any:
    if order.key_type is str:
        try:
            return datetime.fromisoformat(str(value))
        except ValueError as error:
            raise invalid_cursor("it holds an unexpected value") from error
    return value


def _cursor_value(value: Any) -> KeyValue:
    if isinstance(value, int | float | str):
        return value
    return str(value.isoformat())


def _cut(rows: list[PageRow], limit: int) -> tuple[list[PageRow], list[KeyValue] | None]:
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, page[-1][1]


# --- Summaries ----------------------------------------------------------------------------


def _summaries(tx: Session, rows: Sequence[PageRow]) -> list[ProductSummary]:
    ids = [product_id for product_id, _ in rows]
    if not ids:
        return []
    # Only the columns a summary shows: descriptions and attributes can be large.
    columns: list[Any] = [
        col(Product.id),
        col(Product.title),
        col(Product.currency),
        col(Product.min_price),
        col(Product.max_price),
        col(Product.rating),
        col(Product.review_count),
        col(Product.in_stock),
        col(Product.offer_count),
        col(Brand.name).label("brand"),
        col(Category.slug),
        col(Category.name),
        col(Category.path),
    ]
    statement = (
        select(*columns)
        .outerjoin(Brand, col(Brand.id) == col(Product.brand_id))
        .outerjoin(Category, col(Category.id) == col(Product.category_id))
        .where(col(Product.id).in_(ids))
    )
    found: dict[int, Any] = {row.id: row for row in tx.execute(statement).all()}
    return [_summary(found[product_id]) for product_id in ids]


def _summary(row: Any) -> ProductSummary:
    currency = row.currency
    return ProductSummary(
        id=row.id,
        title=row.title,
        brand=row.brand,
        category=CategoryRef(slug=row.slug, name=row.name, path=row.path) if row.slug is not None else None,
        price=PriceRange(min=money(row.min_price, currency), max=money(row.max_price, currency)),
        rating=row.rating,
        review_count=row.review_count,
        availability="in_stock" if row.in_stock else "out_of_stock",
        offer_count=row.offer_count,
    )
