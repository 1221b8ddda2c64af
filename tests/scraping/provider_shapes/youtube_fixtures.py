"""YouTube replies in the shapes the provider's captured responses have, with invented values.

Each builder returns one reply (or one item of it) and takes keyword overrides; ``MISSING`` for a
key removes it, as some real replies leave keys out (``None`` sends null).
"""

from __future__ import annotations

from typing import Any

MISSING: Any = object()


def _with(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in {**base, **overrides}.items() if value is not MISSING}


def channel_ref(channel_id: str = "UCkettle0000000000000001", *, title: str = "Kettle & Crumb",
                handle: str = "kettleandcrumb") -> dict[str, Any]:
    # The handle comes with or without "@", or as "channel/<id>" for channels without one.
    return {"id": channel_id, "title": title, "handle": handle,
            "thumbnail": f"https://yt3.example.com/{channel_id}=s68-c-k-c0x00ffffff-no-rj"}


def video(video_id: str = "kc0000000a1", *, kind: str = "video", channel: dict[str, Any] | None = None,
          extras: bool = False, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": kind, "id": video_id, "url": f"https://www.youtube.com/watch?v={video_id}",
        "title": "Sourdough for people who keep killing their starter",
        "thumbnail": f"https://i.ytimg.com/vi/{video_id}/hq720.jpg?sqp=abc&rs=def",
        "channel": channel if channel is not None else channel_ref(),
        "viewCountText": "48,213 views", "viewCountInt": 48213,
        "publishedTimeText": "3 weeks ago", "publishedTime": "2026-11-13T09:30:12.004Z",
        "lengthText": "12:41", "lengthSeconds": 761, "badges": ["4K", "CC"],
    }
    if extras:
        item |= {"description": "Everything about starters #sourdough #baking", "likeCountInt": 2104,
                 "likeCountText": "2,104", "commentCountInt": 187, "commentCountText": "187"}
    return _with(item, overrides)


def shelf_short(video_id: str = "kcShort0001") -> dict[str, Any]:
    """A Shorts shelf item: no channel, no length, no date."""
    return {"type": "short", "id": video_id, "url": f"https://www.youtube.com/watch?v={video_id}",
            "title": "Crumb shot #shorts", "thumbnail": f"https://i.ytimg.com/vi/{video_id}/oardefault.jpg",
            "viewCountText": "1.2M", "viewCountInt": 1200000}


def channel_card(channel_id: str = "UCkettle0000000000000001", *, verified: bool = True,
                 **overrides: Any) -> dict[str, Any]:
    return _with({
        "type": "channel", "id": channel_id, "channelName": "Kettle & Crumb", "handle": "kettleandcrumb",
        "description": "Bread, pastry and the science of both.",
        # http, not https, as the provider sends channel-card thumbnails.
        "thumbnail": f"http://yt3.example.com/{channel_id}=s176-c-k-c0x00ffffff-no-rj-mo",
        "subscriberCountText": "412K", "subscriberCountInt": 412000,
        "badges": ["Verified"] if verified else [],
    }, overrides)


def search_page(*, videos: list | None = None, shorts: list | None = None, lives: list | None = None,
                channels: list | None = None, shelves: list | None = None,
                token: str | None = "EpoDEgtzb3VyZG91Z2g") -> dict[str, Any]:
    return {"videos": videos or [], "channels": channels or [], "playlists": [], "shorts": shorts or [],
            "shelves": shelves or [], "lives": lives or [], "continuationToken": token}


def shelf(title: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "shelf", "title": title, "items": items}


def channel(channel_id: str = "UCkettle0000000000000001", **overrides: Any) -> dict[str, Any]:
    return _with({
        "channelId": channel_id, "channel": "http://www.youtube.com/@KettleAndCrumb", "handle": "@KettleAndCrumb",
        "name": "Kettle & Crumb",
        "avatar": {"image": {"sources": [
            {"url": "https://yt3.example.com/kc=s72-c-k-c0x00ffffff-no-rj", "width": 72, "height": 72},
            {"url": "https://yt3.example.com/kc=s160-c-k-c0x00ffffff-no-rj", "width": 160, "height": 160},
            {"url": "https://yt3.example.com/kc=s120-c-k-c0x00ffffff-no-rj", "width": 120, "height": 120}]},
            "avatarImageSize": "AVATAR_SIZE_XL"},
        "description": "Bread, pastry and the science of both. New bakes every Sunday.",
        "subscriberCount": 412000, "subscriberCountText": "412K subscribers",
        "videoCountText": "318 videos", "videoCount": 318,
        "viewCountText": "61,002,418 views", "viewCount": 61002418, "joinedDateText": "Joined Feb 2, 2016",
        "tags": "sourdough, bread baking, Kettle and Crumb, pastry, laminated dough",
        "email": None,
        "instagram": "https://instagram.com/kettleandcrumb", "bake_with_me_on_patreon": "https://patreon.com/kc",
        "links": ["https://instagram.com/kettleandcrumb", "https://patreon.com/kc"],
        "country": "Ireland",
    }, overrides)


def channel_error() -> dict[str, Any]:
    return {"message": "You must provide a handle or a channelId"}


def channel_videos(count: int = 3, *, extras: bool = True) -> dict[str, Any]:
    """The channel's uploads: the channel is not repeated on each video."""
    items = [video(f"kcUpload{n:03d}", channel={"title": "", "thumbnail": None}, extras=extras,
                   viewCountInt=10000 * (n + 1), viewCountText=f"{10000 * (n + 1):,} views") for n in range(count)]
    return {"videos": items, "continuationToken": "4qmFsgKrCBIYVUNr"}
