"""Every generated value in one place: ids, and the time a session's call runs at.

Outside seeded mode an id is a prefix and 144 random bits: never guessable or
sequential. In seeded mode (`SHOPMCP_DETERMINISTIC_SEED`) an id is a keyed hash
of the seed, the id's kind, its scope (the principal for a session, the session
for a quote or an order) and a counter kept in the database (`harness_counter`), so:
- the same calls in the same order within a scope give the same ids, whichever
  process serves them and across restarts (the counters are rows, not memory);
- ids stay unique (one counter value per scope and kind, 144-bit hashes) and
  still look random, though anyone who knows the seed can compute them: seeded
  mode is for test harnesses, never for a public store.

The logical clock (`SHOPMCP_CLOCK`, on in seeded mode): a session's time is
`clock_start + clock_step * n`, where n counts the session's writes so far. A
write of the session moves its clock one step first; a read sees it as it is.
So quotes expire after `quote_ttl / clock_step` writes of their session, and a
session's times depend only on its own calls, not on its neighbours'.
"""

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from shopmcp.core.runtime import runtime_of, set_time
from shopmcp.models.harness import HarnessCounter

_COUNTERS: Table = HarnessCounter.__table__  # type: ignore[attr-defined]

_ID_BYTES = 18
"""144 bits per id: unguessable when random, and 24 URL-safe characters."""


def random_id(prefix: str) -> str:
    """A prefix and 144 random bits, e.g. `ses_3q2...`."""
    return f"{prefix}_{secrets.token_urlsafe(_ID_BYTES)}"


def new_id(tx: Session, prefix: str, *, scope: str) -> str:
    """A fresh id of kind `prefix` within `scope`: random, or in seeded mode the next of the scope's sequence."""
    runtime = runtime_of(tx)
    if runtime.seed is None:
        return random_id(prefix)
    number = next_value(tx, f"ids:{prefix}:{scope}")
    return derived_id(runtime.seed, prefix, f"{scope}#{number}")


def keyed_id(tx: Session, prefix: str, *, key: str) -> str:
    """An id named by a unique `key` (e.g. a principal's default session): random, or in seeded mode the key's hash."""
    runtime = runtime_of(tx)
    return random_id(prefix) if runtime.seed is None else derived_id(runtime.seed, prefix, key)


def derived_id(seed: int, prefix: str, material: str) -> str:
    digest = hmac.new(str(seed).encode(), f"{prefix}|{material}".encode(), hashlib.sha256).digest()
    return f"{prefix}_{base64.urlsafe_b64encode(digest[:_ID_BYTES]).decode()}"


def enter_session(tx: Session, session_id: str, *, write: bool) -> None:
    """Set the running transaction's time to the session's logical time; a write moves it one step first."""
    runtime = runtime_of(tx)
    if runtime.clock_start is None:
        return
    name = f"clock:{session_id}"
    steps = next_value(tx, name) if write else current_value(tx, name)
    set_time(runtime.clock_start + runtime.clock_step * steps)


def next_value(tx: Session, name: str) -> int:
    """Add one to counter `name` (created at 1) in the running transaction and return it."""
    dialect = tx.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = insert(HarnessCounter).values(name=name, value=1)
    statement = upsert.on_conflict_do_update(index_elements=["name"], set_={"value": _COUNTERS.c.value + 1})
    return int(tx.execute(statement.returning(_COUNTERS.c.value)).scalar_one())


def current_value(tx: Session, name: str) -> int:
    found = tx.execute(select(_COUNTERS.c.value).where(_COUNTERS.c.name == name))
    return int(found.scalar_one_or_none() or 0)
