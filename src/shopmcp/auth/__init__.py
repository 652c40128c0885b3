"""Bearer-token auth for HTTP: who is calling (docs/architecture.md, "Who is calling").

Two kinds of token, usable together: static tokens from a file of hashes
(`shopmcp token create`) and JWTs signed by an identity provider. Either way
the verified subject is the principal, and a token is accepted only for the
audience it was issued for: this server's public URL. The SDK does the rest
(`token_verifier=` and `AuthSettings`): 401 with a `WWW-Authenticate` header
that points at the protected-resource metadata for a missing or bad token.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings

from shopmcp.auth.static_tokens import TOKEN_PREFIX, StaticTokenVerifier
from shopmcp.config import Settings

if TYPE_CHECKING:
    from shopmcp.auth.jwt_tokens import JWTVerifier

ANONYMOUS = "anonymous"


def principal_of(token: AccessToken | None) -> str:
    """The principal a verified token stands for; `anonymous` without one."""
    if token is None:
        return ANONYMOUS
    return token.subject or token.client_id


class CombinedVerifier:
    """Static tokens by their prefix, anything else as a JWT."""

    def __init__(self, static: StaticTokenVerifier | None, jwt: "JWTVerifier | None") -> None:
        self._static = static
        self._jwt = jwt

    async def verify_token(self, token: str) -> AccessToken | None:
        if token.startswith(TOKEN_PREFIX):
            return await self._static.verify_token(token) if self._static else None
        return await self._jwt.verify_token(token) if self._jwt else None


@dataclass(frozen=True)
class AuthSetup:
    """What `MCPServer(token_verifier=..., auth=...)` takes."""

    verifier: TokenVerifier
    settings: AuthSettings


def build_auth(settings: Settings) -> AuthSetup | None:
    """The verifier and SDK auth settings `settings` describe; None when auth is off."""
    if not settings.auth_enabled:
        return None
    tokens_file = settings.resolved_tokens_file
    static = StaticTokenVerifier(tokens_file) if tokens_file else None
    jwt_configured = settings.jwt_secret or settings.jwt_public_key_file or settings.jwt_jwks_file
    # PyJWT (and its cryptography backends) only when JWTs are configured: it is a slow import.
    from shopmcp.auth.jwt_tokens import JWTVerifier

    jwt = (
        JWTVerifier(
            audience=settings.resolved_public_url,
            algorithms=settings.jwt_algorithms,
            secret=settings.jwt_secret.get_secret_value() if settings.jwt_secret else None,
            public_key_file=settings.jwt_public_key_file,
            jwks_file=settings.jwt_jwks_file,
            issuer=settings.jwt_issuer or None,
            leeway_seconds=settings.jwt_leeway_seconds,
        )
        if jwt_configured
        else None
    )
    return AuthSetup(
        verifier=CombinedVerifier(static, jwt),
        # Validated from strings, so URLs keep their exact spelling (no slash added to an empty path).
        settings=AuthSettings.model_validate(
            {
                "issuer_url": _authorization_server(settings),
                "resource_server_url": settings.resolved_public_url,
                "validate_token_resource": True,
                "required_scopes": settings.auth_required_scopes or None,
            }
        ),
    )


def _authorization_server(settings: Settings) -> str:
    if settings.auth_issuer_url:
        return settings.auth_issuer_url
    if settings.jwt_issuer.startswith(("http://", "https://")):
        return settings.jwt_issuer
    parts = urlsplit(settings.resolved_public_url)
    return f"{parts.scheme}://{parts.netloc}"
