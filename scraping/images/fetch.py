"""Fetching an image from a platform CDN: allow-listed hosts only, SSRF-checked, with 403 fallbacks.

Only hosts on ``IMAGE_PROXY_HOSTS`` (suffixes of CDN host names) are fetched, every redirect hop
is checked again (at most 3), the connection goes to the address that was checked, and the body is
capped and must parse as an image.

CDNs refuse hot-linked requests in several ways (the seed product saw 403s from TikTok's CDN), so
a refusal is retried with the variants that got through there: no referrer, the platform's own
referrer, minimal headers, the URL without its signing and resize parameters, and the same path
on the platform's alternate CDN hosts (``IMAGE_PROXY_ALTERNATE_HOSTS``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings

from influencer_platform.errors import ProviderPermanentError, ProviderTransientError
from influencer_platform.http import (
    OutboundSession,
    ResponseTooLargeError,
    UnsafeURLError,
    build_session,
    fetch_checked,
    url_netloc,
)

from .render import NotAnImageError, image_probe

logger = logging.getLogger(__name__)

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
BROWSER_HEADERS = {
    "User-Agent": BROWSER_USER_AGENT,
    "Accept": "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.9",
}
MINIMAL_HEADERS = {"User-Agent": "Mozilla/5.0", "Accept": "*/*"}
# Platform pages that embed these CDNs; some edges only serve requests that seem to come from them.
PLATFORM_REFERRERS = (
    ("tiktokcdn.com", "https://www.tiktok.com/"),
    ("tiktokcdn-us.com", "https://www.tiktok.com/"),
    ("tiktokcdn-eu.com", "https://www.tiktok.com/"),
    ("ibyteimg.com", "https://www.tiktok.com/"),
    ("cdninstagram.com", "https://www.instagram.com/"),
    ("fbcdn.net", "https://www.instagram.com/"),
    ("ytimg.com", "https://www.youtube.com/"),
    ("ggpht.com", "https://www.youtube.com/"),
    ("googleusercontent.com", "https://www.youtube.com/"),
)
# Answers after which another variant may still get the image; anything else ends the attempt.
REFUSED_STATUSES = frozenset({401, 403, 404, 410})
# TikTok asks its CDN for transformed copies in the file name (".../abc~tplv-xyz:100:100.heic");
# the plain name is the stored original, in a format every CDN edge serves.
_CONVERTED_EXTENSIONS = (".heic", ".heif", ".webp", ".awebp", ".image", ".avif")
MAX_ATTEMPTS = 8
FETCH_BUDGET_SECONDS = 20.0


class ImageUnavailableError(ProviderPermanentError):
    """The image cannot be had: refused by us or the CDN, gone, too large, or not an image."""


class ImageTemporarilyUnavailableError(ProviderTransientError):
    """The CDN did not answer in time or failed (429, 5xx): worth trying again later."""


@dataclass(frozen=True)
class FetchAttempt:
    url: str
    headers: dict[str, str]
    label: str


@dataclass(frozen=True)
class FetchedImage:
    body: bytes
    url: str  # the URL that answered, after redirects
    attempt: str  # which variant got it


def _host_matches(netloc: str, entries: set[str] | frozenset[str], *, suffixes: bool) -> bool:
    hostname = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    for entry in entries:
        entry = entry.lower()
        if entry in (netloc, hostname) or (suffixes and hostname.endswith(f".{entry}")):
            return True
    return False


def host_on_allow_list(netloc: str) -> bool:
    """``host[:port]`` is a CDN we fetch from: an entry with a port must match exactly."""
    return _host_matches(netloc, settings.IMAGE_PROXY_HOSTS, suffixes=True)


def host_private_allowed(netloc: str) -> bool:
    return _host_matches(netloc, settings.IMAGE_PROXY_PRIVATE_HOSTS, suffixes=False)


def simplified_url(url: str) -> str:
    """The URL without query, fragment and CDN transform suffix, converted formats asked as JPEG."""
    parts = urlsplit(url)
    folder, _slash, name = parts.path.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if "~" in stem:
        stem = stem.split("~", 1)[0]
    extension = f".{extension}" if extension else ""
    if extension.lower() in _CONVERTED_EXTENSIONS:
        extension = ".jpeg"
    path = f"{folder}/{stem}{extension}" if name else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def alternate_host_urls(url: str) -> list[str]:
    """``url`` on each alternate CDN host configured for its host (exact name or ``.suffix`` key)."""
    parts = urlsplit(url)
    hostname = (parts.hostname or "").lower()
    alternates: list[str] = []
    for key, hosts in settings.IMAGE_PROXY_ALTERNATE_HOSTS.items():
        key = key.lower()
        if key == hostname or (key.startswith(".") and hostname.endswith(key)):
            alternates += [host.lower() for host in hosts if host.lower() != hostname]
    port = f":{parts.port}" if parts.port else ""
    return [urlunsplit(parts._replace(netloc=f"{host}{port}")) for host in dict.fromkeys(alternates)]


def fetch_attempts(url: str) -> list[FetchAttempt]:
    """What to try, in order, until one answers with an image."""
    hostname = (urlsplit(url).hostname or "").lower()
    referrer = next((page for suffix, page in PLATFORM_REFERRERS
                     if hostname == suffix or hostname.endswith(f".{suffix}")), None)
    simple = simplified_url(url)
    attempts = [FetchAttempt(url, BROWSER_HEADERS, "as given, no referrer")]
    if referrer:
        attempts.append(FetchAttempt(url, {**BROWSER_HEADERS, "Referer": referrer}, "platform referrer"))
    attempts.append(FetchAttempt(url, MINIMAL_HEADERS, "minimal headers"))
    attempts.append(FetchAttempt(simple, BROWSER_HEADERS, "simplified URL"))
    for alternate in alternate_host_urls(url):
        attempts.append(FetchAttempt(alternate, BROWSER_HEADERS, "alternate CDN host"))
        attempts.append(FetchAttempt(simplified_url(alternate), BROWSER_HEADERS, "alternate CDN host, simplified URL"))
    unique: dict[tuple[str, tuple[tuple[str, str], ...]], FetchAttempt] = {}
    for attempt in attempts:
        unique.setdefault((attempt.url, tuple(sorted(attempt.headers.items()))), attempt)
    return list(unique.values())[:MAX_ATTEMPTS]


@lru_cache(maxsize=1)
def _session() -> OutboundSession:
    return build_session(user_agent=BROWSER_USER_AGENT, pool_size=16, timeout=settings.IMAGE_PROXY_TIMEOUT,
                         pin_addresses=True)


def image_fetch(url: str) -> FetchedImage:
    """The image at ``url``, trying the 403 variants; raises ``ImageUnavailableError`` or
    ``ImageTemporarilyUnavailableError``."""
    try:
        netloc = url_netloc(url) if urlsplit(url).scheme in ("http", "https") else ""
    except UnsafeURLError:
        netloc = ""
    if not netloc or not host_on_allow_list(netloc):
        raise ImageUnavailableError(f"{netloc or 'this URL'} is not an image CDN we fetch from.")
    deadline = time.monotonic() + FETCH_BUDGET_SECONDS
    refusal = "no attempt made"
    for number, attempt in enumerate(fetch_attempts(url)):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ImageTemporarilyUnavailableError(f"Gave up after {number} attempts: {refusal}.")
        try:
            response = fetch_checked(
                attempt.url, session=_session(), headers=attempt.headers, max_bytes=settings.IMAGE_PROXY_MAX_BYTES,
                max_redirects=3, timeout=settings.IMAGE_PROXY_TIMEOUT, total_timeout=remaining,
                host_allowed=host_on_allow_list, private_allowed=host_private_allowed,
            )
        except UnsafeURLError as exc:
            if number == 0:
                raise ImageUnavailableError(f"Refused: {exc}") from exc
            # An alternate host may resolve somewhere we never go; the others may still work.
            refusal = f"{attempt.label} refused ({exc})"
            continue
        except (ResponseTooLargeError, requests.TooManyRedirects) as exc:
            raise ImageUnavailableError(str(exc)) from exc
        except requests.RequestException as exc:
            raise ImageTemporarilyUnavailableError(f"{attempt.label}: {exc.__class__.__name__}") from exc

        if response.status == 200:
            try:
                image_probe(response.body)
            except NotAnImageError:
                # Some edges answer a refusal with a 200 HTML page.
                refusal = f"{attempt.label} answered with something that is not an image"
                continue
            if number:
                logger.info("image fetched after a refusal", extra={"attempt": attempt.label})
            return FetchedImage(body=response.body, url=response.url, attempt=attempt.label)
        if response.status == 429 or response.status >= 500:
            raise ImageTemporarilyUnavailableError(f"The CDN answered {response.status}.", status=response.status)
        if response.status not in REFUSED_STATUSES:
            raise ImageUnavailableError(f"The CDN answered {response.status}.", status=response.status)
        refusal = f"{attempt.label} answered {response.status}"
    raise ImageUnavailableError(f"Every variant was refused; last: {refusal}.")
