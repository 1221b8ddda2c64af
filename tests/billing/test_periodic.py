"""Trial expiry, monthly usage reset and reconcile: as services, cron actors and commands."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import UserBilling, UserSubscription, UserUsage
from billing.models import BillingEvent, DemoBillingObject
from billing.services.emails import lifecycle_email_send
from billing.services.periodic import subscriptions_reconcile, trial_expiry_sweep, usage_reset_sweep
from billing.models import TrialClaim
from billing.providers.base import SubscriptionState
from billing.services.subscriptions import checkout_start, demo_checkout_complete, subscription_state_apply

pytestmark = pytest.mark.django_db


def test_trial_expiry_sweep_ends_trials_and_sends_the_email_once(subscriber, mailoutbox):
    ended = timezone.now() - timedelta(minutes=1)
    UserSubscription.objects.filter(user=subscriber).update(trial_ends_at=ended)
    result = trial_expiry_sweep()
    assert (result.checked, result.changed) == (1, 1)
    assert trial_expiry_sweep().checked == 0  # nothing left to do

    subscriber.refresh_from_db()
    assert (subscriber.subscription.subscription_status, subscriber.subscription.trial_status) == ("none", "expired")
    assert BillingEvent.objects.filter(user=subscriber, event_type="trial.expired").count() == 1
    for _ in range(2):  # the message from the sweep and the one scheduled at trial start
        lifecycle_email_send(user_id=subscriber.pk, key="trial_expired")
    assert [m.subject for m in mailoutbox] == ["Your Creator Radar trial has ended"]
    assert subscriber.system_data.email_schedule_status  # recorded per user
    subscriber.system_data.refresh_from_db()
    schedule = subscriber.system_data.email_schedule_status
    assert schedule["trial_expired"]["status"] == "sent"
    assert schedule["trial_day_5"]["status"] == "cancelled"


def test_usage_resets_on_the_renewal_date_once(subscriber):
    UserUsage.objects.filter(user=subscriber).update(creators_used_this_month=700, usage_reset_date=date(2026, 1, 31))
    today = date(2026, 2, 15)
    assert usage_reset_sweep(today=today).changed == 1
    assert usage_reset_sweep(today=today).changed == 0
    usage = UserUsage.objects.get(user=subscriber)
    assert (usage.creators_used_this_month, usage.usage_reset_date) == (0, date(2026, 2, 28))
    assert BillingEvent.objects.filter(user=subscriber, event_type="usage.reset").count() == 1


def test_reconcile_catches_up_with_a_trial_the_provider_converted(make_subscriber, rf):
    user = make_subscriber()
    UserSubscription.objects.filter(user=user).update(subscription_status="none", trial_status="not_started",
                                                      trial_started_at=None)
    TrialClaim.objects.filter(user=user).delete()
    url = checkout_start(user=user, plan_key="glow_up", cycle="monthly",
                         success_url="http://x/?session_id={CHECKOUT_SESSION_ID}", cancel_url="http://x/")
    session_id = url.rstrip("/").rsplit("/", 1)[1]
    demo_checkout_complete(user=user, session_id=session_id)
    user.refresh_from_db()
    assert user.subscription.trial_status == "active"

    # Time passes on the provider's side: the trial ended and the card was charged. No webhook.
    sub = DemoBillingObject.objects.get(pk=user.billing.stripe_subscription_id)
    past = int((timezone.now() - timedelta(hours=1)).timestamp())
    sub.data.update(trial_end=past, current_period_end=past)
    sub.save()
    UserSubscription.objects.filter(user=user).update(trial_ends_at=timezone.now() - timedelta(hours=1))

    result = subscriptions_reconcile()
    assert result.checked == 1 and result.changed == 1
    user.refresh_from_db()
    assert (user.subscription.subscription_status, user.subscription.trial_status) == ("active", "converted")
    assert user.subscription.current_period_end > timezone.now()
    assert subscriptions_reconcile().changed == 1  # applied again, same state
    assert BillingEvent.objects.filter(user=user, event_type="trial.converted").count() == 1


def test_periodic_work_runs_as_management_commands(subscriber, capsys):
    call_command("trial_expiry_sweep")
    call_command("usage_reset_sweep")
    call_command("subscriptions_reconcile")
    out = capsys.readouterr().out
    assert "trials checked 0" in out and "usage counters due 0" in out and "subscriptions checked 0" in out


def test_periodic_work_is_scheduled_by_cron():
    from dramatiq_crontab import scheduler

    import billing.actors  # noqa: F401  (registers the cron jobs)

    scheduled = {job.name for job in scheduler.get_jobs()}
    assert {"trial_expiry_sweep", "usage_reset_sweep", "subscriptions_reconcile"} <= scheduled


def test_monthly_allowance_follows_the_renewal_date_stripe_keeps(make_subscriber):
    """Renewing on the 31st: the sweep's calendar step lands on the 28th, Stripe renews on the 31st."""
    user = make_subscriber()
    UserBilling.objects.filter(user=user).update(stripe_subscription_id="sub_anchor")
    today = timezone.now().date()

    def renewal(period_end):
        return SubscriptionState(
            id="sub_anchor", customer_id="", status="active", price_id="demo_glow_up_monthly", interval="month",
            current_period_end=period_end, trial_start=None, trial_end=None, cancel_at_period_end=False,
            canceled_at=None,
        )

    subscription_state_apply(user_id=user.pk, state=renewal(timezone.now() + timedelta(days=5)), as_of=timezone.now())
    # As the sweep left it after a short month: three days before Stripe's renewal.
    UserUsage.objects.filter(user=user).update(usage_reset_date=today + timedelta(days=27), creators_used_this_month=40)
    period_end = timezone.now() + timedelta(days=30)
    subscription_state_apply(user_id=user.pk, state=renewal(period_end), as_of=timezone.now() + timedelta(seconds=1))
    usage = UserUsage.objects.get(user=user)
    assert (usage.usage_reset_date, usage.creators_used_this_month) == (period_end.date(), 40)

    # A reset that is due is never moved away by a renewal read before the sweep ran.
    UserUsage.objects.filter(user=user).update(usage_reset_date=today)
    subscription_state_apply(user_id=user.pk, state=renewal(timezone.now() + timedelta(days=1)),
                             as_of=timezone.now() + timedelta(seconds=2))
    assert UserUsage.objects.get(user=user).usage_reset_date == today
