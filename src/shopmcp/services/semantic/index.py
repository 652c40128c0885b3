"""Nearest products to a query: the stored vectors of a database, in memory once per process.

Two arrays per database: the int8 codes and scales as stored (260 bytes a product), and the first
`COARSE` dimensions as float32 (256 bytes a product): 52 MB at 100,000 products. A query scans the
coarse part (PCA puts most of the variance in the first dimensions), keeps the best `SHORTLIST`,
and scores those exactly. A full float32 scan reads 100 MB per query, 26 ms at 100,000 products on
this machine under load; the coarse scan reads a quarter of that (bench/semantic.py). The arrays are
read again only when `product_embedding`'s highest version moves, which every generate or import
that embedded something does; one indexed max() per search checks it. Products deleted since then
may come back as neighbours; search filters every candidate through the catalog anyway. pgvector
would index this on PostgreSQL, but it is not installed here, and this path is the same on both
databases (docs/search.md).
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

COARSE = 64
"""Leading dimensions scanned for every product."""

SHORTLIST = 2000
"""Products scored exactly after the coarse scan (at least five times what is asked for)."""


@dataclass(frozen=True)
class _Matrix:
    version: int
    ids: np.ndarray
    codes: np.ndarray
    scales: np.ndarray
    coarse: np.ndarray

    def exact(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        scores: np.ndarray = (self.codes[rows].astype(np.float32) @ vector) * self.scales[rows]
        return scores


_cache: dict[str, _Matrix] = {}
_lock = threading.Lock()


def _key(tx: Session) -> str:
    return tx.get_bind().engine.url.render_as_string(hide_password=True)


_VERSION = select(func.coalesce(func.max(col(ProductEmbedding.version)), 0))


def _version(tx: Session) -> int:
    # On the connection, not through the ORM session: a third of a reordering's cost went to the
    # session's statement handling around this one indexed max().
    return int(tx.connection().execute(_VERSION).scalar_one())


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
        coarse = np.ascontiguousarray(codes[:, :COARSE], dtype=np.float32) * scales[:, None]
        held = _Matrix(version, ids, codes, scales, coarse)
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
    rough = matrix.coarse @ vector[:COARSE]
    short = min(len(rough), max(SHORTLIST, 5 * limit))
    rows = _largest(rough, short)
    scores = matrix.exact(rows, vector)
    take = min(limit, len(rows))
    best = np.argpartition(-scores, take - 1)[:take]
    best = best[np.lexsort((matrix.ids[rows[best]], -scores[best]))]
    return [(int(matrix.ids[rows[i]]), float(scores[i])) for i in best if scores[i] >= min_similarity]


SAMPLE = 20_000
"""Scores sampled to guess the shortlist's threshold (`_largest`)."""


def _largest(scores: np.ndarray, count: int) -> np.ndarray:
    """Row numbers of the `count` largest `scores` (in no order), the rows `argpartition` would pick.

    A full `argpartition` of 1,000,000 scores takes about as long as computing them. A threshold
    guessed from an evenly spaced sample (the sample's share of `count`, with a margin) keeps a few
    thousand rows in one vectorised comparison, and those are partitioned; when the guess keeps
    fewer than `count`, the full partition runs as before.
    """
    if count >= len(scores):
        return np.arange(len(scores))
    if len(scores) > 4 * SAMPLE:
        sample = scores[:: len(scores) // SAMPLE]
        share = 2 * count * len(sample) // len(scores) + 20
        if share < len(sample):
            threshold = np.partition(sample, len(sample) - share)[len(sample) - share]
            kept = np.flatnonzero(scores >= threshold)
            if len(kept) >= count:
                return kept[np.argpartition(-scores[kept], count - 1)[:count]]
    return np.argpartition(-scores, count - 1)[:count]


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
    scores = matrix.exact(rows, vector)
    return {int(product_id): float(score) for product_id, score in zip(wanted, scores, strict=True)}
