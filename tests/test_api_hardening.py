"""What the API does with hostile callers: token guessing, plans without API access, bodies built to
break the parser or the database, ids of other people's things."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from accounts.authentication import FAILED_ATTEMPTS_LIMIT
from accounts.services import api_token_create
from campaigns.lists.models import CreatorList, CreatorListItem
from campaigns.models import Campaign
from campaigns.services import campaign_create
from influencer_platform.urls import api_v1
from scraping.models import ScrapingJob
from tests.campaigns.lists.support import make_creator, make_list, make_search

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
CAMPAIGNS = "/api/v1/campaigns/"
LISTS = "/api/v1/lists/"
HUGE = 2**64
API_PLAN_REFUSAL = {
    "code": "feature_unavailable",
    "message": "API access is not included in your Glow Up plan.",
    "extra": {"remaining": None, "recommended_plan": {"plan_key": "fame_flex", "name": "Fame Flex"}},
}


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def token_client(user) -> Client:
    _, secret = api_token_create(user=user, name="integration")
    return Client(headers=bearer(secret))


def post_json(client: Client, url: str, body, method: str = "post"):
    text = body if isinstance(body, str) else json.dumps(body)
    return client.generic(method.upper(), url, data=text.encode("utf-8", "surrogatepass"),
                          content_type="application/json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code
    return body


@pytest.fixture
def api_customer(make_customer):
    """A paying Fame Flex customer: a plan with API access."""
    return make_customer("fame_flex")


# Bad tokens


def test_token_limiter_never_blocks_a_valid_token_from_a_client_that_sent_bad_ones(client, api_customer):
    _, secret = api_token_create(user=api_customer, name="real")
    guesses = [client.get(ME, headers=bearer(f"cr_guess{n}")).status_code for n in range(FAILED_ATTEMPTS_LIMIT + 5)]

    assert guesses[:FAILED_ATTEMPTS_LIMIT] == [401] * FAILED_ATTEMPTS_LIMIT
    assert set(guesses[FAILED_ATTEMPTS_LIMIT:]) == {429}
    assert client.get(ME, headers=bearer(secret)).status_code == 200


def test_token_limiter_answers_a_guessing_client_429_and_others_401(client):
    for n in range(FAILED_ATTEMPTS_LIMIT):
        client.get(ME, headers=bearer(f"cr_guess{n}"), REMOTE_ADDR="203.0.113.5")

    throttled = client.get(ME, headers=bearer("cr_guessmore"), REMOTE_ADDR="203.0.113.5")
    body = assert_error(throttled, 429, "throttled")
    assert body["message"].startswith("Too many invalid API tokens.")
    assert int(throttled["Retry-After"]) > 0
    assert client.get(ME, headers=bearer("cr_other"), REMOTE_ADDR="198.51.100.7").status_code == 401


def test_token_limiter_counts_guesses_at_one_token_prefix_from_many_addresses(client, api_customer):
    _, secret = api_token_create(user=api_customer, name="target")
    prefix = secret[:8]
    for n in range(FAILED_ATTEMPTS_LIMIT):
        client.get(ME, headers=bearer(f"{prefix}wrong{n}"), REMOTE_ADDR=f"192.0.2.{n + 1}")

    assert client.get(ME, headers=bearer(f"{prefix}wrong-again"), REMOTE_ADDR="192.0.2.200").status_code == 429
    assert client.get(ME, headers=bearer("cr_Zzzzzwrong"), REMOTE_ADDR="192.0.2.201").status_code == 401
    assert client.get(ME, headers=bearer(secret), REMOTE_ADDR="192.0.2.202").status_code == 200


def test_token_limiter_tells_clients_behind_a_trusted_proxy_apart(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(FAILED_ATTEMPTS_LIMIT):
        client.get(ME, headers={**bearer(f"cr_guess{n}"), "X-Forwarded-For": "203.0.113.5"}, **proxy)

    # A client cannot pass for another by writing its own X-Forwarded-For: the proxy appends the real one.
    spoofed = client.get(ME, headers={**bearer("cr_guess"), "X-Forwarded-For": "198.51.100.7, 203.0.113.5"}, **proxy)
    neighbour = client.get(ME, headers={**bearer("cr_other"), "X-Forwarded-For": "198.51.100.7"}, **proxy)

    assert spoofed.status_code == 429
    assert neighbour.status_code == 401


def test_anonymous_throttle_ignores_forwarded_addresses_without_a_trusted_proxy(client):
    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    try:
        codes = [client.get("/api/schema/", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                 for n in range(3)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 429]


def test_trusted_proxy_count_is_read_from_the_environment_and_documented():
    assert django_settings.TRUSTED_PROXY_COUNT == 0
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.TRUSTED_PROXY_COUNT
    root = Path(django_settings.BASE_DIR)
    assert "TRUSTED_PROXY_COUNT=" in (root / ".env.example").read_text()
    assert "TRUSTED_PROXY_COUNT" in (root / "README.md").read_text()


# The API is a plan feature, whatever the credentials


def test_api_refuses_a_glow_up_session_naming_the_plan_with_api_access(client, make_customer):
    customer = make_customer("glow_up")
    client.force_login(customer)

    for response in (client.get(CAMPAIGNS), client.get(ME), client.get(LISTS),
                     client.post(LISTS, {"name": "Through the back door"})):
        assert response.status_code == 403
        assert response.json() == API_PLAN_REFUSAL
    assert not CreatorList.objects.exists()


def test_api_answers_a_fame_flex_session(client, api_customer):
    client.force_login(api_customer)
    assert client.get(CAMPAIGNS).status_code == 200
    assert client.get(ME).json()["plan"]["plan_key"] == "fame_flex"


def test_glow_up_customer_keeps_the_pages_and_the_api_docs(client, make_customer):
    customer = make_customer("glow_up")
    client.force_login(customer)
    campaign = campaign_create(user=customer, name="Spring")
    job = make_search(customer, [make_creator()], campaign=campaign)

    for url in (reverse("dashboard"), reverse("campaign_results", args=[campaign.pk]),
                reverse("search_detail", args=[job.pk]), reverse("list_index"), reverse("account_settings"),
                reverse("api_docs"), reverse("api_schema")):
        assert client.get(url).status_code == 200, url


def test_site_pages_call_no_api_endpoint():
    """The pages are server-rendered and call none of /api/v1/, which is why the API can be a plan
    feature for browser sessions too. A page script that needs an endpoint must not be refused."""
    root = Path(django_settings.BASE_DIR)
    route_names = "|".join(pattern.name for pattern in api_v1)
    calls = re.compile(rf"/api/v1|url ['\"]({route_names})['\"]")
    callers = [str(path.relative_to(root)) for folder in ("templates", "static")
               for path in (root / folder).rglob("*") if path.suffix in {".html", ".js"}
               and calls.search(path.read_text())]
    assert "api_campaign_list" in route_names
    assert callers == []


def test_api_docs_state_the_plan_rule():
    description = django_settings.SPECTACULAR_SETTINGS["DESCRIPTION"]
    assert "Fame Flex" in description or "API access" in description
    assert "session" in description


# Hostile bodies


def test_api_refuses_json_nested_50000_deep_with_the_error_body(api_customer):
    api = token_client(api_customer)
    deep_list = "[" * 50_000 + "]" * 50_000
    deep_object = '{"name": ' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}"

    for body in (deep_list, deep_object):
        assert_error(post_json(api, CAMPAIGNS, body), 400, "parse_error")
    assert not Campaign.objects.exists()


def test_api_refuses_lone_surrogates_in_text_choices_and_keywords(api_customer):
    api = token_client(api_customer)
    campaign = campaign_create(user=api_customer, name="Spring")

    assert_error(post_json(api, CAMPAIGNS, {"name": "Spring \ud800"}), 400, "parse_error")
    assert_error(post_json(api, CAMPAIGNS, {"name": "Fine", "search_type": "\ud800"}), 400, "parse_error")
    assert_error(post_json(api, f"{CAMPAIGNS}{campaign.pk}/searches/",
                           {"platform": "tiktok", "keywords": ["skin\udfffcare"], "target_results": 10}),
                 400, "parse_error")
    assert_error(post_json(api, f"{CAMPAIGNS}{campaign.pk}/searches/",
                           {"platform": "\ud800", "keywords": "skincare", "target_results": 10}), 400, "parse_error")
    assert_error(post_json(api, LISTS, {"name": "Fine", "tags": ["\ud83d"]}), 400, "parse_error")
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Spring"]
    assert not ScrapingJob.objects.exists() and not CreatorList.objects.exists()


def test_api_still_takes_real_emoji_written_as_surrogate_pairs(api_customer):
    response = post_json(token_client(api_customer), CAMPAIGNS, '{"name": "Glow \\ud83d\\ude00"}')
    assert response.status_code == 201
    assert response.json()["name"] == "Glow 😀"


def test_api_refuses_integers_beyond_64_bits_in_ids(api_customer):
    api = token_client(api_customer)
    creators = [make_creator(), make_creator()]
    campaign = campaign_create(user=api_customer, name="Spring")
    make_search(api_customer, creators, campaign=campaign)
    creator_list = make_list(api_customer, creators[:1])
    item = CreatorListItem.objects.get(creator_list=creator_list)
    items = f"{LISTS}{creator_list.pk}/items/"

    for body in ({"creator_ids": [creators[1].pk, HUGE]}, {"campaign_id": HUGE}, {"search_id": HUGE},
                 {"creator_ids": [-(2**70)]}, {"campaign_id": campaign.pk, "min_followers": HUGE}):
        fields = assert_error(post_json(api, items, body), 400, "invalid")["extra"]["fields"]
        assert set(fields) & {"creator_ids", "campaign_id", "search_id", "min_followers"}, body
    assert_error(post_json(api, f"{items}bulk/", {"action": "remove", "item_ids": [item.pk, HUGE]}), 400, "invalid")
    assert_error(post_json(api, f"{items}{item.pk}/", {"before_item_id": HUGE}, method="patch"), 400, "invalid")
    assert_error(post_json(api, f"{items}{item.pk}/", {"position": HUGE}, method="patch"), 400, "invalid")
    assert_error(post_json(api, f"{CAMPAIGNS}{campaign.pk}/searches/",
                           {"platform": "tiktok", "keywords": "skincare", "target_results": HUGE}), 400, "invalid")
    assert list(CreatorListItem.objects.filter(creator_list=creator_list).values_list("pk", flat=True)) == [item.pk]
    assert not ScrapingJob.objects.filter(campaign=campaign).exclude(target_results=2).exists()


def test_api_refuses_huge_numbers_in_query_filters(api_customer):
    api = token_client(api_customer)
    job = make_search(api_customer, [make_creator()])
    for query in (f"min_followers={HUGE}", f"max_followers={10**30}", f"page={10**30}", f"page_size={HUGE}"):
        response = api.get(f"/api/v1/searches/{job.pk}/results/?{query}")
        assert response.status_code in (400, 404), query
        assert set(response.json()) == {"code", "message", "extra"}


def test_list_pages_put_huge_or_foreign_digit_ids_on_the_form_instead_of_failing(client, make_customer):
    customer = make_customer("glow_up")
    client.force_login(customer)
    creators = [make_creator(), make_creator()]
    job = make_search(customer, creators)
    creator_list = make_list(customer, creators[:1])
    item = CreatorListItem.objects.get(creator_list=creator_list)

    added = client.post(reverse("list_add_results"),
                        {"job": job.pk, "creator": [creators[1].pk, HUGE], "target": creator_list.pk}, follow=True)
    by_campaign = client.post(reverse("list_add_results"),
                              {"campaign": HUGE, "creator": [creators[1].pk], "target": creator_list.pk}, follow=True)
    into = client.post(reverse("list_add_results"), {"job": job.pk, "creator": [creators[1].pk], "target": HUGE},
                       follow=True)
    # "²" is a digit to str.isdigit() and not to int().
    superscript = client.post(reverse("list_add_results"), {"job": job.pk, "creator": ["²"], "target": creator_list.pk},
                              follow=True)
    bulk = client.post(reverse("list_bulk", args=[creator_list.pk]), {"action": "remove", "item": [item.pk, HUGE]},
                       follow=True)
    moved = client.post(reverse("list_move", args=[creator_list.pk]),
                        {"item": item.pk, "bucket": "shortlist", "before": HUGE}, follow=True)
    paged = client.get(reverse("search_detail", args=[job.pk]), {"page": 10**30, "min_followers": HUGE})

    for response in (added, by_campaign, into, superscript, bulk, moved, paged):
        assert response.status_code == 200
    for response in (added, superscript, bulk):
        assert "Choose creators from the table." in response.content.decode()
    assert list(CreatorListItem.objects.filter(creator_list=creator_list).values_list("pk", "bucket")) == \
        [(item.pk, "backlog")]


# Ids of other people's things


def test_adding_another_users_campaign_to_a_list_answers_404_like_a_search(api_customer, make_customer):
    stranger = make_customer("fame_flex")
    theirs = campaign_create(user=stranger, name="Theirs")
    their_job = make_search(stranger, [make_creator()], campaign=theirs)
    creator_list = make_list(api_customer)
    api = token_client(api_customer)
    items = f"{LISTS}{creator_list.pk}/items/"

    by_campaign = post_json(api, items, {"campaign_id": theirs.pk})
    by_search = post_json(api, items, {"search_id": their_job.pk})

    assert assert_error(by_campaign, 404, "not_found")["message"] == "No such campaign."
    assert_error(by_search, 404, "not_found")
    assert not CreatorListItem.objects.filter(creator_list=creator_list).exists()
