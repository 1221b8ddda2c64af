"""Serving proxied images from storage, and storing creator avatars while their CDN URL works.

Storage layout (Django's storage, ``IMAGE_PROXY_STORAGE``), keyed by the SHA-256 of the original:
``images/ab/<hash>/source`` is the original as fetched, ``images/ab/<hash>/<size>.<jpg|webp>`` the
renditions, made on first request. Content never changes under a name, so concurrent writers can
only store the same bytes, and every response has an ETag that stays valid forever.

Which original a CDN URL gave is remembered in the cache for ``images.source_ttl``; an avatar's
hash is also kept on its ``CreatorProfile``, so its page URL names the stored copy directly.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.http import parse_etags

from adminpanel.config import config_get
from influencer_platform import actor_names
from influencer_platform.jobs import actor_send
from scraping.models import CreatorProfile

from .fetch import ImageTemporarilyUnavailableError, ImageUnavailableError, image_fetch
from .placeholder import placeholder_svg
from .render import OUTPUTS, NotAnImageError, OutputFormat, image_render
from .signing import DEFAULT_AVATAR_PIXELS, ImageRequest, rendition_size

logger = logging.getLogger(__name__)

AVATAR_BATCH_SIZE = 25
# What the results table shows (1x and 2x screens), made while the avatar is stored so the first
# page view only reads files.
AVATAR_PRERENDERED: tuple[tuple[int, OutputFormat], ...] = tuple(
    (size, output)
    for size in sorted({rendition_size(DEFAULT_AVATAR_PIXELS), rendition_size(2 * DEFAULT_AVATAR_PIXELS)})
    for output in ("jpeg", "webp")
)
# A CDN that timed out or answered 5xx is asked again sooner than one that refused.
TRANSIENT_FAILURE_SECONDS = 60
# One fetch of a URL at a time: the others wait this long for its copy before fetching themselves.
FETCH_LOCK_SECONDS = 30
FETCH_WAIT_SECONDS = 10.0
FETCH_WAIT_STEP = 0.05
_EXTENSIONS = {"jpeg": "jpg", "webp": "webp"}


@dataclass(frozen=True)
class ServedImage:
    status: int  # 200, or 304 when the browser's copy is current
    body: bytes
    content_type: str
    etag: str
    max_age: int  # seconds
    immutable: bool = False
    placeholder: bool = False


def _storage() -> Storage:
    return storages[settings.IMAGE_PROXY_STORAGE]


def source_name(content_hash: str) -> str:
    return f"images/{content_hash[:2]}/{content_hash}/source"


def rendition_name(content_hash: str, size: int, output: OutputFormat) -> str:
    return f"images/{content_hash[:2]}/{content_hash}/{size}.{_EXTENSIONS[output]}"


def _url_key(url: str) -> str:
    return f"images:url:{hashlib.sha256(url.encode()).hexdigest()}"


def _failed_key(url: str) -> str:
    return f"images:failed:{hashlib.sha256(url.encode()).hexdigest()}"


def _fetching_key(url: str) -> str:
    return f"images:fetching:{hashlib.sha256(url.encode()).hexdigest()}"


def _seconds(key: str) -> int:
    return max(0, int(config_get(key).total_seconds()))


def _stored_read(name: str) -> bytes | None:
    try:
        with _storage().open(name, "rb") as stored:
            return stored.read()
    except (FileNotFoundError, OSError):
        return None


def _store(name: str, body: bytes) -> None:
    storage = _storage()
    if storage.exists(name):
        return
    saved = storage.save(name, ContentFile(body))
    if saved != name:
        # Another worker stored the same name (the same bytes) first; the storage picked a new one.
        storage.delete(saved)


def _etag_matches(etag: str, if_none_match: str) -> bool:
    if not if_none_match:
        return False
    # Weak comparison (RFC 9110 13.1.2), as a proxy in front may have marked our tag weak.
    tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
    return "*" in tags or etag in tags


def _rendition_etag(content_hash: str, size: int, output: OutputFormat) -> str:
    return f'"{content_hash[:32]}-{size}-{output}"'


def _image_served(request: ImageRequest, *, content_hash: str, output: OutputFormat, body: bytes,
                  status: int = 200) -> ServedImage:
    return ServedImage(
        status=status, body=body, content_type=OUTPUTS[output].content_type,
        etag=_rendition_etag(content_hash, request.size, output), max_age=_seconds("images.browser_cache"),
        # The address names this exact content only when it carries its hash.
        immutable=request.content_hash == content_hash,
    )


def _placeholder_served(request: ImageRequest, *, if_none_match: str) -> ServedImage:
    body = placeholder_svg(request.placeholder, size=request.size)
    etag = f'"p-{hashlib.sha256(body).hexdigest()[:32]}"'
    matches = _etag_matches(etag, if_none_match)
    return ServedImage(
        status=304 if matches else 200, body=b"" if matches else body, content_type="image/svg+xml",
        etag=etag, max_age=_seconds("images.placeholder_max_age"), placeholder=True,
    )


def _stored_served(request: ImageRequest, *, content_hash: str, output: OutputFormat,
                   if_none_match: str) -> ServedImage | None:
    """The rendition of an original we hold, or None if storage no longer has it."""
    if _etag_matches(_rendition_etag(content_hash, request.size, output), if_none_match):
        return _image_served(request, content_hash=content_hash, output=output, body=b"", status=304)
    name = rendition_name(content_hash, request.size, output)
    body = _stored_read(name)
    if body is None:
        source = _stored_read(source_name(content_hash))
        if source is None:
            return None
        try:
            body = image_render(source, size=request.size, output=output)
        except NotAnImageError:
            logger.warning("stored image cannot be decoded", extra={"content_hash": content_hash})
            return None
        _store(name, body)
    return _image_served(request, content_hash=content_hash, output=output, body=body)


def proxied_image_serve(*, request: ImageRequest, output: OutputFormat, if_none_match: str = "") -> ServedImage:
    """The image a signed proxy URL stands for, from storage, fetched now, or as a placeholder.

    Never raises for a CDN failure: the creator's initial is shown instead, for a short while,
    and the URL is not fetched again until ``images.failure_ttl`` has passed.
    """
    content_hash = request.content_hash or cache.get(_url_key(request.url)) or ""
    if content_hash:
        served = _stored_served(request, content_hash=content_hash, output=output, if_none_match=if_none_match)
        if served is not None:
            return served
    if cache.get(_failed_key(request.url)):
        return _placeholder_served(request, if_none_match=if_none_match)
    # A results page shows the same avatars to everyone who opens it: the first request fetches,
    # the others wait for its copy instead of asking the CDN again (and converting again).
    fetching = _fetching_key(request.url)
    if not cache.add(fetching, True, FETCH_LOCK_SECONDS):
        served = _other_fetch_awaited(request, output=output, if_none_match=if_none_match)
        if served is not None:
            return served
    try:
        return _fetched_served(request, output=output, if_none_match=if_none_match)
    finally:
        cache.delete(fetching)


def _other_fetch_awaited(request: ImageRequest, *, output: OutputFormat, if_none_match: str) -> ServedImage | None:
    """What the request already fetching ``request.url`` stored, once it has; None if it gave up."""
    deadline = time.monotonic() + FETCH_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(FETCH_WAIT_STEP)
        if content_hash := cache.get(_url_key(request.url)):
            served = _stored_served(request, content_hash=content_hash, output=output, if_none_match=if_none_match)
            if served is not None:
                return served
        if cache.get(_failed_key(request.url)):
            return _placeholder_served(request, if_none_match=if_none_match)
        if not cache.get(_fetching_key(request.url)):
            return None
    return None


def _fetched_served(request: ImageRequest, *, output: OutputFormat, if_none_match: str) -> ServedImage:
    try:
        fetched = image_fetch(request.url)
        body = image_render(fetched.body, size=request.size, output=output)
    except ImageTemporarilyUnavailableError as exc:
        logger.info("image not fetched, will retry later: %s", exc.message)
        cache.set(_failed_key(request.url), True, min(TRANSIENT_FAILURE_SECONDS, _seconds("images.failure_ttl")))
        return _placeholder_served(request, if_none_match=if_none_match)
    except (ImageUnavailableError, NotAnImageError) as exc:
        logger.info("image not available: %s", exc)
        cache.set(_failed_key(request.url), True, _seconds("images.failure_ttl"))
        return _placeholder_served(request, if_none_match=if_none_match)
    content_hash = _original_store(request.url, fetched.body, renditions={(request.size, output): body})
    return _image_served(request, content_hash=content_hash, output=output, body=body)


def _original_store(url: str, source: bytes, *, renditions: Mapping[tuple[int, OutputFormat], bytes]) -> str:
    """Store the original ``url`` gave and ``renditions`` of it, remember it for ``url``; its hash."""
    content_hash = hashlib.sha256(source).hexdigest()
    _store(source_name(content_hash), source)
    for (size, output), body in renditions.items():
        _store(rendition_name(content_hash, size, output), body)
    cache.set(_url_key(url), content_hash, _seconds("images.source_ttl"))
    return content_hash


# Avatars, stored by the ``creator_avatars_fetch`` actor


def _avatar_due(profile: CreatorProfile, *, refresh_before: datetime) -> bool:
    fetched_at = profile.avatar_fetched_at
    return bool(profile.avatar_url) and (fetched_at is None or fetched_at < refresh_before)


def creator_avatars_queue(*, previous_urls: Mapping[str, str], profiles: Iterable[CreatorProfile]) -> None:
    """After creators were saved: have their avatars fetched if new, changed, or older than
    ``images.refresh_after``.

    ``previous_urls`` maps external ids to the avatar URL each creator had before the save. The
    copy stored for an older URL stays in use until the new one is stored.
    """
    profiles = list(profiles)
    changed = {p.pk for p in profiles
               if p.external_id in previous_urls and previous_urls[p.external_id] != p.avatar_url}
    if changed:
        CreatorProfile.objects.filter(pk__in=changed).update(avatar_fetched_at=None)
    refresh_before = timezone.now() - config_get("images.refresh_after")
    due = [p.pk for p in profiles
           if p.avatar_url and (p.pk in changed or _avatar_due(p, refresh_before=refresh_before))]
    for start in range(0, len(due), AVATAR_BATCH_SIZE):
        batch = due[start:start + AVATAR_BATCH_SIZE]
        transaction.on_commit(lambda batch=batch: actor_send(actor_names.CREATOR_AVATARS_FETCH, batch))


def _avatar_store(url: str, *, reuse_known: bool) -> str:
    """The content hash of the avatar at ``url``, fetched and stored with its usual renditions."""
    known = cache.get(_url_key(url)) if reuse_known else None
    if known and _storage().exists(source_name(known)):
        return known
    fetched = image_fetch(url)
    try:
        renditions = {(size, output): image_render(fetched.body, size=size, output=output)
                      for size, output in AVATAR_PRERENDERED}
    except NotAnImageError as exc:
        raise ImageUnavailableError(str(exc)) from exc
    return _original_store(url, fetched.body, renditions=renditions)


def creator_avatars_store(*, profile_ids: list[int]) -> int:
    """Fetch and store the avatar of each profile that is due (see ``creator_avatars_queue``);
    returns how many were stored.

    Idempotent: a profile is tried once per avatar URL and ``images.refresh_after``. When the CDN
    refuses, the copy stored before (if any) stays and pages keep showing it, or the placeholder.
    A CDN that times out or fails raises ``ImageTemporarilyUnavailableError`` after the others
    are done, so the message is retried for the ones left.
    """
    refresh_before = timezone.now() - config_get("images.refresh_after")
    profiles = [p for p in CreatorProfile.objects.filter(pk__in=profile_ids).exclude(avatar_url="")
                .only("pk", "avatar_url", "avatar_fetched_at").order_by("pk")
                if _avatar_due(p, refresh_before=refresh_before)]
    stored = 0
    temporary: list[ImageTemporarilyUnavailableError] = []
    for profile in profiles:
        try:
            content_hash = _avatar_store(profile.avatar_url, reuse_known=profile.avatar_fetched_at is None)
        except ImageTemporarilyUnavailableError as exc:
            temporary.append(exc)
            continue
        except ImageUnavailableError as exc:
            logger.info("avatar not available", extra={"profile_id": profile.pk, "reason": exc.message})
            content_hash = ""
        changes: dict[str, object] = {"avatar_fetched_at": timezone.now()}
        if content_hash:
            changes["avatar_hash"] = content_hash
        # Only for the URL that was fetched: a search may have saved a newer avatar meanwhile.
        updated = CreatorProfile.objects.filter(pk=profile.pk, avatar_url=profile.avatar_url).update(**changes)
        stored += bool(updated and content_hash)
    if temporary:
        raise ImageTemporarilyUnavailableError(
            f"{len(temporary)} avatar(s) could not be fetched yet: {temporary[0].message}"
        )
    return stored
