"""The API reference as a reader meets it at /api/docs/: every operation in a section with a summary,
page sizes as they are accepted, and a plan without API access told so before it makes a token."""

import pytest
import yaml
from django.urls import reverse

from influencer_platform.api_docs import TAGS
from scraping.models import JobCreator

from .campaigns.test_api import api_for, make_active, make_creator, make_search

pytestmark = pytest.mark.django_db
METHODS = {"get", "post", "put", "patch", "delete"}


def schema(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(method.upper(), path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_api_schema_gives_every_operation_a_summary_and_a_section(client):
    document = schema(client)
    sections = [tag["name"] for tag in document["tags"]]

    assert len(operations(document)) >= 37
    for method, path, operation in operations(document):
        assert operation.get("summary"), f"{method} {path} has no summary"
        assert len(operation["tags"]) == 1 and operation["tags"][0] in sections, f"{method} {path}: {operation['tags']}"
    assert sections == [tag["name"] for tag in TAGS]
    assert all(tag["description"] for tag in document["tags"])
    # No section is empty, and no two operations read the same in the list.
    used = {operation["tags"][0] for _m, _p, operation in operations(document)}
    assert used == set(sections)
    summaries = [operation["summary"] for _m, _p, operation in operations(document)]
    assert len(summaries) == len(set(summaries))


def test_api_schema_documents_any_page_size_up_to_100(client):
    document = schema(client)
    results = document["paths"]["/api/v1/searches/{job_id}/results/"]["get"]

    page_size = next(parameter for parameter in results["parameters"] if parameter["name"] == "page_size")

    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 100)
    assert "enum" not in page_size["schema"]


def test_api_post_thumbnails_come_through_the_image_proxy(make_subscriber):
    user = make_active(make_subscriber())
    job = make_search(user)
    JobCreator.objects.create(job=job, creator=make_creator(), rank=1, post_url="https://www.tiktok.com/@a/video/1",
                              post_thumbnail_url="https://p16-sign.tiktokcdn.example/cover.jpeg",
                              post_duration_seconds=31)
    JobCreator.objects.create(job=job, creator=make_creator(), rank=2)
    client = api_for(user)

    with_thumbnail, without = (row["post"] for row in
                               client.get(reverse("api_search_results", args=[job.pk])).json()["results"])

    assert with_thumbnail["thumbnail_url"] == "https://p16-sign.tiktokcdn.example/cover.jpeg"
    assert with_thumbnail["thumbnail_proxy_url"].startswith("http://testserver/img/")
    assert with_thumbnail["duration_seconds"] == 31
    # The CDN is off the proxy's list (as an expired one would be): the proxy still answers an image.
    image = client.get(with_thumbnail["thumbnail_proxy_url"])
    assert image.status_code == 200 and image["Content-Type"].startswith("image/")
    assert without["thumbnail_proxy_url"] == "" and without["duration_seconds"] is None


def test_settings_page_warns_a_plan_without_api_access_before_a_token_is_made(client, make_subscriber):
    glow_up, fame_flex = make_subscriber("glow_up"), make_subscriber("fame_flex")

    client.force_login(glow_up)
    warned = client.get(reverse("account_settings")).content.decode()
    client.force_login(fame_flex)
    allowed = client.get(reverse("account_settings")).content.decode()

    assert 'data-testid="api-access-note"' in warned
    assert "answers every request with <code>403 feature_unavailable</code>" in warned
    assert "Fame Flex" in warned and reverse("billing_plans") in warned
    assert 'data-testid="api-access-note"' not in allowed
