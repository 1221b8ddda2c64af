"""A local HTTP server that speaks the ScrapeCreators API with generated creators.

Used when no API key is configured and by the test suite as the fake at the boundary. Nothing here
imports Django.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import data, images, latency

logger = logging.getLogger(__name__)

MEDIA_PATH = re.compile(r"^/media/(?P<kind>[a-z]+)/(?P<media_id>[A-Za-z0-9_-]{1,64})\.(?P<ext>[a-z]+)$")
API_PATH = re.compile(r"^/v\d+/")
LINKS_PATH = re.compile(r"^/links/(?P<platform>tiktok|instagram|youtube)/(?P<handle>[^/]+)$")


@dataclass(frozen=True)
class SandboxConfig:
    """``rate_limit`` is requests per second over all API calls (0: unlimited); ``api_key`` None
    accepts any non-empty key; ``port`` 0 picks a free port.

    ``latency_profile`` adds a per-endpoint delay drawn from a distribution ("realistic": the
    provider's seconds, see ``latency.py``) on top of ``latency_ms`` (fixed, or the median of a
    log-normal with ``latency_spread``; ``endpoint_latency`` sets it per path); a ``fail_rate``
    share of calls fail, a third of those after hanging ``hang_seconds``; ``rate_limit`` below
    the client's own rate makes a 429 storm; ``refused_paths``
    answer 404 as the provider does for an endpoint an account cannot use.
    """

    latency_ms: int = 0
    # With a spread, ``latency_ms`` is the median of a log-normal draw (sigma ``latency_spread``).
    latency_spread: float = 0.0
    # Per endpoint path: (median seconds, sigma) drawn instead of ``latency_ms`` for that path.
    endpoint_latency: tuple[tuple[str, float, float], ...] = ()
    latency_profile: str = "none"
    refused_paths: frozenset[str] = frozenset()
    rate_limit: float = 0.0
    fail_rate: float = 0.0
    seed: int = 1
    api_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    hang_seconds: float = 30.0
    credits: int = 100_000


@dataclass
class SandboxStats:
    requests: int = 0  # API calls received, including the ones refused
    by_path: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    # How often each API path was sent each parameter value: (path, name, value).
    by_parameter: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, path: str, status: int, query: str = "") -> None:
        api = bool(API_PATH.match(path))
        parameters = parse_qs(query, keep_blank_values=True) if api else {}
        with self._lock:
            self.requests += api
            self.by_path[path] += 1
            self.by_status[status] += 1
            for name, values in parameters.items():
                self.by_parameter[(path, name, values[-1])] += 1

    def parameter_values(self, path: str, name: str) -> Counter[str]:
        """The values ``path`` was sent for ``name``, with how often each."""
        with self._lock:
            return Counter({value: count for (seen_path, seen_name, value), count in self.by_parameter.items()
                            if (seen_path, seen_name) == (path, name)})


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _json_reply(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode(), headers=headers or {})


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return _json_reply(status, {"success": False, "message": message}, headers)


class Params:
    def __init__(self, query: str) -> None:
        self._values = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}

    def optional(self, name: str, default: str = "") -> str:
        return self._values.get(name, "").strip() or default

    def required(self, name: str) -> str:
        value = self.optional(name)
        if not value:
            raise data.BadRequest(f"Missing required parameter: {name}")
        return value

    def flag(self, name: str) -> bool:
        return self.optional(name).lower() in ("true", "1", "yes")

    def count(self, name: str, default: int) -> int:
        raw = self.optional(name)
        if not raw:
            return default
        if not raw.isdigit():
            raise data.BadRequest(f"{name} must be a non-negative integer")
        return int(raw)


def _youtube_channel(catalog: data.Catalog, params: Params) -> dict[str, Any]:
    handle, channel_id = params.optional("handle"), params.optional("channelId")
    if not handle and not channel_id:
        raise data.BadRequest("You must provide a handle or a channelId")
    return data.youtube_channel(catalog, handle, channel_id)


def _youtube_channel_videos(catalog: data.Catalog, params: Params) -> dict[str, Any]:
    handle, channel_id = params.optional("handle"), params.optional("channelId")
    if not handle and not channel_id:
        raise data.BadRequest("You must provide a handle or a channelId")
    return data.youtube_channel_videos(catalog, handle, channel_id, params.flag("includeExtras"))


def _reels_cost(payload: dict[str, Any]) -> int:
    # The provider charges reels search per 10 reels returned, at least 1 credit a call.
    return max(1, math.ceil(len(payload.get("reels", ())) / 10))


Route = Callable[[data.Catalog, Params], dict[str, Any]]
Cost = int | Callable[[dict[str, Any]], int]
ROUTES: dict[str, tuple[Route, Cost]] = {
    "/v1/tiktok/search/keyword": (lambda cat, p: data.tiktok_keyword_search(
        cat, p.required("query"), p.count("cursor", 0), p.optional("region", "US")), 1),
    "/v1/tiktok/search/users": (lambda cat, p: data.tiktok_user_search(
        cat, p.required("query"), p.count("cursor", 0)), 1),
    "/v1/tiktok/search/hashtag": (lambda cat, p: data.tiktok_hashtag_search(
        cat, p.required("hashtag"), p.count("cursor", 0), p.optional("region", "US")), 1),
    "/v1/tiktok/profile": (lambda cat, p: data.tiktok_profile(cat, p.required("handle")), 1),
    "/v3/tiktok/profile/videos": (lambda cat, p: data.tiktok_profile_videos(cat, p.required("handle")), 1),
    "/v1/tiktok/user/audience": (lambda cat, p: data.tiktok_audience(cat, p.required("handle")), 26),
    "/v1/instagram/profile": (lambda cat, p: data.instagram_profile(cat, p.required("handle")), 1),
    "/v1/instagram/reels/search": (lambda cat, p: data.instagram_reels_search(
        cat, p.required("query"), p.count("amount", 60)), _reels_cost),
    "/v2/instagram/reels/search": (lambda cat, p: data.instagram_reels_search_v2(
        cat, p.required("query"), p.count("page", 1)), _reels_cost),
    "/v1/instagram/basic-profile": (lambda cat, p: data.instagram_basic_profile(cat, p.required("userId")), 1),
    "/v1/youtube/search": (lambda cat, p: data.youtube_search(
        cat, p.required("query"), p.optional("continuationToken"), p.flag("includeExtras")), 1),
    "/v1/youtube/channel": (_youtube_channel, 1),
    "/v1/youtube/channel-videos": (_youtube_channel_videos, 1),
}


class TokenBucket:
    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take a token: 0.0 on success, otherwise the seconds until one is free."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self._rate


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # A hung or keep-alive handler thread must not hold up stop().
    block_on_close = False
    sandbox: SandboxServer


class _HTTPServerV6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        reply = self.server.sandbox.answer(url.path, url.query, self.headers.get("x-api-key"))
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first, as it should when an injected hang outlasts its timeout.
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sandbox %s %s", self.address_string(), format % args)


class SandboxServer:
    def __init__(self, config: SandboxConfig) -> None:
        if config.latency_profile not in latency.PROFILES:
            raise ValueError(f"Unknown latency profile {config.latency_profile!r}; "
                             f"choose one of {', '.join(latency.PROFILES)}.")
        self.config = config
        self.stats = SandboxStats()
        server_class = _HTTPServerV6 if ":" in config.host else _HTTPServer
        self._httpd = server_class((config.host, config.port), _Handler)
        self._httpd.sandbox = self
        self.port: int = self._httpd.server_address[1]
        url_host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(
            config.host, f"[{config.host}]" if ":" in config.host else config.host)
        self.base_url = f"http://{url_host}:{self.port}"
        # Timestamps hang off the start hour so repeated requests keep identical bodies.
        self.catalog = data.Catalog(seed=config.seed, base_url=self.base_url, now=int(time.time()) // 3600 * 3600)
        self._credits = config.credits
        self._bucket = TokenBucket(config.rate_limit) if config.rate_limit > 0 else None
        self._failures = random.Random(config.seed)
        self._latencies = random.Random(config.seed + 1)
        self._endpoint_latency = {path: latency.Latency(median, sigma) for path, median, sigma in config.endpoint_latency}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def credits_remaining(self) -> int:
        return self._credits

    def answer(self, path: str, query: str, api_key: str | None) -> Reply:
        if API_PATH.match(path):
            reply = self._answer_api(path, query, api_key)
        else:
            reply = self._answer_public(path)
        self.stats.record(path, reply.status, query)
        return reply

    def _answer_public(self, path: str) -> Reply:
        if media := MEDIA_PATH.match(path):
            kind, media_id, ext = media["kind"], media["media_id"], media["ext"]
            if kind == "forbidden":
                return Reply(403, b"Access denied", "text/plain")
            if kind == "notimage":
                return Reply(200, b"<!doctype html><html><body>Not here</body></html>", "text/html; charset=utf-8")
            try:
                body, content_type = images.render_media(kind, media_id, ext)
            except KeyError:
                return Reply(404, b"Not found", "text/plain")
            return Reply(200, body, content_type, {"Cache-Control": "public, max-age=86400"})
        if links := LINKS_PATH.match(path):
            try:
                page = data.link_page(self.catalog, links["platform"], links["handle"])
            except (data.NotFound, data.BadRequest):
                return Reply(404, b"Not found", "text/plain")
            return Reply(200, page.encode(), "text/html; charset=utf-8")
        return Reply(404, b"Not found", "text/plain")

    def _answer_api(self, path: str, query: str, api_key: str | None) -> Reply:
        if not api_key or (self.config.api_key is not None and api_key != self.config.api_key):
            return _error(401, "Invalid or missing API key")
        if path not in ROUTES or path in self.config.refused_paths:
            return _error(404, f"Unknown endpoint {path}")
        if self._bucket and (wait := self._bucket.take()):
            return _error(429, "Rate limit exceeded", {"Retry-After": str(max(1, math.ceil(wait)))})
        delay = self._base_delay(path)
        if self.config.latency_profile != "none":
            with self._lock:
                delay += latency.answer_delay(self.config.latency_profile, path, rng=self._latencies,
                                              extras=Params(query).flag("includeExtras"))
        if delay:
            self._stopping.wait(delay)
        if failure := self._draw_failure():
            return failure
        route, cost = ROUTES[path]
        try:
            payload = route(self.catalog, Params(query))
        except data.BadRequest as exc:
            return _error(400, str(exc))
        except data.NotFound as exc:
            return _error(404, str(exc))
        cost = cost(payload) if callable(cost) else cost
        with self._lock:
            if self._credits < cost:
                return _error(402, "Out of credits")
            self._credits -= cost
            credits = self._credits
        return _json_reply(200, {"success": True, **payload, "credits_remaining": credits})

    def _base_delay(self, path: str) -> float:
        drawn = self._endpoint_latency.get(path)
        if drawn is None and not self.config.latency_spread:
            return self.config.latency_ms / 1000
        drawn = drawn or latency.Latency(self.config.latency_ms / 1000, self.config.latency_spread)
        with self._lock:
            return drawn.draw(self._latencies)

    def _draw_failure(self) -> Reply | None:
        # Not keyed on the URL: a retry of the same request must be able to succeed.
        with self._lock:
            if self._failures.random() >= self.config.fail_rate:
                return None
            hang = self._failures.random() < 1 / 3
        if hang:
            self._stopping.wait(self.config.hang_seconds)
            return _error(500, "Upstream timed out")
        return _error(500, "Internal server error")

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"sandbox-provider-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve(self) -> None:
        """Serve on the calling thread until interrupted (Ctrl-C)."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._stopping.set()
            self._httpd.server_close()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def start_sandbox(config: SandboxConfig | None = None) -> SandboxServer:
    """Start the sandbox on a background thread; stop it with ``.stop()`` or a ``with`` block."""
    return SandboxServer(config or SandboxConfig()).start()


def serve_forever(config: SandboxConfig, on_ready: Callable[[SandboxServer], None] | None = None) -> None:
    """Serve in the foreground until interrupted (Ctrl-C); ``on_ready`` sees the bound server first."""
    server = SandboxServer(config)
    if on_ready is not None:
        on_ready(server)
    server.serve()
