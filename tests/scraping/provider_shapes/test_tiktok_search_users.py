"""/v1/tiktok/search/users in the shapes the provider sends: a cursor and never has_more."""

from . import tiktok_fixtures as tt

PATH = "/v1/tiktok/search/users"


def test_tiktok_users_fixtures_have_the_recorded_shape():
    tt.check_users_page(tt.users_page([tt.search_user(), tt.search_user(private=True, hearts=0, videos=0)]))


def test_tiktok_user_search_continues_on_a_cursor_without_has_more(client, recorded):
    recorded.reply(PATH, tt.users_page([tt.search_user()], cursor=30))

    page = client.tiktok_user_search("sourdough")

    assert (page.next_cursor, page.has_more) == ("30", True)


def test_tiktok_user_search_reads_badges_and_lifetime_totals(client, recorded):
    recorded.reply(PATH, tt.users_page([
        tt.search_user(),
        tt.search_user(uid="7100000000000000102", handle="rye.rosa", custom_verify="Verified account"),
        tt.search_user(uid="7100000000000000103", handle="bakery.guild", enterprise_verify_reason="institution account"),
        tt.search_user(uid="7100000000000000104", handle="hidden.hal", private=True, hearts=0, videos=0),
    ]))

    hits = client.tiktok_user_search("sourdough").hits

    assert [(hit.handle, hit.verified) for hit in hits] == [
        ("crumbwithnoor", False), ("rye.rosa", True), ("bakery.guild", True), ("hidden.hal", False)]
    assert (hits[0].total_likes, hits[0].total_posts, hits[0].bio) == (1_240_000, 310, "")
    assert (hits[3].total_likes, hits[3].total_posts) == (None, None)


def test_tiktok_user_search_past_the_last_user_ends(client, recorded):
    recorded.reply(PATH, tt.users_page([], cursor=60))

    page = client.tiktok_user_search("sourdough", cursor=60)

    assert (page.hits, page.has_more) == ((), False)
