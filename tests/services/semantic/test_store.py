"""Embeddings are computed on import and generation, again only where a product's text changed, and searched."""

import io
import json
from typing import Any

from sqlmodel import col, select

from shopmcp.db import Database
from shopmcp.models.catalog import Product
from shopmcp.models.semantic import ProductEmbedding
from shopmcp.services.ingest.generator import generate_catalog
from shopmcp.services.ingest.importers import import_catalog
from shopmcp.services.semantic.index import nearest_products
from shopmcp.services.semantic.store import missing_embeddings, refresh_embeddings


def record(handle: str, title: str, category: str, **fields: Any) -> dict[str, Any]:
    return {
        "handle": handle,
        "title": title,
        "category": category,
        "variants": [{"offers": [{"price": 1999}]}],
    } | fields


RECORDS = [
    record("can", "Galvanised Watering Can 2 gal", "Garden > Watering"),
    record("hose", "Expandable Garden Hose 50 ft", "Garden > Watering"),
    record("keys", "Mechanical Keyboard, Blue Switches", "Electronics > Computer Accessories"),
    record("pods", "Wireless Earbuds with Charging Case", "Electronics > Audio > Headphones"),
    record("pan", "Cast Iron Skillet 12 in", "Kitchen > Cookware"),
]


def load(db: Database, records: list[dict[str, Any]], strict: bool = False) -> None:
    data = "".join(json.dumps(item) + "\n" for item in records).encode()
    report = import_catalog(db, io.BytesIO(data), format="jsonl", source="test", strict=strict)
    assert report.ok, report.summary()


def stored(db: Database) -> dict[str, tuple[int, str]]:
    """handle -> (version, text hash)."""
    with db.read() as tx:
        rows = tx.exec(
            select(Product.handle, ProductEmbedding.version, ProductEmbedding.text_hash).join(
                ProductEmbedding, col(ProductEmbedding.product_id) == col(Product.id)
            )
        ).all()
    return {handle: (version, text_hash) for handle, version, text_hash in rows}


def nearest(db: Database, query: str, limit: int = 2) -> list[str]:
    with db.read() as tx:
        found = nearest_products(tx, query, limit=limit)
        handles = dict(tx.exec(select(Product.id, Product.handle)).all())
    return [handles[product_id] for product_id, _ in found]


def test_import_embeds_every_product_and_search_finds_them_by_meaning(empty_catalog: Database) -> None:
    load(empty_catalog, RECORDS)

    assert set(stored(empty_catalog)) == {"can", "hose", "keys", "pods", "pan"}
    assert set(nearest(empty_catalog, "something to water my plants")) == {"can", "hose"}
    assert nearest(empty_catalog, "ear buds", limit=1) == ["pods"]
    assert nearest(empty_catalog, "clicky typing", limit=1) == ["keys"]
    assert nearest(empty_catalog, "") == []


def test_re_import_embeds_only_changed_products(empty_catalog: Database) -> None:
    load(empty_catalog, RECORDS)
    before = stored(empty_catalog)

    load(empty_catalog, RECORDS)  # unchanged: nothing is embedded again
    assert stored(empty_catalog) == before

    changed = [*RECORDS[:4], record("pan", "Nonstick Frying Pan 10 in", "Kitchen > Cookware")]
    load(empty_catalog, changed, strict=True)
    after = stored(empty_catalog)

    assert {handle for handle in after if after[handle] != before[handle]} == {"pan"}
    assert after["pan"][0] > max(version for version, _ in before.values())
    assert nearest(empty_catalog, "frying pan", limit=1) == ["pan"]


def test_generated_catalog_is_embedded_and_a_catalog_without_vectors_is_filled(empty_catalog: Database) -> None:
    with empty_catalog.write() as tx:
        generate_catalog(tx, products=40, seed=7)
    with empty_catalog.read() as tx:
        assert missing_embeddings(tx) == []
        count = len(tx.exec(select(ProductEmbedding.product_id)).all())
    assert count == 40

    with empty_catalog.write() as tx:
        tx.exec(ProductEmbedding.__table__.delete())  # type: ignore[attr-defined]
    with empty_catalog.write() as tx:
        missing = missing_embeddings(tx)
        assert len(missing) == 40
        assert refresh_embeddings(tx, missing) == 40
        assert refresh_embeddings(tx, missing) == 0


def test_serving_an_upgraded_catalog_embeds_the_products_it_finds_without_vectors(empty_catalog: Database) -> None:
    from shopmcp.bootstrap import prepare_database
    from tests.conftest import make_settings

    load(empty_catalog, RECORDS)
    with empty_catalog.write() as tx:
        tx.exec(ProductEmbedding.__table__.delete())  # type: ignore[attr-defined]  # as before migration 0008

    prepare_database(make_settings(empty_catalog, search_semantic=False), empty_catalog)
    assert stored(empty_catalog) == {}  # switched off: left alone
    prepare_database(make_settings(empty_catalog), empty_catalog)
    assert set(stored(empty_catalog)) == {"can", "hose", "keys", "pods", "pan"}
