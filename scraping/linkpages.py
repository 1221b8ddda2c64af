"""Contact emails published on link-in-bio pages (Linktree and the like).

Only hosts on ``LINK_IN_BIO_HOSTS`` are read: they are pages built to list a creator's contacts,
and an allow-list keeps creator-supplied URLs from steering our servers anywhere else. Addresses
are still resolved and private targets refused, and the body is capped.
"""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import requests
from django.conf import settings

from influencer_platform.http import UnsafeURLError, build_session, resolve_public_address

from .extraction import extract_emails

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 256 * 1024
_MAILTO_RE = re.compile(r"mailto:([^\"'?>\s]+)", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def _session() -> requests.Session:
    return build_session(pool_size=16, timeout=(3.0, 5.0))


def is_link_page(url: str) -> bool:
    host = (urlsplit(url).netloc or "").lower()
    return host in settings.LINK_IN_BIO_HOSTS or host.removeprefix("www.") in settings.LINK_IN_BIO_HOSTS


def link_page_emails(url: str) -> list[str]:
    """Addresses on the page at ``url``; [] when it is not a link page or cannot be read."""
    if not is_link_page(url):
        return []
    host = urlsplit(url).netloc.lower()
    try:
        resolve_public_address(url, allow_private=host in settings.LINK_IN_BIO_PRIVATE_HOSTS)
        with _session().get(url, stream=True, headers={"Accept": "text/html"}) as response:
            if response.status_code != 200 or "html" not in response.headers.get("Content-Type", ""):
                return []
            body = response.raw.read(MAX_PAGE_BYTES, decode_content=True)
    except (UnsafeURLError, requests.RequestException, OSError) as exc:
        logger.debug("link page not read: %s (%s)", host, exc.__class__.__name__)
        return []
    text = body.decode(response.encoding or "utf-8", errors="replace")
    found = [unquote(address) for address in _MAILTO_RE.findall(text)]
    found.append(html.unescape(_TAG_RE.sub(" ", text)))
    addresses: dict[str, None] = {}
    for chunk in found:
        for address in extract_emails(chunk):
            addresses.setdefault(address)
    return list(addresses)
