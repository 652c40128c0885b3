"""What must hold in the database whatever happened to the server: checked by SQL, for one principal's rows.

Used after every SIGKILL of a server, after retried orders and after a load
run. Each check returns the offending rows (empty when it holds), so a failure
shows what broke.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text

from shopmcp.db import Database

_MINE = "SELECT id FROM shopping_session WHERE principal IN :principals"

CHECKS: dict[str, str] = {
    "order without lines": f"""
        SELECT o.id FROM customer_order o
        WHERE o.session_id IN ({_MINE})
          AND NOT EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id)""",
    # Shipping tax is kept per shipment (JSON), so the lines' tax is at most the order's.
    "order totals differ from the sum of its lines": f"""
        SELECT o.id FROM customer_order o JOIN order_line l ON l.order_id = o.id
        WHERE o.session_id IN ({_MINE})
        GROUP BY o.id, o.subtotal, o.discount_total, o.tax_total, o.total, o.shipping_total
        HAVING SUM(l.subtotal) <> o.subtotal OR SUM(l.discount) <> o.discount_total OR SUM(l.tax) > o.tax_total
            OR o.subtotal - o.discount_total + o.shipping_total + o.tax_total <> o.total""",
    "order line subtotal differs from unit price x quantity": f"""
        SELECT l.id FROM order_line l JOIN customer_order o ON o.id = l.order_id
        WHERE o.session_id IN ({_MINE}) AND (l.subtotal <> l.unit_price * l.quantity OR l.quantity <= 0)""",
    "order without its idempotency record": f"""
        SELECT o.id FROM customer_order o
        WHERE o.session_id IN ({_MINE})
          AND NOT EXISTS (SELECT 1 FROM idempotency_record r WHERE r.order_id = o.id AND r.quote_id = o.quote_id)""",
    "idempotency record without its order": f"""
        SELECT r.id FROM idempotency_record r
        WHERE r.session_id IN ({_MINE})
          AND NOT EXISTS (SELECT 1 FROM customer_order o WHERE o.id = r.order_id AND o.quote_id = r.quote_id)""",
    "quote placed twice or marked placed without its order": f"""
        SELECT q.id FROM quote q
        WHERE q.session_id IN ({_MINE})
          AND ((SELECT COUNT(*) FROM customer_order o WHERE o.quote_id = q.id) > 1
            OR (q.order_id IS NULL) <> (NOT EXISTS (SELECT 1 FROM customer_order o WHERE o.quote_id = q.id))
            OR q.order_id <> (SELECT MIN(o.id) FROM customer_order o WHERE o.quote_id = q.id))""",
    "order without its status history": f"""
        SELECT o.id FROM customer_order o
        WHERE o.session_id IN ({_MINE})
          AND NOT EXISTS (SELECT 1 FROM order_status_change c WHERE c.order_id = o.id AND c.to_status = 'placed')""",
}


@dataclass
class Broken:
    """The checks that failed, each with (up to 10 of) its offending rows."""

    failures: dict[str, list[Any]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.failures)


def check_orders(database: Database, principals: Iterable[str]) -> Broken:
    """Run every order check over the sessions of `principals`."""
    broken = Broken()
    with database.engine.connect() as connection:
        for name, sql in CHECKS.items():
            statement = text(sql).bindparams(bindparam("principals", expanding=True))
            rows = connection.execute(statement, {"principals": list(principals)}).all()
            if rows:
                broken.failures[name] = [tuple(row) for row in rows[:10]]
    return broken


def check_stock(database: Database, initial: dict[int, int]) -> Broken:
    """Per offer: initial stock == current stock + units taken by orders not cancelled; never negative.

    Every order of these offers counts, whoever placed it: the offers are the test's own.
    """
    broken = Broken()
    sql = text(
        """
        SELECT f.id, f.stock, COALESCE((
            SELECT SUM(l.quantity) FROM order_line l JOIN customer_order o ON o.id = l.order_id
            WHERE l.offer_id = f.id AND l.stock_decremented AND o.status <> 'cancelled'), 0)
        FROM offer f WHERE f.id IN :offers"""
    ).bindparams(bindparam("offers", expanding=True))
    with database.engine.connect() as connection:
        rows = connection.execute(sql, {"offers": list(initial)}).all()
    for offer_id, stock, sold in rows:
        if stock < 0 or stock + sold != initial[offer_id]:
            broken.failures.setdefault("stock differs from initial minus units sold", []).append(
                {"offer": offer_id, "initial": initial[offer_id], "stock": stock, "sold": int(sold)}
            )
    return broken


def order_statuses(database: Database, order_ids: Iterable[str]) -> dict[str, str]:
    """The status of each of `order_ids` found in the database."""
    ids = list(order_ids)
    if not ids:
        return {}
    statement = text("SELECT id, status FROM customer_order WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    with database.engine.connect() as connection:
        return {str(order_id): str(status) for order_id, status in connection.execute(statement, {"ids": ids}).all()}


def placed_quotes(database: Database, quote_ids: Iterable[str]) -> set[str]:
    """Those of `quote_ids` that an order was placed from."""
    ids = list(quote_ids)
    if not ids:
        return set()
    statement = text("SELECT quote_id FROM customer_order WHERE quote_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    with database.engine.connect() as connection:
        return {str(row[0]) for row in connection.execute(statement, {"ids": ids}).all()}
