"""Reciprocal Rank Fusion (Cormack, Clarke and Büttcher, 2009): score(d) = sum over lists of 1 / (k + rank)."""

from collections.abc import Hashable, Sequence
from typing import TypeVar

RRF_K = 60
"""The constant of the original paper, and what Elasticsearch, OpenSearch and Azure AI Search default to."""

T = TypeVar("T", bound=Hashable)


def reciprocal_rank_fusion(lists: Sequence[Sequence[T]], *, k: int = RRF_K) -> list[T]:
    """The items of `lists` (each best first) ordered by fused score; ties keep the order of first appearance."""
    scores: dict[T, float] = {}
    for ranked in lists:
        for rank, item in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores, key=lambda item: (-scores[item], order[item]))
