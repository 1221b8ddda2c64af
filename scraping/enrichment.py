"""Turning search hits into stored ``CreatorProfile`` rows, fetching full profiles where needed.

A hit whose profile was fetched within the freshness window is reused as stored: the provider is
not paid twice for the same bio. The rest are fetched with bounded concurrency (each request
still waits for the shared rate limit), contact emails are extracted, and the rows are upserted in
one statement keyed on (platform, external_id), so two jobs finding the same creator at the same
moment still produce one row.

No row lock is held here and no job state changes: a step that fails after this point leaves
only a warmer cache behind.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from adminpanel.config import config_get
from influencer_platform.errors import ProviderTransientError
from influencer_platform.http import web_url

from .extraction import EmailFound, extract_contacts, normalise_link
from .images.services import creator_avatars_queue
from .linkpages import is_link_page, link_page_emails
from .models import CreatorProfile, EngagementBasis
from .providers import CreatorHit, CreatorProfileData, PostSnapshot, ProviderNotFoundError, ScrapeCreatorsClient
from .strategies import SearchStrategy

logger = logging.getLogger(__name__)

MAX_ENGAGEMENT = Decimal("999.99")
_UPDATED_BY_SEARCH = ["handle", "display_name", "followers", "verified", "avatar_url", "profile_url"]
_UPDATED_BY_PROFILE = [*_UPDATED_BY_SEARCH, "bio", "links", "emails", "has_email", "tags", "related", "enriched_at"]


def engagement_rate(post: PostSnapshot | None, followers: int | None) -> Decimal | None:
    """Interactions per view of the post in percent, or per follower when views are unknown."""
    if post is None:
        return None
    interactions = (post.likes or 0) + (post.comments or 0) + (post.shares or 0)
    base = post.views or followers
    if not base or not interactions:
        return None
    return _percent(interactions, base)


def lifetime_engagement_rate(total_likes: int | None, total_posts: int | None,
                             followers: int | None) -> Decimal | None:
    """Likes per post over the creator's whole history, as a percent of their followers."""
    if not total_likes or not total_posts or not followers:
        return None
    return _percent(Decimal(total_likes) / total_posts, followers)


def _percent(part: int | Decimal, whole: int) -> Decimal:
    return min(MAX_ENGAGEMENT, (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Engagement:
    rate: Decimal
    basis: str
    posts: int | None = None  # recent posts averaged (RECENT_POSTS)


def recent_posts_engagement(posts: tuple[PostSnapshot, ...], followers: int | None) -> Engagement | None:
    """The mean of each recent post's engagement rate, over the posts whose counts are shown."""
    rates = [rate for rate in (engagement_rate(post, followers) for post in posts) if rate is not None]
    if not rates:
        return None
    mean = (sum(rates) / len(rates)).quantize(Decimal("0.01"))
    return Engagement(rate=min(MAX_ENGAGEMENT, mean), basis=EngagementBasis.RECENT_POSTS, posts=len(rates))


def _engagement(hit: CreatorHit, data: CreatorProfileData | None, followers: int | None) -> Engagement | None:
    """The figure and its basis: the post the search saw first, else the recent posts the profile
    showed (Instagram, YouTube), else the lifetime totals (TikTok)."""
    rate = engagement_rate(hit.post, followers)
    if rate is not None:
        return Engagement(rate=rate, basis=EngagementBasis.POST)
    if data is not None and (recent := recent_posts_engagement(data.recent_posts, followers)):
        return recent
    totals = (data.total_likes, data.total_posts) if data and data.total_posts else (hit.total_likes, hit.total_posts)
    rate = lifetime_engagement_rate(*totals, followers)
    return Engagement(rate=rate, basis=EngagementBasis.ALL_POSTS) if rate is not None else None


def _fetch(strategy: SearchStrategy, client: ScrapeCreatorsClient, hit: CreatorHit, *, attempts: int,
           read_link_pages: bool) -> tuple[CreatorProfileData | None, list[tuple[str, str]]]:
    """The profile (None if the platform no longer has it) and addresses from its link pages, each
    with the link it was behind."""
    for attempt in range(1, attempts + 1):
        try:
            data = strategy.enrich(client=client, hit=hit)
            break
        except ProviderNotFoundError:
            return None, []
        except ProviderTransientError as exc:
            if attempt == attempts:
                raise
            # The shared limiter already holds everyone back after a 429, and a call past its
            # deadline is retried at once on another connection; a 5xx gets a short pause.
            if exc.status is not None and exc.status >= 500:
                time.sleep(0.1 * attempt)
    link_emails: list[tuple[str, str]] = []
    if read_link_pages:
        for link in data.links:
            # Creators type links without a scheme ("linktr.ee/name"); the page is the same.
            url = normalise_link(link)
            if url and is_link_page(url):
                link_emails += [(address, link) for address in link_page_emails(url)]
    return data, link_emails


def _emails(data: CreatorProfileData | None, hit: CreatorHit,
            link_emails: list[tuple[str, str]]) -> list[dict[str, str]]:
    if data is None:
        contacts = extract_contacts(bio=hit.bio)
        return [e.as_json() for e in contacts.emails]
    contacts = extract_contacts(bio=data.bio, links=data.links, profile_email=data.profile_email)
    found: dict[str, EmailFound] = {e.address: e for e in contacts.emails}
    for address, link in link_emails:
        found.setdefault(address, EmailFound(address=address, source="link", link=link))
    return [e.as_json() for e in found.values()]


def _row(hit: CreatorHit, data: CreatorProfileData | None, link_emails: list[tuple[str, str]], *,
         now) -> CreatorProfile:
    source: Any = data or hit
    emails = _emails(data, hit, link_emails)
    followers = source.followers if source.followers is not None else hit.followers
    engagement = _engagement(hit, data, followers)
    row = CreatorProfile(
        platform=hit.platform,
        external_id=hit.external_id,
        handle=source.handle or hit.handle,
        display_name=(source.display_name or hit.display_name)[:200],
        followers=followers,
        verified=source.verified or hit.verified,
        avatar_url=(source.avatar_url or hit.avatar_url)[:1000],
        profile_url=web_url(source.profile_url or hit.profile_url)[:500],
        bio=source.bio or hit.bio,
        emails=emails,
        has_email=bool(emails),
        engagement_rate=engagement.rate if engagement else None,
        engagement_basis=engagement.basis if engagement else "",
        engagement_posts=engagement.posts if engagement else None,
    )
    if data is not None:
        contacts = extract_contacts(bio=data.bio, links=data.links)
        row.links = list(contacts.links)
        row.tags = list(data.tags)
        row.related = [
            {"id": r.external_id, "username": r.handle, "full_name": r.display_name,
             "is_verified": r.verified, "profile_pic_url": r.avatar_url}
            for r in data.related
        ]
        row.enriched_at = now
    return row


def _upsert(rows: list[CreatorProfile], update_fields: list[str]) -> None:
    if rows:
        CreatorProfile.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["platform", "external_id"],
            update_fields=[*update_fields, "updated_at"],
        )


@dataclass(frozen=True)
class ProfileFetch:
    """One creator's fetch: ``data`` None when the platform no longer has the profile, ``error`` set
    when the provider kept failing (the creator is then not stored by this fetch)."""

    hit: CreatorHit
    data: CreatorProfileData | None = None
    link_emails: tuple[str, ...] = ()
    error: ProviderTransientError | None = None


def profiles_reusable(*, platform: str, hits: list[CreatorHit]) -> dict[str, CreatorProfile]:
    """The stored profiles among ``hits`` fetched within the freshness window: not paid for again."""
    fresh_after = timezone.now() - config_get("scraping.freshness_window")
    return {p.external_id: p for p in CreatorProfile.objects.filter(
        platform=platform, external_id__in=[hit.external_id for hit in hits], enriched_at__gte=fresh_after)}


def profile_fetch(*, strategy: SearchStrategy, client: ScrapeCreatorsClient, hit: CreatorHit, attempts: int,
                  read_link_pages: bool) -> ProfileFetch:
    """Fetch one creator's profile in up to ``attempts`` tries; never raises a transient provider
    error (it is returned in ``error``). Touches no database, so it runs on any thread."""
    try:
        data, link_emails = _fetch(strategy, client, hit, attempts=attempts, read_link_pages=read_link_pages)
    except ProviderTransientError as exc:
        return ProfileFetch(hit=hit, error=exc)
    return ProfileFetch(hit=hit, data=data, link_emails=tuple(link_emails))


def profiles_store(*, hits: list[CreatorHit], fetches: list[ProfileFetch]) -> dict[str, CreatorProfile]:
    """Store ``hits`` as ``CreatorProfile`` rows with what ``fetches`` brought, by external_id.

    A hit without a fetch is a reused profile (its search data refreshes it); a failed fetch of a
    brand new creator stores nothing for it, and never overwrites a good stored profile.
    """
    if not hits:
        return {}
    platform = hits[0].platform
    ids = [hit.external_id for hit in hits]
    known = {p.external_id: p for p in CreatorProfile.objects.filter(platform=platform, external_id__in=ids)}
    now = timezone.now()
    done = [fetch for fetch in fetches if fetch.error is None]
    _upsert([_row(f.hit, f.data, list(f.link_emails), now=now) for f in done if f.data is not None],
            _UPDATED_BY_PROFILE)
    # Creators the platform no longer resolves are kept with what the search showed.
    _upsert([_row(f.hit, None, [], now=now) for f in done if f.data is None], _UPDATED_BY_SEARCH)
    failed_ids = {fetch.hit.external_id for fetch in fetches if fetch.error is not None}
    stored = {p.external_id: p for p in CreatorProfile.objects.filter(platform=platform, external_id__in=ids)}
    creator_avatars_queue(previous_urls={key: p.avatar_url for key, p in known.items()}, profiles=stored.values())
    profiles = {key: value for key, value in stored.items() if key not in failed_ids}
    _engagement_update(hits, profiles, {f.hit.external_id: f.data for f in done if f.data})
    return profiles


def _engagement_update(hits: list[CreatorHit], profiles: dict[str, CreatorProfile],
                       fetched: dict[str, CreatorProfileData]) -> None:
    """Stored profiles get the engagement of the post this search just saw, or of the recent posts
    its profile just showed; one with no figure, or only a lifetime one, gets the lifetime totals
    this search or profile fetch carried. A profile showing none of these keeps the figure it had."""
    changed = []
    for hit in hits:
        profile = profiles.get(hit.external_id)
        if profile is None:
            continue
        engagement = _engagement(hit, fetched.get(hit.external_id), profile.followers or hit.followers)
        if engagement is None:
            continue
        if engagement.basis == EngagementBasis.ALL_POSTS and profile.engagement_rate is not None \
                and profile.engagement_basis in (EngagementBasis.POST, EngagementBasis.RECENT_POSTS):
            continue  # what posts showed is more telling than lifetime totals
        figures = (engagement.rate, engagement.basis, engagement.posts)
        if (profile.engagement_rate, profile.engagement_basis, profile.engagement_posts) != figures:
            profile.engagement_rate, profile.engagement_basis, profile.engagement_posts = figures
            changed.append(profile)
    if changed:
        CreatorProfile.objects.bulk_update(changed, ["engagement_rate", "engagement_basis", "engagement_posts"])
