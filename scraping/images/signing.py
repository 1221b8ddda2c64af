"""Proxy URLs the app signed itself, so nobody else can make the proxy fetch an address.

``/img/<signature>/?u=<url>&s=<size>&i=<initial>&c=<colour>[&h=<content hash>]``: the signature is an
HMAC (the secret key, SHA-256) over every parameter, so neither the URL, the size nor the
placeholder can be changed. ``h`` names the stored copy fetched when the creator was saved; it also
makes the address change when the avatar does, which is what lets browsers keep it for a year.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .placeholder import NEUTRAL_PLACEHOLDER, PALETTE, Placeholder, creator_placeholder

if TYPE_CHECKING:
    from scraping.models import CreatorProfile

# Renditions the proxy makes; a page asks for the smallest one at least as large as it shows.
PROXY_SIZES = (32, 48, 64, 96, 128, 192, 256, 384, 512)
# How large the results table shows an avatar (CSS pixels).
DEFAULT_AVATAR_PIXELS = 40
MAX_URL_LENGTH = 2000
_SALT = "scraping.images.proxy-url"
# Part of a storage path: nothing but a SHA-256 in hex may get there, even under our signature.
_CONTENT_HASH = re.compile(r"(?:[0-9a-f]{64})?")


class InvalidImageRequestError(ValueError):
    """The proxy URL was not signed by us, was changed, or is incomplete."""


@dataclass(frozen=True)
class ImageRequest:
    url: str
    size: int
    placeholder: Placeholder
    content_hash: str = ""

    def query(self) -> list[tuple[str, str]]:
        pairs = [("u", self.url), ("s", str(self.size)), ("i", self.placeholder.initial),
                 ("c", str(self.placeholder.colour_index))]
        if self.content_hash:
            pairs.append(("h", self.content_hash))
        return pairs


def rendition_size(pixels: int) -> int:
    """The smallest proxy size of at least ``pixels``, or the largest there is."""
    return next((size for size in PROXY_SIZES if size >= pixels), PROXY_SIZES[-1])


def _signature(query: str, secret: str | None = None) -> str:
    # ``query`` is urlencoded, which is unambiguous: no value can pretend to end early and start
    # another parameter.
    digest = salted_hmac(_SALT, query, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def image_proxy_url(request: ImageRequest) -> str:
    query = urlencode(request.query())
    return f"{reverse('image_proxy', args=[_signature(query)])}?{query}"


def image_request_parse(*, signature: str, query: QueryDict) -> ImageRequest:
    """The request a proxy URL stands for; ``InvalidImageRequestError`` unless we signed it."""
    try:
        url, size, initial, colour = query["u"], int(query["s"]), query["i"], int(query["c"])
    except (KeyError, ValueError) as exc:
        raise InvalidImageRequestError("The image address is incomplete.") from exc
    request = ImageRequest(
        url=url, size=size, placeholder=Placeholder(initial=initial, colour_index=colour),
        content_hash=query.get("h", ""),
    )
    signed_query = urlencode(request.query())
    # Old keys stay valid while SECRET_KEY is rotated, as Django's own signing does.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(signature, _signature(signed_query, secret)) for secret in secrets):
        raise InvalidImageRequestError("The image address was not signed by this site.")
    if (size not in PROXY_SIZES or not 0 <= colour < len(PALETTE) or len(initial) > 1
            or len(url) > MAX_URL_LENGTH or not _CONTENT_HASH.fullmatch(request.content_hash)):
        raise InvalidImageRequestError("The image address asks for something the proxy does not make.")
    return request


def creator_avatar_proxy_url(creator: CreatorProfile, *, size: int, name: str) -> str:
    """The proxy URL of the creator's avatar at ``size`` pixels; "" when they have none."""
    if not creator.avatar_url:
        return ""
    return image_proxy_url(ImageRequest(
        url=creator.avatar_url,
        size=rendition_size(size),
        placeholder=creator_placeholder(platform=creator.platform, external_id=creator.external_id, name=name),
        content_hash=creator.avatar_hash,
    ))


def image_proxy_url_for(url: str, *, size: int) -> str:
    """The proxy URL of any other image (a post thumbnail); "" for no URL."""
    if not url:
        return ""
    return image_proxy_url(ImageRequest(url=url, size=rendition_size(size), placeholder=NEUTRAL_PLACEHOLDER))
