"""Orders of a shopping session: reading and listing them (`read`), cancelling and fulfilment (`changes`),
changing a pending order (`amend`: address, payment; `items`), returns and exchanges (`after_delivery`),
and the statuses an order goes through (`status`, the only place a status changes).
"""

from shopmcp.services.orders.changes import advance_order, cancel_order
from shopmcp.services.orders.read import get_order, list_orders
from shopmcp.services.orders.status import OrderStatus

__all__ = ["OrderStatus", "advance_order", "cancel_order", "get_order", "list_orders"]
