"""Plans sell only what the product delivers: every feature a plan card names opens something, and
a plan without it is refused that thing with the plan that has it."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from billing.models import Feature, SubscriptionPlan
from campaigns.services import campaign_create, campaign_search_start
from tests.adminpanel.conftest import change_form_data
from tests.factories import OnboardedUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def plan_card_features(html: str) -> list[str]:
    """The lines of the plan cards' feature lists that are features, not limits."""
    items = []
    for block in html.split('<ul class="plan-features">')[1:]:
        for item in block.split("</ul>", 1)[0].split("<li>")[1:]:
            text = item.split("</li>", 1)[0].strip()
            if not text.endswith(("campaigns", "creators / month")):
                items.append(text)
    return items


def test_plan_cards_name_only_features_the_product_delivers(client, make_subscriber):
    landing = client.get(reverse("landing")).content.decode()
    client.force_login(make_subscriber("glow_up"))
    plans = client.get(reverse("billing_plans")).content.decode()
    client.force_login(OnboardedUserFactory(onboarding_step="intent_captured"))
    onboarding = client.get(reverse("onboarding_plan")).content.decode()

    for page in (landing, plans, onboarding):
        named = plan_card_features(page)
        assert "Priority support" not in page
        assert set(named) == {"CSV export", "Basic analytics", "Advanced analytics", "API access"}
        assert set(named) <= set(Feature.labels)


def test_seeded_plans_no_longer_include_priority_support():
    features = {plan.plan_key: plan.features for plan in SubscriptionPlan.objects.all()}

    assert features["viral_surge"] == ["csv_export", "basic_analytics", "advanced_analytics"]
    assert features["fame_flex"] == ["csv_export", "basic_analytics", "advanced_analytics", "api"]


def test_retiring_priority_support_removes_it_from_plans_an_operator_edited():
    migration = importlib.import_module("billing.migrations.0005_plans_without_priority_support")
    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=["priority_support", "csv_export"])

    migration.drop_retired_feature(apps, None)

    assert SubscriptionPlan.objects.get(plan_key="glow_up").features == ["csv_export"]


def test_plan_refuses_a_feature_the_product_does_not_have():
    plan = SubscriptionPlan.objects.get(plan_key="glow_up")
    plan.features = ["csv_export", "priority_support"]

    with pytest.raises(ValidationError) as refused:
        plan.full_clean()

    assert "Not a feature the product has: priority_support" in str(refused.value)


def test_plan_card_leaves_out_a_feature_it_does_not_know():
    plan = SubscriptionPlan(features=["api", "white_glove", "csv_export"])

    assert plan.feature_labels() == ["CSV export", "API access"]


def test_each_feature_a_card_names_is_refused_without_it_with_the_plan_that_has_it(client, make_subscriber):
    user = make_subscriber("glow_up")
    SubscriptionPlan.objects.filter(plan_key="glow_up").update(features=[])
    campaign = campaign_create(user=user, name="Spring launch")
    job = campaign_search_start(user=user, campaign=campaign, platform="tiktok", search_type="keyword",
                                keywords="skincare", target_results=100, dispatch=False)
    client.force_login(user)

    export = client.get(reverse("search_export", args=[job.pk]), follow=True).content.decode()
    basic = client.get(reverse("campaign_analytics", args=[campaign.pk]))
    advanced = client.get(reverse("campaign_comparison"))
    _, secret = api_token_create(user=user, name="CRM sync")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    token_request = api.get("/api/v1/me")

    assert "CSV export is not included in your Glow Up plan. Viral Surge includes it." in export
    assert basic.status_code == 403 and "The Viral Surge plan includes" in basic.content.decode()
    assert advanced.status_code == 403 and "The Viral Surge plan includes" in advanced.content.decode()
    assert token_request.status_code == 403
    assert token_request.json()["extra"]["recommended_plan"]["plan_key"] == "fame_flex"


def test_plan_admin_ticks_features_from_those_the_product_has(client):
    client.force_login(UserFactory(is_admin=True))
    plan = SubscriptionPlan.objects.get(plan_key="glow_up")
    url = reverse("admin:billing_subscriptionplan_change", args=[plan.pk])
    page = client.get(url)
    data = change_form_data(client, url)

    response = client.post(url, {**data, "features": ["csv_export", "advanced_analytics"]})
    refused = client.post(url, {**data, "features": ["csv_export", "priority_support"]})

    assert response.status_code == 302
    assert SubscriptionPlan.objects.get(pk=plan.pk).features == ["csv_export", "advanced_analytics"]
    assert 'value="basic_analytics"' in page.content.decode()
    assert "Priority support" not in page.content.decode()
    assert refused.status_code == 200 and "priority_support is not one of the available choices" in \
        refused.content.decode()
