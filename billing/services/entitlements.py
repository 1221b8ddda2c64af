"""Plans, entitlements and usage metering.

Every check answers with an ``Entitlement``: allowed or not, a sentence a user can read, and the
plan that would allow it. Metering writes lock the ``UserUsage`` row so that two requests racing
for the last unit can never both take it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import SubscriptionStatus, TrialStatus, User, UserSubscription, UserUsage
from accounts.services import onboarding_complete
from adminpanel.config import config_get, feature_on
from influencer_platform.errors import ApplicationError, SwitchedOffError

from ..models import UNLIMITED, CreatorReveal, Feature, SubscriptionPlan, TrialClaim
from ..periods import months_later
from ..selectors import plan_for_user, plan_get, result_row_limit
from .emails import trial_emails_schedule
from .events import event_record


def trial_length() -> timedelta:
    """The trial operators configured (``billing.trial_length``), 7 days unless changed."""
    return config_get("billing.trial_length")


@dataclass(frozen=True)
class Entitlement:
    allowed: bool
    code: str = "ok"
    reason: str = ""
    recommended_plan: SubscriptionPlan | None = None
    remaining: int | None = None  # None: unlimited or not applicable
    # Refused by an operator's feature switch rather than by the plan: no plan would help.
    switched_off: bool = False

    def as_extra(self) -> dict:
        extra: dict = {"remaining": self.remaining}
        if self.recommended_plan is not None:
            extra["recommended_plan"] = {
                "plan_key": self.recommended_plan.plan_key,
                "name": self.recommended_plan.name,
            }
        return extra

    def raise_if_denied(self) -> None:
        if self.switched_off:
            raise SwitchedOffError(self.reason)
        if not self.allowed:
            raise PlanLimitError(self.reason, code=self.code, extra=self.as_extra())


class PlanLimitError(ApplicationError):
    code = "plan_limit"
    status_code = 403


class TrialError(ApplicationError):
    code = "trial_unavailable"


def _recommend(predicate, *, exclude: str) -> SubscriptionPlan | None:
    """The cheapest active paid plan that satisfies ``predicate``."""
    for plan in SubscriptionPlan.objects.active().paid().exclude(plan_key=exclude):
        if predicate(plan):
            return plan
    return None


def _fits(limit: int, needed: int) -> bool:
    return limit == UNLIMITED or limit >= needed


def access_check(*, user: User) -> Entitlement:
    """Paid features need completed onboarding and an active or trialing subscription."""
    if not user.is_onboarded:
        return Entitlement(False, "onboarding_incomplete", "Finish setting up your account first.")
    subscription = user.subscription
    trial_over = subscription.is_trialing and subscription.trial_ends_at and subscription.trial_ends_at <= timezone.now()
    if trial_over or (not subscription.has_access and subscription.trial_status == TrialStatus.EXPIRED):
        return Entitlement(
            False, "trial_expired", "Your free trial has ended. Choose a plan to keep searching.",
            _recommend(lambda plan: True, exclude=""),
        )
    if subscription.subscription_status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID):
        plan = plan_get(plan_key=subscription.current_plan)
        return Entitlement(
            False, "payment_overdue",
            f"Your payment for {plan.name if plan else 'your plan'} is overdue. Update your card on the billing "
            "page to keep using it.",
        )
    if not subscription.has_access:
        # Someone who already had their trial is not invited to start one.
        had_trial = subscription.trial_started_at is not None or TrialClaim.objects.filter(
            email_normalized=normalize_email_for_trial(user.email)).exclude(user_id=user.pk).exists()
        return Entitlement(
            False, "subscription_required",
            "Choose a plan to use this." if had_trial else "Start your free trial or choose a plan to use this.",
            _recommend(lambda plan: True, exclude=""),
        )
    return Entitlement(True)


def campaign_create_check(*, user: User) -> Entitlement:
    access = access_check(user=user)
    if not access.allowed:
        return access
    plan, used = plan_for_user(user=user), user.usage.campaigns_used
    if _fits(plan.campaigns_limit, used + 1):
        remaining = None if plan.unlimited_campaigns else plan.campaigns_limit - used
        return Entitlement(True, remaining=remaining)
    return Entitlement(
        False,
        "campaign_limit",
        f"Your {plan.name} plan includes {plan.campaigns_limit} campaigns and you have {used}: delete one you "
        f"no longer need, or move to a plan with more.",
        _recommend(lambda p: _fits(p.campaigns_limit, used + 1), exclude=plan.plan_key),
        remaining=0,
    )


def creators_check(*, user: User, count: int) -> Entitlement:
    access = access_check(user=user)
    if not access.allowed:
        return access
    plan, used = plan_for_user(user=user), user.usage.creators_used_this_month
    if _fits(plan.creators_limit, used + count):
        remaining = None if plan.unlimited_creators else plan.creators_limit - used
        return Entitlement(True, remaining=remaining)
    remaining = max(plan.creators_limit - used, 0)
    return Entitlement(
        False,
        "creator_limit",
        f"Your {plan.name} plan has {remaining:,} of {plan.creators_limit:,} creators left this month; "
        f"this needs {count:,}.",
        _recommend(lambda p: _fits(p.creators_limit, used + count), exclude=plan.plan_key),
        remaining=remaining,
    )


def feature_check(*, user: User, feature: str) -> Entitlement:
    if feature == Feature.CSV_EXPORT and not feature_on("csv_export"):
        return Entitlement(False, SwitchedOffError.code, "CSV export is switched off for now; try again later.",
                           switched_off=True)
    access = access_check(user=user)
    if not access.allowed:
        if access.recommended_plan is None:  # not a question of plans (onboarding unfinished)
            return access
        # Point at a plan that has the feature, not merely the cheapest one.
        return replace(access, recommended_plan=_recommend(lambda p: p.has_feature(feature), exclude=""))
    plan = plan_for_user(user=user)
    if plan.has_feature(feature):
        return Entitlement(True)
    label = Feature(feature).label if feature in Feature.values else feature
    return Entitlement(
        False,
        "feature_unavailable",
        f"{label} is not included in your {plan.name} plan.",
        _recommend(lambda p: p.has_feature(feature), exclude=plan.plan_key),
    )


def _locked_usage(user_id: int) -> tuple[User, UserUsage]:
    # Lock order is always usage row first, then read the rest: a fixed order avoids deadlocks
    # between a metering write and a plan change on the same user.
    usage = UserUsage.objects.select_for_update().get(user_id=user_id)
    user = User.objects.select_related("subscription").get(pk=user_id)
    user.usage = usage
    return user, usage


@transaction.atomic
def usage_record_campaign(*, user_id: int) -> UserUsage:
    """Count one new campaign, refusing it when the plan has none left."""
    user, usage = _locked_usage(user_id)
    campaign_create_check(user=user).raise_if_denied()
    usage.campaigns_used += 1
    usage.save(update_fields=["campaigns_used", "updated_at"])
    return usage


@transaction.atomic
def usage_release_campaign(*, user_id: int) -> UserUsage:
    """Give back the slot of a deleted campaign: the plan's campaign limit counts the campaigns a
    user has, while creators are counted per month and never given back."""
    usage = UserUsage.objects.select_for_update().get(user_id=user_id)
    if usage.campaigns_used:
        usage.campaigns_used -= 1
        usage.save(update_fields=["campaigns_used", "updated_at"])
    return usage


class RevealStop(models.TextChoices):
    NONE = "", "Not stopped"
    CREATOR_LIMIT = "creator_limit", "This month's creator allowance is used"
    TRIAL_ROWS = "trial_rows", "A trial shows the first rows of each search"


@dataclass(frozen=True)
class Reveal:
    """What a search may show of the creators it just found."""

    creator_ids: list[int]  # revealed, in the order asked: always a prefix of what was asked
    charged: int  # how many of them took a unit of this month's allowance
    stopped_by: str = RevealStop.NONE
    row_limit: int | None = None  # rows of a search this user may see; None for all


@transaction.atomic
def usage_reveal_creators(*, user_id: int, creator_ids: Sequence[int], shown_before: int,
                          job_id: int | None = None) -> Reveal:
    """Reveal newly found creators to their user, charging each once per usage month.

    A creator already revealed to this user this month (by any search) is shown free; every other
    one takes a unit of the allowance while any is left. A trial sees the first ``TRIAL_RESULT_ROWS``
    rows of each search, so ``shown_before`` (the rows of this search already shown) stops a trial's
    search there: nothing it cannot see is charged. The caller holds the job row lock; this takes the
    usage row lock, so two searches of one user finding the same creator charge it once.
    """
    user, usage = _locked_usage(user_id)
    row_limit = result_row_limit(user=user)
    asked = list(dict.fromkeys(creator_ids))
    if not asked:
        return Reveal([], 0, row_limit=row_limit)
    access_check(user=user).raise_if_denied()
    stopped_by = RevealStop.NONE
    if row_limit is not None and shown_before + len(asked) > row_limit:
        asked, stopped_by = asked[: max(row_limit - shown_before, 0)], RevealStop.TRIAL_ROWS
    period = usage.usage_reset_date or next_month(timezone.localdate())
    seen = set(CreatorReveal.objects.filter(user_id=user_id, period_ends=period, creator_id__in=asked)
               .values_list("creator_id", flat=True))
    plan = plan_for_user(user=user)
    left = None if plan.unlimited_creators else max(plan.creators_limit - usage.creators_used_this_month, 0)
    revealed, charged = [], []
    for creator_id in asked:
        if creator_id not in seen:
            if left is not None and len(charged) >= left:
                stopped_by = RevealStop.CREATOR_LIMIT
                break
            charged.append(creator_id)
        revealed.append(creator_id)
    if charged:
        CreatorReveal.objects.bulk_create([
            CreatorReveal(user_id=user_id, creator_id=creator_id, period_ends=period, job_id=job_id)
            for creator_id in charged
        ])
        usage.creators_used_this_month += len(charged)
        usage.save(update_fields=["creators_used_this_month", "updated_at"])
    return Reveal(revealed, len(charged), stopped_by, row_limit)


def normalize_email_for_trial(email: str) -> str:
    """One trial per person: ``Ann.Lee+x@gmail.com`` and ``annlee@googlemail.com`` are the same."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in {"gmail.com", "googlemail.com"}:
        domain, local = "gmail.com", local.replace(".", "")
    return f"{local}@{domain}"


def next_month(day: date) -> date:
    """The same day next month, clamped to the month's last day (31 Jan -> 28/29 Feb)."""
    return months_later(day, 1)


def trial_claim_reserve(*, user: User, plan_key: str) -> TrialClaim:
    """Reserve the one free trial of this person (by normalised email) for ``user``.

    A claim made at a checkout the user abandoned stays theirs until a trial actually starts;
    any other existing claim means the trial was used.
    """
    email = normalize_email_for_trial(user.email)
    try:
        with transaction.atomic():
            return TrialClaim.objects.create(email_normalized=email, user=user, plan_key=plan_key)
    except IntegrityError:
        claim = TrialClaim.objects.get(email_normalized=email)
        never_trialed = not UserSubscription.objects.filter(user_id=user.pk, trial_started_at__isnull=False).exists()
        if claim.user_id == user.pk and never_trialed:
            return claim
        raise TrialError(
            "A free trial has already been used with this email address. Choose a plan to continue.",
            code="trial_already_used",
        ) from None


@transaction.atomic
def trial_start(*, user: User, plan_key: str) -> UserSubscription:
    """Start the trial (``billing.trial_length``) on ``plan_key`` without a payment provider (seed data, operator tools)."""
    plan = plan_get(plan_key=plan_key)
    if plan is None or not plan.is_active or not plan.is_paid:
        raise TrialError("Choose one of the plans to start your trial.", code="invalid_plan")
    subscription = UserSubscription.objects.select_for_update().get(user_id=user.pk)
    if subscription.has_access:
        raise TrialError("Your account already has an active plan.", code="already_subscribed")
    trial_claim_reserve(user=user, plan_key=plan.plan_key)

    now = timezone.now()
    subscription.current_plan = plan.plan_key
    subscription.intended_plan = plan.plan_key
    subscription.subscription_status = SubscriptionStatus.TRIALING
    subscription.trial_status = TrialStatus.ACTIVE
    subscription.trial_started_at = now
    subscription.trial_ends_at = now + trial_length()
    subscription.current_period_end = subscription.trial_ends_at
    subscription.save()
    UserUsage.objects.filter(user_id=user.pk).update(
        creators_used_this_month=0, usage_reset_date=next_month(now.date()), updated_at=now
    )
    onboarding_complete(user=user)
    event_record(
        event_type="trial.started", aggregate=f"user:{user.pk}", user_id=user.pk,
        data={"plan_key": plan.plan_key, "ends_at": subscription.trial_ends_at.isoformat(), "with_card": False},
    )
    trial_emails_schedule(user_id=user.pk, started_at=now, ends_at=subscription.trial_ends_at)
    return subscription
