"""search_products: full text with filters, sorts, keyset pages, a bounded count and facets.

`products` runs a search; `query` turns raw text into a safe full-text query, `text` is the
full-text half for each database, `facets` counts and groups the matches, and `sql` fixes
SQLite's join order where its planner cannot know better.
"""

from shopmcp.services.search.products import SearchFeatures, SearchRequest, search_products

__all__ = ["SearchFeatures", "SearchRequest", "search_products"]
