"""Customers: who a shopping session's person is (`accounts`: the rule, the account, its default address).

The rule (docs/architecture.md, "Who is calling"): a customer lives in one shopping session, its
home. A principal's default session holds the principal's own customer; a session made by
new_session, as harnesses make one per episode, is a customer of its own. A session therefore
reaches exactly one account and that account's orders, never another session's.
"""

from shopmcp.services.customers.accounts import customer_kind, get_account, update_default_address

__all__ = ["customer_kind", "get_account", "update_default_address"]
