"""The catalog's own words, for correcting a query: typos, split and joined forms, option values.

Built from the words that name products (titles, brands, category names,
attribute values, variant option values) once per process and catalog, and rebuilt when
products or variants are added (their largest ids, read from the end of
their indexes before each use). Titles edited in place, or products deleted,
are seen at the next addition or after `forget`. Only searches that found too few
products by all their words use it, so a search whose words all match never
pays for it.

Typos are looked up the SymSpell way: every vocabulary word is indexed under
the strings one or two deletions make of it, and a query word's own
deletions are looked up there, so a lookup costs a few dozen dictionary
probes, not a pass over the vocabulary. Edits allowed: one from 5 letters,
two from 9 (as Meilisearch and Algolia do), a typo on the first letter
counting as two (as Meilisearch counts it); shorter words are never corrected.
"""

import math
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session, col

from shopmcp.models.catalog import Brand, Category, Product, VariantOption

ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
MAX_WORDS = 50_000
"""The most frequent words kept; a catalog's naming vocabulary is far smaller."""
MAX_TWO_EDIT_WORDS = 10_000
"""Words indexed for two edits (their two-deletion strings are many): the most frequent ones."""

NAMING_WORDS = 6
"""Attribute values of at most this many words join the vocabulary."""

_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def attribute_text(attributes: object) -> str:
    """The words of a product's attribute values (strings, as the search index holds them; a number
    without its unit, which only the key names, would match any number in a query)."""
    if isinstance(attributes, dict):
        return " ".join(attribute_text(value) for value in attributes.values())
    if isinstance(attributes, list):
        return " ".join(attribute_text(value) for value in attributes)
    if isinstance(attributes, str):
        # A value of a few words names something (a material, a switch type); a longer one is prose
        # (an SEO description), left out as descriptions are.
        return attributes if len(attributes.split()) <= NAMING_WORDS else ""
    return ""


def allowed_edits(word: str) -> int:
    if len(word) >= TWO_TYPOS_FROM:
        return 2
    return 1 if len(word) >= ONE_TYPO_FROM else 0


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), or `limit + 1` beyond `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@dataclass
class Vocabulary:
    """Words of the catalog with the number of products naming them, and what option values they belong to."""

    products: int
    counts: dict[str, int]
    options: dict[str, set[tuple[str, str]]]
    """A word of an option value -> the (option name, lower-cased value) pairs holding it."""
    attribute_only: frozenset[str] = frozenset()
    """Words only attribute values hold: a typo is read as one only when no naming word is as close."""
    _deleted: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, set[str]] = defaultdict(set)
        ranked = sorted(self.counts, key=lambda word: (-self.counts[word], word))
        for rank, word in enumerate(ranked):
            if len(word) < ONE_TYPO_FROM - 1 or not word.isalpha():
                continue
            ones = _deletes(word)
            for deleted in ones:
                index[deleted].add(word)
            if rank < MAX_TWO_EDIT_WORDS and len(word) >= TWO_TYPOS_FROM - 2:
                for one in ones:
                    for deleted in _deletes(one):
                        index[deleted].add(word)
        self._deleted = dict(index)

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def idf(self, matches: int) -> float:
        return math.log((self.products + 1) / (matches + 0.5))

    def correct(self, word: str) -> str | None:
        """The catalog word closest to `word` within its allowed edits (most common on a tie), or None."""
        limit = allowed_edits(word)
        if limit == 0 or not word.isalpha() or word in self.counts:
            return None
        probes = {word} | _deletes(word)
        if limit == 2:
            probes |= {deleted for one in _deletes(word) for deleted in _deletes(one)}
        candidates: set[str] = set()
        for probe in probes:
            if probe in self.counts:
                candidates.add(probe)
            candidates |= self._deleted.get(probe, set())
        scored = []
        for candidate in candidates:
            # A typo on the first letter counts twice, as Meilisearch counts it: people rarely get
            # a word's first letter wrong, and a changed one usually names another thing.
            distance = edit_distance(word, candidate, limit) + (candidate[:1] != word[:1])
            if distance <= limit:
                scored.append((distance, candidate in self.attribute_only, -self.counts.get(candidate, 0), candidate))
        return min(scored)[-1] if scored else None

    def complete(self, word: str) -> str | None:
        """The commonest catalog word that `word` begins, naming words before attribute-only ones, or None."""
        if not word.isalpha():
            return None
        longer = [
            (candidate in self.attribute_only, -count, candidate)
            for candidate, count in self.counts.items()
            if len(candidate) > len(word) and candidate.startswith(word)
        ]
        return min(longer)[-1] if longer else None

    def split(self, word: str) -> tuple[str, str] | None:
        """`word` as two catalog words ("tshirt" -> "t", "shirt"), the most common split, or None."""
        best: tuple[int, str, str] | None = None
        for cut in range(1, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if left in self.counts and right in self.counts:
                weight = min(self.counts[left], self.counts[right])
                if best is None or weight > best[0]:
                    best = (weight, left, right)
        return (best[1], best[2]) if best else None


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], Vocabulary]] = {}


def _signature(tx: Session) -> tuple[int, int]:
    # Two primary-key maxima, read from the end of their indexes: a count would walk the table
    # (18 ms at 100,000 products). New products and variants change it; see `forget` for the rest.
    largest_product = tx.execute(select(func.max(col(Product.id)))).scalar_one()
    largest_variant = tx.execute(select(func.max(col(VariantOption.variant_id)))).scalar_one()
    return int(largest_product or 0), int(largest_variant or 0)


def vocabulary(tx: Session) -> Vocabulary:
    """The vocabulary of the catalog `tx` reads, built on first use and after the products change."""
    key = str(tx.get_bind().engine.url)
    signature = _signature(tx)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
    built = _build(tx)
    with _lock:
        _cache[key] = (signature, built)
    return built


def forget() -> None:
    """Drop every cached vocabulary (after a catalog write in this process)."""
    with _lock:
        _cache.clear()


def _build(tx: Session) -> Vocabulary:
    counts: Counter[str] = Counter()
    products = 0
    names = (
        select(col(Product.title), col(Brand.name), col(Category.name), col(Product.attributes))
        .outerjoin(Brand, col(Brand.id) == col(Product.brand_id))
        .outerjoin(Category, col(Category.id) == col(Product.category_id))
    )
    named: set[str] = set()
    for title, brand, category, attributes in tx.execute(names):
        products += 1
        naming = set(words_of(f"{title} {brand or ''} {category or ''}"))
        named |= naming
        counts.update(naming | set(words_of(attribute_text(attributes))))
    options: dict[str, set[tuple[str, str]]] = defaultdict(set)
    lowered = func.lower(col(VariantOption.value))
    grouped = select(
        col(VariantOption.name), lowered, func.count(func.distinct(col(VariantOption.product_id)))
    ).group_by(col(VariantOption.name), lowered)
    for name, value, count in tx.execute(grouped):
        for word in set(words_of(value)):
            options[word].add((name, value))
            counts[word] += int(count)
    kept = dict(counts.most_common(MAX_WORDS))
    attribute_only = frozenset(kept) - named - set(options)
    return Vocabulary(products=products, counts=kept, options=dict(options), attribute_only=attribute_only)
