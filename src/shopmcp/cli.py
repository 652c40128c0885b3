"""The `shopmcp` command: serve, catalog and db."""

import argparse
import sys
from collections.abc import Callable, Sequence

from shopmcp import migrations
from shopmcp.config import Settings, load_settings
from shopmcp.db import Database
from shopmcp.observability import configure_logging

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    settings = load_settings(**overrides)
    configure_logging(log_format=settings.resolved_log_format, level=settings.log_level)
    handler: Handler = args.handler
    sys.exit(handler(args, settings))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopmcp", description=__doc__)
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL of the database (default: SHOPMCP_DATABASE_URL, else SQLite)."
    )
    commands = parser.add_subparsers(title="commands", required=True)
    _add_serve(commands)
    _add_db(commands)
    return parser


def _add_serve(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    serve = commands.add_parser("serve", help="Run the MCP server (stdio by default).")
    serve.set_defaults(handler=_serve)


def _serve(_args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.server import build_server, prepare_database

    db = Database(settings.resolved_database_url)
    prepare_database(settings, db)
    build_server(settings, db=db).run("stdio")
    return 0


def _add_db(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    db = commands.add_parser("db", help="Manage the database schema.").add_subparsers(required=True)
    upgrade = db.add_parser("upgrade", help="Apply migrations up to a revision (default: the newest).")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    current = db.add_parser("current", help="Print the schema revision of the database.")
    current.set_defaults(handler=_db_current)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    migrations.upgrade(Database(settings.resolved_database_url).engine, args.revision)
    return 0


def _db_current(_args: argparse.Namespace, settings: Settings) -> int:
    engine = Database(settings.resolved_database_url).engine
    print(f"{migrations.current_revision(engine) or 'none'} (newest: {migrations.head_revision(engine)})")
    return 0
