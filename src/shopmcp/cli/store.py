"""`shopmcp store import PATH --format tau2-retail`: a whole store (catalog, customers, orders) from a file."""

import argparse
import json
import sys
from pathlib import Path

from shopmcp.config import Settings
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database

STORE_FORMATS = ("tau2-retail",)
EXIT_OK, EXIT_UNUSABLE = 0, 2


def add_store(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    store = commands.add_parser("store", help="Whole stores: catalog, customers and orders.").add_subparsers(
        required=True
    )
    importer = store.add_parser(
        "import",
        help="Load a whole store into an empty database (tau2-bench retail's db.json).",
        description="Load products, customers with their wallets, and orders with their fulfilments and payment "
        "history, in one transaction, into a store with no products, customers or orders yet.",
    )
    importer.add_argument("file", type=Path, help="The file to load (tau2: data/tau2/domains/retail/db.json).")
    importer.add_argument("--format", choices=STORE_FORMATS, required=True, help="The file's format.")
    importer.set_defaults(handler=_import)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.services import tau2_retail
    from shopmcp.services.ingest.generator.loader import settle
    from shopmcp.services.tau2_retail.load import StoreNotEmptyError, Tau2DataError

    path: Path = args.file
    db = Database(settings.resolved_database_url).with_runtime(runtime_from(settings))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ensure_schema(settings, db)
        counts = db.run_write(tau2_retail.load, data=data)
        settle(db)
    except OSError as error:
        print(f"Cannot read {path}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_UNUSABLE
    except json.JSONDecodeError as error:
        print(f"Cannot import {path}: not JSON ({error}). Nothing was imported.", file=sys.stderr)
        return EXIT_UNUSABLE
    except (StoreNotEmptyError, Tau2DataError) as error:
        print(f"Cannot import {path}: {error}. Nothing was imported.", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        db.dispose()
    print(
        f"imported {counts.products} products ({counts.variants} variants), {counts.users} customers "
        f"({counts.payment_methods} payment methods), {counts.orders} orders"
    )
    return EXIT_OK
