"""Who may reach the HTTP server: loopback rules, Host and Origin allow-lists, the auth requirement."""

import ipaddress
from urllib.parse import urlsplit

from mcp.server.transport_security import TransportSecuritySettings

from shopmcp.config import Settings

_LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


class UnsafeServeError(Exception):
    """The configuration would expose the store unsafely; the message says what to set."""


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_can_serve(settings: Settings) -> None:
    """Refuse a non-loopback bind without auth (unless overridden) or without a public URL."""
    if is_loopback(settings.http_host):
        return
    if not settings.auth_enabled and not settings.allow_unauthenticated_remote:
        raise UnsafeServeError(
            f"Refusing to serve on {settings.http_host} without authentication: anyone who can reach it "
            "could shop as anyone. Configure tokens (SHOPMCP_TOKENS_FILE from `shopmcp token create`, or "
            "SHOPMCP_JWT_SECRET / SHOPMCP_JWT_PUBLIC_KEY_FILE / SHOPMCP_JWT_JWKS_FILE), or set "
            "SHOPMCP_ALLOW_UNAUTHENTICATED_REMOTE=true if a trusted proxy in front authenticates callers."
        )
    if not settings.public_url:
        raise UnsafeServeError(
            f"Serving on {settings.http_host} needs SHOPMCP_PUBLIC_URL, the endpoint as clients reach it "
            "(e.g. https://shop.example.com/mcp): Host headers are checked against it and tokens must be "
            "issued for it."
        )


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """Host and Origin allow-lists (DNS-rebinding protection), always on.

    Loopback Host names are always accepted (local probes and sidecars);
    loopback Origins only when bound to loopback. The public URL's host and
    origin are accepted, plus whatever the allow-lists in the settings add.
    An absent Origin (any non-browser client) is accepted by the SDK.
    """
    public = urlsplit(settings.resolved_public_url)
    public_host = public.hostname or ""
    if ":" in public_host:
        public_host = f"[{public_host}]"
    hosts = [*_LOOPBACK_HOSTS, *(f"{host}:*" for host in _LOOPBACK_HOSTS), public_host, f"{public_host}:*"]
    origins = [f"{public.scheme}://{public.netloc}"]
    if is_loopback(settings.http_host):
        origins += [f"http://{host}" for host in _LOOPBACK_HOSTS]
        origins += [f"http://{host}:*" for host in _LOOPBACK_HOSTS]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=_unique([*hosts, *settings.allowed_hosts]),
        allowed_origins=_unique([*origins, *settings.allowed_origins]),
    )


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))
