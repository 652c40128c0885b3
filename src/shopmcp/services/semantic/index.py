"""Nearest products to a query: the stored vectors of a database as one in-memory matrix per process.

The matrix (int8 codes and a scale per row, 260 bytes a product: 26 MB at 100,000 products) is read
once and read again only when `product_embedding`'s highest version moves, which every generate or
import that embedded something does; one indexed max() per search checks it. Products deleted
since then may still come back as neighbours; search filters every candidate through the catalog
anyway. A scan of 100,000 rows costs a few milliseconds (bench/semantic.py); pgvector would index
it on PostgreSQL, but it is not installed here, and this path is the same on both databases
(docs/search.md).
"""

import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from shopmcp.models.semantic import ProductEmbedding
from shopmcp.services.semantic.embedder import embedder
from shopmcp.services.semantic.store import dequantise

CHUNK = 32_768
"""Rows scored at a time, so a float32 copy of the whole matrix never exists."""


@dataclass(frozen=True)
class _Matrix:
    version: int
    ids: np.ndarray
    codes: np.ndarray
    scales: np.ndarray


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
        else:
            ids = np.zeros(0, dtype=np.int64)
            codes, scales = np.zeros((0, dimensions), dtype=np.int8), np.zeros(0, dtype=np.float32)
        held = _Matrix(version, ids, codes, scales)
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
    scores = np.empty(len(matrix.ids), dtype=np.float32)
    for start in range(0, len(matrix.ids), CHUNK):
        stop = start + CHUNK
        scores[start:stop] = (matrix.codes[start:stop].astype(np.float32) @ vector) * matrix.scales[start:stop]
    take = min(limit, len(scores))
    top = np.argpartition(-scores, take - 1)[:take]
    top = top[np.lexsort((matrix.ids[top], -scores[top]))]
    return [(int(matrix.ids[i]), float(scores[i])) for i in top if scores[i] >= min_similarity]
