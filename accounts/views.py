from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from influencer_platform.errors import ApplicationError

from . import services
from .forms import ApiTokenForm, NotificationsForm, OnboardingInfoForm, OnboardingIntentForm, ProfileForm
from .models import OnboardingStep
from .selectors import api_token_list, onboarding_url_name, user_profile_get


@login_required
def onboarding(request):
    return redirect(onboarding_url_name(user=request.user) or "dashboard")


def _onboarding_context(step: int, **context) -> dict:
    return {"step": step, "steps": ["Your business", "Your brand", "Your plan"], **context}


@login_required
def onboarding_info(request):
    if request.user.is_onboarded:
        return redirect("dashboard")
    form = OnboardingInfoForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.onboarding_info_capture(user=request.user, **form.cleaned_data)
        return redirect("onboarding_intent")
    return render(request, "accounts/onboarding_info.html", _onboarding_context(1, form=form))


@login_required
def onboarding_intent(request):
    user = request.user
    if user.is_onboarded:
        return redirect("dashboard")
    if user.onboarding_step == OnboardingStep.PENDING:
        return redirect("onboarding_info")
    form = OnboardingIntentForm(request.POST or None, initial={"brand_description": user.brand_description})
    if request.method == "POST" and form.is_valid():
        services.onboarding_intent_capture(user=user, **form.cleaned_data)
        return redirect("onboarding_plan")
    return render(request, "accounts/onboarding_intent.html", _onboarding_context(2, form=form))


@login_required
def account_settings(request):
    user = user_profile_get(user_id=request.user.pk)
    profile_form = ProfileForm(request.POST or None, instance=user, prefix="profile")
    if request.method == "POST" and profile_form.is_valid():
        services.user_profile_update(user=user, **profile_form.cleaned_data)
        messages.success(request, "Your profile was saved.")
        return redirect("account_settings")
    return render(
        request,
        "accounts/settings.html",
        {
            "profile_user": user,
            "profile_form": profile_form,
            "token_form": ApiTokenForm(),
            "notifications_form": NotificationsForm(
                initial={"search_finished_emails": user.system_data.search_finished_emails}
            ),
            "tokens": api_token_list(user=user),
            "new_token_secret": request.session.pop("new_api_token", None),
        },
    )


@login_required
@require_POST
def notifications_update(request):
    form = NotificationsForm(request.POST)
    if form.is_valid():
        services.user_notifications_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Notification settings saved.")
    return redirect("account_settings")


@login_required
@require_POST
def api_token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["name"][0])
        return redirect("account_settings")
    try:
        _, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        # Shown once on the next page; only its digest is stored.
        request.session["new_api_token"] = secret
    return redirect("account_settings")


@login_required
@require_POST
def api_token_revoke(request, token_id: int):
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” was revoked; it no longer works.")
    return redirect("account_settings")
