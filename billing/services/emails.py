"""Lifecycle emails: scheduled with delayed actors, each sent at most once per user.

``UserSystemData.email_schedule_status`` holds one entry per email key (``trial_day_2``,
``payment_failed:in_123``, ``search_finished:42``…)::

    {"template": "trial_day_2", "status": "scheduled" | "sending" | "sent" | "cancelled" | "failed",
     "due": ISO time, "at": ISO time of the last change, "context": {...}}

A key is scheduled once, ever. Rescheduling moves ``due`` and sends a new delayed message; the old
message then finds itself early and does nothing. When a message is due, the email's rule decides
against the user's state *now*: send it, wait (the thing it announces is not decided yet), or
cancel it (no longer true: a converted trial gets no "trial ended" mail). The entry is claimed
under a row lock and committed before the HTTP call; the provider gets an idempotency key built
from the user and the key, so a retry after a crash cannot deliver twice either.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import BillingCycle, SubscriptionStatus, TrialStatus, User, UserSubscription, UserSystemData
from adminpanel.config import EMAIL_SWITCHES, config_get, feature_on
from influencer_platform import actor_names
from influencer_platform.errors import ProviderPermanentError
from influencer_platform.jobs import actor_send

from ..emails import EMAIL_TEMPLATES, email_deliver
from ..selectors import OVERDUE_STATUSES, money_text, plan_for_user, plan_price_cents, trial_days

logger = logging.getLogger(__name__)

TRIAL_EMAIL_KEYS = ("trial_day_2", "trial_day_5", "trial_expired")
SEARCH_EMAIL_TEMPLATES = ("search_finished", "search_digest")
# Stripe keeps the invoice of a trial's end as a draft for about an hour before charging it
# (https://docs.stripe.com/billing/subscriptions/overview#invoice-lifecycle), while the
# subscription already reads "active": the thank-you waits until the charge is known to be paid
# (``invoice.paid`` moves it to now) or this long at most.
FIRST_CHARGE_WAIT = timedelta(hours=2)
# A trial that ended overdue waits this long for the failed invoice, whose amount the email states.
FAILED_INVOICE_WAIT = timedelta(minutes=10)
# Stripe's retries of one invoice all fall within this span after the trial's end; any failure
# later than that is a renewal's, and gets the ordinary "payment failed" email.
FIRST_CHARGE_RETRY_SPAN = timedelta(days=14)
# A claim younger than this is another worker sending right now; older, that worker died. Well
# above the actor's time limit, well below the span of its retries.
SENDING_LEASE = timedelta(minutes=5)
# Delayed messages may arrive a little early; this much is still "due".
EARLY_TOLERANCE = timedelta(seconds=30)


class EmailInFlightError(Exception):
    """Another delivery of this email was claimed moments ago and has not finished.

    Raised rather than answered with "nothing to do": if that worker died, this message is the
    one left to send the email, so it must be retried (after the lease) instead of acknowledged.
    """


class Rule(Enum):
    SEND = "send"
    WAIT = "wait"
    CANCEL = "cancel"


def welcome_email_schedule(*, user_id: int) -> bool:
    """At sign-up."""
    return email_schedule(user_id=user_id, key="welcome", send_at=timezone.now() + config_get("emails.welcome_delay"))


def _template_of(key: str) -> str:
    return key.split(":", 1)[0]


def _rule(user: User, template: str, context: dict[str, Any]) -> Rule:
    """Whether the email is still true for this user now."""
    subscription = user.subscription
    status = subscription.subscription_status
    if template in ("trial_started", "trial_day_2", "trial_day_5"):
        active = subscription.trial_status == TrialStatus.ACTIVE and subscription.is_trialing
        return Rule.SEND if active else Rule.CANCEL
    if template == "trial_expired":
        if status in OVERDUE_STATUSES:
            return Rule.CANCEL  # the trial ended on a failed charge: "trial_payment_failed" says so
        if subscription.trial_status == TrialStatus.EXPIRED:
            return Rule.SEND
        # Still running: the sweep or Stripe decides how it ends, then this email is sent or cancelled.
        return Rule.WAIT if subscription.trial_status == TrialStatus.ACTIVE else Rule.CANCEL
    if template == "trial_payment_failed":
        if status in (SubscriptionStatus.NONE, SubscriptionStatus.CANCELED):
            return Rule.CANCEL
        if context.get("invoice_id"):
            # Stripe's word that the charge failed; the subscription's own update may still be on its way.
            return Rule.SEND
        return Rule.SEND if status in OVERDUE_STATUSES else Rule.CANCEL
    if template == "subscription_welcome":
        if status == SubscriptionStatus.CANCELED:
            return Rule.CANCEL
        # Not paid yet (the invoice's webhook came first) or the first charge failed: a thank-you
        # now would contradict the failure email. The plan becoming active schedules it again.
        return Rule.SEND if status == SubscriptionStatus.ACTIVE else Rule.WAIT
    if template == "payment_failed":
        gone = status in (SubscriptionStatus.NONE, SubscriptionStatus.CANCELED)
        return Rule.CANCEL if gone else Rule.SEND
    if EMAIL_TEMPLATES[template].opt_out:
        return Rule.SEND if user.system_data.search_finished_emails else Rule.CANCEL
    return Rule.SEND


def _trial_end_outcome(user: User) -> str:
    """What the end of the trial does: ``charge`` the card given at checkout, nothing because the
    user ``cancelled``, or nothing because ``no_card`` was ever asked for (a trial started without
    the payment provider)."""
    if not user.billing.stripe_subscription_id:
        return "no_card"
    return "cancelled" if user.subscription.cancel_at_period_end else "charge"


def lifecycle_email_context(user: User) -> dict[str, Any]:
    subscription = user.subscription
    plan = plan_for_user(user=user)
    ends_at = subscription.trial_ends_at
    days_left = max(0, math.ceil((ends_at - timezone.now()).total_seconds() / 86400)) if ends_at else 0
    yearly = subscription.billing_cycle == BillingCycle.YEARLY
    return {
        "user_name": user.display_name,
        "plan_name": plan.name,
        "trial_ends_at": ends_at,
        "trial_days": trial_days(),
        "days_left": days_left,
        # What the plan costs a period; the email of a failed charge replaces it with the invoice's.
        "amount": money_text(plan_price_cents(plan=plan, cycle=subscription.billing_cycle), plan.currency),
        "billing_period": "year" if yearly else "month",
        "card_last4": user.billing.card_last4,
        "trial_end_outcome": _trial_end_outcome(user),
        "billing_url": f"{settings.SITE_URL}/billing/",
        "plans_url": f"{settings.SITE_URL}/billing/plans/",
        "dashboard_url": f"{settings.SITE_URL}/dashboard/",
        "settings_url": f"{settings.SITE_URL}/settings/",
    }


def _locked_system_data(user_id: int) -> UserSystemData:
    return UserSystemData.objects.select_for_update().get(user_id=user_id)


def _save_schedule(system_data: UserSystemData) -> None:
    system_data.save(update_fields=["email_schedule_status"])


@transaction.atomic
def email_schedule(
    *, user_id: int, key: str, send_at: datetime, context: dict[str, Any] | None = None
) -> bool:
    """Schedule ``key`` for ``send_at``; a key already known is moved, never duplicated.

    Returns False when the key was already sent or cancelled.
    """
    system_data = _locked_system_data(user_id)
    schedule = system_data.email_schedule_status
    entry = schedule.get(key)
    now = timezone.now()
    if entry is not None and entry["status"] in ("sent", "cancelled", "sending"):
        return False
    if entry is not None and parse_datetime(entry["due"]) == send_at:
        return True  # already scheduled for that moment
    schedule[key] = {
        **(entry or {}),
        "template": _template_of(key),
        "status": "scheduled",
        "due": send_at.isoformat(),
        "at": now.isoformat(),
        **({"context": context} if context else {}),
    }
    _save_schedule(system_data)
    delay = max(0.0, (send_at - now).total_seconds())
    transaction.on_commit(lambda: actor_send(actor_names.LIFECYCLE_EMAIL, user_id, key, delay=delay))
    return True


@transaction.atomic
def email_schedule_cancel(*, user_id: int, keys: tuple[str, ...] | list[str]) -> list[str]:
    """Cancel the given keys that have not been sent; returns the ones cancelled."""
    system_data = _locked_system_data(user_id)
    schedule = system_data.email_schedule_status
    cancelled = []
    for key in keys:
        entry = schedule.get(key)
        if entry is not None and entry["status"] == "scheduled":
            entry.update(status="cancelled", at=timezone.now().isoformat())
            cancelled.append(key)
    if cancelled:
        _save_schedule(system_data)
    return cancelled


def trial_emails_schedule(*, user_id: int, started_at: datetime, ends_at: datetime) -> None:
    email_schedule(user_id=user_id, key="trial_started", send_at=timezone.now())
    day_2 = started_at + config_get("emails.trial_day2_after")
    day_5 = started_at + config_get("emails.trial_day5_after")
    # A trial shortened by an operator skips the reminders that would land after it ends.
    if day_2 < ends_at:
        email_schedule(user_id=user_id, key="trial_day_2", send_at=day_2)
    if day_5 < ends_at:
        email_schedule(user_id=user_id, key="trial_day_5", send_at=day_5)
    email_schedule(user_id=user_id, key="trial_expired", send_at=ends_at)


@transaction.atomic
def _claim(user_id: int, key: str, context: dict[str, Any] | None) -> tuple[str, str, dict[str, Any]] | None:
    system_data = _locked_system_data(user_id)
    user = User.objects.select_related("subscription", "billing", "system_data").get(pk=user_id)
    schedule = system_data.email_schedule_status
    now = timezone.now()
    entry = schedule.get(key)
    if entry is None:
        # Sent straight away, without a schedule (welcome, search finished).
        entry = schedule[key] = {"template": _template_of(key), "status": "scheduled", "due": now.isoformat()}
        if context:
            entry["context"] = context
    status = entry["status"]
    if status in ("sent", "cancelled"):
        return None
    if status == "sending" and now - parse_datetime(entry["at"]) < SENDING_LEASE:
        raise EmailInFlightError(f"{key} is being sent to user {user_id}")
    due = parse_datetime(entry.get("due") or now.isoformat())
    if due - now > EARLY_TOLERANCE:
        # A message from before the email was rescheduled; the new one will come.
        return None
    template = entry["template"]
    if user.is_test_data:
        # Operators' test accounts live under a reserved domain: a send could only bounce, and
        # bounces cost the sending domain its reputation.
        entry.update(status="cancelled", at=now.isoformat(), reason="test account")
        _save_schedule(system_data)
        return None
    switch = "search_finished" if template in SEARCH_EMAIL_TEMPLATES else template
    if switch in EMAIL_SWITCHES and not feature_on(f"email.{switch}"):
        # Switched off by an operator: cancelled rather than held, so switching it back on does
        # not send a pile of stale reminders.
        entry.update(status="cancelled", at=now.isoformat(), reason="switched off")
        _save_schedule(system_data)
        return None
    user.system_data = system_data
    rule = _rule(user, template, entry.get("context", {}))
    if rule is Rule.WAIT:
        return None
    if rule is Rule.CANCEL:
        entry.update(status="cancelled", at=now.isoformat())
        _save_schedule(system_data)
        return None
    entry.update(status="sending", at=now.isoformat())
    _save_schedule(system_data)
    return template, user.email, {**lifecycle_email_context(user), **entry.get("context", {})}


@transaction.atomic
def _mark(user_id: int, key: str, status: str) -> None:
    system_data = _locked_system_data(user_id)
    entry = system_data.email_schedule_status.get(key)
    if entry is not None:
        entry.update(status=status, at=timezone.now().isoformat())
        _save_schedule(system_data)


def lifecycle_email_send(*, user_id: int, key: str, context: dict[str, Any] | None = None) -> bool:
    """Send the email ``key`` to the user if it is due and still true; True when it was sent.

    Safe to call any number of times for the same key: it is delivered once. Raises
    ``EmailInFlightError`` while another call is sending it (the caller's retry settles it).
    """
    claim = _claim(user_id, key, context)
    if claim is None:
        return False
    template, to, full_context = claim
    try:
        email_deliver(
            to=to, key=template, context=full_context,
            idempotency_key=f"lifecycle-{user_id}-{key}",
        )
    except ProviderPermanentError:
        # Resend refused this message for good (a bad address): recorded, never retried.
        _mark(user_id, key, "failed")
        raise
    except Exception:
        # Give the entry back so the actor's retry can claim it again.
        _mark(user_id, key, "scheduled")
        raise
    _mark(user_id, key, "sent")
    logger.info("lifecycle email sent", extra={"user_id": user_id, "email_key": key})
    return True


# --- charges: one email per failed charge, one thank-you once a charge is paid --------------------


def _first_charge_after_trial(schedule: dict[str, Any], subscription: UserSubscription, invoice_id: str,
                              now: datetime) -> bool:
    """Whether a failed charge is the first one after the trial (Stripe's retries of it included);
    ``invoice_id`` is empty when only the subscription's state tells of the failure."""
    ends_at = subscription.trial_ends_at
    if subscription.trial_started_at is None or ends_at is None or ends_at > now + EARLY_TOLERANCE:
        return False
    entry = schedule.get("trial_payment_failed")
    known_invoice = (entry or {}).get("context", {}).get("invoice_id")
    if known_invoice:
        return known_invoice == invoice_id
    paid_since = schedule.get("subscription_welcome", {}).get("status") == "sent"
    return not paid_since and now - ends_at < FIRST_CHARGE_RETRY_SPAN


@transaction.atomic
def invoice_failed_email_schedule(*, user_id: int, invoice_id: str, amount: str) -> bool:
    """The email for a failed charge, once per invoice however often Stripe retries it.

    The first charge after a trial gets one email saying both things ("your trial ended and the
    first payment of $X failed") instead of "trial ended" followed by "payment failed".
    """
    system_data = _locked_system_data(user_id)
    subscription = UserSubscription.objects.get(user_id=user_id)
    now = timezone.now()
    if _first_charge_after_trial(system_data.email_schedule_status, subscription, invoice_id, now):
        email_schedule_cancel(user_id=user_id, keys=("trial_expired",))
        return email_schedule(user_id=user_id, key="trial_payment_failed", send_at=now,
                              context={"amount": amount, "invoice_id": invoice_id})
    return email_schedule(user_id=user_id, key=f"payment_failed:{invoice_id}", send_at=now,
                          context={"amount": amount})


@transaction.atomic
def trial_unpaid_email_schedule(*, user_id: int) -> bool:
    """A trial ended and its first charge failed, as the subscription's state tells it.

    The failed invoice normally brings this email (with its amount) moments later; this is the
    fallback when its webhook is late or lost, and never moves an email already scheduled by it.
    """
    system_data = _locked_system_data(user_id)
    subscription = UserSubscription.objects.get(user_id=user_id)
    now = timezone.now()
    schedule = system_data.email_schedule_status
    if "trial_payment_failed" in schedule or not _first_charge_after_trial(schedule, subscription, "", now):
        return False
    email_schedule_cancel(user_id=user_id, keys=("trial_expired",))
    return email_schedule(user_id=user_id, key="trial_payment_failed", send_at=now + FAILED_INVOICE_WAIT)


def subscription_welcome_schedule(*, user_id: int, first_charge_pending: bool = False) -> bool:
    """The thank-you for a paid plan: now, or once the first charge after a trial has had time to
    fail (see ``FIRST_CHARGE_WAIT``); the rule at sending drops it if the plan is not active."""
    wait = FIRST_CHARGE_WAIT if first_charge_pending else timedelta(0)
    return email_schedule(user_id=user_id, key="subscription_welcome", send_at=timezone.now() + wait)


# --- search finished: one email per search, or one digest for searches ending close together -------


def _holds_search(key: str, entry: dict[str, Any], job_id: int) -> bool:
    return key == f"search_finished:{job_id}" or job_id in entry.get("job_ids", ())


@transaction.atomic
def search_finished_email_schedule(
    *, user_id: int, job_id: int, finished_at: datetime, search: dict[str, Any]
) -> bool:
    """Announce a finished search, ``emails.search_digest_window`` after it ended.

    A search ending within the window of one already waiting joins it, and that email becomes a
    digest listing them all; the window is measured from the searches' end times, not from when
    their messages arrive, so retries and out-of-order delivery group them the same way. Returns
    False when the search is already announced (a redelivered message) or the user opted out.
    """
    system_data = _locked_system_data(user_id)
    if not system_data.search_finished_emails:
        return False
    search = {**search, "finished_at": finished_at.isoformat()}
    schedule = system_data.email_schedule_status
    searches = [(key, entry) for key, entry in schedule.items() if entry.get("template") in SEARCH_EMAIL_TEMPLATES]
    if any(_holds_search(key, entry, job_id) for key, entry in searches):
        return False
    now = timezone.now()
    waiting = next((entry for _key, entry in searches
                    if entry["status"] == "scheduled" and finished_at <= parse_datetime(entry["due"])), None)
    if waiting is not None:
        # Claimed under this same row lock, so the email cannot be going out while it grows.
        listed = waiting["context"].get("searches") or [waiting["context"]]
        listed = sorted([*listed, search], key=lambda s: s.get("finished_at", ""))
        waiting.update(template="search_digest", at=now.isoformat(), job_ids=[*waiting.get("job_ids", ()), job_id],
                       context={"searches": listed, "found_total": sum(s["found_count"] for s in listed)})
        _save_schedule(system_data)
        return True
    key = f"search_finished:{job_id}"
    send_at = finished_at + config_get("emails.search_digest_window")
    schedule[key] = {"template": "search_finished", "status": "scheduled", "due": send_at.isoformat(),
                     "at": now.isoformat(), "job_ids": [job_id], "context": search}
    _save_schedule(system_data)
    delay = max(0.0, (send_at - now).total_seconds())
    transaction.on_commit(lambda: actor_send(actor_names.LIFECYCLE_EMAIL, user_id, key, delay=delay))
    return True
