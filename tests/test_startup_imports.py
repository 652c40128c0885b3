"""What `shopmcp serve` imports before its first answer: the slow imports a stdio start does not need stay out.

Alembic (the schema is checked without it when current), PyJWT (only with auth), psycopg (only when
PostgreSQL is in use) and the catalog importers (only for `catalog import/export`) each cost tens to
hundreds of milliseconds of start-up; bench/startup.py measures the whole start against the SDK's.
"""

import json
import subprocess
import sys

from shopmcp.cli import catalog as cli_catalog
from shopmcp.services.ingest import importers

_SERVE_PATH = "import shopmcp.cli, shopmcp.server, shopmcp.serving.stdio"
_KEPT_OUT = ("alembic", "jwt", "psycopg", "shopmcp.services.ingest.importers", "numpy", "tokenizers")


def test_serving_over_stdio_imports_none_of_the_slow_optional_modules() -> None:
    probe = f"import json, sys; {_SERVE_PATH}; print(json.dumps([m for m in {_KEPT_OUT!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout) == []


def test_the_cli_offers_the_formats_the_importers_read() -> None:
    assert cli_catalog.FORMATS == importers.FORMATS
