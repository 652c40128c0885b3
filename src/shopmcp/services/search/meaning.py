"""Products found by meaning: the semantic neighbours of a query that pass the search's filters.

Used by the relaxed search (`products._relaxed`), which fuses them with its word ranking by
Reciprocal Rank Fusion (`services.semantic.fusion`).
"""

from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from shopmcp.models.catalog import Product
from shopmcp.services.search.sql import id_rows, ordered_join
from shopmcp.services.search.words import is_stop_word

POOL = 100
"""Neighbours fused with the word ranking: ten pages, as many as relaxing ranks before it stops."""

READ = 400
"""Neighbours read before the filters, so a filter that rejects most of them still leaves some."""

MIN_SIMILARITY = 0.35
"""Cosine similarity below which a neighbour is not fused with a word ranking."""

MIN_SIMILARITY_ALONE = 0.55
"""Cosine similarity a neighbour needs when no word of the query matches anything in the catalog.

A static model's similarities do not separate "related" from "not in this store" well: on the demo
store, queries for things it does not sell ("motor oil 5w-30", "car tires") have neighbours at 0.50-0.52
while "airpods" or "sunblock" reach 0.38-0.44 with the right products (bench/RESULTS.md). Alone,
meaning must be clear (a described need scores 0.7 and more), so a store without the thing answers
empty, with the hint of the relaxed search."""


KNOWN_SHARE = 0.5
"""Meaning is used when at least this share of the query's words are whole words of the model's
vocabulary (`Embedder.known_share`): "kitchen knives" is, "zqxv wplk" or a part number is not."""


def understood(text: str) -> bool:
    """Whether the model can read a meaning in `text` (its stop words aside)."""
    from shopmcp.services.semantic.embedder import embedder  # numpy and the tokenizer load on first use

    words = " ".join(word for word in text.split() if not is_stop_word(word.lower()))
    return embedder().known_share(words) >= KNOWN_SHARE


def by_meaning(tx: Session, text: str, filters: list[ColumnElement[bool]]) -> list[tuple[int, float]]:
    """Up to `POOL` products that pass `filters` with their similarity to `text`, most similar first."""
    from shopmcp.services.semantic.index import nearest_products

    if not understood(text):
        return []
    pairs = nearest_products(tx, text, limit=READ, min_similarity=MIN_SIMILARITY)
    if not pairs:
        return []
    ids = id_rows(tx.get_bind().dialect.name, [product_id for product_id, _ in pairs])
    listed = select(col(Product.id)).select_from(ordered_join(ids, Product, col(Product.id) == ids.c.value))
    allowed = {int(row[0]) for row in tx.execute(listed.where(*filters))}
    return [(product_id, similarity) for product_id, similarity in pairs if product_id in allowed][:POOL]
