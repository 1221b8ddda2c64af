"""Instagram replies in the shapes the provider's captured responses have, with invented values."""

from __future__ import annotations

from typing import Any


def node(user_id: str = "51000000001", username: str = "oat.and.ember", **overrides: Any) -> dict[str, Any]:
    return {"id": user_id, "username": username, "full_name": "Oat & Ember", "is_private": False,
            "is_verified": False, "profile_pic_url": f"https://scontent.example.com/{user_id}.jpg", **overrides}


def timeline_post(shortcode: str = "Dq1Oat00001", *, likes: int = 820, comments: int = 41, views: int = 0,
                  clip: bool = True, caption: str | None = "Porridge, three ways #breakfast #oats",
                  **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "__typename": "GraphVideo" if clip else "GraphSidecar", "id": f"36{abs(hash(shortcode)) % 10**15}",
        "shortcode": shortcode, "display_url": f"https://scontent.example.com/{shortcode}.jpg",
        "thumbnail_src": f"https://scontent.example.com/{shortcode}-t.jpg", "is_video": clip,
        "taken_at_timestamp": 1764240000, "comments_disabled": False, "like_and_view_counts_disabled": False,
        "edge_liked_by": {"count": likes}, "edge_media_preview_like": {"count": likes},
        "edge_media_to_comment": {"count": comments},
        "edge_media_to_caption": {"edges": [] if caption is None else [{"node": {"text": caption}}]},
        "owner": {"id": "51000000001", "username": "oat.and.ember"},
    }
    if clip:
        # Instagram answers 0 views for reels whose views it no longer shows.
        item |= {"product_type": "clips", "video_view_count": views}
    return item | overrides


def profile(*, private: bool = False, posts: list | None = None, related: list | None = None,
            business_category: str | None = "None", address: dict | str = "{}",
            **user: Any) -> dict[str, Any]:
    posts = [timeline_post(f"Dq1Oat{n:05d}", likes=800 + 10 * n) for n in range(3)] if posts is None else posts
    related = [node("51000000002", "porridge.club"), node("51000000003", "slow.mornings", is_verified=True),
               node("51000000004", "hidden.kitchen", is_private=True)] if related is None else related
    body = {
        **node(is_private=private),
        "biography": "Slow breakfasts and seasonal baking.\nhello [at] oatandember [dot] ie",
        "bio_links": [{"title": "Recipes", "lynx_url": "https://l.instagram.com/?u=https%3A%2F%2Foatandember.ie",
                       "url": "https://oatandember.ie", "link_type": "external"}],
        "external_url": "https://oatandember.ie", "business_email": None, "is_business_account": True,
        "is_professional_account": True, "profile_pic_url_hd": "https://scontent.example.com/51000000001-hd.jpg",
        "business_category_name": business_category, "category_name": "Food blogger",
        "business_address_json": address,
        "edge_followed_by": {"count": 20500}, "edge_follow": {"count": 311},
        "edge_owner_to_timeline_media": {"count": 0 if private else 264, "edges": [] if private else
                                         [{"node": post} for post in posts],
                                         "page_info": {"has_next_page": not private, "end_cursor": None}},
        "edge_related_profiles": {"edges": [] if private else [{"node": item} for item in related]},
        **user,
    }
    return {"success": True, "status": "ok", "data": {"user": body}}


def basic_profile(**overrides: Any) -> dict[str, Any]:
    return {**node(), "pk": "51000000001", "biography": "Slow breakfasts and seasonal baking.", "bio_links": [],
            "external_url": "", "follower_count": 20500, "following_count": 311, "media_count": 264,
            "is_business": False, "category": None,
            "hd_profile_pic_url_info": {"url": "https://scontent.example.com/51000000001-hd.jpg"}, **overrides}


def reel(shortcode: str = "DrOat000001", *, owner: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "id": f"37{abs(hash(shortcode)) % 10**15}", "__typename": "XDTGraphVideo", "shortcode": shortcode,
        "url": f"https://www.instagram.com/reel/{shortcode}/",
        "caption": "Overnight oats that taste like pie #oats #mealprep",
        "thumbnail_src": f"https://scontent.example.com/{shortcode}-t.jpg",
        "display_url": f"https://scontent.example.com/{shortcode}.jpg",
        "video_url": f"https://scontent.example.com/{shortcode}.mp4", "has_audio": True,
        "accessibility_caption": None, "video_view_count": 5210, "video_play_count": 13400,
        "product_type": "clips", "video_duration": 31.4, "is_video": True, "is_ad": False, "is_affiliate": False,
        "taken_at": "2026-11-02T08:15:00.000Z", "like_count": 640, "comment_count": 22,
        "is_paid_partnership": False, "location": None, "comments": [],
        "owner": owner or {**node(), "is_unpublished": False, "follower_count": 20500, "post_count": 264},
        **overrides,
    }


def reels_search(reels: list[dict[str, Any]], *, credits: int = 48210) -> dict[str, Any]:
    return {"success": True, "credits_remaining": credits, "reels": reels}
