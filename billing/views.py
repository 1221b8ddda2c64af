from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.models import OnboardingStep
from accounts.selectors import user_profile_get
from accounts.services import onboarding_plan_select

from .forms import PlanChoiceForm
from .selectors import plan_for_user, plan_list, trial_countdown, usage_meters
from .services import TRIAL_LENGTH, TrialError, trial_start

DEFAULT_SUGGESTED_PLAN = "viral_surge"


@login_required
def onboarding_plan(request):
    user = request.user
    if user.is_onboarded:
        return redirect("dashboard")
    if user.onboarding_step in {OnboardingStep.PENDING, OnboardingStep.INFO_CAPTURED}:
        return redirect("onboarding")
    form = PlanChoiceForm(
        request.POST or None,
        initial={"plan_key": user.subscription.intended_plan or DEFAULT_SUGGESTED_PLAN},
    )
    if request.method == "POST" and form.is_valid():
        plan_key = form.cleaned_data["plan_key"]
        onboarding_plan_select(user=user, plan_key=plan_key)
        try:
            subscription = trial_start(user=user, plan_key=plan_key)
        except TrialError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Welcome aboard! Your {TRIAL_LENGTH.days}-day trial runs until "
                f"{subscription.trial_ends_at:%B %-d, %H:%M} UTC.",
            )
            return redirect("dashboard")
    return render(
        request,
        "billing/onboarding_plan.html",
        {"form": form, "plans": plan_list(paid_only=True), "step": 3,
         "steps": ["Your business", "Your brand", "Your plan"], "trial_days": TRIAL_LENGTH.days},
    )


@login_required
def billing_overview(request):
    user = user_profile_get(user_id=request.user.pk)
    plan = plan_for_user(user=user)
    return render(
        request,
        "billing/overview.html",
        {
            "profile_user": user,
            "plan": plan,
            "plans": plan_list(paid_only=True),
            "meters": usage_meters(user=user, plan=plan),
            "countdown": trial_countdown(subscription=user.subscription),
        },
    )
