"""The shortlist of a neighbour search: the same rows as a full partition, found from a sampled threshold."""

import numpy as np

from shopmcp.services.semantic.index import _largest


def full(scores: np.ndarray, count: int) -> set[int]:
    return set(np.argpartition(-scores, count - 1)[:count].tolist())


def test_the_largest_scores_are_those_a_full_partition_keeps() -> None:
    rng = np.random.default_rng(7)
    for size in (50, 5_000, 300_000):
        scores = rng.standard_normal(size).astype(np.float32)
        for count in (1, 10, 2_000):
            if count < size:
                assert set(_largest(scores, count).tolist()) == full(scores, count)
    assert sorted(_largest(np.ones(5, dtype=np.float32), 9).tolist()) == [0, 1, 2, 3, 4]


def test_a_sample_that_misleads_falls_back_to_the_full_partition() -> None:
    # Ascending scores: the evenly spaced sample sees the best only at its very end.
    ascending = np.arange(300_000, dtype=np.float32)
    assert set(_largest(ascending, 2_000).tolist()) == set(range(298_000, 300_000))
    # Every score tied: any 2,000 rows are the largest, and exactly 2,000 come back.
    tied = np.zeros(300_000, dtype=np.float32)
    assert len(set(_largest(tied, 2_000).tolist())) == 2_000
    # A few very large scores hidden between the sampled rows.
    hidden = np.zeros(300_000, dtype=np.float32)
    hidden[1::15] = 1.0
    assert set(_largest(hidden, 10).tolist()) <= set(range(1, 300_000, 15))
