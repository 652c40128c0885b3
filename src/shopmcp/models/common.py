"""Result shapes shared by every tool."""

from typing import Any

from pydantic import BaseModel, Field


class Money(BaseModel):
    """An amount of money: integer minor units of an ISO 4217 currency, and how to show it."""

    amount: int = Field(description="Integer minor units, e.g. 4999 for $49.99.")
    currency: str = Field(description="ISO 4217 code, e.g. USD.")
    formatted: str = Field(description="For people, e.g. $49.99.")


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable snake_case error code.")
    message: str = Field(description="What went wrong and what to do next.")
    resolution: str = Field(description="recoverable, requires_buyer_input or unrecoverable.")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResult(BaseModel):
    """The structured content of a tool result with `isError: true`."""

    error: ErrorInfo
