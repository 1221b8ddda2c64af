"""Filters chosen before a search starts, against the sandbox provider over real HTTP: the region
reaches the provider call that takes it, the rest decide which creators count toward the target."""

import pytest

from scraping.search_filters import SearchFilterError, SearchFilters
from scraping.models import CreatorProfile, JobCreator, JobStatus
from scraping.services import job_start

from .conftest import run_job

pytestmark = pytest.mark.django_db

KEYWORD_SEARCH = "/v1/tiktok/search/keyword"
HASHTAG_SEARCH = "/v1/tiktok/search/hashtag"


def filtered_search(user, *, target=20, platform="tiktok", keywords="skincare", **filters):
    parsed = SearchFilters.parse(platform=platform, search_type="keyword", **filters)
    return run_job(job_start(user=user, platform=platform, search_type="keyword", keywords=keywords,
                             target_results=target, filters=parsed, dispatch=False))


def found(job) -> list[CreatorProfile]:
    return [row.creator for row in JobCreator.objects.filter(job=job).select_related("creator")]


def test_search_filters_region_reaches_every_tiktok_video_search(make_sandbox, subscriber):
    sandbox = make_sandbox()

    job = filtered_search(subscriber, keywords="skincare, #glow", target=60, region="gb")

    assert job.status == JobStatus.COMPLETED, job.status_message
    assert job.filters == {"region": "GB"}
    keyword_regions = sandbox.stats.parameter_values(KEYWORD_SEARCH, "region")
    hashtag_regions = sandbox.stats.parameter_values(HASHTAG_SEARCH, "region")
    assert set(keyword_regions) == {"GB"} and set(hashtag_regions) == {"GB"}
    assert keyword_regions["GB"] >= 1 and hashtag_regions["GB"] >= 1


def test_search_filters_another_region_finds_other_creators(sandbox, subscriber):
    us = filtered_search(subscriber, target=30)
    brazil = filtered_search(subscriber, target=30, region="BR")

    assert us.filters == {"region": "US"}, "a TikTok keyword search without a region searches the US"
    shared = {c.pk for c in found(us)} & {c.pk for c in found(brazil)}
    assert len(shared) < 10, "each region has creators of its own"


@pytest.mark.parametrize("platform", ["tiktok", "instagram", "youtube"])
def test_search_filters_follower_range_decides_who_counts_toward_the_target(sandbox, subscriber, platform):
    unfiltered = filtered_search(subscriber, platform=platform, target=40)
    followers = sorted(c.followers for c in found(unfiltered) if c.followers is not None)
    low, high = followers[len(followers) // 4], followers[3 * len(followers) // 4]

    job = filtered_search(subscriber, platform=platform, target=15, min_followers=low, max_followers=high)

    creators = found(job)
    assert job.status == JobStatus.COMPLETED, job.status_message
    assert job.found_count == len(creators) == 15
    assert all(low <= c.followers <= high for c in creators)
    # The month's allowance counts only the creators shown: those of both searches, once each.
    subscriber.usage.refresh_from_db()
    assert subscriber.usage.creators_used_this_month == len({c.pk for c in found(unfiltered) + creators})


def test_search_filters_verified_and_has_email_count_only_matching_creators(sandbox, subscriber):
    everyone = filtered_search(subscriber, target=10)
    # Few creators are verified: the search may run out of them before its target, and says so.
    verified = filtered_search(subscriber, keywords="skincare, makeup, fitness", target=50, verified=True)
    with_email = filtered_search(subscriber, target=10, has_email=True)

    assert not all(c.verified for c in found(everyone)) and not all(c.has_email for c in found(everyone))
    assert 0 < verified.found_count == len(found(verified)) and all(c.verified for c in found(verified))
    assert verified.status == JobStatus.PARTIAL and "matching your filters" in verified.status_message
    assert with_email.found_count == 10 and all(c.has_email and c.emails for c in found(with_email))


def test_search_filters_that_nothing_matches_end_saying_so(sandbox, subscriber):
    job = filtered_search(subscriber, keywords="tiny skincare", target=10, min_followers=9_000_000_000)

    assert job.status == JobStatus.PARTIAL
    assert job.found_count == 0
    assert "matching your filters" in job.status_message
    subscriber.usage.refresh_from_db()
    assert subscriber.usage.creators_used_this_month == 0


@pytest.mark.parametrize(("platform", "search_type", "filters", "field"), [
    ("instagram", "keyword", {"region": "GB"}, "region"),
    ("tiktok", "similar", {"region": "GB"}, "region"),
    ("tiktok", "keyword", {"region": "XX"}, "region"),
    ("tiktok", "keyword", {"min_followers": -1}, "min_followers"),
    ("tiktok", "keyword", {"min_followers": "many"}, "min_followers"),
    ("tiktok", "keyword", {"min_followers": 5000, "max_followers": 10}, "max_followers"),
    ("youtube", "keyword", {"verified": "yes"}, "verified"),
])
def test_search_filters_refuse_what_no_search_can_use(platform, search_type, filters, field):
    with pytest.raises(SearchFilterError) as refused:
        SearchFilters.parse(platform=platform, search_type=search_type, **filters)

    assert refused.value.extra["field"] == field
    assert refused.value.code == "invalid_search"
