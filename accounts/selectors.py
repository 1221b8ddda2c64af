from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken, OnboardingStep, User

_PROFILE_RELATIONS = ("subscription", "billing", "usage", "system_data")

# The page each unfinished onboarding step continues on.
_ONBOARDING_URL_NAMES = {
    OnboardingStep.PENDING: "onboarding_info",
    OnboardingStep.INFO_CAPTURED: "onboarding_intent",
    OnboardingStep.INTENT_CAPTURED: "onboarding_plan",
    OnboardingStep.PLAN_SELECTED: "onboarding_plan",
}


def user_profile_get(*, user_id: int) -> User:
    """A user with their four account tables, loaded in one query."""
    return User.objects.select_related(*_PROFILE_RELATIONS).get(pk=user_id)


def user_profiles(*, ids=None) -> QuerySet[User]:
    queryset = User.objects.select_related(*_PROFILE_RELATIONS)
    return queryset if ids is None else queryset.filter(pk__in=ids)


def onboarding_url_name(*, user: User) -> str | None:
    """The URL name of the step an unfinished user continues on; None once onboarding is done."""
    return _ONBOARDING_URL_NAMES.get(user.onboarding_step)


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
