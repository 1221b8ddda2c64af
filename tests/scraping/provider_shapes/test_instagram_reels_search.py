"""GET /v2/instagram/reels/search (``page``), and /v1 (``amount``) where v2 is refused."""

from __future__ import annotations

import pytest

from influencer_platform.errors import ProviderPermanentError

from . import instagram_fixtures as ig
from .shapes import INSTAGRAM_REELS_SEARCH, assert_shape

V2 = "/v2/instagram/reels/search"
V1 = "/v1/instagram/reels/search"


def _reels(count: int, prefix: str = "DrOat") -> list[dict]:
    return [ig.reel(f"{prefix}{n:06d}", owner={**ig.node(f"5200000{n:04d}", f"oats.{n}"), "is_unpublished": False,
                                               "follower_count": 1000 + n, "post_count": 40}) for n in range(count)]


def test_instagram_reels_search_fixtures_have_the_captured_shape() -> None:
    assert_shape(ig.reels_search(_reels(3)), INSTAGRAM_REELS_SEARCH)
    assert_shape(ig.reels_search([]), INSTAGRAM_REELS_SEARCH)


def test_instagram_reels_search_pages_through_v2(replay_client, replay) -> None:
    replay.routes[V2] = lambda params: ig.reels_search(_reels(10, prefix=f"P{params['page']}x") if params["page"] != "3"
                                                       else [])

    first = replay_client.instagram_reels_search("overnight oats")
    second = replay_client.instagram_reels_search("overnight oats", page=int(first.next_cursor))
    last = replay_client.instagram_reels_search("overnight oats", page=int(second.next_cursor))

    assert (len(first.hits), first.next_cursor, first.has_more) == (10, "2", True)
    assert (len(second.hits), second.next_cursor) == (10, "3")
    assert (last.hits, last.has_more) == ((), False)
    assert [params["page"] for params in replay.asked_for(V2)] == ["1", "2", "3"]


def test_instagram_reels_search_reads_the_reel_and_its_owner(replay_client, replay) -> None:
    replay.routes[V2] = ig.reels_search([ig.reel()])

    [hit] = replay_client.instagram_reels_search("oats").hits

    assert (hit.handle, hit.followers) == ("oat.and.ember", 20_500)
    assert (hit.post.views, hit.post.likes, hit.post.comments) == (13_400, 640, 22)
    assert hit.post.posted_at.isoformat() == "2026-11-02T08:15:00+00:00"


@pytest.mark.parametrize(("reels", "credits"), [(0, 1), (9, 1), (10, 1), (11, 2), (25, 3)])
def test_instagram_reels_search_costs_a_credit_per_ten_reels(replay_client, replay, reels, credits) -> None:
    replay.routes[V2] = ig.reels_search(_reels(reels))

    page = replay_client.instagram_reels_search("oats")

    assert page.cost == credits and replay_client.credits_spent == credits


def test_instagram_reels_search_falls_back_to_v1_where_v2_is_refused(replay_client, replay) -> None:
    replay.routes[V1] = ig.reels_search(_reels(24))

    first = replay_client.instagram_reels_search("oats")
    second = replay_client.instagram_reels_search("porridge")

    assert (len(first.hits), first.has_more, first.cost) == (24, False, 3)
    assert replay.asked_for(V1) == [{"query": "oats", "amount": "60"}, {"query": "porridge", "amount": "60"}]
    # v2 is asked once; the replay_client remembers the refusal.
    assert len(replay.asked_for(V2)) == 1 and second.hits


def test_instagram_reels_search_out_of_credit_is_not_a_fallback(replay_client, replay) -> None:
    replay.routes[V2] = (402, {"success": False, "message": "Out of credits"})
    replay.routes[V1] = ig.reels_search(_reels(3))

    with pytest.raises(ProviderPermanentError):
        replay_client.instagram_reels_search("oats")
    assert replay.asked_for(V1) == []
