"""Parameter types the tools share: ids within what the database holds, and the shopping session."""

from typing import Annotated

from pydantic import Field

from shopmcp.models.common import Detail
from shopmcp.models.types import MAX_INT

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
"""An id of a row: the id columns are 32-bit on PostgreSQL, so a larger one cannot exist."""

SessionIdParam = Annotated[str | None, Field(max_length=64)]
"""`session_id`, which the tool decorator adds to every tool that acts on a shopping session.

No description of its own: the server's instructions say once what it is and what leaving it out means."""

CustomerIdParam = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=64,
        description="Support role: the customer (find_customer) to act for; default: this session's account.",
    ),
]
"""`customer_id`, which the tool decorator adds to the account and order tools; listed only with the support role."""


DetailParam = Annotated[Detail, Field()]
"""`detail` of the larger read tools; what each level holds is `models.concise`.

The instructions say once what the switch does; each tool's description says what full adds."""


def is_id(text: str) -> bool:
    """Whether `text` (e.g. a resource URI's part) spells a possible id."""
    return text.isdigit() and 1 <= int(text) <= MAX_INT
