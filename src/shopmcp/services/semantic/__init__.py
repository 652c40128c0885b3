"""Semantic retrieval: product texts embedded by a static model shipped in the package, nearest neighbours in process.

`embedder` turns text into unit vectors (numpy, tokenizers and safetensors only); `store` keeps one
vector per product in `product_embedding`, computed when the catalog is generated or imported (only
products whose text changed are embedded again); `index` holds the vectors of a database as one
matrix per process, rebuilt when the table's version moves, and answers nearest-neighbour queries;
`fusion` merges ranked lists by Reciprocal Rank Fusion. Search (`services.search`) decides when to
use it.
"""

from shopmcp.services.semantic.fusion import RRF_K, reciprocal_rank_fusion
from shopmcp.services.semantic.index import nearest_products, similarities
from shopmcp.services.semantic.store import refresh_embeddings

__all__ = ["RRF_K", "nearest_products", "reciprocal_rank_fusion", "refresh_embeddings", "similarities"]
