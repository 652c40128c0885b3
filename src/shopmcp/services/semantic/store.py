"""Product texts and their stored embeddings: computed on generate and import, only where the text changed."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shopmcp.models.catalog import Brand, Category, Product, VariantOption
from shopmcp.models.semantic import ProductEmbedding
from shopmcp.services.semantic.embedder import Embedder, Vectors, embedder

BATCH = 2000
"""Products read, embedded and written at a time."""

DESCRIPTION_CHARS = 200
"""How much of the description goes into a product's text: its opening says what the product is."""


def product_text(
    title: str, brand: str | None, category_path: str | None, options: Iterable[str], description: str
) -> str:
    """What a product's embedding is computed from: what it is first, then its options and description's start."""
    parts = [title]
    if brand:
        parts.append(brand)
    if category_path:
        parts.append(category_path.replace(">", ","))
    values = list(dict.fromkeys(value for value in options if value))
    if values:
        parts.append(", ".join(values))
    if description:
        parts.append(description[:DESCRIPTION_CHARS])
    return ". ".join(parts)


def product_texts(tx: Session, product_ids: Sequence[int]) -> dict[int, str]:
    """The text of each existing product of `product_ids`."""
    rows = (
        tx.connection()
        .execute(
            sa_select(
                col(Product.id), col(Product.title), col(Brand.name), col(Category.path), col(Product.description)
            )
            .outerjoin(Brand, col(Brand.id) == col(Product.brand_id))
            .outerjoin(Category, col(Category.id) == col(Product.category_id))
            .where(col(Product.id).in_(product_ids))
        )
        .all()
    )
    options: dict[int, list[str]] = defaultdict(list)
    for product_id, value in tx.exec(
        select(col(VariantOption.product_id), col(VariantOption.value))
        .where(col(VariantOption.product_id).in_(product_ids))
        .distinct()
        .order_by(col(VariantOption.product_id), col(VariantOption.value))
    ).all():
        options[product_id].append(value)
    return {
        product_id: product_text(title, brand, path, options.get(product_id, ()), description or "")
        for product_id, title, brand, path, description in rows
        if product_id is not None
    }


def quantise(vectors: Vectors) -> list[bytes]:
    """Each row as a float32 scale and int8 components (see `ProductEmbedding`)."""
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    codes = np.rint(vectors / scales[:, None]).astype(np.int8)
    return [scales[i].astype("<f4").tobytes() + codes[i].tobytes() for i in range(len(vectors))]


def dequantise(blobs: Sequence[bytes], dimensions: int) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes (one row per blob) and their float32 scales."""
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), 4 + dimensions)
    scales = raw[:, :4].copy().view("<f4").reshape(-1).astype(np.float32)
    codes = raw[:, 4:].copy().view(np.int8)
    return codes, scales


def _hash(model: str, text: str) -> str:
    return hashlib.blake2b(f"{model}\n{text}".encode(), digest_size=16).hexdigest()


def refresh_embeddings(tx: Session, product_ids: Iterable[int], *, model: Embedder | None = None) -> int:
    """Embed the products of `product_ids` whose text changed since they were embedded, in `tx`.

    Returns how many were (re)embedded. Products that no longer exist are skipped.
    """
    model = model or embedder()
    ids = sorted(set(product_ids))
    if not ids:
        return 0
    version = int(tx.exec(select(func.coalesce(func.max(col(ProductEmbedding.version)), 0))).one()) + 1
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        texts = product_texts(tx, batch)
        hashes = {product_id: _hash(model.name, text) for product_id, text in texts.items()}
        stored = dict(
            tx.exec(
                select(col(ProductEmbedding.product_id), col(ProductEmbedding.text_hash)).where(
                    col(ProductEmbedding.product_id).in_(list(texts))
                )
            ).all()
        )
        changed = [product_id for product_id in texts if stored.get(product_id) != hashes[product_id]]
        if not changed:
            continue
        blobs = quantise(model.embed([texts[product_id] for product_id in changed]))
        stale = [product_id for product_id in changed if product_id in stored]
        if stale:
            tx.exec(delete(ProductEmbedding).where(col(ProductEmbedding.product_id).in_(stale)))
        tx.connection().execute(
            ProductEmbedding.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "product_id": product_id,
                    "model": model.name,
                    "text_hash": hashes[product_id],
                    "vector": blob,
                    "version": version,
                }
                for product_id, blob in zip(changed, blobs, strict=True)
            ],
        )
        written += len(changed)
    return written


def missing_embeddings(tx: Session) -> list[int]:
    """Products without an embedding (a catalog loaded before embeddings existed)."""
    return [
        product_id
        for product_id in tx.exec(
            select(col(Product.id))
            .outerjoin(ProductEmbedding, col(ProductEmbedding.product_id) == col(Product.id))
            .where(col(ProductEmbedding.product_id).is_(None))
            .order_by(col(Product.id))
        ).all()
        if product_id is not None
    ]
