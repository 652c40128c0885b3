"""Filling the catalog, for the `shopmcp catalog` commands and the demo store; one entry point each:

- `generator`: a realistic generated store (`generate_catalog`, `seed_demo_catalog`);
- `importers`: products from JSON Lines or a Shopify product CSV (`import_catalog`), and back out;
- `demo_coupons`: the demo store's coupons.

Nothing here is imported on the way to serving: the importers load only for their commands.
"""
