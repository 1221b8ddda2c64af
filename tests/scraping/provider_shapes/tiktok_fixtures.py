"""TikTok replies of ScrapeCreators in the shapes the provider really sends, with invented values.

The shapes (which keys exist, which are missing, nulls, numbers as text, the short bodies of private
and deleted accounts) follow recorded replies of the real API; every value here is made up. The
``check_*`` functions state those shapes once: the fixtures pass them, and so must the sandbox
provider's replies (tests/scraping/test_sandbox_provider.py), so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def _avatar(name: str) -> Json:
    return {"uri": f"avt-0068/{name}", "url_prefix": None, "width": 720, "height": 720,
            "url_list": [f"https://p16-sign.tiktokcdn-us.example/avt/{name}.heic",
                         f"https://p16-sign.tiktokcdn-us.example/avt/{name}.jpeg"]}


def search_author(*, uid: str = "7100000000000000001", handle: str = "lena.bakes", nickname: str = "Lena Bakes",
                  followers: int = 52_300, custom_verify: str = "", enterprise_verify_reason: str = "",
                  **extra: Any) -> Json:
    """A video's author in keyword/hashtag search: no "verified", no "signature", totals hidden (0)."""
    return {"uid": uid, "unique_id": handle, "nickname": nickname, "sec_uid": f"MS4w{uid}",
            "follower_count": followers, "following_count": 140, "total_favorited": 0, "aweme_count": 0,
            "custom_verify": custom_verify, "enterprise_verify_reason": enterprise_verify_reason,
            "verification_type": 0, "secret": 0, "is_star": False, "ins_id": "", "account_labels": None,
            "avatar_thumb": _avatar(handle), "avatar_medium": _avatar(handle), "avatar_larger": _avatar(handle),
            **extra}


def aweme(*, aweme_id: str = "7400000000000000001", desc: str = "Brown butter cookies #baking #cookies",
          tags: tuple[str, ...] = ("baking", "cookies"), author: Json | None = None, plays: int = 88_000,
          likes: int = 6_100, comments: int = 140, shares: int = 75, **extra: Any) -> Json:
    author = author or search_author()
    return {
        "aweme_id": aweme_id, "desc": desc, "create_time": 1_718_000_000, "region": "US", "aweme_type": 0,
        "is_ad": False, "share_url": f"https://www.tiktok.com/@{author['unique_id']}/video/{aweme_id}?_r=1",
        "statistics": {"aweme_id": aweme_id, "play_count": plays, "digg_count": likes, "comment_count": comments,
                       "share_count": shares, "collect_count": 300, "download_count": 4, "forward_count": 0},
        # Type 0 entries are @mentions: no hashtag name.
        "text_extra": [{"type": 1, "hashtag_name": tag, "hashtag_id": "1"} for tag in tags]
        + [{"type": 0, "hashtag_name": None, "user_id": "7100000000000000999"}],
        "video": {"cover": {"url_list": [f"https://p16-sign.tiktokcdn-us.example/cover/{aweme_id}.jpeg"]},
                  "duration": 21_000},
        "author": author, **extra,
    }


def keyword_page(awemes: list[Json], *, cursor: int = 30, has_more: int | None = 1) -> Json:
    """A keyword search page: items wrapped in aweme_info, an empty aweme_list beside them."""
    page: Json = {"aweme_list": [], "search_item_list": [{"aweme_info": item} for item in awemes],
                  "cursor": cursor, "status_code": 0, "backtrace": "", "extra": {"now": 1_718_000_000_000}}
    if has_more is not None:
        page["has_more"] = has_more
    return page


def keyword_page_empty(*, cursor: int = 120) -> Json:
    """Past the last video: no search_item_list at all, aweme_list null, has_more 0."""
    return {"aweme_list": None, "cursor": cursor, "has_more": 0, "status_code": 0,
            "search_nil_info": {"search_nil_type": "no_result"}}


def hashtag_page(awemes: list[Json], *, cursor: int = 20, has_more: int | None = None) -> Json:
    page: Json = {"aweme_list": awemes, "cursor": cursor}
    if has_more is not None:
        page["has_more"] = has_more
    return page


def search_user(*, uid: str = "7100000000000000101", handle: str = "crumbwithnoor", nickname: str = "Noor Crumb",
                followers: int = 31_000, hearts: int = 1_240_000, videos: int = 310, custom_verify: str = "",
                enterprise_verify_reason: str = "", private: bool = False, desc: str = "Noor Crumb") -> Json:
    """One entry of user search: the user under user_info (no signature), the other lists null."""
    return {"user_info": {"uid": uid, "unique_id": handle, "nickname": nickname, "sec_uid": f"MS4w{uid}",
                          "search_user_desc": desc, "search_user_name": handle, "follower_count": followers,
                          "following_count": 88, "total_favorited": hearts, "aweme_count": videos,
                          "custom_verify": custom_verify, "enterprise_verify_reason": enterprise_verify_reason,
                          "verification_type": 1 if custom_verify else 0, "secret": int(private),
                          "is_private_account": int(private), "user_tags": None, "account_labels": None,
                          "avatar_thumb": _avatar(handle), "avatar_medium": _avatar(handle)},
            "items": None, "challenges": None, "effects": None, "mix_list": None, "musics": None,
            "position": None, "uniqid_position": None}


def users_page(users: list[Json], *, cursor: int = 30) -> Json:
    """User search pages carry a cursor and never has_more."""
    return {"cursor": cursor, "users": users}


def profile(*, uid: str = "7100000000000000201", handle: str = "dough.dara", signature: str = "Sourdough nerd",
            link: str | None = "linktr.ee/doughdara", followers: int = 48_213, hearts: int = 2_310_455,
            videos: int = 402, verified: bool = False, private: bool = False, stats_v2: bool = True) -> Json:
    """A full profile: "stats" rounds its figures, "statsV2" gives the exact ones as text."""
    user: Json = {"id": uid, "shortId": "", "uniqueId": handle, "nickname": handle.title(), "signature": signature,
                  "verified": verified, "privateAccount": private, "secret": private, "createTime": 1_600_000_000,
                  "avatarLarger": f"https://p16-sign.tiktokcdn-us.example/avt/{handle}-1080.jpeg",
                  "avatarMedium": f"https://p16-sign.tiktokcdn-us.example/avt/{handle}-720.jpeg",
                  "avatarThumb": f"https://p16-sign.tiktokcdn-us.example/avt/{handle}-100.jpeg",
                  "secUid": f"MS4w{uid}", "commerceUserInfo": {"commerceUser": False}, "isOrganization": 0,
                  "language": "en"}
    if link is not None:
        user["bioLink"] = {"link": link, "risk": 0}
    exact = {"followerCount": followers, "followingCount": 75, "heart": hearts, "heartCount": hearts,
             "videoCount": videos, "diggCount": 0, "friendCount": 20}
    body: Json = {"user": user, "itemList": [],
                  "stats": {key: int(float(f"{value:.2g}")) if value >= 1000 else value for key, value in exact.items()}}
    if stats_v2:
        body["statsV2"] = {key: str(value) for key, value in exact.items()}
    return body


def profile_private(handle: str = "closed.kit") -> Json:
    return {"account_private": True, "handle": handle}


def profile_deleted(handle: str = "gone.gus") -> Json:
    return {"account_deactivated": True, "handle": handle, "message": "Account doesn't exist"}


def profile_videos(awemes: list[Json], *, max_cursor: int = 1_717_000_000_000) -> Json:
    return {"aweme_list": awemes, "max_cursor": max_cursor}


def audience(*, countries: tuple[tuple[str, str, int, str], ...] = (("Canada", "CA", 412, "21.40%"),)) -> Json:
    return {"success": True, "audienceLocations": [
        {"country": name, "countryCode": code, "count": count, "percentage": share}
        for name, code, count, share in countries]}


# Shape checks: what every reply of an endpoint looks like, as recorded.


def _digits(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit()


def _check_image(value: Any) -> None:
    assert isinstance(value, dict) and isinstance(value["url_list"], list) and value["url_list"]


def check_search_author(author: Json) -> None:
    assert _digits(author["uid"]) and isinstance(author["unique_id"], str) and author["unique_id"]
    assert isinstance(author["nickname"], str) and isinstance(author["follower_count"], int)
    assert "verified" not in author, "search authors carry no verified flag"
    assert isinstance(author["custom_verify"], str) and isinstance(author["enterprise_verify_reason"], str)
    assert isinstance(author["total_favorited"], int) and isinstance(author["aweme_count"], int)
    _check_image(author["avatar_medium"])


def check_aweme(item: Json) -> None:
    assert _digits(item["aweme_id"]) and isinstance(item["desc"], str)
    assert all(isinstance(item["statistics"][key], int)
               for key in ("play_count", "digg_count", "comment_count", "share_count"))
    assert isinstance(item.get("create_time", 0), int) and isinstance(item.get("share_url", ""), str)
    for extra in item.get("text_extra") or []:
        assert extra["type"] in (0, 1) and (extra["type"] == 0 or isinstance(extra["hashtag_name"], str))
    _check_image(item["video"]["cover"])
    check_search_author(item["author"])


def check_keyword_page(page: Json) -> None:
    assert isinstance(page["cursor"], int)
    assert page.get("has_more", 0) in (0, 1)
    items = page.get("search_item_list")
    if items is None:
        assert page.get("aweme_list") is None and page.get("has_more") == 0
        return
    assert isinstance(items, list) and items
    for item in items:
        check_aweme(item["aweme_info"])


def check_hashtag_page(page: Json) -> None:
    assert isinstance(page["cursor"], int) and page.get("has_more", 0) in (0, 1)
    assert isinstance(page["aweme_list"], list)
    for item in page["aweme_list"]:
        check_aweme(item)


def check_users_page(page: Json) -> None:
    assert isinstance(page["cursor"], int) and "has_more" not in page
    for entry in page["users"]:
        user = entry["user_info"]
        assert _digits(user["uid"]) and user["unique_id"] and isinstance(user["nickname"], str)
        assert "signature" not in user and "verified" not in user
        assert isinstance(user["search_user_desc"], str) and isinstance(user["follower_count"], int)
        assert isinstance(user["total_favorited"], int) and isinstance(user["aweme_count"], int)
        assert isinstance(user["custom_verify"], str) and isinstance(user["enterprise_verify_reason"], str)
        assert user["is_private_account"] in (0, 1)
        _check_image(user["avatar_thumb"])
        assert entry["items"] is None


def check_profile(body: Json) -> None:
    if "user" not in body:
        # A private or deleted account: a short body, still answered with 200.
        assert isinstance(body["handle"], str)
        assert body.get("account_private") is True or body.get("account_deactivated") is True
        return
    user = body["user"]
    assert _digits(user["id"]) and user["uniqueId"] and isinstance(user["signature"], str)
    assert isinstance(user["verified"], bool) and isinstance(user["privateAccount"], bool)
    assert isinstance(user["avatarLarger"], str)
    if "bioLink" in user:
        assert isinstance(user["bioLink"]["link"], str) and user["bioLink"]["link"]
    assert all(isinstance(value, int) for value in body["stats"].values())
    assert {"followerCount", "heartCount", "videoCount"} <= set(body["stats"])
    if "statsV2" in body:
        assert all(_digits(value) for value in body["statsV2"].values())
    assert body["itemList"] == []


def check_profile_videos(body: Json) -> None:
    if "aweme_list" not in body:
        check_profile(body)  # the same short bodies as the profile
        return
    assert isinstance(body["max_cursor"], int)
    for item in body["aweme_list"]:
        check_aweme(item)


def check_audience(body: Json) -> None:
    for place in body["audienceLocations"]:
        assert set(place) == {"country", "countryCode", "count", "percentage"}
        assert isinstance(place["count"], int) and place["percentage"].endswith("%")
