import pytest
from django.urls import reverse

from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

from accounts.authentication import FAILED_ATTEMPTS_LIMIT
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_me_with_token_on_a_plan_with_api_access(client, make_subscriber):
    user = make_subscriber("fame_flex")
    _, secret = api_token_create(user=user, name="CRM sync")
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email
    assert body["plan"]["plan_key"] == "fame_flex"
    assert body["plan"]["creators_limit"] == -1
    assert body["subscription"]["status"] == "trialing"
    assert 0 < body["trial_seconds_left"] <= 7 * 86400
    assert body["usage"]["creators_this_month"] == {"used": 0, "limit": -1, "remaining": None}
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_me_token_without_api_feature_gets_error_body_with_recommendation(client, subscriber):
    _, secret = api_token_create(user=subscriber, name="zap")
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 403
    assert response.json() == {
        "code": "feature_unavailable",
        "message": "API access is not included in your Glow Up plan.",
        "extra": {"remaining": None, "recommended_plan": {"plan_key": "fame_flex", "name": "Fame Flex"}},
    }


def test_revoked_or_unknown_token_is_refused_with_error_body(client, make_subscriber):
    user = make_subscriber("fame_flex")
    token, secret = api_token_create(user=user, name="old")
    api_token_revoke(user=user, token_id=token.pk)
    for headers in (bearer(secret), bearer("cr_not-a-real-token")):
        response = client.get(ME, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
        assert response.json()["message"] == "Invalid or revoked API token."
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_request_gets_not_authenticated_body(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "extra": {},
    }


def test_session_without_the_api_feature_is_refused_like_a_token(client, subscriber):
    client.force_login(subscriber)
    response = client.get(ME)
    assert response.status_code == 403
    assert response.json()["code"] == "feature_unavailable"
    assert response.json()["extra"]["recommended_plan"]["plan_key"] == "fame_flex"


def test_session_auth_works_for_me_on_a_plan_with_the_api(client, make_subscriber):
    client.force_login(make_subscriber("fame_flex"))
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["plan"]["plan_key"] == "fame_flex"


def test_api_throttles_a_busy_user(client, make_subscriber):
    # DRF reads rates once at import; point the throttle at a small rate for this test.
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/minute"}
    client.force_login(make_subscriber("fame_flex"))
    try:
        responses = [client.get(ME) for _ in range(4)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1].json()["code"] == "throttled"
    assert int(responses[-1]["Retry-After"]) > 0


def test_api_stops_answering_a_client_that_guesses_tokens(client, make_subscriber):
    user = make_subscriber("fame_flex")
    _, secret = api_token_create(user=user, name="real")
    codes = [client.get(ME, headers=bearer(f"cr_guess{n}")).status_code for n in range(FAILED_ATTEMPTS_LIMIT)]
    assert set(codes) == {401}
    response = client.get(ME, headers=bearer("cr_one-more-guess"))
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    # The limit slows guessing; the real token still works.
    assert client.get(ME, headers=bearer(secret)).status_code == 200


def test_tokens_are_created_and_revoked_on_the_settings_page(client, make_subscriber):
    user = make_subscriber("fame_flex")
    client.force_login(user)
    response = client.post(reverse("api_token_create"), {"name": "Reporting"}, follow=True)
    page = response.content.decode()
    assert "Copy your new token now" in page
    secret = page.split('data-testid="new-token">')[1].split("<")[0]
    assert client.get(ME, headers=bearer(secret)).status_code == 200
    # The secret is shown once only.
    assert "Copy your new token now" not in client.get(reverse("account_settings")).content.decode()

    token = ApiToken.objects.get(user=user)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert client.get(ME, headers=bearer(secret)).status_code == 401


def test_token_of_another_user_cannot_be_revoked(client, make_subscriber):
    owner, intruder = make_subscriber("fame_flex"), make_subscriber("fame_flex")
    token, secret = api_token_create(user=owner, name="mine")
    client.force_login(intruder)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert client.get(ME, headers=bearer(secret)).status_code == 200


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr.net" not in docs.content and b"unpkg.com" not in docs.content
