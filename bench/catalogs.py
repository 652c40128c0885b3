"""Catalogs for the benchmarks: generated once with `shopmcp catalog generate`, reused while they match.

A catalog is keyed by backend, size, seed and anchor date; `<work_dir>/catalogs.json` records each
one built together with a fingerprint of the generator and migration sources, so a catalog is
rebuilt when the code that makes it changed, and reused (re-runs are cheap) otherwise.
"""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.harness import REPO, BenchContext

_SOURCES = ("src/shopmcp/services/generator", "src/shopmcp/migrations/versions")


def fingerprint() -> str:
    """Digest of the sources that decide what a generated catalog holds."""
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted((REPO / folder).rglob("*.py")):
            digest.update(path.relative_to(REPO).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure(ctx: BenchContext, backend: str, products: int, *, seed: int, anchor_date: str) -> str:
    """URL of a generated catalog, building it when missing or stale."""
    key = f"{backend}-{products}-s{seed}-{anchor_date}"
    manifest_path = ctx.work_dir / "catalogs.json"
    manifest: dict[str, dict[str, str | int]] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    url = _catalog_url(ctx, backend, products, seed)
    entry = manifest.get(key)
    if entry and entry.get("fingerprint") == fingerprint() and entry.get("url") == url and _count(url) == products:
        ctx.log(f"reusing catalog {key}")
        return url
    ctx.log(f"generating catalog {key}")
    _fresh(ctx, backend, url)
    environment = {**os.environ, "SHOPMCP_ENV": "test", "SHOPMCP_LOG_LEVEL": "WARNING"}
    command = [ctx.shopmcp, "--database-url", url, "catalog", "generate"]
    command += ["--products", str(products), "--seed", str(seed), "--anchor-date", anchor_date]
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
    manifest[key] = {"url": url, "fingerprint": fingerprint(), "products": products}
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return url


def scratch(ctx: BenchContext, backend: str, name: str) -> str:
    """An empty database for one benchmark (SQLite file replaced; PostgreSQL database dropped at the end)."""
    url = _url(ctx, backend, f"scratch_{name}")
    _fresh(ctx, backend, url)
    if backend == "postgresql":
        ctx._scratch_pg.append(url)
    return url


def drop_scratch(ctx: BenchContext) -> None:
    """Drop the PostgreSQL scratch databases made in this run."""
    assert ctx.postgres_admin is not None or not ctx._scratch_pg
    for url in ctx._scratch_pg:
        _drop(ctx, str(make_url(url).database))
    ctx._scratch_pg.clear()


def _catalog_url(ctx: BenchContext, backend: str, products: int, seed: int) -> str:
    return _url(ctx, backend, f"{products}_s{seed}")


def _url(ctx: BenchContext, backend: str, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{ctx.work_dir / f'{ctx.db_prefix}_{name}.db'}"
    if ctx.postgres_admin is None:
        raise RuntimeError(f"PostgreSQL is not available: {ctx.postgres_skip_reason}")
    admin = make_url(ctx.postgres_admin)
    return admin.set(drivername="postgresql+psycopg", database=f"{ctx.db_prefix}_{name}").render_as_string(
        hide_password=False
    )


def _fresh(ctx: BenchContext, backend: str, url: str) -> None:
    database = str(make_url(url).database)
    if backend == "sqlite":
        ctx.work_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return
    _drop(ctx, database)
    with psycopg.connect(_admin(ctx), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')


def _drop(ctx: BenchContext, database: str) -> None:
    with psycopg.connect(_admin(ctx), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _admin(ctx: BenchContext) -> str:
    assert ctx.postgres_admin is not None
    return make_url(ctx.postgres_admin).set(drivername="postgresql").render_as_string(hide_password=False)


def _count(url: str) -> int | None:
    """Products in the catalog, or None when the database is missing or has no schema."""
    from shopmcp.db import Database

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(str(parsed.database)).exists():
        return None
    db = Database(url)
    try:
        with db.read() as tx:
            return int(tx.execute(text("SELECT count(*) FROM product")).scalar_one())
    except Exception:  # a missing database or table means "build it"
        return None
    finally:
        db.dispose()
