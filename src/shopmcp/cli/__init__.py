"""The `shopmcp` command: serve, catalog, db, token, store, orders, and the harness commands (state, tasks, demo)."""

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shopmcp import __version__, migrations
from shopmcp.cli.catalog import add_catalog
from shopmcp.cli.harness import add_db_reset, add_harness
from shopmcp.cli.orders import add_orders
from shopmcp.cli.store import add_store
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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL of the database (default: SHOPMCP_DATABASE_URL, else SQLite)."
    )
    commands = parser.add_subparsers(title="commands", required=True)
    _add_serve(commands)
    add_catalog(commands)
    _add_db(commands)
    _add_token(commands)
    add_harness(commands)
    add_store(commands)
    add_orders(commands)
    return parser


def _add_serve(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    serve = commands.add_parser("serve", help="Run the MCP server (stdio by default).")
    serve.add_argument(
        "--transport",
        choices=["stdio", "http", "sse"],
        default="stdio",
        help="stdio (default), Streamable HTTP at /mcp (both protocol eras), or legacy SSE at /sse.",
    )
    serve.add_argument("--host", help="Address to bind for http/sse (default: SHOPMCP_HTTP_HOST, 127.0.0.1).")
    serve.add_argument("--port", type=int, help="Port for http/sse (default: SHOPMCP_HTTP_PORT, 8000).")
    serve.add_argument("--seed", type=int, help="Seeded mode (default: SHOPMCP_DETERMINISTIC_SEED; off).")
    serve.add_argument(
        "--stock-mode", choices=["shared", "per_session"], help="Stock mode (default: SHOPMCP_STOCK_MODE, shared)."
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.bootstrap import prepare_database
    from shopmcp.observability import configure_tracing
    from shopmcp.server import build_server
    from shopmcp.serving import UnsafeServeError, check_can_serve, serve_http

    overrides = {
        "http_host": args.host,
        "http_port": args.port,
        "deterministic_seed": args.seed,
        "stock_mode": args.stock_mode,
    }
    settings = settings.model_copy(update={key: value for key, value in overrides.items() if value is not None})
    if args.transport != "stdio":
        try:
            check_can_serve(settings)
        except UnsafeServeError as refusal:
            print(f"shopmcp: {refusal}", file=sys.stderr)
            return 2
    configure_tracing(service_version=__version__)
    db = Database(settings.resolved_database_url)
    prepare_database(settings, db)
    server = build_server(settings, db=db)
    if args.transport == "stdio":
        import anyio

        from shopmcp.serving.stdio import run_stdio

        anyio.run(run_stdio, server)
    else:
        serve_http(server, settings, db, args.transport)
    return 0


def _add_db(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    db = commands.add_parser("db", help="Manage the database schema.").add_subparsers(required=True)
    upgrade = db.add_parser("upgrade", help="Apply migrations up to a revision (default: the newest).")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    current = db.add_parser("current", help="Print the schema revision of the database.")
    current.set_defaults(handler=_db_current)
    add_db_reset(db)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    migrations.upgrade(Database(settings.resolved_database_url).engine, args.revision)
    return 0


def _db_current(_args: argparse.Namespace, settings: Settings) -> int:
    engine = Database(settings.resolved_database_url).engine
    print(f"{migrations.current_revision(engine) or 'none'} (newest: {migrations.head_revision(engine)})")
    return 0


def _add_token(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    token = commands.add_parser("token", help="Manage static bearer tokens for HTTP.").add_subparsers(required=True)
    file_help = "Token file (default: SHOPMCP_TOKENS_FILE, else tokens.json in the data directory)."
    create = token.add_parser("create", help="Mint a token for a principal; it is printed once, only its hash is kept.")
    create.add_argument("--principal", required=True, help="Who the token acts as (the owner of its sessions).")
    create.add_argument("--file", type=Path, help=file_help)
    create.add_argument("--audience", help="Public URL of the MCP endpoint (default: SHOPMCP_PUBLIC_URL).")
    create.add_argument("--scope", action="append", default=[], help="A scope to grant (repeatable).")
    create.add_argument("--expires-in-days", type=float, help="Validity; default: until revoked.")
    create.set_defaults(handler=_token_create)
    listing = token.add_parser("list", help="List tokens (ids, principals, audiences; never the tokens).")
    listing.add_argument("--file", type=Path, help=file_help)
    listing.set_defaults(handler=_token_list)
    revoke = token.add_parser("revoke", help="Remove a token; a running server stops accepting it within a second.")
    revoke.add_argument("token_id", help="The tok_... id from `token list`.")
    revoke.add_argument("--file", type=Path, help=file_help)
    revoke.set_defaults(handler=_token_revoke)


def _token_file(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.file or settings.tokens_file or settings.data_dir / "tokens.json")


def _token_create(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.auth.static_tokens import create_token

    path = _token_file(args, settings)
    expires_at = datetime.now(UTC) + timedelta(days=args.expires_in_days) if args.expires_in_days else None
    issued = create_token(
        path,
        principal=args.principal,
        audience=args.audience or settings.resolved_public_url,
        scopes=args.scope,
        expires_at=expires_at,
    )
    print(issued.token)
    print(
        f"Token {issued.entry.id} for principal {issued.entry.principal!r}, valid for {issued.entry.audience}, "
        f"stored (as a hash) in {path}. Save it now: it is not shown again.",
        file=sys.stderr,
    )
    return 0


def _token_list(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.auth.static_tokens import read_token_file

    for entry in read_token_file(_token_file(args, settings)).tokens:
        expires = entry.expires_at.isoformat() if entry.expires_at else "never"
        print(f"{entry.id}\t{entry.principal}\t{entry.audience}\texpires {expires}")
    return 0


def _token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from shopmcp.auth.static_tokens import revoke_token

    if revoke_token(_token_file(args, settings), args.token_id):
        return 0
    print(f"shopmcp: no token {args.token_id}", file=sys.stderr)
    return 1
