"""The one way this project talks HTTP to the outside world.

Every outside call goes through a session from ``build_session``: it always has a timeout, never
retries behind our back (retries are the job engine's decision, with backoff) and, unless asked,
does not follow redirects. URLs that come from users or providers (avatars, thumbnails) are checked
with ``resolve_public_address`` before we fetch them, so the server cannot be steered at itself or
at the private network; ``fetch_checked`` does that for every redirect hop too, connects to the
address it checked and holds the whole exchange to a deadline.
"""

from __future__ import annotations

import ipaddress
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

DEFAULT_USER_AGENT = "influencer-platform/1.0"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURLError(ValueError):
    """The URL is not plain http(s) or points at an address we must never fetch from."""


class ResponseTooLargeError(ValueError):
    """The response body is larger than the caller allowed."""


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


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


class ExchangeDeadline:
    """Cuts the connection one exchange uses when its time is up.

    The session's timeouts bound each connect and each socket read, so a server that sends a
    byte every few seconds (in its headers or its body) can hold a request open for as long as
    it likes. At the deadline this shuts the socket down, which wakes the blocked read, and
    ``fetch_checked`` reports a timeout. A connection is detached the moment it goes back to the
    pool: one another request has taken since is never touched.
    """

    # How often to look again when the deadline passes while a connection is still being made
    # (that part is bounded by the connect timeout).
    RECHECK_SECONDS = 0.05

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._connection: Any = None
        self._socket: socket.socket | None = None
        self._finished = False
        self._timer: threading.Timer | None = None
        self._schedule(max(seconds, 0.0))

    def _schedule(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection
            self._socket = getattr(connection, "sock", None)  # set when the pool reuses a connection
            connection.exchange_deadline = self

    def connected(self, connection: Any) -> None:
        # http.client lets go of the socket (sock = None) as soon as the headers say the server
        # closes the connection after this response, while the body is still to be read from it.
        with self._lock:
            if self._connection is connection:
                self._socket = connection.sock

    def detach(self, connection: Any) -> None:
        with self._lock:
            if self._connection is connection:
                self._connection = self._socket = None
            connection.exchange_deadline = None

    def finish(self) -> None:
        with self._lock:
            self._finished = True
            self._connection = self._socket = None
            if self._timer is not None:
                self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            if self._connection is None:
                return
            sock = self._socket
            if sock is None:
                self._schedule(self.RECHECK_SECONDS)
                return
            try:
                # The plain socket's shutdown: ssl.SSLSocket's own would also drop its TLS state
                # under the thread that is reading from it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


_current_exchange = threading.local()


@contextmanager
def _exchange_watched(deadline: ExchangeDeadline | None) -> Iterator[None]:
    _current_exchange.deadline = deadline
    try:
        yield
    finally:
        _current_exchange.deadline = None


class _DeadlinePoolMixin:
    """Hands the connection a request takes to the calling thread's ``ExchangeDeadline``."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        deadline = getattr(_current_exchange, "deadline", None)
        if deadline is not None:
            deadline.attach(connection)
        return connection

    def _put_conn(self, conn: Any) -> None:
        deadline = getattr(conn, "exchange_deadline", None)
        if deadline is not None:
            deadline.detach(conn)
        super()._put_conn(conn)  # type: ignore[misc]


class _DeadlineConnectionMixin:
    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        deadline = getattr(self, "exchange_deadline", None)
        if deadline is not None:
            deadline.connected(self)


class _DeadlineHTTPConnection(_DeadlineConnectionMixin, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_DeadlineConnectionMixin, HTTPSConnection):
    pass


class _DeadlineHTTPConnectionPool(_DeadlinePoolMixin, HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSConnectionPool(_DeadlinePoolMixin, HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to the address ``fetch_checked`` approved instead of resolving the host again.

    Between the SSRF check and the connection a second DNS answer could point elsewhere (DNS
    rebinding), so the checked address is pinned for the calling thread while its request is
    sent. TLS still sends the host name (SNI) and verifies the certificate against it.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pin = threading.local()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A copy: urllib3's module-wide mapping is shared by every other session.
        self.poolmanager.pool_classes_by_scheme = {
            "http": _DeadlineHTTPConnectionPool, "https": _DeadlineHTTPSConnectionPool,
        }

    @contextmanager
    def pinned(self, address: str) -> Iterator[None]:
        self._pin.address = address
        try:
            yield
        finally:
            self._pin.address = None

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        address = getattr(self._pin, "address", None)
        if address is None:
            # requests turns this ValueError into InvalidURL: nothing unchecked gets through.
            raise UnsafeURLError("This session only connects to addresses checked by fetch_checked.")
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
            pool_kwargs["assert_hostname"] = host_params["host"]
        host_params["host"] = address
        return host_params, pool_kwargs


def build_session(
    *,
    user_agent: str = DEFAULT_USER_AGENT,
    pool_size: int = 10,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    pin_addresses: bool = False,
) -> OutboundSession:
    """A pooled session with a default timeout and no automatic retries.

    A redirect response is returned as is unless ``follow_redirects`` is set. With
    ``pin_addresses`` the session can only be used through ``fetch_checked``, which connects to
    the address it checked; proxies from the environment are then ignored, since a proxy would
    resolve the host itself, and cookies are never kept.
    """
    session = OutboundSession(timeout=timeout, follow_redirects=follow_redirects)
    # max_retries=0: urllib3 must not replay requests silently; the caller decides, honouring
    # Retry-After and the job's retry budget.
    adapter_class = PinnedAddressAdapter if pin_addresses else HTTPAdapter
    adapter = adapter_class(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    if pin_addresses:
        session.trust_env = False
        # These sessions fetch public files for everyone at once: a cookie one CDN edge set must
        # not follow the next request there (it would undo the "minimal headers" retry, too).
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
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
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 reaches the IPv4 loopback: judge the IPv4 address it wraps.
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        # 6to4 (2002::/16) carries an IPv4 address that a relay delivers to; site-local (fec0::/10)
        # is deprecated but still routed inside some networks. Python 3.11 counts both as global.
        elif address.is_site_local or (address.sixtofour is not None and not _is_public(address.sixtofour)):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True)
class CheckedResponse:
    """A response from ``fetch_checked``: the URL that answered (after redirects) and its body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


def _any_host(netloc: str) -> bool:
    return True


def _no_host(netloc: str) -> bool:
    return False


def web_url(value: object) -> str:
    """``value`` when it is an absolute http(s) URL with a host, else "".

    URLs that come from outside (the data provider, a creator's bio) are linked, stored and exported
    only through this check: a ``javascript:`` or ``data:`` address is never a link of ours.
    """
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if any(ord(char) < 0x20 or char == "\x7f" for char in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return text


def url_netloc(url: str | SplitResult) -> str:
    """``host`` or ``host:port`` of a URL, lower case, without credentials; "" when it has none."""
    parts = urlsplit(url) if isinstance(url, str) else url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError("The URL has an invalid port.") from exc
    return f"{host}:{port}" if host and port else host


def fetch_checked(
    url: str,
    *,
    session: OutboundSession,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    max_redirects: int = 3,
    timeout: tuple[float, float] | None = None,
    total_timeout: float | None = None,
    host_allowed: Callable[[str], bool] = _any_host,
    private_allowed: Callable[[str], bool] = _no_host,
) -> CheckedResponse:
    """GET ``url``, checking it and every redirect target before connecting to it.

    Each hop's ``host[:port]`` must pass ``host_allowed`` and resolve only to public addresses
    (unless ``private_allowed`` says otherwise, for the local sandbox); the connection then goes
    to exactly the address that was checked. ``session`` must come from
    ``build_session(pin_addresses=True)``; ``timeout`` (connect, read) replaces its default.

    Raises ``UnsafeURLError`` for a refused hop, ``requests.TooManyRedirects`` past
    ``max_redirects``, ``ResponseTooLargeError`` for a body over ``max_bytes``, and
    ``requests.Timeout`` when the whole exchange, redirects included, takes longer than
    ``total_timeout`` seconds (the session's timeouts only bound each connect and each read; the
    deadline is kept to within one connect timeout).
    """
    deadline = ExchangeDeadline(total_timeout) if total_timeout is not None else None
    try:
        for _hop in range(max_redirects + 1):
            if deadline is not None and deadline.expired:
                raise requests.Timeout(f"No answer within {total_timeout} seconds.")
            parts = urlsplit(url)
            if parts.username is not None or parts.password is not None:
                raise UnsafeURLError("URLs with credentials are not fetched.")
            netloc = url_netloc(parts)
            if not netloc or not host_allowed(netloc):
                raise UnsafeURLError(f"{netloc or 'The URL'} is not on the list of hosts we fetch from.")
            address = resolve_public_address(url, allow_private=private_allowed(netloc))
            adapter = session.get_adapter(url)
            if not isinstance(adapter, PinnedAddressAdapter):
                raise TypeError("fetch_checked needs a session from build_session(pin_addresses=True).")
            with adapter.pinned(address), _exchange_watched(deadline):
                response = session.get(
                    url, headers={**(headers or {}), "Host": netloc}, stream=True, allow_redirects=False,
                    timeout=timeout,
                )
            with response:
                location = response.headers.get("Location")
                if response.status_code in REDIRECT_STATUSES and location:
                    url = urljoin(url, location)
                    continue
                body = _body_read(response, max_bytes=max_bytes)
            if deadline is not None and deadline.expired:
                # Without a Content-Length, a body cut at the deadline looks complete.
                raise requests.Timeout(f"The response took longer than {total_timeout} seconds.")
            return CheckedResponse(url=url, status=response.status_code, headers=response.headers, body=body)
        raise requests.TooManyRedirects(f"More than {max_redirects} redirects.")
    except requests.RequestException as exc:
        if deadline is not None and deadline.expired and not isinstance(exc, requests.Timeout):
            # The connection was cut at the deadline; the read reports that as a broken connection.
            raise requests.Timeout(f"The response took longer than {total_timeout} seconds.") from exc
        raise
    finally:
        if deadline is not None:
            deadline.finish()


def _body_read(response: requests.Response, *, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLargeError(f"The body is {declared} bytes; at most {max_bytes} are read.")
    chunks: list[bytes] = []
    received = 0
    # The cap counts decoded bytes, so a small gzip body cannot inflate past it either.
    for chunk in response.iter_content(64 * 1024):
        received += len(chunk)
        if received > max_bytes:
            raise ResponseTooLargeError(f"The body is over {max_bytes} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)
