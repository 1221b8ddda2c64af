"""The account lifecycle as events: each written once, with the correlation id of the request behind it."""

from __future__ import annotations

import re
from datetime import timedelta

import dramatiq
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import LifecycleEvent, LifecycleEventKind, OnboardingStep, User
from accounts.services import onboarding_complete, onboarding_info_capture, onboarding_intent_capture
from adminpanel.models import BackgroundJob
from adminpanel.operator.selectors import lifecycle_funnel_per_week
from billing.services import trial_start
from billing.services.events import event_record
from billing.services.subscriptions import trial_expire
from influencer_platform import actor_names
from tests.factories import UserFactory

PASSWORD = "a-Sturdy-passphrase-42"


def kinds(user) -> list[tuple[str, str]]:
    return list(LifecycleEvent.objects.filter(user=user).order_by("id").values_list("kind", "key"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_up_and_confirmation_write_events_with_the_request_id_carried_into_jobs(client):
    broker = dramatiq.get_broker()
    broker.flush_all()
    response = client.post(reverse("account_signup"), {"email": "maya@glowbrand.co", "password1": PASSWORD,
                                                        "password2": PASSWORD}, HTTP_X_REQUEST_ID="signup-req-0001")
    assert response["X-Request-ID"] == "signup-req-0001"
    user = User.objects.get(email="maya@glowbrand.co")

    registered = LifecycleEvent.objects.get(user=user, kind=LifecycleEventKind.REGISTERED)
    assert registered.correlation_id == "signup-req-0001"
    welcome = BackgroundJob.objects.get(actor_name=actor_names.WELCOME_EMAIL)
    assert (welcome.args, welcome.correlation_id) == ([user.pk], "signup-req-0001")

    message = next(m for m in reversed(mail.outbox) if "confirm-email" in m.body)
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)
    client.post(path, HTTP_X_REQUEST_ID="confirm-req-0002")
    client.post(path, HTTP_X_REQUEST_ID="confirm-req-0003")  # a second click changes nothing

    confirmed = LifecycleEvent.objects.filter(user=user, kind=LifecycleEventKind.EMAIL_CONFIRMED)
    assert [event.correlation_id for event in confirmed] == ["confirm-req-0002"]
    broker.flush_all()


@pytest.mark.django_db
def test_onboarding_steps_and_trial_are_each_recorded_once():
    user = UserFactory()

    onboarding_info_capture(user=user, full_name="Maya Lee", business_name="Glow", industry="beauty")
    onboarding_info_capture(user=user, full_name="Maya Lee", business_name="Glow", industry="beauty")
    onboarding_intent_capture(user=user, brand_description="Clean skincare for busy people")
    trial_start(user=user, plan_key="glow_up")  # completes onboarding too
    onboarding_complete(user=user)

    assert kinds(user) == [
        (LifecycleEventKind.ONBOARDING_STEP, OnboardingStep.INFO_CAPTURED),
        (LifecycleEventKind.ONBOARDING_STEP, OnboardingStep.INTENT_CAPTURED),
        (LifecycleEventKind.ONBOARDING_STEP, OnboardingStep.COMPLETED),
        (LifecycleEventKind.TRIAL_STARTED, ""),
    ]
    assert LifecycleEvent.objects.get(user=user, kind=LifecycleEventKind.TRIAL_STARTED).data["plan_key"] == "glow_up"

    later = timezone.now() + timedelta(days=8)
    assert trial_expire(user_id=user.pk, now=later) == "expired"
    assert trial_expire(user_id=user.pk, now=later) == "not_due"
    assert kinds(user)[-1] == (LifecycleEventKind.TRIAL_EXPIRED, "")
    assert LifecycleEvent.objects.filter(user=user, kind=LifecycleEventKind.TRIAL_EXPIRED).count() == 1


@pytest.mark.django_db
def test_each_subscription_change_is_one_event_and_a_repeated_webhook_adds_none():
    user = UserFactory()
    for key in ("stripe:evt_1", "stripe:evt_1", "stripe:evt_2"):
        event_record(event_type="subscription.changed", aggregate="subscription:sub_1", user_id=user.pk,
                     idempotency_key=key, data={"after": {"status": "active"}})

    changes = LifecycleEvent.objects.filter(user=user, kind=LifecycleEventKind.SUBSCRIPTION_CHANGED)
    assert sorted(changes.values_list("key", flat=True)) == ["stripe:evt_1", "stripe:evt_2"]


@pytest.mark.django_db
def test_funnel_counts_accounts_per_week_and_stage_leaving_out_test_accounts():
    today = timezone.localdate()
    this_week = timezone.now()
    last_week = this_week - timedelta(days=7)
    shoppers = [UserFactory() for _ in range(3)]
    tester = UserFactory(is_test_data=True)
    for user in [*shoppers, tester]:
        LifecycleEvent.objects.create(user=user, kind=LifecycleEventKind.REGISTERED, occurred_at=last_week)
    for user in shoppers[:2]:
        LifecycleEvent.objects.create(user=user, kind=LifecycleEventKind.ONBOARDING_STEP,
                                      key=OnboardingStep.COMPLETED, occurred_at=last_week)
        LifecycleEvent.objects.create(user=user, kind=LifecycleEventKind.TRIAL_STARTED, occurred_at=last_week)
    LifecycleEvent.objects.create(user=shoppers[0], kind=LifecycleEventKind.TRIAL_CONVERTED, occurred_at=this_week)
    # Two plan changes of one payer in a week count once.
    for key in ("a", "b"):
        LifecycleEvent.objects.create(user=shoppers[1], kind=LifecycleEventKind.SUBSCRIPTION_CHANGED, key=key,
                                      data={"after": {"status": "active"}}, occurred_at=this_week)

    weeks = lifecycle_funnel_per_week(today=today)

    assert len(weeks) == 12 and weeks[-1].start == today - timedelta(days=today.weekday())
    assert weeks[-2].counts == {"signed_up": 3, "onboarded": 2, "trial": 2, "paid": 0}
    assert weeks[-1].counts == {"signed_up": 0, "onboarded": 0, "trial": 0, "paid": 2}
    assert all(sum(week.counts.values()) == 0 for week in weeks[:-2])


@pytest.mark.django_db
def test_ops_overview_shows_the_funnel_chart(client):
    operator = UserFactory(is_admin=True)
    LifecycleEvent.objects.create(user=UserFactory(), kind=LifecycleEventKind.REGISTERED)
    client.force_login(operator)

    html = client.get(reverse("admin:ops_overview")).content.decode()

    assert "Sign-up funnel" in html
    assert "Accounts per week: signed up, onboarded, trial, paid (last 12 weeks)" in html
