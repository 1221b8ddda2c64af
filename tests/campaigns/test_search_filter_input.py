"""Filters chosen before a search, from the wizard and the API: checked, stored on the search, shown on
its page; mistakes are named next to their field."""

import pytest
from django.urls import reverse

from campaigns.services import campaign_create
from scraping.models import ScrapingJob

from .test_api import api_for, assert_error, make_campaign

pytestmark = pytest.mark.django_db


def test_wizard_stores_the_filters_and_the_search_page_names_them(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    response = client.post(reverse("search_new", args=[campaign.pk]), {
        "tile": "tiktok:keyword", "keywords": "skincare", "target": "100", "region": "GB",
        "min_followers": "10000", "max_followers": "250000", "verified": "on", "has_email": "on",
    })

    job = ScrapingJob.objects.get()
    assert response.status_code == 302
    assert job.filters == {"region": "GB", "min_followers": 10_000, "max_followers": 250_000, "verified": True,
                           "has_email": True}
    page = client.get(response.url).content.decode()
    for label in ("Region: United Kingdom", "10,000–250,000 followers", "Verified only", "With an email only"):
        assert label in page


def test_wizard_offers_the_region_and_sends_it_only_with_a_tiktok_keyword_search(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    form = client.get(reverse("search_new", args=[campaign.pk])).content.decode()
    client.post(reverse("search_new", args=[campaign.pk]), {
        "tile": "instagram:keyword", "keywords": "vegan", "target": "100", "region": "GB"})

    assert 'name="region"' in form and '<option value="US" selected>United States</option>' in form
    assert ScrapingJob.objects.get().filters == {}


def test_wizard_without_filters_searches_tiktok_in_the_us(client, paying):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    client.post(reverse("search_new", args=[campaign.pk]), {"tile": "tiktok:keyword", "keywords": "glow",
                                                            "target": "100"})

    assert ScrapingJob.objects.get().filters == {"region": "US"}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"min_followers": "5000", "max_followers": "10"}, "max_followers", "at least the minimum"),
    ({"min_followers": "-3"}, "min_followers", "greater than or equal to 0"),
    ({"max_followers": "lots"}, "max_followers", "Enter a whole number."),
    ({"region": "XX"}, "region", "Select a valid choice."),
])
def test_wizard_names_a_bad_filter_next_to_its_field(client, paying, data, field, message):
    campaign = campaign_create(user=paying, name="Spring launch")
    client.force_login(paying)

    response = client.post(reverse("search_new", args=[campaign.pk]),
                           {"tile": "tiktok:keyword", "keywords": "skincare", "target": "100", **data})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not ScrapingJob.objects.exists()


def start_by_api(user, payload: dict):
    """POST a search with ``payload`` (keywords "skincare" unless it says otherwise) to a new campaign of ``user``."""
    campaign = make_campaign(user)
    return api_for(user).post(reverse("api_campaign_searches", args=[campaign.pk]),
                              {"keywords": "skincare", **payload}, format="json")


def test_search_start_api_takes_the_filters_and_reports_them(make_subscriber):
    response = start_by_api(make_subscriber(), {"platform": "tiktok", "target_results": 50, "region": "BR",
                                                "min_followers": 1000, "verified": True})

    assert response.status_code == 201, response.content
    assert response.json()["filters"] == {"region": "BR", "min_followers": 1000, "max_followers": None,
                                          "verified": True, "has_email": False}
    assert ScrapingJob.objects.get().filters == {"region": "BR", "min_followers": 1000, "verified": True}


@pytest.mark.parametrize(("payload", "code", "field"), [
    ({"platform": "instagram", "region": "GB"}, "invalid_search", "region"),
    ({"platform": "tiktok", "min_followers": 900, "max_followers": 100}, "invalid_search", "max_followers"),
])
def test_search_start_api_refuses_filters_a_search_cannot_use(make_subscriber, payload, code, field):
    response = start_by_api(make_subscriber(), {"target_results": 10, **payload})

    assert assert_error(response, 400, code)["extra"] == {"field": field}
    assert not ScrapingJob.objects.exists()


def test_search_start_api_lists_malformed_filters_as_field_errors(make_subscriber):
    response = start_by_api(make_subscriber(), {"platform": "tiktok", "target_results": 10, "region": "Mars",
                                                "min_followers": -1, "has_email": "sometimes"})

    body = assert_error(response, 400, "invalid")
    assert set(body["extra"]["fields"]) == {"region", "min_followers", "has_email"}
