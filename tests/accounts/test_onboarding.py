import pytest
from django.urls import reverse

from accounts.models import OnboardingStep
from billing.models import TrialClaim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    def login(**fields):
        user = UserFactory(**fields)
        client.force_login(user)
        return user

    return login


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (OnboardingStep.PENDING, "onboarding_info"),
        (OnboardingStep.INFO_CAPTURED, "onboarding_intent"),
        (OnboardingStep.INTENT_CAPTURED, "onboarding_plan"),
        (OnboardingStep.PLAN_SELECTED, "onboarding_plan"),
    ],
)
@pytest.mark.parametrize("page", ["dashboard", "campaign_list", "list_new", "billing", "account_settings"])
def test_onboarding_product_pages_send_unfinished_user_to_their_step(client, logged_in, step, expected, page):
    logged_in(onboarding_step=step)
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url == reverse(expected)


@pytest.mark.urls("tests.accounts.moved_urls")
@pytest.mark.parametrize(("page", "args"), [
    ("onboarding_info", []), ("account_email", []), ("billing_checkout_success", []), ("api_me", []),
    ("api_docs", []), ("admin:index", []), ("healthz", []), ("image_proxy", ["not-signed"]),
])
def test_onboarding_open_areas_stay_open_wherever_the_site_mounts_them(client, logged_in, page, args):
    logged_in()
    url = reverse(page, args=args)

    opened = client.get(url)
    product_page = client.get(reverse("dashboard"))

    assert url.startswith("/elsewhere/")
    assert opened.get("Location") != reverse("onboarding_info")
    assert product_page.url == reverse("onboarding_info") == "/elsewhere/onboarding/business/"


def test_onboarding_htmx_request_gets_hx_redirect(client, logged_in):
    logged_in()
    response = client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("onboarding_info")


def test_onboarding_full_wizard_ends_on_dashboard_with_a_trial(client, logged_in):
    user = logged_in(full_name="", business_name="")
    response = client.post(
        reverse("onboarding_info"),
        {"full_name": "Maya Lopez", "business_name": "Glow Botanics", "industry": "beauty"},
    )
    assert response.url == reverse("onboarding_intent")
    response = client.post(
        reverse("onboarding_intent"),
        {"brand_description": "Clean skincare for sensitive skin; beauty creators in the US."},
    )
    assert response.url == reverse("onboarding_plan")
    response = client.post(reverse("onboarding_plan"), {"plan_key": "viral_surge"})
    # Without Stripe keys the demo provider's checkout page stands in for Stripe Checkout; paying
    # there comes back to the success page, which reads the session back and starts the trial.
    assert response.url.startswith("/billing/demo/checkout/")
    response = client.post(response.url)
    assert reverse("billing_checkout_success") in response.url
    success = client.get(response.url)
    assert "Your Viral Surge trial has started" in success.content.decode()

    user.refresh_from_db()
    assert user.onboarding_step == OnboardingStep.COMPLETED
    assert (user.full_name, user.business_name) == ("Maya Lopez", "Glow Botanics")
    assert user.subscription.intended_plan == "viral_surge"
    assert user.subscription.subscription_status == "trialing"
    assert (user.subscription.trial_ends_at - user.subscription.trial_started_at).days == 7
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Viral Surge plan" in dashboard.content.decode()


def test_onboarding_info_rejects_long_business_name(client, logged_in):
    user = logged_in()
    response = client.post(
        reverse("onboarding_info"), {"full_name": "Maya", "business_name": "x" * 121, "industry": "beauty"}
    )
    assert response.status_code == 200
    assert "at most 120 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.onboarding_step == OnboardingStep.PENDING


def test_onboarding_intent_rejects_description_over_1500_characters(client, logged_in):
    user = logged_in(onboarding_step=OnboardingStep.INFO_CAPTURED, brand_description="kept")
    response = client.post(reverse("onboarding_intent"), {"brand_description": "y" * 1501})
    assert response.status_code == 200
    assert "at most 1500 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.brand_description == "kept"


def test_onboarding_plan_step_rejects_unknown_plan(client, logged_in):
    logged_in(onboarding_step=OnboardingStep.INTENT_CAPTURED)
    response = client.post(reverse("onboarding_plan"), {"plan_key": "platinum"})
    assert response.status_code == 200
    assert "Choose one of the plans shown." in response.content.decode()


def test_onboarding_cannot_skip_ahead_to_the_plan(client, logged_in):
    logged_in(onboarding_step=OnboardingStep.PENDING)
    response = client.post(reverse("onboarding_plan"), {"plan_key": "glow_up"})
    assert response.status_code == 302
    assert not TrialClaim.objects.exists()


def test_onboarding_second_trial_for_same_person_is_refused(client, logged_in):
    logged_in(email="maya.lopez@gmail.com", onboarding_step=OnboardingStep.INTENT_CAPTURED)
    client.post(reverse("onboarding_plan"), {"plan_key": "glow_up"})
    client.logout()
    second = logged_in(email="mayalopez+again@googlemail.com", onboarding_step=OnboardingStep.INTENT_CAPTURED)
    response = client.post(reverse("onboarding_plan"), {"plan_key": "glow_up"})
    assert response.status_code == 200
    assert "A free trial has already been used with this email address" in response.content.decode()
    second.refresh_from_db()
    assert second.subscription.subscription_status == "none"


def test_onboarding_pages_redirect_a_finished_user_to_the_dashboard(client, subscriber):
    client.force_login(subscriber)
    for name in ("onboarding", "onboarding_info", "onboarding_intent", "onboarding_plan"):
        assert client.get(reverse(name)).url == reverse("dashboard")
