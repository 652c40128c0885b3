"""Customers: who a shopping session's person is (`accounts`: the rule, the account, its default address;
`lookup`: finding a customer and its home for the support role).

The rule (docs/architecture.md, "Who is calling"): a customer lives in one shopping session, its
home. A principal's default session holds the principal's own customer; a session made by
new_session, as harnesses make one per episode, is a customer of its own. A session therefore
reaches exactly one account and that account's orders, never another session's. Only the support role
(granted by the caller layer, `callers.py`) reaches another customer's account, through its home session.
"""

from shopmcp.services.customers.accounts import customer_kind, get_account, update_default_address
from shopmcp.services.customers.lookup import (
    customer_home,
    customer_id_of,
    customer_not_found,
    find_customers,
    public_customer_id,
)

__all__ = [
    "customer_home",
    "customer_id_of",
    "customer_kind",
    "customer_not_found",
    "find_customers",
    "get_account",
    "public_customer_id",
    "update_default_address",
]
