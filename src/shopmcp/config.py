"""Settings, read from `config/.env.<SHOPMCP_ENV>` and overridden by environment variables."""

import os
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

_REPO_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def config_dir() -> Path:
    """Where the env files live: `SHOPMCP_CONFIG_DIR`, else the repository's `config/`."""
    configured = os.environ.get("SHOPMCP_CONFIG_DIR")
    return Path(configured) if configured else _REPO_CONFIG_DIR


class Settings(BaseSettings):
    """Everything the server can be configured with; each field is `SHOPMCP_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="SHOPMCP_", extra="ignore", validate_default=True)

    env: Environment = "development"
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("shopmcp", appauthor=False)))
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means an SQLite file `shopmcp.db` in `data_dir`.",
    )
    auto_migrate: bool | None = Field(
        default=None,
        description="Apply migrations on start. Default: yes for SQLite and outside production.",
    )
    seed_demo_catalog: bool = Field(default=True, description="Fill an empty catalog with the demo store.")
    demo_products: int = Field(default=5000, ge=1)
    demo_seed: int = 42

    principal: str = Field(default="local", min_length=1, max_length=200, description="The stdio caller.")
    currency: str = Field(default="USD", min_length=3, max_length=3)
    locale: str = "en_US"

    log_format: Literal["console", "json"] | None = Field(
        default=None, description="Default: json in production, console elsewhere."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("currency")
    @classmethod
    def _upper_currency(cls, value: str) -> str:
        return value.upper()

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use, with the SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'shopmcp.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def should_auto_migrate(self) -> bool:
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.is_sqlite or self.env != "production"

    @property
    def resolved_log_format(self) -> Literal["console", "json"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.env == "production" else "console"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from `config/.env.<SHOPMCP_ENV>`, the environment, then `overrides`."""
    env = overrides.get("env") or os.environ.get("SHOPMCP_ENV", "development")
    env_file = config_dir() / f".env.{env}"
    return Settings(_env_file=env_file if env_file.is_file() else None, **overrides)
