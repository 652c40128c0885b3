"""A gold call's arguments in the store's own ids: an imported source's ids translated through `external_ref`."""

from typing import Any

from sqlmodel import Session, col, select

from shopmcp.models.external import ExternalRef
from shopmcp.services.harness.tasks import ExpectedCall

UNKNOWN = 0
"""The id given for a source id the store does not hold: no row has it, so the tool says it is not found."""


def local_arguments(tx: Session, call: ExpectedCall) -> dict[str, Any]:
    """`call.arguments` with each argument named in `call.external_ids` holding the store's ids.

    Raises:
        ValueError: an `external_ids` entry is not `<source>:<kind>`.
    """
    arguments = dict(call.arguments)
    for name, reference in call.external_ids.items():
        source, _, kind = reference.partition(":")
        if not source or not kind:
            raise ValueError(f"external id kind {reference!r} of argument {name!r} is not <source>:<kind>")
        value = arguments.get(name)
        wanted = [str(item) for item in value] if isinstance(value, list) else [str(value)]
        rows = tx.exec(
            select(ExternalRef.external_id, ExternalRef.local_id).where(
                ExternalRef.source == source, ExternalRef.kind == kind, col(ExternalRef.external_id).in_(wanted)
            )
        ).all()
        found: dict[str, Any] = {external: int(local) if local.isdigit() else local for external, local in rows}
        local = [found.get(item, UNKNOWN) for item in wanted]
        arguments[name] = local if isinstance(value, list) else local[0]
    return arguments
