"""Contact emails published on link-in-bio pages (Linktree and the like).

Only hosts on ``LINK_IN_BIO_HOSTS`` (and their sub-domains) are read: they are pages built to list a creator's contacts,
and an allow-list keeps creator-supplied URLs from steering our servers anywhere else. Every hop
(redirects included) is resolved, private targets are refused and the connection goes to the
address that was checked, so a link page whose DNS answer changes cannot reach inside our network.
The body is capped.
"""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import requests
from django.conf import settings

from influencer_platform.http import (
    OutboundSession,
    ResponseTooLargeError,
    UnsafeURLError,
    build_session,
    fetch_checked,
)

from .extraction import extract_emails

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 1024 * 1024
TOTAL_TIMEOUT = 8.0
_MAILTO_RE = re.compile(r"mailto:([^\"'?>\s]+)", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def _session() -> OutboundSession:
    return build_session(pool_size=16, timeout=(3.0, 5.0), pin_addresses=True)


def _host_listed(netloc: str) -> bool:
    """A listed host or a sub-domain of one: Komi, Carrd and others give each creator
    ``name.komi.io`` rather than a path on their own host."""
    host = netloc.lower().rstrip(".")
    listed = settings.LINK_IN_BIO_HOSTS
    return host in listed or any(host.endswith(f".{service}") for service in listed)


def _private_allowed(netloc: str) -> bool:
    return netloc.lower() in settings.LINK_IN_BIO_PRIVATE_HOSTS


def is_link_page(url: str) -> bool:
    return _host_listed(urlsplit(url).netloc or "")


def link_page_emails(url: str) -> list[str]:
    """Addresses on the page at ``url``; [] when it is not a link page or cannot be read."""
    if not is_link_page(url):
        return []
    host = urlsplit(url).netloc.lower()
    try:
        response = fetch_checked(
            url, session=_session(), max_bytes=MAX_PAGE_BYTES, headers={"Accept": "text/html"},
            total_timeout=TOTAL_TIMEOUT, host_allowed=_host_listed, private_allowed=_private_allowed,
        )
    except (UnsafeURLError, ResponseTooLargeError, requests.RequestException, OSError) as exc:
        logger.debug("link page not read: %s (%s)", host, exc.__class__.__name__)
        return []
    if response.status != 200 or "html" not in response.headers.get("Content-Type", ""):
        return []
    text = response.body.decode(requests.utils.get_encoding_from_headers(response.headers) or "utf-8",
                                errors="replace")
    found = [unquote(address) for address in _MAILTO_RE.findall(text)]
    found.append(html.unescape(_TAG_RE.sub(" ", text)))
    addresses: dict[str, None] = {}
    for chunk in found:
        for address in extract_emails(chunk):
            addresses.setdefault(address)
    return list(addresses)
