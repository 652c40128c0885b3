"""shopmcp: an MCP server that lets AI agents shop against a real catalog."""

import os

# Semantic search multiplies one query vector by the catalog's matrix per search. Across threads,
# OpenBLAS spends more time waking them than multiplying: 15 ms against 1.3 ms for 100,000 products
# on this machine (docs/search.md). Set before numpy loads; an operator's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
