"""/v1/tiktok/search/keyword in the shapes the provider sends."""

import pytest

from scraping.strategies import JobSpec
from scraping.strategies.tiktok import TikTokKeyword

from . import tiktok_fixtures as tt

PATH = "/v1/tiktok/search/keyword"


def test_tiktok_keyword_fixtures_have_the_recorded_shape():
    for page in (tt.keyword_page([tt.aweme()]), tt.keyword_page([tt.aweme()], has_more=0, cursor=101),
                 tt.keyword_page([tt.aweme()], has_more=None), tt.keyword_page_empty()):
        tt.check_keyword_page(page)


def test_tiktok_keyword_search_reads_authors_without_verified_or_signature(client, recorded):
    badge = tt.search_author(uid="7100000000000000002", handle="oven.ola", custom_verify="Verified account")
    business = tt.search_author(uid="7100000000000000003", handle="flourhq", enterprise_verify_reason="verified account")
    translated = tt.search_author(uid="7100000000000000004", handle="pane.pia", custom_verify="Account verificato")
    recorded.reply(PATH, tt.keyword_page([tt.aweme(), tt.aweme(aweme_id="7400000000000000002", author=badge),
                                          tt.aweme(aweme_id="7400000000000000003", author=business),
                                          tt.aweme(aweme_id="7400000000000000004", author=translated)]))

    page = client.tiktok_keyword_search("baking")

    assert [(hit.handle, hit.verified) for hit in page.hits] == [
        ("lena.bakes", False), ("oven.ola", True), ("flourhq", True), ("pane.pia", True)]
    first = page.hits[0]
    assert first.bio == "" and first.followers == 52_300
    # Video search hides the author's totals: zeros are not a figure.
    assert (first.total_likes, first.total_posts) == (None, None)
    assert first.post.hashtags == ("baking", "cookies") and first.post.likes == 6_100


def test_tiktok_keyword_search_continues_past_has_more_zero(client, recorded):
    recorded.reply(PATH, tt.keyword_page([tt.aweme()], cursor=101, has_more=0))

    page = client.tiktok_keyword_search("baking", cursor=82)

    assert (page.next_cursor, page.has_more) == ("101", True)


def test_tiktok_keyword_search_stops_on_a_repeated_cursor(client, recorded):
    recorded.reply(PATH, tt.keyword_page([tt.aweme()], cursor=60))

    page = client.tiktok_keyword_search("baking", cursor=60)

    assert (page.next_cursor, page.has_more) == (None, False)


def test_tiktok_keyword_search_reads_the_empty_page_past_the_end(client, recorded):
    recorded.reply(PATH, tt.keyword_page_empty(cursor=120))

    page = client.tiktok_keyword_search("baking", cursor=116)

    assert page.hits == ()


@pytest.mark.django_db
def test_tiktok_keyword_paging_reads_pages_after_has_more_zero_until_an_empty_one(client, recorded):
    authors = [tt.search_author(uid=f"71000000000000001{n:02}", handle=f"baker{n}") for n in range(4)]
    recorded.reply(PATH, tt.keyword_page([tt.aweme(author=authors[0])], cursor=30, has_more=1), cursor="0")
    recorded.reply(PATH, tt.keyword_page([tt.aweme(author=authors[1])], cursor=60, has_more=0), cursor="30")
    recorded.reply(PATH, tt.keyword_page([tt.aweme(author=authors[2])], cursor=75, has_more=0), cursor="60")
    recorded.reply(PATH, tt.keyword_page_empty(cursor=80), cursor="75")
    strategy, spec = TikTokKeyword(), JobSpec("tiktok", "keyword", ("baking",), "", 50)

    found, checkpoint = [], {"terms_state": [{"cursor": "0", "pages": 0, "done": False}]}
    while not strategy.exhausted(spec=spec, checkpoint=checkpoint):
        page = strategy.next_page(client=client, spec=spec, checkpoint=checkpoint)
        found += [candidate.hit.handle for candidate in page.candidates]
        checkpoint = page.checkpoint

    assert found == ["baker0", "baker1", "baker2"]
    assert [params["cursor"] for params in recorded.requested(PATH)] == ["0", "30", "60", "75"]


@pytest.mark.parametrize("stats", [{"play_count": 10, "digg_count": 2, "comment_count": 0, "share_count": 0}])
def test_tiktok_keyword_search_keeps_an_item_without_link_or_date(client, recorded, stats):
    item = tt.aweme(statistics=stats)
    del item["share_url"], item["create_time"], item["text_extra"]
    recorded.reply(PATH, tt.keyword_page([item]))

    [hit] = client.tiktok_keyword_search("baking").hits

    assert hit.post.url == "https://www.tiktok.com/@lena.bakes/video/7400000000000000001"
    assert hit.post.posted_at is None and hit.post.hashtags == ("baking", "cookies")
