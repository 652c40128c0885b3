"""Nearest products to a query: the stored vectors of a database as one in-memory matrix per process.

The matrix (float32, 1 KiB a product: 100 MiB at 100,000 products; stored as int8, a quarter of
that, but widening int8 per search cost 20-30 ms at 100,000) is read once and read again only when
`product_embedding`'s highest version moves, which every generate or
import that embedded something does; one indexed max() per search checks it. Products deleted
since then may still come back as neighbours; search filters every candidate through the catalog
anyway. A scan of 100,000 rows costs a few milliseconds (bench/semantic.py); pgvector would index
it on PostgreSQL, but it is not installed here, and this path is the same on both databases
(docs/search.md).
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from shopmcp.models.semantic import ProductEmbedding
from shopmcp.services.semantic.embedder import embedder
from shopmcp.services.semantic.store import dequantise


@dataclass(frozen=True)
class _Matrix:
    version: int
    ids: np.ndarray
    vectors: np.ndarray


_cache: dict[str, _Matrix] = {}
_lock = threading.Lock()


def _key(tx: Session) -> str:
    return tx.get_bind().engine.url.render_as_string(hide_password=True)


def _version(tx: Session) -> int:
    return int(tx.exec(select(func.coalesce(func.max(col(ProductEmbedding.version)), 0))).one())


def _matrix(tx: Session, dimensions: int) -> _Matrix:
    key, version = _key(tx), _version(tx)
    held = _cache.get(key)
    if held is not None and held.version == version:
        return held
    with _lock:
        held = _cache.get(key)
        if held is not None and held.version == version:
            return held
        rows = tx.exec(
            select(col(ProductEmbedding.product_id), col(ProductEmbedding.vector)).order_by(
                col(ProductEmbedding.product_id)
            )
        ).all()
        if rows:
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            codes, scales = dequantise([row[1] for row in rows], dimensions)
            vectors = codes.astype(np.float32)
            vectors *= scales[:, None]
        else:
            ids = np.zeros(0, dtype=np.int64)
            vectors = np.zeros((0, dimensions), dtype=np.float32)
        held = _Matrix(version, ids, vectors)
        _cache[key] = held
        return held


def forget(tx: Session) -> None:
    """Drop this database's matrix (tests that rewrite a catalog under the same version)."""
    with _lock:
        _cache.pop(_key(tx), None)


def nearest_products(tx: Session, query: str, *, limit: int, min_similarity: float = 0.0) -> list[tuple[int, float]]:
    """Up to `limit` (product id, cosine similarity) pairs most similar to `query`, best first."""
    model = embedder()
    vector = model.embed_one(query)
    if not vector.any() or limit <= 0:
        return []
    matrix = _matrix(tx, model.dimensions)
    if not len(matrix.ids):
        return []
    scores = matrix.vectors @ vector
    take = min(limit, len(scores))
    top = np.argpartition(-scores, take - 1)[:take]
    top = top[np.lexsort((matrix.ids[top], -scores[top]))]
    return [(int(matrix.ids[i]), float(scores[i])) for i in top if scores[i] >= min_similarity]


def similarities(tx: Session, query: str, product_ids: Sequence[int]) -> dict[int, float]:
    """Cosine similarity of `query` to each of `product_ids` that has a vector."""
    model = embedder()
    vector = model.embed_one(query)
    if not vector.any() or not product_ids:
        return {}
    matrix = _matrix(tx, model.dimensions)
    wanted = np.asarray(product_ids, dtype=np.int64)
    rows = np.searchsorted(matrix.ids, wanted)
    rows = np.minimum(rows, max(len(matrix.ids) - 1, 0))
    present = (matrix.ids[rows] == wanted) if len(matrix.ids) else np.zeros(len(wanted), dtype=bool)
    rows, wanted = rows[present], wanted[present]
    scores = matrix.vectors[rows] @ vector
    return {int(product_id): float(score) for product_id, score in zip(wanted, scores, strict=True)}
