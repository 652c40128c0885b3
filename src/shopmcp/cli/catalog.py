"""`shopmcp catalog generate | import | export | synonyms`: fill the catalog, or manage search synonyms.

Exit status: 0 when everything went through; 1 when nothing or not all of
it could be done for a reason the message gives (a non-empty catalog, bad
rows); 2 when the file cannot be read at all or the arguments are wrong.
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import BinaryIO

from shopmcp.config import Settings
from shopmcp.db import Database
from shopmcp.services.catalog.refs import STORE_SELLER

# The generator and the importers are imported by the commands that use them: `shopmcp serve` builds this
# parser too, and should not pay for them at start-up. Hence the formats spelled out here (a test checks
# they are the importers' FORMATS).
FORMATS = ("jsonl", "shopify-csv")

EXIT_OK, EXIT_INCOMPLETE, EXIT_UNUSABLE = 0, 1, 2
_PROGRESS_STEPS = 10


def add_catalog(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the `catalog` command group to the `shopmcp` parser."""
    catalog = commands.add_parser("catalog", help="Generate a store, or import or export products.")
    actions = catalog.add_subparsers(title="catalog commands", required=True)
    _add_generate(actions)
    _add_import(actions)
    _add_export(actions)
    _add_synonyms(actions)


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _add_generate(actions: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    generate = actions.add_parser(
        "generate",
        help="Generate a realistic store (same seed and anchor date, same catalog).",
        description="Generate a realistic store into the catalog. Refuses a catalog that already has "
        "products unless --append is given.",
    )
    generate.add_argument("--products", type=_whole_number, help="How many products (default: SHOPMCP_DEMO_PRODUCTS).")
    generate.add_argument("--seed", type=_whole_number, help="Random seed (default: SHOPMCP_DEMO_SEED).")
    generate.add_argument(
        "--anchor-date",
        type=_day,
        help="Timestamps are offsets back from 00:00 UTC of this day (default: today). Pin it to reproduce a catalog.",
    )
    generate.add_argument(
        "--append",
        action="store_true",
        help="Add the products next to those already in the catalog (ids continue after the largest).",
    )
    generate.add_argument("--currency", help="ISO 4217 code of the prices (default: SHOPMCP_CURRENCY).")
    generate.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.services.ingest.generator import CatalogNotEmptyError, anchor_at, generate_catalog
    from shopmcp.services.ingest.generator.loader import settle

    db = Database(settings.resolved_database_url)
    ensure_schema(settings, db)
    products = settings.demo_products if args.products is None else args.products
    seed = settings.demo_seed if args.seed is None else args.seed
    started = time.perf_counter()
    step = max(1, products // _PROGRESS_STEPS)
    reported = [0]

    def progress(done: int) -> None:
        if products >= 10_000 and (done - reported[0] >= step or done == products):
            reported[0] = done
            print(f"  {done:,} / {products:,} products ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    try:
        with db.write() as tx:
            result = generate_catalog(
                tx,
                products=products,
                seed=seed,
                anchor=anchor_at(args.anchor_date) if args.anchor_date else None,
                currency=(args.currency or settings.currency).upper(),
                append=args.append,
                progress=progress,
            )
        settle(db)
    except CatalogNotEmptyError as error:
        print(
            f"The catalog already has {error.product_count:,} products; nothing was generated.\n"
            "  Add the new products next to them with --append, or generate into an empty database, e.g.\n"
            "  shopmcp --database-url sqlite:///./store.db catalog generate ...",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    finally:
        db.dispose()
    last_id = result.first_product_id + result.products - 1
    print(
        f"Generated {result.products:,} products ({result.variants:,} variants, {result.offers:,} offers, "
        f"{result.price_points:,} price points) in {time.perf_counter() - started:.1f} s; "
        f"product ids {result.first_product_id}-{last_id}, seed {seed}."
    )
    return EXIT_OK


def _add_import(actions: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    importer = actions.add_parser(
        "import",
        help="Import products from a JSON Lines or Shopify product CSV file (re-importing updates).",
        description="Import products. Re-importing the same file updates products in place. A bad row is "
        "reported with its line number; without --strict the good products land, with --strict nothing does.",
    )
    importer.add_argument("file", type=Path, help="The file to import; - reads standard input.")
    importer.add_argument(
        "--format", choices=FORMATS, help="File format (default: from the extension: .jsonl/.ndjson, .csv)."
    )
    importer.add_argument("--strict", action="store_true", help="Import nothing if any row is bad.")
    importer.add_argument(
        "--seller",
        default=STORE_SELLER,
        help=f"Seller of offers that name none (default: {STORE_SELLER!r}, created with default shipping rates).",
    )
    importer.add_argument("--currency", help="ISO 4217 code of the file's prices (default: SHOPMCP_CURRENCY).")
    importer.set_defaults(handler=_import)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.services.ingest.generator.loader import settle
    from shopmcp.services.ingest.importers import ImportFormatError, detect_format, import_catalog

    path: Path = args.file
    file_format = args.format or detect_format(path)
    if file_format is None:
        print(f"Cannot tell the format of {path}; give --format {' or --format '.join(FORMATS)}.", file=sys.stderr)
        return EXIT_UNUSABLE
    db = Database(settings.resolved_database_url)
    try:
        ensure_schema(settings, db)
        with _open(path) as stream:
            report = import_catalog(
                db,
                stream,
                format=file_format,
                strict=args.strict,
                seller=args.seller,
                currency=(args.currency or settings.currency).upper(),
                source=str(path),
            )
        settle(db)
    except OSError as error:
        print(f"Cannot read {path}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_UNUSABLE
    except ImportFormatError as error:
        print(f"Cannot import {path}: {error}. Nothing was imported.", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        db.dispose()
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_INCOMPLETE


def _open(path: Path) -> BinaryIO:
    if str(path) == "-":
        return sys.stdin.buffer
    return path.open("rb")


def _add_export(actions: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    export = actions.add_parser(
        "export", help="Write the whole catalog as JSON Lines, the format `catalog import` reads."
    )
    export.add_argument("file", type=Path, help="Where to write; - writes standard output.")
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.services.ingest.importers.export import export_records
    from shopmcp.services.ingest.importers.jsonl import write_jsonl

    db = Database(settings.resolved_database_url)
    try:
        ensure_schema(settings, db)
        with db.read() as tx:
            if str(args.file) == "-":
                count = write_jsonl(export_records(tx), sys.stdout.buffer)
            else:
                with args.file.open("wb") as stream:
                    count = write_jsonl(export_records(tx), stream)
    except OSError as error:
        print(f"Cannot write {args.file}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        db.dispose()
    print(f"Exported {count:,} products to {args.file}.", file=sys.stderr)
    return EXIT_OK


def _add_synonyms(actions: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    synonyms = actions.add_parser(
        "synonyms", help="Search synonyms: list them, or import a Solr synonyms.txt file.", description=""
    )
    commands = synonyms.add_subparsers(title="synonyms commands", required=True)
    importer = commands.add_parser(
        "import",
        help="Add the rules of a Solr synonyms.txt file (`a, b, c` equivalent; `a => b` searches b for a).",
        description="Add a merchant's synonym rules; they apply to searches at once. Re-importing replaces the "
        "rules imported before; the shipped default rules stay. A line that is not a rule imports nothing.",
    )
    importer.add_argument("file", type=Path, help="The synonyms.txt file; - reads standard input.")
    importer.set_defaults(handler=_synonyms_import)
    lister = commands.add_parser("list", help="Print every synonym rule, one a line, in synonyms.txt syntax.")
    lister.set_defaults(handler=_synonyms_list)


def _synonyms_import(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.core.errors import ShopError
    from shopmcp.services.search.synonyms import import_rules, parse_rules

    path: Path = args.file
    try:
        with _open(path) as stream:
            text = stream.read().decode("utf-8")
        rules = parse_rules(text)
    except OSError as error:
        print(f"Cannot read {path}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_UNUSABLE
    except UnicodeDecodeError:
        print(f"Cannot read {path}: it is not UTF-8 text. Nothing was imported.", file=sys.stderr)
        return EXIT_UNUSABLE
    except ShopError as error:
        print(f"Cannot import {path}: {error.message} Nothing was imported.", file=sys.stderr)
        return EXIT_UNUSABLE
    db = Database(settings.resolved_database_url)
    try:
        ensure_schema(settings, db)
        count = db.run_write(import_rules, rules=rules, replace=True)
    finally:
        db.dispose()
    print(f"Imported {count} synonym rules from {path}.")
    return EXIT_OK


def _synonyms_list(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    from shopmcp.bootstrap import ensure_schema
    from shopmcp.services.search.synonyms import list_rules

    db = Database(settings.resolved_database_url)
    try:
        ensure_schema(settings, db)
        rules = db.run_read(list_rules)
    finally:
        db.dispose()
    for rule in rules:
        print(rule.line())
    return EXIT_OK
