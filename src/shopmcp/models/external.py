"""Ids of an imported store's records, and where each record stood in its file.

An import keeps its source's ids (tau2's 10-digit product and item ids do not fit the 32-bit
id columns) and the order of its records here, so an export writes the same ids in the same
order. `local_id` is the row's own id as text.
"""

from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from shopmcp.models.types import PortableJSON


class ExternalRef(SQLModel, table=True):
    __tablename__ = "external_ref"
    __table_args__ = (
        UniqueConstraint("source", "kind", "external_id", name="uq_external_ref_external"),
        UniqueConstraint("source", "kind", "local_id", name="uq_external_ref_local"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=30, description="The format imported, e.g. `tau2-retail`.")
    kind: str = Field(max_length=30, description="product, variant, customer, ...")
    external_id: str = Field(max_length=100)
    local_id: str = Field(max_length=64)
    position: int = Field(description="The record's place in its file, from 0.")
    layout: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=PortableJSON,
        description="How the source laid the record out where the rows cannot say (e.g. its option names' order).",
    )
