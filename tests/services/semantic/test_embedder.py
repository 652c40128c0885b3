"""The packaged static model: deterministic unit vectors, meaning over spelling, and RRF."""

import numpy as np

from shopmcp.services.semantic import RRF_K, reciprocal_rank_fusion
from shopmcp.services.semantic.embedder import embedder
from shopmcp.services.semantic.store import dequantise, product_text, quantise


def cosine(a: str, b: str) -> float:
    vectors = embedder().embed([a, b])
    return float(vectors[0] @ vectors[1])


def test_vectors_are_unit_length_and_the_same_every_time() -> None:
    model = embedder()
    first = model.embed(["wireless earbuds with charging case", "garden hose 50 ft"])
    again = model.embed(["wireless earbuds with charging case", "garden hose 50 ft"])

    assert first.dtype == np.float32
    assert first.shape == (2, model.dimensions)
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    # One text alone embeds exactly as it does in a batch.
    assert np.array_equal(model.embed_one("garden hose 50 ft"), first[1])


def test_text_without_known_tokens_is_a_zero_vector() -> None:
    vectors = embedder().embed(["", "   "])

    assert not vectors.any()


def test_meaning_beats_unrelated_products() -> None:
    assert cosine("something to water my plants", "Watering can, garden") > cosine(
        "something to water my plants", "Mechanical keyboard, computers"
    )
    assert cosine("ear buds", "Wireless earbuds, headphones") > cosine("ear buds", "Cast iron skillet, kitchen")
    assert cosine("laptop", "Notebook computer 15 inch") > cosine("laptop", "Yoga mat")


def test_int8_storage_keeps_the_vector() -> None:
    vectors = embedder().embed(["Trail running shoes", "Stainless steel water bottle"])

    codes, scales = dequantise(quantise(vectors), vectors.shape[1])
    restored = codes.astype(np.float32) * scales[:, None]

    assert codes.dtype == np.int8
    assert np.allclose(restored, vectors, atol=float(scales.max()))
    assert float(restored[0] @ vectors[0]) > 0.999


def test_product_text_puts_what_it_is_first() -> None:
    text = product_text("Trail Runner 2", "Stridely", "Shoes > Running Shoes", ["9", "10", "9"], "A light shoe. " * 40)

    assert text.startswith("Trail Runner 2. Stridely. Shoes , Running Shoes. 9, 10. A light shoe.")
    assert len(text) < 300


def test_reciprocal_rank_fusion() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 4, 1]])

    # 1: 1/61 + 1/63; 3: 1/63 + 1/61 (a tie, kept in order of first appearance); 2: 1/62; 4: 1/62.
    assert fused == [1, 3, 2, 4]
    assert RRF_K == 60
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[5], []]) == [5]
