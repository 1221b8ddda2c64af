"""/v1/tiktok/search/hashtag in the shapes the provider sends: bare videos, has_more only sometimes."""

from . import tiktok_fixtures as tt

PATH = "/v1/tiktok/search/hashtag"


def test_tiktok_hashtag_fixtures_have_the_recorded_shape():
    tt.check_hashtag_page(tt.hashtag_page([tt.aweme()]))
    tt.check_hashtag_page(tt.hashtag_page([tt.aweme()], has_more=1, cursor=12))


def test_tiktok_hashtag_search_pages_on_the_cursor_without_has_more(client, recorded):
    recorded.reply(PATH, tt.hashtag_page([tt.aweme()], cursor=20))

    page = client.tiktok_hashtag_search("#Baking", cursor=0)

    assert [hit.handle for hit in page.hits] == ["lena.bakes"]
    assert (page.next_cursor, page.has_more) == ("20", True)
    assert recorded.requested(PATH)[0]["hashtag"] == "Baking"


def test_tiktok_hashtag_search_with_no_videos_left_has_nothing_more(client, recorded):
    recorded.reply(PATH, tt.hashtag_page([], cursor=20))

    page = client.tiktok_hashtag_search("baking", cursor=20)

    assert (page.hits, page.has_more) == ((), False)
