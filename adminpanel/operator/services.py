"""What operators do to accounts: access, plans, trials, usage, lifecycle emails and test users.

Each ``do_*`` action makes its change and writes exactly one ``AdminAction`` per account it
touches, in one transaction, so the log and the data can never disagree. Locks follow billing's
order (usage row, then subscription row) so an operator action cannot deadlock a metering write.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    FREE_PLAN_KEY,
    SubscriptionStatus,
    TrialStatus,
    User,
    UserSubscription,
    UserSystemData,
    UserUsage,
)
from accounts.services import (
    onboarding_complete,
    onboarding_info_capture,
    onboarding_intent_capture,
    onboarding_plan_select,
    user_set_admin,
)
from adminpanel.alerts import PROVIDER_CREDITS_LOW, alert_credits_check, alerts_health_check
from adminpanel.audit import audit_log
from billing.emails import EMAIL_TEMPLATES, email_deliver
from billing.models import UNLIMITED, SubscriptionPlan, TrialClaim
from billing.selectors import plan_get
from billing.services import trial_start
from billing.services.emails import email_schedule_cancel, lifecycle_email_context
from billing.services.manual import (
    AccountChange,
    plan_grant,
    trial_extend,
    usage_reset,
)
from campaigns.lists.models import CreatorList, ListCollaborator
from campaigns.lists.services import list_invitation_resend, list_restore, list_transfer
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_restore
from influencer_platform.errors import ApplicationError
from .selectors import provider_credits_remaining

logger = logging.getLogger(__name__)

TEST_EMAIL_DOMAIN = "creatorradar.test"


class OperatorError(ApplicationError):
    code = "operator_refused"


# Access


@transaction.atomic
def do_user_set_admin(*, actor: User, user: User, is_admin: bool) -> User:
    """Promote a user to operator or take it away; an operator cannot demote themselves."""
    if not is_admin and user.pk == actor.pk:
        raise OperatorError("You cannot remove your own operator access; ask another operator.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_admin and user.is_platform_admin:
        raise OperatorError(f"{user.email} is already an operator.", code="no_change")
    if not is_admin and not user.is_admin:
        raise OperatorError(f"{user.email} is not an operator.", code="no_change")
    if not is_admin and (user.is_superuser or user.email in settings.ADMIN_EMAILS):
        # Clearing the flag would be logged as a demotion while the access stays.
        why = "a superuser" if user.is_superuser else "listed in ADMIN_EMAILS"
        raise OperatorError(f"{user.email} stays an operator: the account is {why}.", code="admin_by_setting")
    before = {"is_admin": user.is_admin, "is_staff": user.is_staff}
    user_set_admin(user=user, is_admin=is_admin)
    audit_log(actor=actor, action="user.promote" if is_admin else "user.demote", target=user,
              summary=f"{'Promoted' if is_admin else 'Demoted'} {user.email}",
              before=before, after={"is_admin": user.is_admin, "is_staff": user.is_staff})
    return user


# Plans, trials, usage: billing makes the change (or refuses it), the console records who asked for it.


@transaction.atomic
def do_user_set_plan(*, actor: User, user: User, plan_key: str) -> AccountChange:
    """Move an account to another plan by hand (support, comps, fixing a stuck checkout)."""
    change = plan_grant(user=user, plan_key=plan_key)
    audit_log(actor=actor, action="user.set_plan", target=user,
              summary=f"Plan of {user.email}: {change.before['plan']} → {change.after['plan']}",
              before=change.before, after=change.after)
    return change


@transaction.atomic
def do_trial_extend(*, actor: User, user: User, days: int) -> AccountChange:
    """Give a trialing (or recently expired) account ``days`` more days of trial."""
    change = trial_extend(user=user, days=days)
    audit_log(actor=actor, action="user.extend_trial", target=user,
              summary=f"Trial of {user.email} extended by {days} days", before=change.before, after=change.after)
    return change


@transaction.atomic
def do_usage_reset(*, actor: User, user: User) -> AccountChange:
    """Start the account's monthly creator allowance again (campaigns are counted as they exist)."""
    change = usage_reset(user=user)
    audit_log(actor=actor, action="user.reset_usage", target=user,
              summary=f"Monthly creator usage of {user.email} reset", before=change.before, after=change.after)
    return change


# Emails


def email_templates() -> list[tuple[str, str]]:
    """(key, label) of every lifecycle email template."""
    return [(key, f"{key.replace('_', ' ').capitalize()}: {template.description}")
            for key, template in EMAIL_TEMPLATES.items()]


def _lifecycle_context(user: User, template: str) -> dict[str, Any]:
    """What the template says about this user today, plus what was stored when it was scheduled."""
    stored = [entry.get("context", {}) for entry in user.system_data.email_schedule_status.values()
              if isinstance(entry, dict) and entry.get("template") == template]
    return {**lifecycle_email_context(user), **(stored[-1] if stored else {})}


def _email_template_check(template: str) -> None:
    if template not in EMAIL_TEMPLATES:
        raise OperatorError("Choose one of the lifecycle emails.", code="invalid_email")


@transaction.atomic
def do_lifecycle_email_resend(*, actor: User, user: User, template: str) -> None:
    """Send a lifecycle email to the user again, now, as it would read today.

    This is outside the once-per-user schedule on purpose (the user lost it, or support asks), so
    the schedule is left as it is. The send happens before the audit row is written: a delivery
    that fails rolls the whole action back and the operator sees why. No row is locked meanwhile.
    """
    _email_template_check(template)
    try:
        email_deliver(to=user.email, key=template, context=_lifecycle_context(user, template),
                      idempotency_key=f"operator-resend-{uuid.uuid4().hex}")
    except Exception as exc:  # any email backend's failure: SMTP, HTTP API, connection
        logger.warning("operator resend of %s to user %s failed", template, user.pk, exc_info=True)
        raise OperatorError(f"The {template} email to {user.email} could not be sent "
                            f"({exc.__class__.__name__}); nothing was recorded, try again later.",
                            code="email_failed") from None
    audit_log(actor=actor, action="user.resend_email", target=user,
              summary=f"Resent the {template} email to {user.email}", after={"template": template})


# Test users


@dataclass(frozen=True)
class AccountScenario:
    key: str
    label: str


_PEOPLE = [
    ("Maya Chen", "Lumen Skin", "beauty"), ("Jonas Weber", "Trailhead Gear", "fitness"),
    ("Priya Nair", "Spice Route Kitchen", "food"), ("Lucas Martin", "Pixel Forge", "gaming"),
    ("Amara Okafor", "Threadline Studio", "fashion"), ("Sofia Rossi", "Nomad Stays", "travel"),
    ("Ethan Brooks", "Ledger Lane", "finance"), ("Hana Sato", "Kumo Home", "home"),
    ("Diego Alvarez", "Brightpath Learning", "education"), ("Chloe Dubois", "Signal Agency", "agency"),
]


def account_scenarios() -> list[AccountScenario]:
    """Every kind of account worth testing against: each stage of sign-up and trial, each paid
    plan, and each plan with limits used up."""
    paid = list(SubscriptionPlan.objects.active().paid())
    scenarios = [
        AccountScenario("signed_up", "Signed up, onboarding not finished"),
        AccountScenario("onboarded", "Onboarded, no trial or plan"),
        AccountScenario("trial", "On a new trial"),
        AccountScenario("trial_ending", "On a trial ending tomorrow"),
        AccountScenario("trial_expired", "Trial ended without paying"),
    ]
    scenarios += [AccountScenario(f"plan:{plan.plan_key}", f"Paying for {plan.name}") for plan in paid]
    scenarios += [
        AccountScenario(f"at_limit:{plan.plan_key}", f"On {plan.name} with every limit used")
        for plan in paid if plan.campaigns_limit != UNLIMITED or plan.creators_limit != UNLIMITED
    ]
    return scenarios


def _test_user_onboard(user: User, plan_key: str) -> None:
    onboarding_info_capture(user=user, full_name=user.full_name, business_name=user.business_name,
                            industry=user.industry)
    onboarding_intent_capture(user=user, brand_description=user.brand_description)
    onboarding_plan_select(user=user, plan_key=plan_key)


def _test_user_shift_trial(user: User, *, started_days_ago: float) -> UserSubscription:
    subscription = UserSubscription.objects.select_for_update().get(user_id=user.pk)
    length = subscription.trial_ends_at - subscription.trial_started_at
    subscription.trial_started_at = timezone.now() - timedelta(days=started_days_ago)
    subscription.trial_ends_at = subscription.trial_started_at + length
    subscription.current_period_end = subscription.trial_ends_at
    subscription.save()
    return subscription


def _test_user_build(scenario: str, *, index: int, password: str, default_plan: str) -> User:
    name, business, industry = _PEOPLE[index % len(_PEOPLE)]
    slug = scenario.replace(":", "-").replace("_", "-")
    user = User.objects.create_user(
        f"test-{slug}-{secrets.token_hex(3)}@{TEST_EMAIL_DOMAIN}", password,
        full_name=name, business_name=business, industry=industry, is_test_data=True,
        brand_description=f"{business} wants {industry} creators with engaged audiences in the US and UK.",
    )
    kind, _, plan_key = scenario.partition(":")
    if kind == "signed_up":
        return user
    _test_user_onboard(user, plan_key or default_plan)
    if kind == "onboarded":
        onboarding_complete(user=user)
        return user
    trial_start(user=user, plan_key=plan_key or default_plan)
    if kind == "trial_ending":
        _test_user_shift_trial(user, started_days_ago=6)
    elif kind == "trial_expired":
        subscription = _test_user_shift_trial(user, started_days_ago=8)
        subscription.trial_status = TrialStatus.EXPIRED
        subscription.subscription_status = SubscriptionStatus.NONE
        subscription.current_plan = FREE_PLAN_KEY
        subscription.current_period_end = None
        subscription.save()
    elif kind in ("plan", "at_limit"):
        # Paying customers came through a trial that converted ten days ago.
        subscription = _test_user_shift_trial(user, started_days_ago=17)
        subscription.trial_status = TrialStatus.CONVERTED
        subscription.trial_converted_at = subscription.trial_ends_at
        subscription.subscription_status = SubscriptionStatus.ACTIVE
        subscription.current_period_end = timezone.now() + timedelta(days=20)
        subscription.save()
        if kind == "at_limit":
            # Real campaigns, so the account is at its limit the way a customer gets there (and
            # deleting one frees a slot); the month's creators are simply counted as used.
            plan = plan_get(plan_key=plan_key)
            user.refresh_from_db()
            for number in range(1, max(plan.campaigns_limit, 0) + 1):
                campaign_create(user=user, name=f"Test campaign {number}")
            UserUsage.objects.filter(user_id=user.pk).update(creators_used_this_month=max(plan.creators_limit, 0))
    user.refresh_from_db()
    return user


@transaction.atomic
def do_test_users_create(*, actor: User, scenarios: list[str], password: str) -> list[User]:
    """One test account per scenario, marked ``is_test_data`` so cleanup can find them all."""
    known = {scenario.key for scenario in account_scenarios()}
    unknown = [scenario for scenario in scenarios if scenario not in known]
    if unknown or not scenarios:
        raise OperatorError("Choose at least one of the listed kinds of test user.", code="invalid_scenario")
    # The cheapest paid plan is the one most people try.
    cheapest = SubscriptionPlan.objects.active().paid().order_by("price_monthly_cents").first()
    if cheapest is None:
        raise OperatorError("There is no paid plan to put test users on.", code="no_paid_plan")
    users = [
        _test_user_build(scenario, index=index, password=password, default_plan=cheapest.plan_key)
        for index, scenario in enumerate(scenarios)
    ]
    # Their addresses do not exist: lifecycle emails to them would only bounce and hurt the
    # sending domain. The schedule shows them as cancelled; the email test tool sends any email.
    schedules = UserSystemData.objects.filter(user_id__in=[user.pk for user in users])
    for user_id, schedule in schedules.values_list("user_id", "email_schedule_status"):
        email_schedule_cancel(user_id=user_id, keys=list(schedule or {}))
    audit_log(actor=actor, action="test_users.create", target_type="accounts.user",
              target_repr=f"{len(users)} test users", summary=f"Created {len(users)} test users",
              after={"users": [{"id": user.pk, "email": user.email, "scenario": scenario}
                               for user, scenario in zip(users, scenarios)]})
    return users


@transaction.atomic
def do_test_users_delete(*, actor: User, user_ids: list[int] | None = None) -> list[str]:
    """Delete test accounts (all of them, or those of ``user_ids`` that are test data) with
    everything they own; real accounts are never touched. Returns the deleted emails."""
    users = User.objects.select_for_update().filter(is_test_data=True)
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    doomed = list(users.order_by("pk").values_list("pk", "email"))
    if not doomed:
        return []
    ids = [pk for pk, _email in doomed]
    # Trial claims outlive accounts on purpose (one trial per person); a test account's claim
    # is test data too, and would block the next test user on the same address.
    TrialClaim.objects.filter(user_id__in=ids).delete()
    User.objects.filter(pk__in=ids).delete()
    emails = [email for _pk, email in doomed]
    audit_log(actor=actor, action="test_users.delete", target_type="accounts.user",
              target_repr=f"{len(emails)} test users", summary=f"Deleted {len(emails)} test users",
              before={"users": [{"id": pk, "email": email} for pk, email in doomed]})
    return emails


def password_for_test_users() -> str:
    return f"test-{secrets.token_urlsafe(9)}"


# Health


def do_ops_health_check() -> list[str]:
    """Raise the alerts a look at the platform finds: silent workers or scheduler, credits running low.

    Run every minute by the scheduler and by ``manage.py ops_health_check`` (a host timer that
    still runs when the workers or the scheduler do not). Returns the kinds raised.
    """
    raised = alerts_health_check()
    if alert_credits_check(credits_remaining=provider_credits_remaining()):
        raised.append(PROVIDER_CREDITS_LOW)
    return raised


# Customer data: the product's own services make the change, the console records who asked for it.


@transaction.atomic
def do_list_restore(*, actor: User, list_id: int) -> CreatorList:
    creator_list = CreatorList.objects.filter(pk=list_id).select_related("owner").first()
    if creator_list is None:
        raise OperatorError("That list does not exist.", code="not_found")
    if not creator_list.is_archived:
        raise OperatorError(f"The list “{creator_list.name}” is not archived.", code="no_change")
    before = {"archived_at": creator_list.archived_at}
    creator_list = list_restore(creator_list=creator_list)
    audit_log(actor=actor, action="list.restore", target=creator_list,
              summary=f"Restored the list “{creator_list.name}” of {creator_list.owner.email}",
              before=before, after={"archived_at": None})
    return creator_list


@transaction.atomic
def do_campaign_restore(*, actor: User, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id).select_related("user").first()
    if campaign is None:
        raise OperatorError("That campaign does not exist.", code="not_found")
    if campaign.archived_at is None:
        raise OperatorError(f"The campaign “{campaign.name}” is not archived.", code="no_change")
    before = {"archived_at": campaign.archived_at}
    campaign = campaign_restore(campaign=campaign, actor=actor)
    audit_log(actor=actor, action="campaign.restore", target=campaign,
              summary=f"Restored the campaign “{campaign.name}” of {campaign.user.email}",
              before=before, after={"archived_at": None})
    return campaign


@transaction.atomic
def do_list_transfer(*, actor: User, list_id: int, new_owner_email: str) -> CreatorList:
    """Give a list to another account (a colleague taking over); the previous owner stays as an editor."""
    creator_list = CreatorList.objects.filter(pk=list_id).select_related("owner").first()
    if creator_list is None:
        raise OperatorError("That list does not exist.", code="not_found")
    new_owner = User.objects.filter(email__iexact=(new_owner_email or "").strip()).first()
    if new_owner is None:
        raise OperatorError("No account has that email address.", code="unknown_account", extra={"field": "email"})
    previous = creator_list.owner.email
    creator_list = list_transfer(creator_list=creator_list, new_owner=new_owner, actor=actor)
    audit_log(actor=actor, action="list.transfer", target=creator_list,
              summary=f"Gave the list “{creator_list.name}” from {previous} to {new_owner.email}",
              before={"owner": previous}, after={"owner": new_owner.email})
    return creator_list


@transaction.atomic
def do_list_invitation_resend(*, actor: User, collaborator_id: int) -> ListCollaborator:
    collaborator = list_invitation_resend(collaborator_id=collaborator_id)
    audit_log(actor=actor, action="list.invitation_resend", target=collaborator,
              summary=f"Resent the invitation of {collaborator.email} to “{collaborator.creator_list.name}”",
              after={"email": collaborator.email})
    return collaborator
