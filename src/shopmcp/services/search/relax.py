"""When too few products match every word: correct the words, drop the ones nothing matches, rank by how many match.

A query's required clauses become *units* (a word, a phrase, an OR group).
`plan` reads each unit's number of matches from the index and

1. drops stop words (`search.words`);
2. offers a joined form of two neighbouring words ("ear buds" -> earbuds or
   "ear buds") where the catalog has it;
3. for a unit nothing matches: reads a word that is an option value as that
   value (a product offering it matches), else splits it ("tshirt" -> "t
   shirt"), joins a phrase ("e-reader" -> ereader) or corrects a typo against
   the catalog's vocabulary (`search.vocabulary`); what is still unmatched is
   dropped and named in `messages`.

`candidates` then ranks products by the IDF-weighted number of units they
match, the way Typesense's drop_tokens and Meilisearch's matching strategy
relax a query: the subsets of the (at most `SUBSET_UNITS` rarest) units are
searched in decreasing total weight, each one with the ordinary bounded
ranking (title matches first, then bm25 / ts_rank); a product keeps the tier
of the first subset that finds it, which is the heaviest set of units it
matches. The list is rebuilt the same way for every page, so keyset cursors
over (tier, score, id) stay consistent.
"""

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, func, literal, or_, select
from sqlmodel import Session, col

from shopmcp.models.catalog import Category, Product, VariantOption
from shopmcp.services.search.query import MIN_PREFIX_LENGTH, ColumnHint, ParsedQuery, Term
from shopmcp.services.search.text import counts_capped, text_search
from shopmcp.services.search.vocabulary import ONE_TYPO_FROM, Vocabulary, edit_distance, vocabulary
from shopmcp.services.search.words import is_stop_word

SUBSET_UNITS = 6
"""Units whose subsets are ranked; with more, the most common units are left out of the ranking."""
MAX_SUBSET_QUERIES = 16
"""Subsets searched at most, heaviest first."""
ENOUGH = 100
"""Products after which lighter subsets are not searched: ten pages of the heaviest matches.

Each subset's search costs a bm25 pass over its common words' index entries (about 10 ms at
100,000 products), so searching every subset of a five-word sentence cost 200 ms."""


def _label(clause: tuple[Term, ...]) -> str:
    return " or ".join(" ".join(term.words) + ("*" if term.prefix else "") for term in clause)


def _plain_word(clause: tuple[Term, ...]) -> str | None:
    if len(clause) == 1 and not clause[0].prefix and len(clause[0].words) == 1:
        return clause[0].words[0]
    return None


@dataclass
class Unit:
    clause: tuple[Term, ...]
    said: str
    """What the query said for this unit."""
    matches: int = 0
    options: tuple[tuple[str, str], ...] = ()
    """(option name, lower-cased value) pairs: the unit matches products offering one of them."""

    @property
    def label(self) -> str:
        return _label(self.clause) if self.clause else self.said


@dataclass
class Plan:
    units: list[Unit] = field(default_factory=list)
    stop_words: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    corrections: list[tuple[str, str]] = field(default_factory=list)
    excluded: tuple[Term, ...] = ()
    vocabulary: Vocabulary | None = None

    def key(self) -> list[Any]:
        """What a relaxed cursor is bound to besides the arguments."""
        return [[unit.label, list(unit.options)] for unit in self.units]

    @property
    def option_pairs(self) -> list[tuple[str, str]]:
        return [pair for unit in self.units for pair in unit.options]


def _counts(tx: Session, dialect: str, clauses: list[tuple[Term, ...]], cap: int) -> list[int]:
    """Each clause's matches, capped, in one statement (a clause of stop words alone matches nothing)."""
    return counts_capped(tx, [text_search(dialect, ParsedQuery(clauses=(clause,))) for clause in clauses], cap)


def plan(tx: Session, query: ParsedQuery, dialect: str, *, relax: bool, typos: bool, cap: int) -> Plan:
    """Units of `query` with their matches, after the corrections described in the module docstring."""
    vocab = vocabulary(tx)
    result = Plan(excluded=query.excluded, vocabulary=vocab)
    clauses = list(query.clauses)
    if relax:
        kept = []
        for clause in clauses:
            word = _plain_word(clause)
            if word is not None and is_stop_word(word):
                result.stop_words.append(word)
            else:
                kept.append(clause)
        clauses = kept
    units: list[Unit] = []
    i = 0
    while i < len(clauses):
        clause = clauses[i]
        first, second = _plain_word(clause), _plain_word(clauses[i + 1]) if i + 1 < len(clauses) else None
        if typos and first and second and (first + second) in vocab:
            joined = (Term(words=(first + second,)), Term(words=(first, second)))
            units.append(Unit(clause=joined, said=f"{first} {second}"))
            result.corrections.append((f"{first} {second}", f"{first}{second}"))
            i += 2
            continue
        units.append(Unit(clause=clause, said=_label(clause)))
        i += 1
    for unit, matches in zip(units, _counts(tx, dialect, [unit.clause for unit in units], cap), strict=True):
        unit.matches = matches
    fixes: list[tuple[Unit, tuple[Term, ...]]] = []
    for unit in units:
        if unit.matches:
            continue
        word = _plain_word(unit.clause)
        if word is not None and word in vocab.options:
            unit.options = tuple(sorted(vocab.options[word]))
            unit.clause = ()
            unit.matches = vocab.counts.get(word, 1)
            continue
        if typos:
            fixes.extend((unit, fixed) for fixed in _fixes(unit.clause, vocab, last=unit is units[-1]))
    # Every candidate form of every unmatched word counted in one statement; a unit takes its
    # likeliest form that matches.
    fixed_units: set[int] = set()
    for (unit, fixed), matches in zip(fixes, _counts(tx, dialect, [fixed for _, fixed in fixes], cap), strict=True):
        if matches and id(unit) not in fixed_units:
            fixed_units.add(id(unit))
            result.corrections.append((unit.said, _label(fixed)))
            unit.clause, unit.matches = fixed, matches
    result.units = [unit for unit in units if unit.matches]
    result.missing = [unit.said for unit in units if not unit.matches]
    return result


def _fixes(clause: tuple[Term, ...], vocab: Vocabulary, *, last: bool) -> list[tuple[Term, ...]]:
    """Forms of `clause` the catalog may hold, likeliest first; the first that matches is used.

    A split or joined word, the nearest word within the allowed typos (each word of a phrase:
    "t-shrit" -> "t shirt"), and for the query's last word, too short for typos, the commonest
    catalog word it starts ("dres" -> dress), as Meilisearch reads a query's last word as a prefix
    (a prefix query would not do: the stemmer makes "dres*" into "dre*", which matches "dreamy").
    """
    if len(clause) != 1 or clause[0].prefix:
        return []
    words = clause[0].words
    if len(words) > 1:
        joined = "".join(words)
        fixes: list[tuple[Term, ...]] = [(Term(words=(joined,)),)] if joined in vocab else []
        spelled = tuple(vocab.correct(word) or word for word in words)
        return fixes + ([(Term(words=spelled),)] if spelled != words else [])
    word = words[0]
    fixes = []
    split = vocab.split(word)
    if split is not None:
        fixes.append((Term(words=split),))
    corrected = vocab.correct(word)
    if corrected:
        fixes.append((Term(words=(corrected,)),))
    completed = vocab.complete(word) if last and MIN_PREFIX_LENGTH < len(word) < ONE_TYPO_FROM else None
    if completed:
        fixes.append((Term(words=(completed,)),))
    return fixes


def option_condition(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> ColumnElement[bool]:
    """Some variant of the product has one of the (name, lower-cased value) options."""
    value = func.lower(col(VariantOption.value))
    matching = or_(*(and_(col(VariantOption.name) == name, value == lowered) for name, lowered in pairs))
    return col(Product.id).in_(select(col(VariantOption.product_id)).where(matching))


Candidate = tuple[int, int, float]
"""A product id, its tier (lower ranks first) and its score within the tier (higher first)."""


def _subsets(units: list[Unit], vocab: Vocabulary) -> list[tuple[Unit, ...]]:
    weighted = sorted(units, key=lambda unit: -vocab.idf(unit.matches))[:SUBSET_UNITS]
    chosen = []
    for size in range(len(weighted), 0, -1):
        chosen += list(combinations(weighted, size))
    # Heaviest first; between equal weights, more units first.
    chosen.sort(key=lambda subset: (-sum(vocab.idf(unit.matches) for unit in subset), -len(subset)))
    return chosen[:MAX_SUBSET_QUERIES]


def candidates(
    tx: Session,
    relaxed: Plan,
    dialect: str,
    filters: list[ColumnElement[bool]],
    hints: tuple[ColumnHint, ...],
    *,
    cap: int,
    best_only: bool,
    every_unit: bool = False,
) -> tuple[list[Candidate], list[str], bool]:
    """Ranked products of the plan, the labels of the heaviest subset that found any, and whether the list is whole.

    `best_only` keeps only the products of that heaviest subset (for sorts other than relevance);
    `every_unit` searches only the set of every unit (relaxing is off: words are corrected, not dropped).
    """
    vocab = relaxed.vocabulary or vocabulary(tx)
    found: dict[int, Candidate] = {}
    best: list[str] = []
    subsets = [tuple(relaxed.units)] if every_unit else _subsets(relaxed.units, vocab)
    whole = len(subsets) == (2 ** min(len(relaxed.units), SUBSET_UNITS)) - 1 and len(relaxed.units) <= SUBSET_UNITS
    empty: list[frozenset[int]] = []
    # Whether the index holds the words together at all costs 0.1-1 ms a subset; ranking them, 5-10 ms.
    together = _may_match_each(tx, subsets, relaxed.excluded, dialect)
    for rank, subset in enumerate(subsets):
        members = frozenset(id(unit) for unit in subset)
        if any(known <= members for known in empty):
            continue  # a superset of a subset nothing matches matches nothing
        rows = _subset_rows(tx, subset, relaxed.excluded, dialect, filters, hints, cap) if together[rank] else []
        if not rows:
            empty.append(members)
        if len(rows) >= cap:
            whole = False
        fresh = [row for row in rows if int(row[0]) not in found]
        for row in fresh:
            found[int(row[0])] = (int(row[0]), rank * 2 + int(row[1]), float(row[2] or 0.0))
        if rows and not best:
            best = [unit.label for unit in subset]
            if best_only:
                break
        if len(found) >= min(cap, ENOUGH) and rank + 1 < len(subsets):
            whole = False
            break
    ordered = sorted(found.values(), key=lambda row: (row[1], -row[2], row[0]))
    return ordered, best, whole


def _may_match_each(
    tx: Session, subsets: list[tuple[Unit, ...]], excluded: tuple[Term, ...], dialect: str
) -> list[bool]:
    """`may_match` of each subset's words (true for option words alone), probed in one statement.

    One statement rather than one per subset: the probes are cheap, their round trips and
    compilations were most of their cost (16 of them for a six-word sentence).
    """
    clauses = [tuple(unit.clause for unit in subset if unit.clause) for subset in subsets]
    probed = [i for i, words in enumerate(clauses) if words]
    searches = [text_search(dialect, ParsedQuery(clauses=clauses[i], excluded=excluded)) for i in probed]
    found = dict(zip(probed, counts_capped(tx, searches, 0), strict=True))
    return [found.get(i, 1) > 0 for i in range(len(subsets))]


def may_match(tx: Session, query: ParsedQuery, dialect: str) -> bool:
    """Whether the index holds the query's words together in some product (filters aside): one cheap probe."""
    return text_search(dialect, query).count_capped(tx, 0) > 0


def _subset_rows(
    tx: Session,
    subset: tuple[Unit, ...],
    excluded: tuple[Term, ...],
    dialect: str,
    filters: list[ColumnElement[bool]],
    hints: tuple[ColumnHint, ...],
    cap: int,
) -> list[Any]:
    clauses = tuple(unit.clause for unit in subset if unit.clause)
    conditions = list(filters) + [option_condition(unit.options) for unit in subset if unit.options]
    if clauses:
        search = text_search(dialect, ParsedQuery(clauses=clauses, excluded=excluded), hints)
        return list(tx.execute(search.ranked(conditions, cap)).all())
    if excluded:
        conditions.append(text_search(dialect, ParsedQuery(excluded=excluded)).filter())
    # Only option words: best rated first, all in the second tier (no title match).
    statement = (
        select(col(Product.id), literal(1, Integer), col(Product.rating))
        .where(*conditions)
        .order_by(col(Product.rating).desc(), col(Product.id))
        .limit(cap)
    )
    return list(tx.execute(statement).all())


def nearest_categories(tx: Session, words: list[str], limit: int = 3) -> list[str]:
    """Category slugs whose names are closest to `words` (a shared start or a near spelling); else the largest."""
    rows = tx.execute(select(col(Category.slug), col(Category.name), col(Category.depth))).all()
    scored = []
    for slug, name, depth in rows:
        names = [part.lower() for part in name.split()]
        best = None
        for word in words:
            for part in names:
                stem = min(len(word), len(part), 4)
                if stem >= 3 and word[:stem] == part[:stem]:
                    distance = edit_distance(word, part, 3)
                    best = distance if best is None else min(best, distance)
        if best is not None:
            scored.append((best, depth, slug))
    if scored:
        return [slug for _, _, slug in sorted(scored)[:limit]]
    roots = tx.execute(
        select(col(Category.slug)).where(col(Category.depth) == 0).order_by(col(Category.slug)).limit(limit)
    ).all()
    return [row[0] for row in roots]
