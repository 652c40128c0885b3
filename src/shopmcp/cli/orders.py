"""`shopmcp orders advance ORDER_ID --to delivered`: move an order on now, for harnesses and back-office work."""

import argparse
import json
import sys

from shopmcp.config import Settings
from shopmcp.core.errors import ShopError
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database

EXIT_OK, EXIT_REFUSED = 0, 1
TARGETS = ("processing", "shipped", "delivered")


def add_orders(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    orders = commands.add_parser("orders", help="Back-office work on orders.").add_subparsers(required=True)
    advance = orders.add_parser(
        "advance",
        help="Move an order on now (any session's, imported ones too), as the order clock would.",
        description="Move an order on to processing, shipped (writing its shipment with a tracking id) or "
        "delivered, through the moves between, each in its history at the current time. Prints the order.",
    )
    advance.add_argument("order_id", help="The order's id (e.g. ord_... or an imported #W...).")
    advance.add_argument("--to", choices=TARGETS, required=True, help="The status to move it to.")
    advance.set_defaults(handler=_advance)


def _advance(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.services import orders

    db = Database(settings.resolved_database_url).with_runtime(runtime_from(settings))
    try:
        view = db.run_write(orders.advance_order, order_id=args.order_id, to=orders.OrderStatus(args.to))
    except ShopError as error:
        print(f"shopmcp: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        db.dispose()
    shown = view.model_dump(mode="json", include={"order_id", "status", "history", "fulfilments"})
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    return EXIT_OK
