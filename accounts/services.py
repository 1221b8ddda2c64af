from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from influencer_platform.errors import ApplicationError, NotFoundError

from .lifecycle import lifecycle_event_record
from .models import ApiToken, LifecycleEventKind, OnboardingStep, User

MAX_ACTIVE_API_TOKENS = 10

_ONBOARDING_ORDER = list(OnboardingStep.values)


class OnboardingError(ApplicationError):
    code = "onboarding_invalid"


def _advance(user: User, step: OnboardingStep) -> None:
    # Going back to an earlier step and re-submitting must never move a user backwards.
    if _ONBOARDING_ORDER.index(step) > _ONBOARDING_ORDER.index(user.onboarding_step):
        user.onboarding_step = step
        lifecycle_event_record(user_id=user.pk, kind=LifecycleEventKind.ONBOARDING_STEP, key=step)


@transaction.atomic
def onboarding_info_capture(*, user: User, full_name: str, business_name: str, industry: str) -> User:
    user.full_name = full_name.strip()
    user.business_name = business_name.strip()
    user.industry = industry
    _advance(user, OnboardingStep.INFO_CAPTURED)
    user.save(update_fields=["full_name", "business_name", "industry", "onboarding_step"])
    return user


@transaction.atomic
def onboarding_intent_capture(*, user: User, brand_description: str) -> User:
    if user.onboarding_step == OnboardingStep.PENDING:
        raise OnboardingError("Tell us about your business first.")
    user.brand_description = brand_description.strip()
    _advance(user, OnboardingStep.INTENT_CAPTURED)
    user.save(update_fields=["brand_description", "onboarding_step"])
    return user


@transaction.atomic
def onboarding_plan_select(*, user: User, plan_key: str) -> User:
    """Record the plan the user means to try; billing validates the key before calling this."""
    if _ONBOARDING_ORDER.index(user.onboarding_step) < _ONBOARDING_ORDER.index(OnboardingStep.INTENT_CAPTURED):
        raise OnboardingError("Finish the earlier onboarding steps first.")
    subscription = user.subscription
    subscription.intended_plan = plan_key
    subscription.save(update_fields=["intended_plan", "updated_at"])
    _advance(user, OnboardingStep.PLAN_SELECTED)
    user.save(update_fields=["onboarding_step"])
    return user


@transaction.atomic
def onboarding_complete(*, user: User) -> User:
    if user.onboarding_step != OnboardingStep.COMPLETED:
        _advance(user, OnboardingStep.COMPLETED)
        user.save(update_fields=["onboarding_step"])
    return user


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, business_name: str, industry: str) -> User:
    user.full_name = full_name.strip()
    user.business_name = business_name.strip()
    user.industry = industry
    user.save(update_fields=["full_name", "business_name", "industry"])
    return user


@transaction.atomic
def user_set_admin(*, user: User, is_admin: bool) -> User:
    user.is_admin = is_admin
    user.save(update_fields=["is_admin", "is_staff"])
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never retrievable again."""
    name = name.strip()
    if not name:
        raise ApplicationError("Give the token a name so you can recognise it later.", code="invalid")
    # Lock the user row so two simultaneous requests cannot both pass the count check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_API_TOKENS:
        raise ApplicationError(
            f"You can have at most {MAX_ACTIVE_API_TOKENS} active tokens. Revoke one first.",
            code="token_limit",
        )
    secret = ApiToken.generate_secret()
    token = ApiToken.objects.create(
        user=user, name=name[:60], key_digest=ApiToken.digest(secret), key_hint=secret[: ApiToken.HINT_LENGTH]
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFoundError("That token does not exist.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def user_notifications_update(*, user: User, search_finished_emails: bool) -> None:
    system_data = user.system_data
    system_data.search_finished_emails = search_finished_emails
    system_data.save(update_fields=["search_finished_emails"])


@transaction.atomic
def user_result_columns_set(*, user: User, columns: list[str]) -> None:
    """Remember the results table's columns for ``user`` (keys the caller has checked)."""
    system_data = user.system_data
    system_data.result_columns = list(columns)
    system_data.save(update_fields=["result_columns"])
