"""The shop itself: every business rule, as plain functions over one database transaction; nothing here imports `mcp`.

A capability is a package whose `__init__` is its entry point (`search`, `catalog`, `pricing`,
`cart`, `checkout`, `orders`); `ingest` and `harness` group commands' capabilities, each a module
of its own. Four rules are modules of their own because several capabilities share them:
`stock` (the only place stock is read, checked, taken and given back), `shopping_sessions` (the
rows of shopping sessions and the ownership check every session-scoped call goes through),
`payments` (checkout charges, orders refund) and `determinism` (every generated id and a
session's logical time). docs/architecture.md maps every rule to its home.
"""
