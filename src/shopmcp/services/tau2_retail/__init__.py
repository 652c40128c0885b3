"""tau2-bench retail's store data (its db.json) in and out: `load` fills an empty store, `dumps` writes it back.

What tau2 calls a product with variants keyed by item id, a user with a wallet and an order with
fulfilments and payment history become shopmcp's catalog, customers and orders; its ids are kept
(`ExternalRef`, since its 10-digit ids do not fit the 32-bit id columns) with each record's place in
the file, so importing and exporting with no calls between gives back the same bytes
(docs/harness.md, "tau2-bench retail").
"""

from shopmcp.services.tau2_retail.dump import dump, dumps, read_dump
from shopmcp.services.tau2_retail.load import ImportCounts, StoreNotEmptyError, load

__all__ = ["ImportCounts", "StoreNotEmptyError", "dump", "dumps", "load", "read_dump"]
