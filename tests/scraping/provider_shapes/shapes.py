"""The shapes of the provider's YouTube and Instagram replies, as its captured responses have them.

One spec per endpoint, checked against the project's own fixtures and against every sandbox
reply, so the sandbox cannot drift from what the provider really sends. A spec is a type (or a
tuple of types), a dict of key -> spec (``Opt`` for keys some replies leave out; ``closed`` dicts
refuse keys the provider never sends), a one-item list for "a list of these", or ``AnyOf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NULL = type(None)
NUMBER = (int, float)


@dataclass(frozen=True)
class Opt:
    spec: Any


@dataclass(frozen=True)
class AnyOf:
    specs: tuple[Any, ...]


@dataclass(frozen=True)
class Closed:
    """A dict whose keys are all listed: one the provider never sends is an error."""

    fields: dict[str, Any]


def problems(value: Any, spec: Any, path: str = "$") -> list[str]:
    """Every way ``value`` differs from ``spec``, as "path: what" lines (empty: it conforms)."""
    if isinstance(spec, AnyOf):
        found = [problems(value, option, path) for option in spec.specs]
        return [] if any(not errors for errors in found) else min(found, key=len)
    if isinstance(spec, (dict, Closed)):
        fields = spec.fields if isinstance(spec, Closed) else spec
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        errors = []
        for key, field_spec in fields.items():
            optional = isinstance(field_spec, Opt)
            if key not in value:
                if not optional:
                    errors.append(f"{path}.{key}: missing")
                continue
            errors += problems(value[key], field_spec.spec if optional else field_spec, f"{path}.{key}")
        if isinstance(spec, Closed):
            errors += [f"{path}.{key}: the provider never sends this key" for key in value if key not in fields]
        return errors
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [error for index, item in enumerate(value) for error in problems(item, spec[0], f"{path}[{index}]")]
    types = spec if isinstance(spec, tuple) else (spec,)
    # JSON has no bool-as-int: True is not a count.
    if isinstance(value, bool) and bool not in types:
        return [f"{path}: expected {_names(types)}, got bool"]
    if not isinstance(value, types):
        return [f"{path}: expected {_names(types)}, got {type(value).__name__}"]
    return []


def _names(types: tuple[type, ...]) -> str:
    return " or ".join("null" if kind is NULL else kind.__name__ for kind in types)


def assert_shape(value: Any, spec: Any) -> None:
    errors = problems(value, spec)
    assert not errors, "\n".join(errors[:20])


# YouTube

YOUTUBE_CHANNEL_REF = Closed({"id": str, "title": str, "handle": str, "thumbnail": str})
_YOUTUBE_VIDEO_FIELDS = {
    "type": str, "id": str, "url": str, "title": str, "thumbnail": str,
    "viewCountText": str, "viewCountInt": int,
    # Shorts on a Shorts shelf name neither their channel nor their length and date.
    "channel": Opt(YOUTUBE_CHANNEL_REF),
    "publishedTimeText": Opt(str), "publishedTime": Opt(str), "lengthText": Opt(str), "lengthSeconds": Opt(int),
    "badges": Opt([str]),
    # Only with includeExtras.
    "description": Opt(str), "likeCountInt": Opt(int), "likeCountText": Opt(str),
    "commentCountInt": Opt(int), "commentCountText": Opt(str),
}
YOUTUBE_VIDEO = Closed(_YOUTUBE_VIDEO_FIELDS)
YOUTUBE_CHANNEL_CARD = Closed({
    "type": str, "id": str, "channelName": str, "handle": str, "description": str, "thumbnail": str,
    "subscriberCountText": str, "subscriberCountInt": int, "badges": [str],
})
YOUTUBE_SEARCH = Closed({
    "videos": [YOUTUBE_VIDEO], "channels": [YOUTUBE_CHANNEL_CARD], "playlists": list, "shorts": [YOUTUBE_VIDEO],
    "shelves": [Closed({"type": str, "title": str, "items": [YOUTUBE_VIDEO]})], "lives": [YOUTUBE_VIDEO],
    "continuationToken": (str, NULL),
    "success": Opt(bool), "credits_remaining": Opt(int),
})
YOUTUBE_CHANNEL = {
    "channelId": str, "channel": str, "name": str,
    "avatar": {"image": {"sources": [{"url": str, "width": int, "height": int}]}},
    "description": str, "subscriberCount": NUMBER, "subscriberCountText": str,
    "videoCountText": str, "viewCountText": str, "joinedDateText": str,
    # A comma-separated string, or null: never a list.
    "tags": (str, NULL), "email": (str, NULL), "links": [str],
    "handle": Opt(str), "videoCount": Opt(int), "viewCount": Opt(int), "country": Opt(str),
}
YOUTUBE_ERROR = {"message": str}
YOUTUBE_CHANNEL_VIDEOS = {
    "videos": [Closed({**_YOUTUBE_VIDEO_FIELDS, "channel": Closed({"title": str, "thumbnail": (str, NULL)})})],
    "continuationToken": (str, NULL),
}

# Instagram

INSTAGRAM_NODE = {"id": str, "username": str, "full_name": str, "is_private": bool, "is_verified": bool,
                  "profile_pic_url": str}
INSTAGRAM_TIMELINE_NODE = {
    "__typename": str, "id": str, "shortcode": str, "display_url": str, "is_video": bool,
    "taken_at_timestamp": int, "edge_liked_by": {"count": int}, "edge_media_preview_like": {"count": int},
    "edge_media_to_comment": {"count": int}, "edge_media_to_caption": {"edges": [{"node": {"text": str}}]},
    "owner": {"id": str, "username": str},
    "thumbnail_src": Opt(str), "product_type": Opt(str), "video_view_count": Opt(int),
    "like_and_view_counts_disabled": Opt(bool), "comments_disabled": Opt(bool),
}
INSTAGRAM_PROFILE = {
    "success": bool, "status": Opt(str), "credits_remaining": Opt(int),
    "data": {"user": {
        **INSTAGRAM_NODE,
        "biography": str, "bio_links": [{"title": str, "url": str, "lynx_url": Opt(str), "link_type": Opt(str)}],
        "external_url": (str, NULL), "business_email": Opt((str, NULL)), "is_business_account": bool,
        "is_professional_account": bool, "profile_pic_url_hd": str,
        # Null, a category, or the text "None".
        "business_category_name": Opt((str, NULL)), "category_name": (str, NULL),
        # An object, or the same object as JSON text.
        "business_address_json": (dict, str),
        "edge_followed_by": {"count": int}, "edge_follow": {"count": int},
        "edge_owner_to_timeline_media": {"count": int, "edges": [{"node": INSTAGRAM_TIMELINE_NODE}],
                                         "page_info": {"has_next_page": bool, "end_cursor": (str, NULL)}},
        "edge_related_profiles": {"edges": [{"node": INSTAGRAM_NODE}]},
    }},
}
INSTAGRAM_BASIC_PROFILE = {
    "id": str, "pk": str, "username": str, "full_name": str, "biography": str, "bio_links": list,
    "external_url": (str, NULL), "follower_count": int, "following_count": int, "media_count": int,
    "is_private": bool, "is_verified": bool, "is_business": bool, "profile_pic_url": str,
    "hd_profile_pic_url_info": {"url": str}, "category": Opt((str, NULL)),
}
INSTAGRAM_REEL = {
    "id": str, "shortcode": str, "url": str, "caption": str, "thumbnail_src": str, "display_url": str,
    "video_url": str, "video_view_count": int, "video_play_count": int, "like_count": int, "comment_count": int,
    # ISO text, not epoch seconds.
    "taken_at": str, "video_duration": NUMBER, "is_video": bool, "product_type": str,
    "is_paid_partnership": bool, "comments": list, "location": (dict, NULL),
    "owner": {**INSTAGRAM_NODE, "is_unpublished": bool, "follower_count": int, "post_count": int},
}
INSTAGRAM_REELS_SEARCH = {"success": bool, "credits_remaining": int, "reels": [INSTAGRAM_REEL]}
