"""Settings, read from `config/.env.<SHOPMCP_ENV>` and overridden by environment variables."""

import json
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import limits
from platformdirs import user_data_dir
from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "production"]


def _split_commas(value: Any) -> Any:
    """Read a list from the environment as `a,b,c` (or a JSON array)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]

_DURATION = re.compile(r"(\d+)\s*(s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_OFF_WORDS = {"", "off", "never", "none"}


def _duration(value: Any) -> Any:
    """Read `off` (or empty) as None and `90s`, `10m`, `2h`, `1d` as durations; anything else as pydantic does
    (seconds, ISO 8601 such as `PT10M`)."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text in _OFF_WORDS:
        return None
    found = _DURATION.fullmatch(text)
    if found:
        return timedelta(seconds=int(found.group(1)) * _UNIT_SECONDS[found.group(2)])
    return text


Delay = Annotated[timedelta | None, BeforeValidator(_duration)]
"""A delay of the order clock: a duration, or None (`off`) to stop orders at that step."""

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

    quote_ttl_seconds: int = Field(
        default=900, ge=30, le=86_400, description="How long a checkout quote from preview_checkout stays valid."
    )
    confirm_orders: Literal["never", "if_supported"] = Field(
        default="if_supported",
        description="Ask the person to confirm the total (MCP elicitation) before place_order writes an order, "
        "where the client supports elicitation.",
    )
    payment_provider: Literal["sandbox"] = Field(default="sandbox", description="Only the sandbox exists.")
    tax_rates_file: Path | None = Field(
        default=None, description="A CSV of tax rates by destination; default: the packaged data/tax_rates.csv."
    )

    # The order clock moves placed orders on (docs/architecture.md).
    order_processing_after: Delay = Field(
        default=timedelta(minutes=10),
        description="How long after it is placed an order starts "
        "processing (`90s`, `10m`, `2h`, `1d`, `PT10M`; `off` leaves orders placed). In seeded or clocked mode it "
        "is logical time: a session's orders move as its own writes move its clock.",
    )
    order_shipping_after: Delay = Field(
        default=timedelta(hours=1),
        description="How long after processing starts the order ships, with a tracking id (`off`: it stays "
        "processing).",
    )
    order_delivery_after: Delay = Field(
        default=timedelta(days=1), description="How long after shipping it is delivered (`off`: it stays shipped)."
    )

    # How search_products forgives a query (docs/search.md); each can be switched off, e.g. to measure it.
    search_relax: bool = Field(
        default=True,
        description="When fewer products match every word than a page holds, drop stop words and rank products "
        "by how many of the (rarer) words they match.",
    )
    search_typos: bool = Field(
        default=True,
        description="Correct words the catalog does not hold: typos, split or joined forms (tshirt / t-shirt).",
    )
    search_synonyms: bool = Field(
        default=True, description="Expand words by the synonym table (`shopmcp catalog synonyms`)."
    )
    search_price_words: bool = Field(
        default=True, description='Read "under $100", "between 20 and 40" in a query as price bounds.'
    )
    search_semantic: bool = Field(
        default=True,
        description="Also find products by meaning (embeddings of the packaged static model), fused with the word "
        "ranking by Reciprocal Rank Fusion; off, search still relaxes by words.",
    )

    # Agent test harnesses (docs/harness.md).
    deterministic_seed: int | None = Field(
        default=None,
        ge=0,
        description="Seeded mode: ids derive from this seed, the session and counters in the database, and the "
        "clock is logical, so the same calls give the same results and the same final state.",
    )
    clock: datetime | None = Field(
        default=None,
        description="Start of a logical clock (e.g. 2026-11-01T12:00:00Z): each session's time starts here and "
        "moves `clock_step_seconds` per write of that session. Default: the wall clock, or 2026-11-01T12:00:00Z "
        "in seeded mode.",
    )
    clock_step_seconds: int = Field(default=1, ge=0, le=86_400, description="Logical time per write of a session.")
    stock_mode: Literal["shared", "per_session"] = Field(
        default="shared",
        description="per_session: each shopping session buys from its own copy of the inventory (parallel "
        "episodes do not interfere); shared: one inventory for all.",
    )
    admin_tools: bool = Field(
        default=False,
        description="Register the admin tool reset_store and the store-wide state resources; for harnesses only.",
    )
    support_role: bool = Field(
        default=False,
        description="The support role: register find_customer and let the account and order tools act for a found "
        "customer (their customer_id argument). Held by the stdio / in-memory principal and by HTTP tokens "
        "carrying `support_scope`; never by an anonymous caller.",
    )
    support_scope: str = Field(
        default="shop:support",
        min_length=1,
        max_length=100,
        description="The token scope that grants the support role over HTTP (when `support_role` is on).",
    )

    log_format: Literal["console", "json"] | None = Field(
        default=None, description="Default: json in production, console elsewhere."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Serving over HTTP (`serve --transport http|sse`); see serving/ and docs/serving.md.
    http_host: str = Field(default="127.0.0.1", description="Address to bind; beyond loopback, auth is required.")
    http_port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = Field(
        default="",
        description="The MCP endpoint as clients reach it (e.g. https://shop.example.com/mcp): its host is "
        "accepted in Host headers and bearer tokens must name it as their audience. "
        "Default: http://<http_host>:<http_port>/mcp.",
    )
    allowed_hosts: CommaList = Field(
        default_factory=list, description="More Host header values to accept (`host`, `host:port`, `host:*`)."
    )
    allowed_origins: CommaList = Field(
        default_factory=list, description="More browser Origins to accept (`https://app.example.com`)."
    )
    http_stateless: bool | None = Field(
        default=None,
        description="Serve handshake-era clients without in-memory transport sessions. "
        "Default: stateless when auth is on, stateful (anonymous carts follow the transport session) when off.",
    )
    http_json_response: bool = Field(default=True, description="Answer with JSON rather than an SSE stream.")
    max_request_bytes: int = Field(default=1_048_576, ge=1024, description="Largest HTTP request body accepted.")
    rate_limit: str = Field(
        default="1200/minute",
        description="Requests per principal over HTTP, in `limits` notation (`20/second`, `5 per 3 seconds`); "
        "empty turns it off.",
    )
    rate_limit_storage: str = Field(
        default="async+memory://", description="A `limits` async storage URI; memory is per process."
    )
    allow_unauthenticated_remote: bool = Field(
        default=False, description="Serve without auth on a non-loopback address (only behind a trusted proxy)."
    )
    http_access_log: bool = Field(default=False, description="One log line per HTTP request (uvicorn's).")

    # Bearer-token auth: static tokens from a file, JWTs, or both.
    tokens_file: Path | None = Field(
        default=None,
        description="File of hashed static tokens (`shopmcp token create`). Default: `tokens.json` in "
        "`data_dir` when that file exists.",
    )
    jwt_secret: SecretStr | None = Field(default=None, description="HMAC secret for HS256/384/512 JWTs.")
    jwt_public_key_file: Path | None = Field(default=None, description="PEM public key for RS*/ES*/PS*/EdDSA JWTs.")
    jwt_jwks_file: Path | None = Field(default=None, description="JWKS file; the token's `kid` picks the key.")
    jwt_algorithms: CommaList = Field(
        default_factory=list, description="Accepted JWT algorithms. Default: HS* for a secret, asymmetric ones else."
    )
    jwt_issuer: str = Field(default="", description="Required `iss` of JWTs; empty: not checked.")
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=600, description="Clock skew allowed on exp/nbf/iat.")
    auth_issuer_url: str = Field(
        default="",
        description="Authorization server advertised to clients in the protected-resource metadata. "
        "Default: `jwt_issuer`, else the public URL's origin.",
    )
    auth_required_scopes: CommaList = Field(default_factory=list, description="Scopes every token must carry.")

    @field_validator("rate_limit")
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        value = value.strip()
        if value:
            limits.parse(value)  # raises ValueError naming the expected notation
        return value

    @field_validator("order_processing_after", "order_shipping_after", "order_delivery_after")
    @classmethod
    def _not_negative(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(0):
            raise ValueError("a delay is a duration of 0 or more, or off")
        return value

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
    def resolved_public_url(self) -> str:
        """The MCP endpoint URL clients use: the token audience and the accepted Host."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.http_host}]" if ":" in self.http_host else self.http_host
        return f"http://{host}:{self.http_port}/mcp"

    @property
    def resolved_tokens_file(self) -> Path | None:
        """The static tokens file in use, if any."""
        if self.tokens_file is not None:
            return self.tokens_file
        default = self.data_dir / "tokens.json"
        return default if default.is_file() else None

    @property
    def auth_enabled(self) -> bool:
        """Whether HTTP callers must present a bearer token."""
        jwt_key = self.jwt_secret or self.jwt_public_key_file or self.jwt_jwks_file
        return bool(jwt_key) or self.resolved_tokens_file is not None

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
