"""A TikTok similar search through the job engine against replies in the provider's recorded shapes."""

import pytest

from scraping.models import CreatorProfile, EndReason, EngagementBasis, JobCreator, JobStatus
from scraping.services import job_start

from ..conftest import run_job, use_sandbox
from . import tiktok_fixtures as tt

pytestmark = pytest.mark.django_db

USERS = "/v1/tiktok/search/users"


def users(first: int, count: int) -> list[dict]:
    return [tt.search_user(uid=f"71000000000{n:08}", handle=f"sourdough.maker{n}", nickname=f"Maker {n}",
                           followers=20_000 + n, hearts=900_000, videos=300) for n in range(first, first + count)]


@pytest.fixture
def target(recorded, settings):
    use_sandbox(settings, recorded, **{"scraping.fetch_link_pages": False})
    recorded.reply("/v1/tiktok/profile", tt.profile(signature="Sourdough and rye, baked at home"),
                   handle="dough.dara")
    recorded.reply("/v3/tiktok/profile/videos", tt.profile_videos([
        tt.aweme(aweme_id=f"74000000000000000{n}", desc="Day 3 of the starter #sourdough #bread #fyp",
                 tags=("sourdough", "bread", "fyp")) for n in range(5)]))
    return "dough.dara"


def test_tiktok_similar_search_reads_the_second_page_of_a_user_search_without_has_more(
        recorded, target, subscriber):
    recorded.reply(USERS, tt.users_page(users(0, 30), cursor=30))
    recorded.reply(USERS, tt.users_page(users(30, 30), cursor=60), cursor="30")
    recorded.reply(USERS, tt.users_page([], cursor=60), cursor="60")

    job = run_job(job_start(user=subscriber, platform="tiktok", search_type="similar", username=target,
                            target_results=50, dispatch=False))

    assert job.status == JobStatus.COMPLETED, job.status_message
    assert job.found_count == 50
    assert "30" in [params.get("cursor") for params in recorded.requested(USERS)]
    # The target's hashtags are searched; "#fyp" says nothing about it.
    queries = {params["query"] for params in recorded.requested(USERS)}
    assert {"bread", "sourdough"} <= queries and "fyp" not in queries
    rows = list(JobCreator.objects.filter(job=job).select_related("creator"))
    assert all("sourdough" in row.similar_topics for row in rows)
    assert {row.creator.engagement_basis for row in rows} == {EngagementBasis.ALL_POSTS}
    # 900,000 likes over 300 videos is 3,000 a video, about 15% of 20,000 followers.
    assert 14 < float(rows[0].creator.engagement_rate) < 15.1


def test_tiktok_similar_search_drops_creators_sharing_no_topic(recorded, target, subscriber):
    off_topic = [tt.search_user(uid=f"72000000000{n:08}", handle=f"kart.racer{n}", nickname=f"Racer {n}")
                 for n in range(20)]
    recorded.reply(USERS, tt.users_page(users(0, 10) + off_topic, cursor=30))
    recorded.reply(USERS, tt.users_page([], cursor=30), cursor="30")

    job = run_job(job_start(user=subscriber, platform="tiktok", search_type="similar", username=target,
                            target_results=25, dispatch=False))

    handles = set(CreatorProfile.objects.filter(job_results__job=job).values_list("handle", flat=True))
    assert job.status == JobStatus.PARTIAL and job.found_count == 10
    assert not any(handle.startswith("kart.racer") for handle in handles)


@pytest.mark.parametrize(("body", "sentence"), [
    (tt.profile_private("dough.dara"), "@dough.dara is a private TikTok account"),
    (tt.profile_deleted("dough.dara"), "@dough.dara does not exist on TikTok or was deleted"),
])
def test_tiktok_similar_search_of_a_private_or_deleted_target_says_so_and_charges_nothing(
        recorded, settings, subscriber, body, sentence):
    use_sandbox(settings, recorded)
    recorded.reply("/v1/tiktok/profile", body)

    job = run_job(job_start(user=subscriber, platform="tiktok", search_type="similar", username="dough.dara",
                            target_results=100, dispatch=False))

    assert job.status == JobStatus.ERROR and job.end_reason == EndReason.TARGET_NOT_FOUND
    assert sentence in job.status_message
    assert job.found_count == 0 and not recorded.requested(USERS)
    subscriber.usage.refresh_from_db()
    assert subscriber.usage.creators_used_this_month == 0
