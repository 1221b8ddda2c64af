"""The one way this project talks HTTP to the outside world.

Every outside call goes through a session from ``build_session``: it always has a timeout, never
retries behind our back (retries are the job engine's decision, with backoff) and, unless asked,
does not follow redirects. URLs that come from users or providers (avatars, thumbnails) are checked
with ``resolve_public_address`` before we fetch them, so the server cannot be steered at itself or
at the private network.
"""

from __future__ import annotations

import ipaddress
import math
import socket
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

DEFAULT_USER_AGENT = "influencer-platform/1.0"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURLError(ValueError):
    """The URL is not plain http(s) or points at an address we must never fetch from."""


class OutboundSession(requests.Session):
    """A session that fills in a default ``(connect, read)`` timeout and may refuse redirects."""

    def __init__(self, *, timeout: tuple[float, float], follow_redirects: bool) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.follow_redirects = follow_redirects

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        # A redirect can point anywhere, including a private address the SSRF guard already
        # refused, and requests forwards custom headers such as API keys to the new host.
        # Callers that want to follow one must check the Location themselves.
        if not self.follow_redirects:
            return None
        return super().get_redirect_target(resp)


def build_session(
    *,
    user_agent: str = DEFAULT_USER_AGENT,
    pool_size: int = 10,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
) -> OutboundSession:
    """A pooled session with a default timeout and no automatic retries.

    A redirect response is returned as is unless ``follow_redirects`` is set.
    """
    session = OutboundSession(timeout=timeout, follow_redirects=follow_redirects)
    # max_retries=0: urllib3 must not replay requests silently; the caller decides, honouring
    # Retry-After and the job's retry budget.
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def resolve_public_address(url: str, *, allow_private: bool = False) -> str:
    """Check that ``url`` is http(s) and that its host resolves only to public addresses.

    Returns the first resolved address so the caller can connect to exactly what was checked
    (a second DNS lookup could answer differently). Every resolved address must be public: a
    host with one public and one private record is refused. ``allow_private`` skips the address
    check for tests and the local sandbox provider.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(f"Only http and https URLs can be fetched, not {parts.scheme!r}.")
    host = parts.hostname
    if not host:
        raise UnsafeURLError("The URL has no host.")
    try:
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError("The URL has an invalid port.") from exc

    addresses = _resolve(host, port or (443 if parts.scheme == "https" else 80))
    if not allow_private:
        for address in addresses:
            if not _is_public(address):
                raise UnsafeURLError(f"{host} resolves to {address}, which is not public.")
    return str(addresses[0])


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        # A literal address needs no lookup, which also keeps this path free of network access.
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURLError(f"Cannot resolve {host}.") from exc
    # IPv6 results may carry a zone suffix ("fe80::1%eth0") that ip_address does not accept.
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UnsafeURLError(f"Cannot resolve {host}.")
    return addresses


def _is_public(address: IPAddress) -> bool:
    # ::ffff:127.0.0.1 reaches the IPv4 loopback: judge the IPv4 address it wraps.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
