"""Which attribute values of a result explain its match: `matched_attributes`, like `matched_options`.

Attribute values are indexed as words (migration 0009: the FTS5 column `attributes`, weight 2;
PostgreSQL's `search_vector` at weight C), so "keyboard clicky" finds a keyboard whose switch type
says "clicky" without the title saying it. The index does not say which column matched a row, so
this reads the page's attributes (one primary-key lookup of at most a page of products) and
compares words in Python: a query word matches a value's word when they are equal, differ by a
plural "s"/"es", or are within the typo distance search allows (`vocabulary.allowed_edits`, same
first letter). Only words the product's title and brand do not already hold are reported, so an
attribute is named when it is why the product was found, not when it repeats the title.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from shopmcp.models.catalog import Product
from shopmcp.models.catalog_public import ProductSummary
from shopmcp.services.search.query import parse_query
from shopmcp.services.search.vocabulary import allowed_edits, attribute_text, edit_distance, words_of
from shopmcp.services.search.words import is_stop_word

MAX_REPORTED = 3
"""Attributes named per product at most, to keep a result short."""


def query_words(query: str) -> list[str]:
    """The words of `query` an attribute could explain: required, with a letter, not stop words."""
    parsed = parse_query(query)
    seen: dict[str, None] = {}
    for clause in parsed.clauses:
        for term in clause:
            for word in term.words:
                for piece in words_of(word):
                    if any(c.isalpha() for c in piece) and not is_stop_word(piece):
                        seen[piece] = None
    return list(seen)


def _stem(word: str) -> str:
    for ending in ("es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def same_word(said: str, written: str) -> bool:
    """Whether the query's `said` reads as the catalog's `written` (plural and typos forgiven)."""
    if said == written or _stem(said) == _stem(written):
        return True
    limit = allowed_edits(said)
    return bool(limit) and said[0] == written[0] and edit_distance(said, written, limit) <= limit


def _holds(words: Iterable[str], said: str) -> bool:
    return any(same_word(said, written) for written in words)


def with_matched_attributes(tx: Session, items: list[ProductSummary], query: str | None) -> list[ProductSummary]:
    """`items`, each with the attribute values that words of `query` matched (and its title did not)."""
    words = query_words(query) if query else []
    if not words or not items:
        return items
    ids = [item.id for item in items]
    rows = tx.execute(select(col(Product.id), col(Product.attributes)).where(col(Product.id).in_(ids))).all()
    attributes = {int(pid): value for pid, value in rows if isinstance(value, dict) and value}
    updated = []
    for item in items:
        found = _matched(attributes.get(item.id, {}), words, f"{item.title} {item.brand or ''}")
        updated.append(item.model_copy(update={"matched_attributes": found}) if found else item)
    return updated


def _matched(attributes: dict[str, object], words: list[str], named: str) -> dict[str, str] | None:
    named_words = set(words_of(named))
    left = [word for word in words if not _holds(named_words, word)]
    found: dict[str, str] = {}
    for key, value in attributes.items():
        text = attribute_text(value)
        if text and any(_holds(words_of(text), word) for word in left):
            found[key] = text
            if len(found) == MAX_REPORTED:
                break
    return found or None
