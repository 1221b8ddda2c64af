"""The campaigns API: campaigns, searches, results and exports under /api/v1/."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import UserUsage
from accounts.services import api_token_create
from billing.models import Feature, SubscriptionPlan
from campaigns.models import Campaign
from campaigns.services import campaign_create
from scraping.models import CreatorProfile, JobCreator, JobStatus, ScrapingJob
from tests.scraping.conftest import run_job, sandbox, sandbox_server  # noqa: F401 (fixtures)
from tests.factories import CreatorProfileFactory, ScrapingJobFactory

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/campaigns/"


# Helpers


def api_for(user) -> APIClient:
    """An API client signed in as ``user``, whose plan is given API access (as an operator can in
    the admin) so that its other limits can be tested through the API."""
    grant_api_access(user)
    client = APIClient()
    client.force_authenticate(user)
    return client


def grant_api_access(user) -> None:
    plan = SubscriptionPlan.objects.get(plan_key=user.subscription.current_plan)
    if not plan.has_feature(Feature.API):
        plan.features = [*plan.features, Feature.API]
        plan.save(update_fields=["features"])


def make_active(user):
    """Past the trial: no row cap on results."""
    user.subscription.subscription_status = "active"
    user.subscription.save()
    return user


def make_campaign(user, name="Spring launch", **fields) -> Campaign:
    return campaign_create(user=user, name=name, **fields)


def make_search(user, campaign=None, **fields) -> ScrapingJob:
    values = {"platform": "tiktok", "search_type": "keyword", "keywords": ["skincare"], "target_results": 500,
              "status": JobStatus.COMPLETED, **fields}
    return ScrapingJobFactory(user=user, campaign=campaign, **values)


_external_ids = iter(range(1, 10**9))


def make_creator(**fields) -> CreatorProfile:
    n = next(_external_ids)
    values = {"platform": "tiktok", "external_id": f"ext{n}", "handle": f"creator{n}",
              "display_name": f"Creator {n}", "followers": 10_000, "engagement_rate": Decimal("2.50"), **fields}
    return CreatorProfileFactory(**values)


def add_results(job, creators, keyword="skincare") -> None:
    start = JobCreator.objects.filter(job=job).count()
    JobCreator.objects.bulk_create([
        JobCreator(job=job, creator=creator, keyword=keyword, rank=start + index + 1,
                   post_url=f"https://www.tiktok.com/@x/video/{job.pk}-{index}")
        for index, creator in enumerate(creators)
    ])
    job.found_count = start + len(creators)
    job.save(update_fields=["found_count"])


def search_with_results(user, count: int, campaign=None) -> ScrapingJob:
    job = make_search(user, campaign, target_results=max(count, 1))
    add_results(job, [make_creator(followers=1_000 * (n + 1)) for n in range(count)])
    return job


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code
    assert body["message"]
    return body


# Campaigns


def test_campaign_create_returns_a_draft_campaign(make_subscriber):
    user = make_subscriber()
    response = api_for(user).post(CAMPAIGNS, {"name": "  Spring   launch ", "description": "Vegan skincare"},
                                  format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Spring launch"
    assert body["status"] == "draft"
    assert body["search_type"] == "keyword"
    assert (body["search_count"], body["creators_found"]) == (0, 0)
    assert Campaign.objects.get(pk=body["id"]).user == user
    assert UserUsage.objects.get(user=user).campaigns_used == 1


def test_campaign_create_without_a_name_lists_the_field(make_subscriber):
    response = api_for(make_subscriber()).post(CAMPAIGNS, {"search_type": "viral"}, format="json")

    body = assert_error(response, 400, "invalid")
    assert set(body["extra"]["fields"]) == {"name", "search_type"}


def test_campaign_create_with_a_long_name_names_the_field(make_subscriber):
    response = api_for(make_subscriber()).post(CAMPAIGNS, {"name": "x" * 121}, format="json")

    body = assert_error(response, 400, "campaign_invalid")
    assert body["extra"] == {"field": "name"}
    assert body["message"] == "Keep the name under 120 characters."


def test_campaign_create_over_the_plan_limit_recommends_a_plan(make_subscriber):
    client = api_for(make_subscriber("glow_up"))
    for n in range(3):
        assert client.post(CAMPAIGNS, {"name": f"Campaign {n}"}, format="json").status_code == 201

    response = client.post(CAMPAIGNS, {"name": "One too many"}, format="json")

    body = assert_error(response, 403, "campaign_limit")
    assert body["extra"]["recommended_plan"] == {"plan_key": "viral_surge", "name": "Viral Surge"}
    assert body["extra"]["remaining"] == 0
    assert Campaign.objects.filter(name="One too many").count() == 0


def test_campaign_list_filters_sorts_and_pages_only_own_campaigns(make_subscriber):
    user, other = make_subscriber("fame_flex"), make_subscriber("fame_flex")
    for name in ("banana bread", "Apple pie", "cherry tart"):
        make_campaign(user, name)
    make_campaign(other, "Someone else's")
    archived = make_campaign(user, "Old apples")
    client = api_for(user)
    client.post(reverse("api_campaign_archive", args=[archived.pk]))

    default = client.get(CAMPAIGNS).json()
    assert default["count"] == 3
    assert [c["name"] for c in default["results"]] == ["cherry tart", "Apple pie", "banana bread"]

    by_name = client.get(CAMPAIGNS, {"sort": "name", "page_size": 2}).json()
    assert [c["name"] for c in by_name["results"]] == ["Apple pie", "banana bread"]
    assert by_name["next"] and by_name["count"] == 3

    assert [c["name"] for c in client.get(CAMPAIGNS, {"q": "APPLE"}).json()["results"]] == ["Apple pie"]
    assert [c["name"] for c in client.get(CAMPAIGNS, {"status": "archived"}).json()["results"]] == ["Old apples"]

    body = assert_error(client.get(CAMPAIGNS, {"status": "finished", "sort": "size"}), 400, "invalid")
    assert set(body["extra"]["fields"]) == {"status", "sort"}


def test_campaign_update_changes_only_the_given_fields(make_subscriber):
    user = make_subscriber()
    campaign = make_campaign(user, "Spring", description="Keep this")
    url = reverse("api_campaign_detail", args=[campaign.pk])

    response = api_for(user).patch(url, {"name": "Summer", "search_type": "similar"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["description"], body["search_type"]) == ("Summer", "Keep this", "similar")
    assert api_for(user).get(url).json()["name"] == "Summer"

    body = assert_error(api_for(user).patch(url, {"name": " "}, format="json"), 400, "invalid")
    assert "name" in body["extra"]["fields"]


def test_campaign_delete_removes_it_and_its_searches(make_subscriber):
    user = make_subscriber()
    campaign = make_campaign(user)
    job = search_with_results(user, 3, campaign)
    url = reverse("api_campaign_detail", args=[campaign.pk])

    response = api_for(user).delete(url)

    assert response.status_code == 204
    assert not ScrapingJob.objects.filter(pk=job.pk).exists()
    assert_error(api_for(user).get(url), 404, "not_found")


def test_campaign_delete_gives_its_slot_back_but_not_the_creators_found(make_subscriber):
    user = make_subscriber("glow_up")
    campaigns = [make_campaign(user, name=f"Launch {n}") for n in range(3)]
    UserUsage.objects.filter(user=user).update(creators_used_this_month=120)
    client = api_for(user)
    assert_error(client.post(CAMPAIGNS, {"name": "One too many"}, format="json"), 403, "campaign_limit")

    assert client.delete(reverse("api_campaign_detail", args=[campaigns[0].pk])).status_code == 204
    assert client.delete(reverse("api_campaign_detail", args=[campaigns[0].pk])).status_code == 404

    assert client.post(CAMPAIGNS, {"name": "Autumn"}, format="json").status_code == 201
    usage = UserUsage.objects.get(user=user)
    assert (usage.campaigns_used, usage.creators_used_this_month) == (3, 120)
    assert_error(client.post(CAMPAIGNS, {"name": "Winter"}, format="json"), 403, "campaign_limit")


def test_campaign_archive_blocks_searches_until_restored(make_subscriber):
    user = make_subscriber()
    campaign = make_campaign(user)
    client = api_for(user)
    searches = reverse("api_campaign_searches", args=[campaign.pk])
    search = {"platform": "tiktok", "keywords": "skincare", "target_results": 10}

    assert client.post(reverse("api_campaign_archive", args=[campaign.pk])).json()["status"] == "archived"
    assert_error(client.post(searches, search, format="json"), 400, "campaign_archived")

    assert client.post(reverse("api_campaign_restore", args=[campaign.pk])).json()["status"] == "draft"
    assert client.post(searches, search, format="json").status_code == 201


# Starting searches


@pytest.mark.parametrize("keywords", ["vegan skincare, #cleanbeauty", ["vegan skincare", "#cleanbeauty"]])
def test_search_start_queues_a_pending_search_in_the_campaign(make_subscriber, keywords):
    user = make_subscriber()
    campaign = make_campaign(user)
    client = api_for(user)
    url = reverse("api_campaign_searches", args=[campaign.pk])

    response = client.post(url, {"platform": "tiktok", "keywords": keywords, "target_results": 50}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["campaign_id"] == campaign.pk
    assert (body["status"], body["phase"], body["is_finished"]) == ("pending", "queued", False)
    assert body["search_type"] == "keyword"  # the campaign's search type
    assert body["keywords"] == ["vegan skincare", "#cleanbeauty"]
    assert (body["target_results"], body["found_count"], body["progress_percent"]) == (50, 0, 0)
    assert ScrapingJob.objects.get(pk=body["id"]).campaign == campaign

    listed = client.get(url).json()
    assert [search["id"] for search in listed["results"]] == [body["id"]]
    assert client.get(reverse("api_campaign_detail", args=[campaign.pk])).json()["status"] == "active"


def test_search_start_similar_search_takes_a_username(make_subscriber):
    user = make_subscriber()
    campaign = make_campaign(user, search_type="similar")
    response = api_for(user).post(
        reverse("api_campaign_searches", args=[campaign.pk]),
        {"platform": "instagram", "username": "https://www.instagram.com/chef.lena/", "target_results": 20},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["search_type"], response.json()["username"]) == ("similar", "chef.lena")


@pytest.mark.parametrize(("payload", "code", "field"), [
    ({"platform": "tiktok", "keywords": " , ", "target_results": 10}, "invalid_search", "keywords"),
    ({"platform": "tiktok", "search_type": "similar", "target_results": 10}, "invalid_search", "username"),
    ({"platform": "tiktok", "keywords": "skincare", "target_results": 0}, "invalid_search", "target_results"),
    ({"platform": "tiktok", "search_type": "similar", "username": "https://www.instagram.com/chef.lena/",
      "target_results": 10}, "invalid_search", "username"),
    ({"platform": "tiktok", "search_type": "similar", "username": "https://vm.tiktok.com/ZMabc123/",
      "target_results": 10}, "invalid_search", "username"),
    ({"platform": "youtube", "search_type": "similar", "username": "https://example.com/creator",
      "target_results": 10}, "invalid_search", "username"),
])
def test_search_start_rejects_bad_input_naming_the_field(make_subscriber, payload, code, field):
    user = make_subscriber()
    campaign = make_campaign(user)

    response = api_for(user).post(reverse("api_campaign_searches", args=[campaign.pk]), payload, format="json")

    assert assert_error(response, 400, code)["extra"] == {"field": field}
    assert not ScrapingJob.objects.exists()


def test_search_start_rejects_malformed_fields_with_field_errors(make_subscriber):
    user = make_subscriber()
    campaign = make_campaign(user)
    payload = {"platform": "myspace", "keywords": {"a": 1}, "target_results": "lots"}

    response = api_for(user).post(reverse("api_campaign_searches", args=[campaign.pk]), payload, format="json")

    body = assert_error(response, 400, "invalid")
    assert set(body["extra"]["fields"]) == {"platform", "keywords", "target_results"}


@pytest.mark.parametrize("keywords", ["skin\x00care", ["skincare", "glow\x00"]])
def test_search_start_refuses_a_null_character_in_keywords(make_subscriber, keywords):
    user = make_subscriber()
    campaign = make_campaign(user)
    payload = {"platform": "tiktok", "keywords": keywords, "target_results": 10}

    response = api_for(user).post(reverse("api_campaign_searches", args=[campaign.pk]), payload, format="json")

    assert set(assert_error(response, 400, "invalid")["extra"]["fields"]) == {"keywords"}
    assert not ScrapingJob.objects.exists()


def test_search_start_beyond_the_monthly_quota_recommends_a_plan(make_subscriber):
    user = make_subscriber("glow_up")  # 1,000 creators a month
    campaign = make_campaign(user)
    payload = {"platform": "tiktok", "keywords": "skincare", "target_results": 5000}

    response = api_for(user).post(reverse("api_campaign_searches", args=[campaign.pk]), payload, format="json")

    body = assert_error(response, 403, "creator_limit")
    assert body["extra"]["recommended_plan"] == {"plan_key": "viral_surge", "name": "Viral Surge"}
    assert body["extra"]["remaining"] == 1000
    assert not ScrapingJob.objects.exists()


# Searches


def test_search_detail_reports_progress(make_subscriber):
    user = make_subscriber()
    job = search_with_results(user, 30, make_campaign(user))
    ScrapingJob.objects.filter(pk=job.pk).update(status=JobStatus.PROCESSING, target_results=120,
                                                 status_message="Searching", credits_spent=7)

    body = api_for(user).get(reverse("api_search_detail", args=[job.pk])).json()

    assert (body["status"], body["status_message"], body["found_count"]) == ("processing", "Searching", 30)
    assert (body["target_results"], body["progress_percent"], body["is_finished"]) == (120, 25, False)
    assert body["credits_spent"] == 7
    assert body["query_label"] == "skincare"
    assert {"created_at", "started_at", "finished_at", "duration_seconds"} <= set(body)


def test_search_cancel_stops_it_once(make_subscriber):
    user = make_subscriber()
    campaign = make_campaign(user)
    client = api_for(user)
    started = client.post(reverse("api_campaign_searches", args=[campaign.pk]),
                          {"platform": "youtube", "keywords": "desk setup", "target_results": 40},
                          format="json").json()
    url = reverse("api_search_cancel", args=[started["id"]])

    response = client.post(url)

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["is_finished"]) == ("cancelled", True)
    assert ScrapingJob.objects.get(pk=started["id"]).status == JobStatus.CANCELLED

    body = assert_error(client.post(url), 409, "job_finished")
    assert body["message"] == "This search has already ended."


def test_every_endpoint_hides_another_users_campaigns_and_searches(make_subscriber):
    owner, intruder = make_subscriber("fame_flex"), make_subscriber("fame_flex")
    campaign = make_campaign(owner)
    job = search_with_results(owner, 5, campaign)
    pending = make_search(owner, campaign, status=JobStatus.PENDING)
    client = api_for(intruder)
    requests = [
        ("get", reverse("api_campaign_detail", args=[campaign.pk]), None),
        ("patch", reverse("api_campaign_detail", args=[campaign.pk]), {"name": "Mine now"}),
        ("delete", reverse("api_campaign_detail", args=[campaign.pk]), None),
        ("post", reverse("api_campaign_archive", args=[campaign.pk]), None),
        ("post", reverse("api_campaign_restore", args=[campaign.pk]), None),
        ("get", reverse("api_campaign_searches", args=[campaign.pk]), None),
        ("post", reverse("api_campaign_searches", args=[campaign.pk]),
         {"platform": "tiktok", "keywords": "skincare", "target_results": 10}),
        ("get", reverse("api_campaign_results", args=[campaign.pk]), None),
        ("post", reverse("api_campaign_export", args=[campaign.pk]), None),
        ("get", reverse("api_search_detail", args=[job.pk]), None),
        ("post", reverse("api_search_cancel", args=[pending.pk]), None),
        ("get", reverse("api_search_results", args=[job.pk]), None),
        ("post", reverse("api_search_export", args=[job.pk]), None),
    ]

    for method, url, payload in requests:
        response = getattr(client, method)(url, payload, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json()["code"] == "not_found", (method, url)

    campaign.refresh_from_db()
    assert (campaign.name, campaign.archived_at) == ("Spring launch", None)
    assert ScrapingJob.objects.get(pk=pending.pk).status == JobStatus.PENDING
    assert ScrapingJob.objects.filter(campaign=campaign).count() == 2


# Results


def test_search_results_page_through_by_page_size(make_subscriber):
    user = make_active(make_subscriber())
    job = search_with_results(user, 120)
    client, url = api_for(user), reverse("api_search_results", args=[job.pk])

    first = client.get(url, {"page_size": 50}).json()
    assert (first["count"], first["limited_to"], len(first["results"])) == (120, None, 50)
    assert [row["rank"] for row in first["results"]] == list(range(1, 51))
    assert first["previous"] is None and "page=2" in first["next"]

    last = client.get(url, {"page_size": 50, "page": 3}).json()
    assert [row["rank"] for row in last["results"]] == list(range(101, 121))
    assert last["next"] is None

    row = first["results"][0]
    assert row["search_id"] == job.pk
    assert row["creator"]["handle"] and row["creator"]["followers"] == 1_000
    assert row["creator"]["engagement_rate"] == 2.5
    assert row["post"]["url"].startswith("https://www.tiktok.com/")

    assert len(client.get(url).json()["results"]) == 25
    # Any size from 1 to 100, not only the sizes the pages offer.
    assert [len(client.get(url, {"page_size": size}).json()["results"]) for size in (1, 30, 100)] == [1, 30, 100]
    for size in (0, 101, "all"):
        body = assert_error(client.get(url, {"page_size": size}), 400, "invalid")
        assert "page_size" in body["extra"]["fields"]


def test_search_results_give_an_avatar_url_that_keeps_loading(make_subscriber):
    user = make_active(make_subscriber())
    job = make_search(user)
    add_results(job, [make_creator(display_name="Mia Lopez", avatar_url="https://cdn.example.org/expired.jpg"),
                      make_creator(avatar_url="")])
    client = api_for(user)

    with_picture, without = (row["creator"] for row in client.get(reverse("api_search_results", args=[job.pk])).json()["results"])

    assert with_picture["avatar_url"] == "https://cdn.example.org/expired.jpg"
    assert with_picture["avatar_proxy_url"].startswith("http://testserver/img/")
    # The CDN is off the proxy's list, as an expired or refusing one would be: the initial answers.
    image = client.get(with_picture["avatar_proxy_url"])
    assert image.status_code == 200 and image["Content-Type"].startswith("image/svg+xml")
    assert b">M<" in image.content
    assert without["avatar_proxy_url"] == ""


def test_search_results_sort_by_followers_puts_unknowns_last(make_subscriber):
    user = make_active(make_subscriber())
    job = make_search(user)
    add_results(job, [make_creator(followers=f) for f in (500, None, 90_000, 12_000)])

    body = api_for(user).get(reverse("api_search_results", args=[job.pk]), {"sort": "followers"}).json()

    assert [row["creator"]["followers"] for row in body["results"]] == [90_000, 12_000, 500, None]


def test_search_results_filter_like_the_results_page(make_subscriber):
    user = make_active(make_subscriber())
    job = make_search(user)
    add_results(job, [
        make_creator(handle="glowwithmia", followers=50_000, has_email=True,
                     emails=[{"address": "mia@example.com", "source": "bio"}]),
        make_creator(handle="skin.sam", followers=2_000, has_email=True,
                     emails=[{"address": "sam@example.com", "source": "profile"}]),
        make_creator(handle="lena.cooks", followers=80_000, bio="Vegan recipes"),
    ])
    client, url = api_for(user), reverse("api_search_results", args=[job.pk])

    def handles(**params):
        return sorted(row["creator"]["handle"] for row in client.get(url, params).json()["results"])

    assert handles(has_email="true") == ["glowwithmia", "skin.sam"]
    assert handles(min_followers=10_000) == ["glowwithmia", "lena.cooks"]
    assert handles(has_email="true", min_followers=10_000) == ["glowwithmia"]
    assert handles(q="vegan") == ["lena.cooks"]
    emails = client.get(url, {"q": "mia"}).json()["results"][0]["creator"]["emails"]
    assert emails == [{"address": "mia@example.com", "source": "bio", "link": ""}]

    body = assert_error(client.get(url, {"min_followers": 10, "max_followers": 5}), 400, "invalid")
    assert "max_followers" in body["extra"]["fields"]


def test_trial_user_sees_only_the_first_25_results(make_subscriber):
    user = make_subscriber()  # trialing
    job = search_with_results(user, 120)
    client, url = api_for(user), reverse("api_search_results", args=[job.pk])

    body = client.get(url, {"page_size": 100, "sort": "followers"}).json()

    assert (body["count"], body["limited_to"], body["next"]) == (120, 25, None)
    # The search's first 25 rows, in the chosen order: sorting cannot bring other creators in.
    assert [row["creator"]["followers"] for row in body["results"]] == [1_000 * n for n in range(25, 0, -1)]
    assert {row["rank"] for row in body["results"]} == set(range(1, 26))
    assert_error(client.get(url, {"page": 2}), 404, "not_found")

    # Filters choose among those 25 too: 5 of them have 21,000 followers or more.
    body = client.get(url, {"min_followers": 21_000}).json()
    assert (body["count"], body["limited_to"]) == (100, 5)
    assert [row["rank"] for row in body["results"]] == [21, 22, 23, 24, 25]


def test_campaign_results_list_each_creator_once_across_searches(make_subscriber):
    user = make_active(make_subscriber())
    campaign = make_campaign(user)
    shared, first_only, second_only = make_creator(), make_creator(), make_creator()
    first, second = make_search(user, campaign), make_search(user, campaign, keywords=["glow"])
    add_results(first, [shared, first_only])
    add_results(second, [shared, second_only], keyword="glow")
    elsewhere = make_search(user)  # not in the campaign
    add_results(elsewhere, [make_creator()])

    body = api_for(user).get(reverse("api_campaign_results", args=[campaign.pk])).json()

    assert body["count"] == 3
    rows = {row["creator"]["id"]: row for row in body["results"]}
    assert set(rows) == {shared.pk, first_only.pk, second_only.pk}
    assert rows[shared.pk]["search_id"] == first.pk
    assert rows[second_only.pk]["keyword"] == "glow"


# Exports


def test_exports_stream_csv_whatever_the_accept_header(make_subscriber):
    user = make_active(make_subscriber())
    campaign = make_campaign(user, "Spring launch")
    job = search_with_results(user, 3, campaign)
    client = api_for(user)

    for url in (reverse("api_search_export", args=[job.pk]), reverse("api_campaign_export", args=[campaign.pk])):
        response = client.post(url, headers={"Accept": "text/csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert len(text.strip().splitlines()) == 4
        assert "creator" in text


def test_export_without_the_csv_feature_answers_a_json_error(make_subscriber):
    user = make_subscriber("glow_up")
    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=["basic_analytics"])
    job = search_with_results(user, 3, make_campaign(user))

    response = api_for(user).post(reverse("api_search_export", args=[job.pk]), headers={"Accept": "text/csv"})

    body = assert_error(response, 403, "feature_unavailable")
    assert body["extra"]["recommended_plan"]["plan_key"] == "viral_surge"


# Authentication and schema


def test_api_token_works_on_fame_flex_and_is_refused_on_glow_up(make_subscriber):
    for plan_key, expected in (("fame_flex", 201), ("glow_up", 403)):
        user = make_subscriber(plan_key)
        _, secret = api_token_create(user=user, name="CRM sync")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

        response = client.post(CAMPAIGNS, {"name": "Via the API"}, format="json")

        assert response.status_code == expected, plan_key
        if expected == 403:
            body = assert_error(response, 403, "feature_unavailable")
            assert body["extra"]["recommended_plan"]["plan_key"] == "fame_flex"
            assert not Campaign.objects.filter(user=user).exists()
        else:
            assert client.get(CAMPAIGNS).json()["results"][0]["name"] == "Via the API"


def test_anonymous_requests_get_the_error_body():
    assert_error(APIClient().get(CAMPAIGNS), 401, "not_authenticated")


def test_schema_documents_the_campaign_endpoints_without_warnings(tmp_path):
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    text = schema.read_text()
    for operation in ("campaigns_list", "campaigns_create", "campaigns_searches_create", "searches_results",
                      "searches_cancel", "campaigns_export"):
        assert f"operationId: {operation}" in text
    assert "limited_to" in text


# End to end against the sandbox provider


def test_search_started_through_the_api_returns_its_creators(sandbox, make_subscriber):  # noqa: F811
    user = make_active(make_subscriber())
    campaign = make_campaign(user)
    client = api_for(user)
    started = client.post(reverse("api_campaign_searches", args=[campaign.pk]),
                          {"platform": "tiktok", "keywords": "skincare, #glow", "target_results": 30},
                          format="json").json()

    # The worker's steps, run here (the queued message is never delivered inside a test transaction).
    run_job(ScrapingJob.objects.get(pk=started["id"]))

    search = client.get(reverse("api_search_detail", args=[started["id"]])).json()
    assert (search["status"], search["found_count"], search["progress_percent"]) == ("completed", 30, 100)
    results = client.get(reverse("api_search_results", args=[started["id"]]), {"page_size": 100}).json()
    assert results["count"] == 30 and len(results["results"]) == 30
    assert {row["keyword"] for row in results["results"]} <= {"skincare", "#glow"}
    merged = client.get(reverse("api_campaign_results", args=[campaign.pk])).json()
    assert merged["count"] == 30
