"""Static bearer tokens: random secrets handed out once, stored only as SHA-256 hashes.

A token is `smcp_` followed by 256 random bits. That much entropy needs no
slow password hash: a leaked file of SHA-256 digests reveals nothing usable.
The file maps each digest to a principal, an audience (the public URL the
token is valid for) and optional scopes and expiry, and the verifier
re-reads it when it changes, so `token create` and `token revoke` take effect
on a running server within a second.
"""

import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog
from mcp.server.auth.provider import AccessToken
from pydantic import BaseModel, Field

from shopmcp.auth.files import WatchedFile

log = structlog.get_logger(__name__)

TOKEN_PREFIX = "smcp_"  # noqa: S105 - a public marker, not a secret
_FILE_VERSION = 1


class TokenEntry(BaseModel):
    """One issued token, as the file keeps it (never the token itself)."""

    id: str = Field(description="Public handle for listing and revoking.")
    principal: str
    sha256: str
    audience: str = Field(description="The public URL of the MCP endpoint the token is valid for.")
    scopes: list[str] = Field(default_factory=list)
    created_at: datetime
    expires_at: datetime | None = None


class TokenFile(BaseModel):
    version: int = _FILE_VERSION
    tokens: list[TokenEntry] = Field(default_factory=list)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_token_file(path: Path) -> TokenFile:
    """The file's entries; a missing file has none."""
    if not path.is_file():
        return TokenFile()
    return TokenFile.model_validate_json(path.read_bytes())


def _write_token_file(path: Path, content: TokenFile) -> None:
    """Replace the file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps(content.model_dump(mode="json"), indent=2) + "\n")
    temporary.replace(path)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    """The secret: shown once, never stored."""
    entry: TokenEntry


def create_token(
    path: Path,
    *,
    principal: str,
    audience: str,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Mint a token for `principal`, add its hash to the file at `path` and return the token."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    entry = TokenEntry(
        id="tok_" + secrets.token_hex(6),
        principal=principal,
        sha256=hash_token(token),
        audience=audience.rstrip("/"),
        scopes=scopes or [],
        created_at=datetime.now(UTC),
        expires_at=expires_at,
    )
    content = read_token_file(path)
    content.tokens.append(entry)
    _write_token_file(path, content)
    return IssuedToken(token=token, entry=entry)


def revoke_token(path: Path, token_id: str) -> bool:
    """Remove the token with `token_id` from the file; False if there was none."""
    content = read_token_file(path)
    kept = [entry for entry in content.tokens if entry.id != token_id]
    if len(kept) == len(content.tokens):
        return False
    _write_token_file(path, TokenFile(tokens=kept))
    return True


class StaticTokenVerifier:
    """The SDK's `TokenVerifier` over a token file: the principal becomes the token's subject."""

    def __init__(self, path: Path, *, reload_interval: float = 1.0) -> None:
        self._file = WatchedFile(path, self._parse, interval=reload_interval)
        self._by_hash: dict[str, TokenEntry] = {}
        self._file.load()

    def _parse(self, raw: bytes) -> None:
        content = TokenFile.model_validate_json(raw) if raw else TokenFile()
        self._by_hash = {entry.sha256: entry for entry in content.tokens}
        log.info("auth.tokens_loaded", tokens=len(self._by_hash))

    async def verify_token(self, token: str) -> AccessToken | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        self._file.refresh()
        entry = self._by_hash.get(hash_token(token))
        if entry is None:
            return None
        expires_at = int(entry.expires_at.timestamp()) if entry.expires_at else None
        if expires_at is not None and expires_at < time.time():
            return None
        return AccessToken(
            # The SDK never needs the secret back; a handle keeps it out of every object we hold.
            token=entry.id,
            client_id=entry.principal,
            subject=entry.principal,
            scopes=entry.scopes,
            expires_at=expires_at,
            resource=entry.audience,
        )
