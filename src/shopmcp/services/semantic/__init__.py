"""Semantic retrieval: product texts embedded by a static model shipped in the package, nearest neighbours in process.

`embedder` turns text into unit vectors (numpy, tokenizers and safetensors only); `store` keeps one
vector per product in `product_embedding`, computed when the catalog is generated or imported (only
products whose text changed are embedded again); `index` holds the vectors of a database in memory
per process, read again when the table's version moves, and answers nearest-neighbour queries;
`fusion` merges ranked lists by Reciprocal Rank Fusion. Search (`services.search`) decides when to
use it.

Import the modules themselves (`semantic.index`, `semantic.store`): this entry loads nothing heavy,
so a server starts without numpy or the tokenizer until its first search by meaning.
"""

from shopmcp.services.semantic.fusion import RRF_K, reciprocal_rank_fusion

__all__ = ["RRF_K", "reciprocal_rank_fusion"]
