"""JWT bearer tokens, verified with PyJWT against a shared secret, a public key or a JWKS file.

A token is accepted when its signature verifies with one of the configured
algorithms, it has not expired (`exp` is required; `leeway` absorbs clock
skew), its audience names this server's public URL (RFC 8707: a token minted
for another service is refused), its issuer is the configured one (when one
is configured) and it names a subject. The subject is the principal.
"""

import hashlib
from pathlib import Path
from typing import Any

import jwt
import structlog
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from mcp.server.auth.provider import AccessToken

from shopmcp.auth.files import WatchedFile

log = structlog.get_logger(__name__)

HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"]
ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


def _normalize_url(url: str) -> str:
    return url.rstrip("/")


class _KeySource:
    """Where signing keys come from: the key for a token, chosen by its header."""

    def key_for(self, header: dict[str, Any]) -> Any:
        raise NotImplementedError


class _SecretKey(_KeySource):
    def __init__(self, secret: str) -> None:
        self._secret = secret

    def key_for(self, _header: dict[str, Any]) -> Any:
        return self._secret


class _PublicKeyFile(_KeySource):
    def __init__(self, path: Path, reload_interval: float) -> None:
        self._key: Any = None
        self._file = WatchedFile(path, self._parse, interval=reload_interval)
        self._file.load()

    def _parse(self, raw: bytes) -> None:
        self._key = load_pem_public_key(raw)

    def key_for(self, _header: dict[str, Any]) -> Any:
        self._file.refresh()
        return self._key


class _JWKSFile(_KeySource):
    """A JWKS document on disk; re-read when it changes, so keys can be rotated without a restart."""

    def __init__(self, path: Path, reload_interval: float) -> None:
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._file = WatchedFile(path, self._parse, interval=reload_interval)
        self._file.load()

    def _parse(self, raw: bytes) -> None:
        key_set = jwt.PyJWKSet.from_json(raw.decode())
        self._keys = {key.key_id: key for key in key_set.keys}

    def key_for(self, header: dict[str, Any]) -> Any:
        self._file.refresh()
        kid = header.get("kid")
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        key = self._keys.get(kid)
        if key is None:
            raise jwt.InvalidKeyError("no key in the JWKS file has the token's kid")
        return key


class JWTVerifier:
    """The SDK's `TokenVerifier` for JWTs."""

    def __init__(
        self,
        *,
        audience: str,
        algorithms: list[str],
        secret: str | None = None,
        public_key_file: Path | None = None,
        jwks_file: Path | None = None,
        issuer: str | None = None,
        leeway_seconds: int = 30,
        reload_interval: float = 1.0,
    ) -> None:
        sources = [source for source in (secret, public_key_file, jwks_file) if source]
        if len(sources) != 1:
            raise ValueError("configure exactly one of a JWT secret, a public key file or a JWKS file")
        self._keys: _KeySource
        if secret:
            self._keys = _SecretKey(secret)
        elif public_key_file:
            self._keys = _PublicKeyFile(public_key_file, reload_interval)
        else:
            assert jwks_file is not None
            self._keys = _JWKSFile(jwks_file, reload_interval)
        default = HMAC_ALGORITHMS if secret else ASYMMETRIC_ALGORITHMS
        self._algorithms = algorithms or default
        if secret and not set(self._algorithms) <= set(HMAC_ALGORITHMS):
            raise ValueError("a JWT secret verifies HS256/HS384/HS512 tokens only")
        if not secret and set(self._algorithms) & set(HMAC_ALGORITHMS):
            # A public key must never double as an HMAC secret (algorithm confusion).
            raise ValueError("HS* algorithms need a JWT secret, not a public key")
        self._audience = _normalize_url(audience)
        self._issuer = issuer or None
        self._leeway = leeway_seconds

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            claims = self._decode(token)
        except jwt.PyJWTError as error:
            log.info("auth.jwt_rejected", reason=type(error).__name__)
            return None
        scopes = claims.get("scope", claims.get("scp", []))
        subject = str(claims["sub"])
        return AccessToken(
            # A fingerprint, not the token: nothing downstream can replay it.
            token="jwt:" + hashlib.sha256(token.encode()).hexdigest()[:16],
            client_id=str(claims.get("client_id") or claims.get("azp") or subject),
            subject=subject,
            scopes=scopes.split() if isinstance(scopes, str) else [str(scope) for scope in scopes],
            expires_at=int(claims["exp"]),
            resource=self._audience,
            claims={"iss": claims["iss"]} if "iss" in claims else None,
        )

    def _decode(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        key = self._keys.key_for(header)
        algorithms = self._algorithms
        if isinstance(key, jwt.PyJWK):
            algorithms = [name for name in algorithms if name == key.algorithm_name]
        required = ["exp", "sub", "aud"] + (["iss"] if self._issuer else [])
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            # Either spelling of the URL, with or without a trailing slash.
            audience=[self._audience, self._audience + "/"],
            issuer=self._issuer,
            leeway=self._leeway,
            options={"require": required},
        )
        if not str(claims["sub"]).strip():
            raise jwt.InvalidTokenError("empty subject")
        return claims
