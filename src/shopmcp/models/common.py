"""Result shapes shared by every tool (the amount of money, `Money`, is in `shopmcp.core.money`)."""

from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable snake_case error code.")
    message: str = Field(description="What went wrong and what to do next.")
    resolution: str = Field(description="recoverable, requires_buyer_input or unrecoverable.")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResult(BaseModel):
    """The structured content of a tool result with `isError: true`."""

    error: ErrorInfo


Detail = Literal["concise", "full"]
"""How much a result holds: `concise` (the default) what an agent needs to decide and act, `full` everything."""


def _absent(value: object) -> bool:
    return value is None


def full_only(description: str = "") -> Any:
    """A field that only `detail="full"` fills; a concise result leaves it out (absent, not null)."""
    said = f"{description} " if description else ""
    return Field(default=None, exclude_if=_absent, description=f"{said}(detail=full only)")
