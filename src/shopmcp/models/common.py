"""Result shapes shared by every tool (the amount of money, `Money`, is in `shopmcp.core.money`)."""

from typing import Any

from pydantic import BaseModel, Field


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable snake_case error code.")
    message: str = Field(description="What went wrong and what to do next.")
    resolution: str = Field(description="recoverable, requires_buyer_input or unrecoverable.")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResult(BaseModel):
    """The structured content of a tool result with `isError: true`."""

    error: ErrorInfo
