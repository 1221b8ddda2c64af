"""The ScrapeCreators API client: the only code that knows its URLs and JSON shapes.

Each method makes exactly one request and returns frozen dataclasses. Retrying is the job
engine's decision, so failures are only translated: ``ProviderTransientError`` (connection,
timeout, 429, 5xx, unreadable body) is worth retrying, ``ProviderPermanentError`` is not.

Every parser tolerates missing and renamed fields, nulls, and numbers sent as text ("1.2M") or as
floats (16399999.999999998), as the provider's real replies do; an item that names no creator is
skipped and the rest of the page is kept.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import requests

from influencer_platform.errors import ProviderPermanentError, ProviderTransientError
from influencer_platform.http import build_session, parse_retry_after
from scraping.parsing import (
    first_url,
    hashtags_from,
    normalise_handle,
    parse_count,
    parse_duration,
    parse_flag,
    parse_timestamp,
)

logger = logging.getLogger(__name__)

TIKTOK = "tiktok"
INSTAGRAM = "instagram"
YOUTUBE = "youtube"

TIKTOK_AUDIENCE_PATH = "/v1/tiktok/user/audience"
INSTAGRAM_REELS_SEARCH_PATH = "/v2/instagram/reels/search"
INSTAGRAM_REELS_SEARCH_V1_PATH = "/v1/instagram/reels/search"
YOUTUBE_CHANNEL_VIDEOS_PATH = "/v1/youtube/channel-videos"
TIKTOK_PROFILE_VIDEOS_PATH = "/v3/tiktok/profile/videos"
# Credits each endpoint costs per call; every endpoint not listed costs 1.
ENDPOINT_COSTS = {TIKTOK_AUDIENCE_PATH: 26}
# Endpoints priced by what they return: (list key, items per credit). The provider's documentation
# prices reels search at 1 credit per 10 reels; a reply with none still costs 1.
ENDPOINT_ITEM_COSTS = {
    INSTAGRAM_REELS_SEARCH_PATH: ("reels", 10),
    INSTAGRAM_REELS_SEARCH_V1_PATH: ("reels", 10),
}
# The v1 reels search answers at most this many reels, in one reply.
INSTAGRAM_REELS_V1_AMOUNT = 60
# Statuses with which the provider refuses an endpoint it no longer (or not yet) serves to an
# account; key and credit refusals (401, 402, 403) would refuse the older endpoint just the same.
_ENDPOINT_REFUSED_STATUSES = frozenset({400, 404, 405, 410, 422})
# Recent posts averaged for a creator's engagement when no single post is known.
RECENT_POSTS_LIMIT = 12

Json = dict[str, Any]

_UNUSABLE_URL_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
_INSTAGRAM_USER_KEYS = (
    "id",
    "username",
    "biography",
    "bio_links",
    "external_url",
    "follower_count",
    "edge_followed_by",
)


class ProviderNotFoundError(ProviderPermanentError):
    """The provider has no such creator, or none it may show.

    ``reason`` says which: "missing" (renamed or never existed), "deleted" or "private".
    """

    def __init__(self, message: str, *, status: int | None = None, reason: str = "missing") -> None:
        super().__init__(message, status=status)
        self.reason = reason


@dataclass(frozen=True)
class PostSnapshot:
    url: str
    caption: str
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    hashtags: tuple[str, ...]
    posted_at: datetime | None
    thumbnail_url: str
    duration_seconds: int | None = None  # videos only


@dataclass(frozen=True)
class CreatorHit:
    """A creator as a search result shows them; ``bio`` is often "" until the profile is fetched.

    YouTube search results may have no ``handle`` (""); ``external_id`` is always set.
    """

    platform: str
    external_id: str
    handle: str
    display_name: str
    followers: int | None
    verified: bool
    avatar_url: str
    profile_url: str
    bio: str
    post: PostSnapshot | None
    # Lifetime likes and posts where the reply carries them (TikTok user search), for an
    # engagement figure when no post came with the hit.
    total_likes: int | None = None
    total_posts: int | None = None


@dataclass(frozen=True)
class SearchPage:
    hits: tuple[CreatorHit, ...]
    next_cursor: str | None
    has_more: bool
    credits_remaining: int | None
    cost: int


@dataclass(frozen=True)
class CreatorProfileData:
    """A creator's profile. ``links`` are as the provider lists them (not normalised)."""

    platform: str
    external_id: str
    handle: str
    display_name: str
    followers: int | None
    verified: bool
    avatar_url: str
    profile_url: str
    bio: str
    links: tuple[str, ...]
    profile_email: str
    tags: tuple[str, ...]
    related: tuple[CreatorHit, ...]
    credits_remaining: int | None
    cost: int
    # The creator's latest posts where the reply carries them (Instagram profiles, YouTube
    # channel videos): what engagement is averaged over when no single post is known.
    recent_posts: tuple[PostSnapshot, ...] = ()
    # Private accounts answer 200 with a profile but show neither posts nor related accounts.
    is_private: bool = False
    total_likes: int | None = None
    total_posts: int | None = None


@dataclass(frozen=True)
class _Reply:
    body: Json
    credits_remaining: int | None
    cost: int


class ScrapeCreatorsClient:
    """One instance may be shared by threads; the credit counters are updated under a lock.

    ``credits_remaining`` is the last balance the provider reported (None until one is seen);
    ``credits_spent`` adds up the cost of every successful call made through this instance.
    Methods taking a handle accept "@name" or a profile URL and raise ValueError for an invalid
    one before any request is made.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (5, 20),
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._session = session if session is not None else build_session()
        self._timeout = timeout
        self._credits_lock = threading.Lock()
        self.credits_remaining: int | None = None
        self.credits_spent = 0
        self._reels_v2_refused = False

    def __repr__(self) -> str:
        return f"ScrapeCreatorsClient(base_url={self._base_url!r})"

    # TikTok

    def tiktok_keyword_search(
        self, query: str, cursor: str | int | None = None, region: str = "US"
    ) -> SearchPage:
        path = "/v1/tiktok/search/keyword"
        reply = self._get(path, {"query": query, "cursor": cursor, "region": region})
        return _tiktok_video_page(reply, path=path, sent_cursor=cursor)

    def tiktok_hashtag_search(
        self, hashtag: str, cursor: str | int | None = None, region: str = "US"
    ) -> SearchPage:
        path = "/v1/tiktok/search/hashtag"
        reply = self._get(path, {"hashtag": hashtag.strip().lstrip("#"), "cursor": cursor, "region": region})
        return _tiktok_video_page(reply, path=path, sent_cursor=cursor)

    def tiktok_user_search(self, query: str, cursor: str | int | None = None) -> SearchPage:
        path = "/v1/tiktok/search/users"
        reply = self._get(path, {"query": query, "cursor": cursor})
        items = _first_list(reply.body, "users", "user_list", "data")
        hits = _parse_items(items, _tiktok_user_hit, path=path)
        return _search_page(reply, hits, cursor=_tiktok_cursor(reply.body, sent=cursor))

    def tiktok_profile(self, handle: str) -> CreatorProfileData:
        handle = normalise_handle(handle)
        reply = self._get("/v1/tiktok/profile", {"handle": handle})
        _raise_for_tiktok_account_state(reply.body, handle)
        # The provider mirrors TikTok's web JSON, which sometimes nests all of it in "userInfo".
        user_info = _dict(reply.body.get("userInfo"))
        user = _dict(reply.body.get("user")) or _dict(user_info.get("user"))
        stats = _dict(reply.body.get("stats")) or _dict(user_info.get("stats"))
        stats_text = _dict(reply.body.get("statsV2")) or _dict(user_info.get("statsV2"))
        external_id = _text(_first(user, "id", "uid"))
        if not external_id:
            raise ProviderNotFoundError(
                f"ScrapeCreators returned no TikTok profile for @{handle}.", status=200
            )
        profile_handle = _handle(_first(user, "uniqueId", "unique_id")) or handle
        # "stats" rounds for display (4500000); "statsV2" carries the exact figures as text.
        total_posts = _positive(_count(stats_text.get("videoCount"), stats.get("videoCount")))
        return CreatorProfileData(
            platform=TIKTOK,
            external_id=external_id,
            handle=profile_handle,
            display_name=_text(user.get("nickname")) or profile_handle,
            followers=_count(
                stats_text.get("followerCount"),
                stats.get("followerCount"),
                user.get("follower_count"),
            ),
            verified=_tiktok_verified(user),
            avatar_url=first_url(
                [user.get("avatarLarger"), user.get("avatarMedium"), user.get("avatarThumb")]
            ),
            profile_url=_profile_url(TIKTOK, profile_handle),
            bio=_text(user.get("signature")),
            links=_links([_web_address(_dict(user.get("bioLink")).get("link"))]),
            profile_email="",
            tags=(),
            related=(),
            credits_remaining=reply.credits_remaining,
            cost=reply.cost,
            total_likes=_count(
                stats_text.get("heartCount"), stats.get("heartCount"), stats.get("heart")
            ) if total_posts else None,
            total_posts=total_posts,
        )

    def tiktok_profile_videos(self, handle: str) -> tuple[PostSnapshot, ...]:
        """The creator's latest videos (one page, newest first), or () if the reply has none."""
        handle = normalise_handle(handle)
        reply = self._get(TIKTOK_PROFILE_VIDEOS_PATH, {"handle": handle, "sort_by": "latest"})
        _raise_for_tiktok_account_state(reply.body, handle)
        posts = []
        for item in _first_list(reply.body, "aweme_list", "videos", "items"):
            aweme = _dict(item)
            post = _tiktok_post(aweme, handle=handle) if aweme else None
            if post is not None:
                posts.append(post)
        return tuple(posts)

    # Instagram

    def instagram_profile(self, handle: str) -> CreatorProfileData:
        handle = normalise_handle(handle)
        reply = self._get("/v1/instagram/profile", {"handle": handle})
        user = _instagram_user(reply.body)
        if not _text(user.get("id")) or not _handle(user.get("username")):
            raise ProviderNotFoundError(
                f"ScrapeCreators returned no Instagram profile for @{handle}.", status=200
            )
        return _instagram_profile(user, reply)

    def instagram_basic_profile(self, user_id: str) -> CreatorProfileData:
        """Bio, links and followers by numeric id; ``handle`` is "" if the reply omits it."""
        reply = self._get("/v1/instagram/basic-profile", {"userId": user_id})
        user = _instagram_user(reply.body)
        if not user:
            raise ProviderNotFoundError(
                "ScrapeCreators returned no Instagram profile for that id.", status=200
            )
        return _instagram_profile({"id": user_id, **user}, reply)

    def instagram_reels_search(self, query: str, page: int = 1) -> SearchPage:
        """One page of reels (about 10) from the current endpoint; ``next_cursor`` is the next page.

        Where the provider refuses ``/v2`` for this account, the first page comes from the older
        ``/v1`` endpoint instead (up to 60 reels in one reply, no further pages), and this client
        asks ``/v1`` from then on.
        """
        if not self._reels_v2_refused:
            try:
                reply = self._get(INSTAGRAM_REELS_SEARCH_PATH, {"query": query, "page": page})
            except ProviderPermanentError as exc:
                if exc.status not in _ENDPOINT_REFUSED_STATUSES:
                    raise
                logger.warning("ScrapeCreators refused %s (status %s); using %s",
                               INSTAGRAM_REELS_SEARCH_PATH, exc.status, INSTAGRAM_REELS_SEARCH_V1_PATH)
                self._reels_v2_refused = True
            else:
                hits = _instagram_reel_hits(reply.body, path=INSTAGRAM_REELS_SEARCH_PATH)
                # Pages are numbered and carry no "more" flag: an empty page is the end.
                return _search_page(reply, hits, cursor=str(page + 1) if hits else None)
        if page > 1:
            # v1 answered everything it has with the first page.
            return SearchPage(hits=(), next_cursor=None, has_more=False, credits_remaining=None, cost=0)
        reply = self._get(INSTAGRAM_REELS_SEARCH_V1_PATH, {"query": query, "amount": INSTAGRAM_REELS_V1_AMOUNT})
        return _search_page(reply, _instagram_reel_hits(reply.body, path=INSTAGRAM_REELS_SEARCH_V1_PATH),
                            cursor=None)

    # YouTube

    def youtube_search(
        self, query: str, continuation_token: str | None = None, *, include_extras: bool = True
    ) -> SearchPage:
        """Every channel on one results page, from all of its sections.

        ``include_extras`` asks for each video's likes, comments and description (the provider's
        ``includeExtras``: slower, and its documentation names no extra cost), which is what a
        video's engagement is computed from.
        """
        path = "/v1/youtube/search"
        params = {"query": query, "continuationToken": continuation_token,
                  "includeExtras": "true" if include_extras else None}
        reply = self._get(path, params)
        hits = _youtube_page_hits(reply.body, path=path)
        token = _text(_first(reply.body, "continuationToken", "continuation_token"))
        return _search_page(reply, hits, cursor=token or None)

    def youtube_channel(
        self, handle: str | None = None, channel_id: str | None = None
    ) -> CreatorProfileData:
        """One channel by handle or by channel id (exactly one of them)."""
        if (handle is None) == (channel_id is None):
            raise ValueError("Pass exactly one of handle or channel_id.")
        if handle is not None:
            handle = normalise_handle(handle)
            reply = self._get("/v1/youtube/channel", {"handle": handle})
        else:
            reply = self._get("/v1/youtube/channel", {"channelId": channel_id})
        body = reply.body
        external_id = _text(_first(body, "channelId", "channel_id", "id"))
        if not external_id and channel_id and _first(body, "name", "title"):
            external_id = channel_id
        if not external_id:
            raise ProviderNotFoundError("ScrapeCreators returned no YouTube channel.", status=200)
        # Some replies carry no "handle"; the channel URL ("http://www.youtube.com/@Name") has it.
        channel_handle = _handle(body.get("handle")) or _handle(body.get("channel")) or (handle or "")
        return CreatorProfileData(
            platform=YOUTUBE,
            external_id=external_id,
            handle=channel_handle,
            display_name=_text(_first(body, "name", "title")) or channel_handle,
            followers=_count(body.get("subscriberCount"), body.get("subscriberCountText")),
            verified=parse_flag(_first(body, "verified", "isVerified")),
            avatar_url=_largest_image(body.get("avatar")),
            profile_url=_youtube_url(channel_handle, external_id),
            bio=_text(body.get("description")),
            links=_links([*_as_list(body.get("links")), *_youtube_named_links(body)]),
            profile_email=_text(body.get("email")),
            tags=_youtube_tags(body.get("tags")),
            related=(),
            credits_remaining=reply.credits_remaining,
            cost=reply.cost,
        )

    def youtube_channel_videos(self, channel_id: str, *, include_extras: bool = True) -> tuple[PostSnapshot, ...]:
        """The channel's latest videos, with likes and comments when ``include_extras``."""
        reply = self._get(YOUTUBE_CHANNEL_VIDEOS_PATH, {
            "channelId": channel_id, "sort": "latest", "includeExtras": "true" if include_extras else None})
        videos = _first_list(reply.body, "videos", "items")
        posts = (_youtube_post(video) for video in videos if isinstance(video, dict))
        return tuple(post for post in posts if post is not None)[:RECENT_POSTS_LIMIT]

    # Transport

    def _get(self, path: str, params: dict[str, Any]) -> _Reply:
        sent = {key: value for key, value in params.items() if value not in (None, "")}
        response = self._send(path, sent)
        self._raise_for_status(response, path)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderTransientError(
                f"ScrapeCreators answered {path} with a body that is not JSON.",
                status=response.status_code,
            ) from exc
        if not isinstance(body, dict):
            raise ProviderTransientError(
                f"ScrapeCreators answered {path} with JSON that is not an object.",
                status=response.status_code,
            )
        return self._record_credits(body, path)

    def _send(self, path: str, params: dict[str, Any]) -> requests.Response:
        try:
            # Redirects are refused: requests would forward the x-api-key header to whatever
            # host the Location names.
            return self._session.get(
                self._base_url + path,
                params=params,
                headers={"x-api-key": self._api_key, "Accept": "application/json"},
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise ProviderTransientError(f"ScrapeCreators timed out on {path}.") from exc
        except _UNUSABLE_URL_ERRORS as exc:
            raise ProviderPermanentError(
                f"The ScrapeCreators base URL is not usable ({type(exc).__name__})."
            ) from exc
        except requests.RequestException as exc:
            raise ProviderTransientError(
                f"Could not reach ScrapeCreators for {path} ({type(exc).__name__})."
            ) from exc

    def _raise_for_status(self, response: requests.Response, path: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if status == 429:
            raise ProviderTransientError(
                "The data provider is rate limiting us.",
                status=status,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise ProviderTransientError(
                f"The data provider failed with status {status} on {path}.", status=status
            )
        if status == 401:
            raise ProviderPermanentError("The data provider rejected the API key.", status=status)
        if status in (402, 403):
            raise ProviderPermanentError(
                "The data provider account is out of credit.", status=status
            )
        if status == 404:
            raise ProviderNotFoundError(
                f"The data provider found nothing for {path}.", status=status
            )
        detail = self._provider_message(response)
        suffix = f": {detail}" if detail else "."
        raise ProviderPermanentError(
            f"The data provider refused {path} with status {status}{suffix}", status=status
        )

    def _provider_message(self, response: requests.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return ""
        message = _text(_first(body, "message", "error")) if isinstance(body, dict) else ""
        # The provider may echo what it was sent; the key must never reach an exception or a log.
        if self._api_key:
            message = message.replace(self._api_key, "[redacted]")
        return message[:200]

    def _record_credits(self, body: Json, path: str) -> _Reply:
        remaining = parse_count(_first(body, "credits_remaining", "creditsRemaining"))
        cost = call_cost(path, body)
        with self._credits_lock:
            self.credits_spent += cost
            if remaining is not None:
                self.credits_remaining = remaining
        return _Reply(body=body, credits_remaining=remaining, cost=cost)


def call_cost(path: str, body: Json) -> int:
    if path in ENDPOINT_ITEM_COSTS:
        key, per_credit = ENDPOINT_ITEM_COSTS[path]
        return max(1, math.ceil(len(_as_list(body.get(key))) / per_credit))
    return ENDPOINT_COSTS.get(path, 1)


# Page and item parsers. An item parser returns None for an item that names no creator.


def _search_page(reply: _Reply, hits: tuple[CreatorHit, ...], *, cursor: str | None) -> SearchPage:
    # A page that claims more but gives no cursor cannot be continued: asking again without a
    # cursor would return the first page forever.
    return SearchPage(
        hits=hits,
        next_cursor=cursor,
        has_more=cursor is not None,
        credits_remaining=reply.credits_remaining,
        cost=reply.cost,
    )


def _tiktok_video_page(reply: _Reply, *, path: str, sent_cursor: str | int | None) -> SearchPage:
    items = _first_list(reply.body, "search_item_list", "aweme_list", "items", "data")
    hits = _parse_items(items, _tiktok_video_hit, path=path)
    return _search_page(reply, hits, cursor=_tiktok_cursor(reply.body, sent=sent_cursor))


def _tiktok_cursor(body: Json, *, sent: str | int | None) -> str | None:
    """The cursor of the next page, or None when the reply names none or the same one again.

    ``has_more`` is not read: user search never sends it, and keyword search says
    ``has_more: 0`` while the cursor it gives still returns videos. Callers stop on an empty page.
    """
    cursor = _text(body.get("cursor"))
    if not cursor or cursor == _text(sent):
        return None
    if cursor.isdigit() and _text(sent).isdigit() and int(cursor) < int(sent):
        return None
    return cursor


def _raise_for_tiktok_account_state(body: Json, handle: str) -> None:
    # Private and deleted accounts are answered with 200 and a short body instead of a profile.
    if parse_flag(body.get("account_deactivated")):
        raise ProviderNotFoundError(
            f"@{handle} no longer exists on TikTok.", status=200, reason="deleted"
        )
    if parse_flag(body.get("account_private")):
        raise ProviderNotFoundError(
            f"@{handle} is a private TikTok account.", status=200, reason="private"
        )


def _tiktok_verified(user: Json) -> bool:
    # Search replies carry no "verified": TikTok's badge text sits in custom_verify ("Verified
    # account", "Popular creator", translated for the viewer) or enterprise_verify_reason.
    return parse_flag(user.get("verified")) or bool(
        _text(user.get("custom_verify")) or _text(user.get("enterprise_verify_reason"))
    )


def _tiktok_video_hit(item: Json) -> CreatorHit | None:
    # Keyword search wraps each video in {"aweme_info": ...}; other lists carry it bare.
    aweme = _dict(item.get("aweme_info")) or item
    author = _dict(aweme.get("author"))
    hit = _tiktok_creator_hit(author)
    if hit is None:
        return None
    return _with_post(hit, _tiktok_post(aweme, handle=hit.handle))


def _tiktok_user_hit(item: Json) -> CreatorHit | None:
    return _tiktok_creator_hit(_dict(item.get("user_info")) or item)


def _tiktok_creator_hit(user: Json) -> CreatorHit | None:
    external_id = _text(_first(user, "uid", "id"))
    handle = _handle(_first(user, "unique_id", "uniqueId"))
    if not external_id or not handle:
        return None
    # Video search authors carry 0 for both totals (hidden there); user search carries them.
    total_posts = _positive(_count(user.get("aweme_count"), user.get("videoCount")))
    return CreatorHit(
        platform=TIKTOK,
        external_id=external_id,
        handle=handle,
        display_name=_text(user.get("nickname")) or handle,
        followers=_count(user.get("follower_count"), user.get("followerCount")),
        verified=_tiktok_verified(user),
        avatar_url=first_url(
            [user.get("avatar_medium"), user.get("avatar_larger"), user.get("avatar_thumb")]
        ),
        profile_url=_profile_url(TIKTOK, handle),
        bio=_text(user.get("signature")),
        post=None,
        total_likes=_count(user.get("total_favorited"), user.get("heartCount"))
        if total_posts else None,
        total_posts=total_posts,
    )


def _tiktok_post(aweme: Json, *, handle: str) -> PostSnapshot | None:
    video_id = _text(_first(aweme, "aweme_id", "id"))
    if not video_id:
        return None
    stats = _dict(aweme.get("statistics")) or _dict(aweme.get("stats"))
    caption = _text(_first(aweme, "desc", "caption"))
    tagged = [_dict(extra).get("hashtag_name") for extra in _as_list(aweme.get("text_extra"))]
    video = _dict(aweme.get("video"))
    return PostSnapshot(
        url=first_url(aweme.get("share_url"))
        or f"https://www.tiktok.com/@{handle}/video/{video_id}",
        caption=caption,
        views=_count(stats.get("play_count"), stats.get("playCount")),
        likes=_count(stats.get("digg_count"), stats.get("diggCount")),
        comments=_count(stats.get("comment_count"), stats.get("commentCount")),
        shares=_count(stats.get("share_count"), stats.get("shareCount")),
        hashtags=hashtags_from([tag for tag in tagged if tag], caption),
        posted_at=parse_timestamp(_first(aweme, "create_time", "createTime")),
        thumbnail_url=first_url(
            [video.get("cover"), video.get("origin_cover"), video.get("dynamic_cover")]
        ),
        duration_seconds=parse_duration(video.get("duration"), milliseconds=True),
    )


def _instagram_user(body: Json) -> Json:
    """The user object wherever the reply puts it (data.user, user, data, the top), or {}."""
    data = _dict(body.get("data"))
    user = _dict(data.get("user")) or _dict(body.get("user")) or data or body
    return user if any(key in user for key in _INSTAGRAM_USER_KEYS) else {}


def _instagram_profile(user: Json, reply: _Reply) -> CreatorProfileData:
    handle = _handle(user.get("username"))
    related_edges = _as_list(_dict(user.get("edge_related_profiles")).get("edges"))
    related = [_dict(edge).get("node") or edge for edge in related_edges]
    # A private related account shows a brand nothing; it is not offered as similar.
    related = [node for node in related if not parse_flag(_dict(node).get("is_private"))]
    timeline = _as_list(_dict(user.get("edge_owner_to_timeline_media")).get("edges"))
    posts = (_instagram_timeline_post(_dict(_dict(edge).get("node"))) for edge in timeline)
    return CreatorProfileData(
        platform=INSTAGRAM,
        external_id=_text(_first(user, "id", "pk")),
        handle=handle,
        display_name=_text(user.get("full_name")) or handle,
        followers=_count(
            _dict(user.get("edge_followed_by")).get("count"),
            user.get("follower_count"),
            user.get("followers"),
        ),
        verified=parse_flag(user.get("is_verified")),
        avatar_url=first_url([user.get("profile_pic_url_hd"), _dict(user.get("hd_profile_pic_url_info")),
                              user.get("profile_pic_url")]),
        profile_url=_profile_url(INSTAGRAM, handle) if handle else "",
        bio=_text(_first(user, "biography", "bio")),
        links=_links([*_as_list(user.get("bio_links")), user.get("external_url")]),
        profile_email=_text(_first(user, "business_email", "public_email", "email")),
        tags=_instagram_categories(user),
        related=_parse_items(related, _instagram_owner_hit, path="/v1/instagram/profile"),
        credits_remaining=reply.credits_remaining,
        cost=reply.cost,
        recent_posts=tuple(post for post in posts if post is not None)[:RECENT_POSTS_LIMIT],
        is_private=parse_flag(user.get("is_private")),
    )


def _instagram_categories(user: Json) -> tuple[str, ...]:
    # Instagram sends the text "None" for an account without a business category.
    names = (_text(user.get(key)) for key in ("category_name", "business_category_name"))
    return tuple(dict.fromkeys(name for name in names if name and name.lower() not in ("none", "null")))


def _instagram_timeline_post(node: Json) -> PostSnapshot | None:
    shortcode = _text(node.get("shortcode"))
    if not shortcode:
        return None
    kind = "reel" if node.get("product_type") == "clips" else "p"
    captions = _as_list(_dict(node.get("edge_media_to_caption")).get("edges"))
    caption = _text(_dict(_dict(captions[0]).get("node")).get("text")) if captions else ""
    hidden = parse_flag(node.get("like_and_view_counts_disabled"))
    # Instagram answers 0 views for reels whose views it no longer shows publicly: that is
    # "unknown", not "nobody watched".
    views = _count(node.get("video_view_count"))
    return PostSnapshot(
        url=f"https://www.instagram.com/{kind}/{shortcode}/",
        caption=caption,
        views=views or None,
        likes=None if hidden else _count(_dict(node.get("edge_liked_by")).get("count"),
                                         _dict(node.get("edge_media_preview_like")).get("count")),
        comments=_count(_dict(node.get("edge_media_to_comment")).get("count")),
        shares=None,
        hashtags=hashtags_from(caption),
        posted_at=parse_timestamp(_first(node, "taken_at_timestamp", "taken_at")),
        thumbnail_url=first_url([node.get("thumbnail_src"), node.get("display_url")]),
        duration_seconds=parse_duration(node.get("video_duration")),
    )


def _instagram_reel_hits(body: Json, *, path: str) -> tuple[CreatorHit, ...]:
    return _parse_items(_first_list(body, "reels", "items", "data"), _instagram_reel_hit, path=path)


def _instagram_reel_hit(reel: Json) -> CreatorHit | None:
    hit = _instagram_owner_hit(_dict(reel.get("owner")))
    if hit is None:
        return None
    return _with_post(hit, _instagram_reel_post(reel))


def _instagram_owner_hit(owner: Json) -> CreatorHit | None:
    external_id = _text(_first(owner, "id", "pk"))
    handle = _handle(owner.get("username"))
    if not external_id or not handle:
        return None
    return CreatorHit(
        platform=INSTAGRAM,
        external_id=external_id,
        handle=handle,
        display_name=_text(owner.get("full_name")) or handle,
        followers=_count(
            owner.get("follower_count"), _dict(owner.get("edge_followed_by")).get("count")
        ),
        verified=parse_flag(owner.get("is_verified")),
        avatar_url=first_url(owner.get("profile_pic_url")),
        profile_url=_profile_url(INSTAGRAM, handle),
        bio=_text(owner.get("biography")),
        post=None,
    )


def _instagram_reel_post(reel: Json) -> PostSnapshot | None:
    shortcode = _text(_first(reel, "shortcode", "code"))
    url = first_url(reel.get("url"))
    if not url and shortcode:
        url = f"https://www.instagram.com/reel/{shortcode}/"
    if not url:
        return None
    # Instagram's own JSON nests the caption as {"text": ...}; the provider usually flattens it.
    caption = _text(_dict(reel.get("caption")).get("text") or reel.get("caption"))
    return PostSnapshot(
        url=url,
        caption=caption,
        # Instagram shows plays on reels; the older view count is the fallback.
        views=_count(
            reel.get("video_play_count"), reel.get("play_count"), reel.get("video_view_count")
        ),
        likes=_count(reel.get("like_count"), reel.get("likes")),
        comments=_count(reel.get("comment_count"), reel.get("comments")),
        shares=_count(reel.get("share_count")),
        hashtags=hashtags_from(caption),
        posted_at=parse_timestamp(_first(reel, "taken_at", "taken_at_timestamp")),
        thumbnail_url=first_url(
            [reel.get("thumbnail_src"), reel.get("display_url"), reel.get("thumbnail_url")]
        ),
        duration_seconds=parse_duration(reel.get("video_duration")),
    )


# The sections of a YouTube results page that list videos; shelves hold more of them.
_YOUTUBE_VIDEO_SECTIONS = ("videos", "shorts", "lives")


def _youtube_page_hits(body: Json, *, path: str) -> tuple[CreatorHit, ...]:
    """One hit per channel on the page, in the order the page shows them.

    A channel may appear with a video in one section and as a channel card (subscribers, the
    "Verified" badge, its description) in another: the two are merged, the first video kept.
    """
    items: list[Any] = [item for key in _YOUTUBE_VIDEO_SECTIONS for item in _as_list(body.get(key))]
    items += [item for shelf in _as_list(body.get("shelves")) for item in _as_list(_dict(shelf).get("items"))]
    videos = [item for item in items if isinstance(item, dict) and item.get("type") != "channel"]
    cards = [item for item in _as_list(body.get("channels")) if isinstance(item, dict)]
    cards += [item for item in items if isinstance(item, dict) and item.get("type") == "channel"]
    by_channel: dict[str, CreatorHit] = {}
    skipped = 0
    for video in videos:
        hit = _youtube_video_hit(video)
        if hit is None:
            # Shorts shelves list videos without their channel; nothing there names a creator.
            skipped += bool(_dict(video.get("channel")))
            continue
        by_channel.setdefault(hit.external_id, hit)
    for card in cards:
        hit = _youtube_channel_card(card)
        if hit is None:
            skipped += 1
            continue
        seen = by_channel.get(hit.external_id)
        by_channel[hit.external_id] = hit if seen is None else replace(
            seen,
            handle=seen.handle or hit.handle,
            followers=hit.followers if hit.followers is not None else seen.followers,
            verified=seen.verified or hit.verified,
            avatar_url=hit.avatar_url or seen.avatar_url,
            profile_url=_youtube_url(seen.handle or hit.handle, hit.external_id),
            bio=seen.bio or hit.bio,
        )
    if skipped:
        logger.warning("Skipped %d malformed items in the ScrapeCreators reply to %s", skipped, path)
    return tuple(by_channel.values())


def _youtube_video_hit(video: Json) -> CreatorHit | None:
    channel = _dict(video.get("channel"))
    external_id = _text(_first(channel, "id", "channelId"))
    if not external_id:
        return None
    handle = _handle(channel.get("handle"))
    return CreatorHit(
        platform=YOUTUBE,
        external_id=external_id,
        handle=handle,
        display_name=_text(_first(channel, "title", "name")) or handle,
        followers=_count(channel.get("subscriberCountInt"), channel.get("subscriberCount"),
                         channel.get("subscriberCountText")),
        verified=parse_flag(_first(channel, "verified", "isVerified")) or _badged_verified(channel),
        avatar_url=first_url(channel.get("thumbnail")),
        profile_url=_youtube_url(handle, external_id),
        bio="",
        post=_youtube_post(video),
    )


def _youtube_channel_card(card: Json) -> CreatorHit | None:
    external_id = _text(_first(card, "id", "channelId"))
    if not external_id:
        return None
    handle = _handle(card.get("handle"))
    return CreatorHit(
        platform=YOUTUBE,
        external_id=external_id,
        handle=handle,
        display_name=_text(_first(card, "channelName", "title", "name")) or handle,
        followers=_count(card.get("subscriberCountInt"), card.get("subscriberCount"),
                         card.get("subscriberCountText")),
        verified=parse_flag(_first(card, "verified", "isVerified")) or _badged_verified(card),
        avatar_url=first_url(card.get("thumbnail")),
        profile_url=_youtube_url(handle, external_id),
        bio=_text(card.get("description")),
        post=None,
    )


def _badged_verified(item: Json) -> bool:
    return any(isinstance(badge, str) and badge.strip().lower() in ("verified", "official artist channel")
               for badge in _as_list(item.get("badges")))


def _youtube_post(video: Json) -> PostSnapshot | None:
    video_id = _text(video.get("id"))
    url = first_url(video.get("url"))
    if not url and video_id:
        url = f"https://www.youtube.com/watch?v={video_id}"
    if not url:
        return None
    title = _text(video.get("title"))
    description = _text(video.get("description"))
    return PostSnapshot(
        url=url,
        caption=title,
        views=_count(video.get("viewCountInt"), video.get("viewCount"), video.get("viewCountText")),
        # Only with includeExtras; otherwise the page says nothing about likes and comments.
        likes=_count(video.get("likeCountInt"), video.get("likeCount"), video.get("likeCountText")),
        comments=_count(video.get("commentCountInt"), video.get("commentCount"), video.get("commentCountText")),
        shares=None,
        hashtags=hashtags_from(_as_list(video.get("hashtags")), title, description),
        # publishedTime is a date the provider computed from the relative "2 weeks ago".
        posted_at=parse_timestamp(
            _first(video, "publishedAt", "publishDate", "publishedTime", "publishedTimeText")),
        thumbnail_url=first_url(video.get("thumbnail")),
        # lengthSeconds is the number; lengthText ("13:26") is what some pages carry instead.
        duration_seconds=parse_duration(video.get("lengthSeconds"), video.get("lengthText"), video.get("duration")),
    )


def _youtube_tags(value: Any) -> tuple[str, ...]:
    """The channel's keywords: a comma-separated string, or null (a list is accepted too)."""
    parts = value.split(",") if isinstance(value, str) else _as_list(value)
    tags: dict[str, None] = {}
    for part in parts:
        tag = " ".join(_text(part).split()).strip("\"'#")
        if tag:
            tags.setdefault(tag)
    return tuple(tags)


# Top-level keys of a channel reply that are not links the creator lists.
_YOUTUBE_NON_LINK_KEYS = frozenset({"channel", "avatar", "banner", "thumbnail", "links", "email"})


def _youtube_named_links(body: Json) -> list[str]:
    """Links the reply names by their label ("twitter", "store", "ax_on_instagram", ...)."""
    return [value for key, value in body.items()
            if key not in _YOUTUBE_NON_LINK_KEYS and isinstance(value, str) and first_url(value)]


def _largest_image(value: Any) -> str:
    sources = [_dict(source) for source in _as_list(_dict(_dict(value).get("image")).get("sources"))]
    sized = [source for source in sources if first_url(source.get("url"))]
    if sized:
        best = max(sized, key=lambda source: parse_count(source.get("width")) or 0)
        return first_url(best.get("url"))
    return first_url(value)


# Small tolerant helpers.


def _parse_items(
    items: Iterable[Any], parse: Callable[[Json], CreatorHit | None], *, path: str
) -> tuple[CreatorHit, ...]:
    hits = []
    skipped = 0
    for item in items:
        hit = parse(item) if isinstance(item, dict) else None
        if hit is None:
            skipped += 1
        else:
            hits.append(hit)
    if skipped:
        logger.warning(
            "Skipped %d malformed items in the ScrapeCreators reply to %s", skipped, path
        )
    return tuple(hits)


def _with_post(hit: CreatorHit, post: PostSnapshot | None) -> CreatorHit:
    return replace(hit, post=post)


def _profile_url(platform: str, handle: str) -> str:
    if platform == TIKTOK:
        return f"https://www.tiktok.com/@{handle}"
    if platform == INSTAGRAM:
        return f"https://www.instagram.com/{handle}/"
    return f"https://www.youtube.com/@{handle}"


def _youtube_url(handle: str, channel_id: str) -> str:
    if handle:
        return _profile_url(YOUTUBE, handle)
    return f"https://www.youtube.com/channel/{channel_id}"


def _links(values: Iterable[Any]) -> tuple[str, ...]:
    """Link URLs from strings or objects such as ``{"url", "title"}``, de-duplicated."""
    links: dict[str, None] = {}
    for value in values:
        url = _text(_dict(value).get("url") or value)
        if url:
            links.setdefault(url)
    return tuple(links)


def _positive(count: int | None) -> int | None:
    return count if count else None


def _web_address(value: Any) -> str:
    """A link as creators type it ("linktr.ee/name", "Shop.Example.com") with https:// added."""
    text = _text(value)
    if text and "://" not in text and not text.lower().startswith(("mailto:", "tel:")):
        return "https://" + text.lstrip("/")
    return text


def _count(*values: Any) -> int | None:
    for value in values:
        count = parse_count(value)
        if count is not None:
            return count
    return None


def _handle(value: Any) -> str:
    try:
        return normalise_handle(value)
    except ValueError:
        return ""


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _first(mapping: Json, *keys: str) -> Any:
    """The first of ``keys`` with a non-empty value: tolerates renamed and blank fields."""
    for key in keys:
        value = mapping.get(key)
        if value is not None and value != "" and value != [] and value != {}:
            return value
    return None


def _first_list(mapping: Json, *keys: str) -> list[Any]:
    for key in keys:
        value = mapping.get(key)
        if isinstance(value, list):
            return value
    return []


def _dict(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
