import logging
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import BillingCycle, OnboardingStep
from accounts.selectors import user_profile_get
from accounts.services import onboarding_plan_select
from influencer_platform.errors import ApplicationError, NotFoundError

from .forms import ConfirmationForm, PlanChoiceForm, confirmation_issue
from .providers import get_provider, provider_is_demo
from .providers.base import WebhookSignatureError
from .selectors import (
    OVERDUE_STATUSES,
    billing_history,
    money_text,
    plan_for_user,
    plan_get,
    plan_list,
    plan_offers,
    provider_subscription_live,
    subscription_standing,
    trial_countdown,
    usage_meters,
)
from .services import trial_length
from .services.changes import ChangeQuote, cancel_quote, plan_change_quote, trial_end_quote
from .services.subscriptions import (
    checkout_confirm,
    checkout_start,
    demo_checkout_complete,
    demo_checkout_get,
    portal_url,
    subscription_cancel,
    subscription_change_plan,
    subscription_resume,
    subscription_start_now,
    trial_available,
)
from .services.webhooks import webhook_event_record

logger = logging.getLogger(__name__)

DEFAULT_SUGGESTED_PLAN = "viral_surge"


def _checkout_urls(request) -> tuple[str, str]:
    # Stripe replaces {CHECKOUT_SESSION_ID} in the success URL with the session's id.
    success = request.build_absolute_uri(reverse("billing_checkout_success")) + "?session_id={CHECKOUT_SESSION_ID}"
    return success, request.build_absolute_uri(reverse("billing_checkout_cancel"))


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
        success_url, cancel_url = _checkout_urls(request)
        try:
            url = checkout_start(user=user, plan_key=plan_key, cycle=form.cleaned_data["cycle"],
                                 success_url=success_url, cancel_url=cancel_url, trial_required=True)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(url)
    return render(
        request,
        "billing/onboarding_plan.html",
        {"form": form, "plans": plan_list(paid_only=True), "step": 3,
         "steps": ["Your business", "Your brand", "Your plan"], "trial_days": trial_length().days},
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
            "subscription": user.subscription,
            "meters": usage_meters(user=user, plan=plan),
            "countdown": trial_countdown(subscription=user.subscription),
            "has_provider_subscription": bool(user.billing.stripe_subscription_id),
            "payment_overdue": user.subscription.subscription_status in OVERDUE_STATUSES,
            "standing": subscription_standing(subscription=user.subscription),
            "has_customer": bool(user.billing.stripe_customer_id),
            "history": billing_history(user=user, limit=20),
            "demo_billing": provider_is_demo(),
        },
    )


@login_required
def plans(request):
    user = user_profile_get(user_id=request.user.pk)
    cycle = request.GET.get("cycle")
    if cycle not in BillingCycle.values:
        cycle = user.subscription.billing_cycle if user.subscription.has_access else BillingCycle.MONTHLY
    subscribed = provider_subscription_live(user=user)
    offers = plan_offers(user=user, cycle=cycle)
    return render(
        request,
        "billing/plans.html",
        {
            "profile_user": user,
            "cycle": cycle,
            "offers": offers,
            "best_yearly_saving": max((offer.plan.yearly_saving_percent for offer in offers), default=0),
            "subscribed": subscribed,
            "trial_available": not subscribed and trial_available(user=user),
            "trial_days": trial_length().days,
        },
    )


@login_required
@require_POST
def checkout(request):
    form = PlanChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the plans shown.")
        return redirect("billing_plans")
    success_url, cancel_url = _checkout_urls(request)
    try:
        url = checkout_start(user=request.user, plan_key=form.cleaned_data["plan_key"],
                             cycle=form.cleaned_data["cycle"], success_url=success_url, cancel_url=cancel_url)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing_plans")
    return redirect(url)


@login_required
def checkout_success(request):
    session_id = request.GET.get("session_id", "")
    if not session_id:
        return redirect("billing")
    try:
        checkout_confirm(user=request.user, session_id=session_id)
    except NotFoundError:
        raise  # answered 404 by the error middleware
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing")
    user = user_profile_get(user_id=request.user.pk)
    plan = plan_for_user(user=user)
    return render(request, "billing/checkout_success.html", {"profile_user": user, "plan": plan,
                                                             "subscription": user.subscription})


@login_required
def checkout_cancel(request):
    messages.info(request, "Checkout was cancelled; nothing was charged.")
    return redirect("onboarding_plan" if not request.user.is_onboarded else "billing_plans")


@login_required
def demo_checkout(request, session_id: str):
    details = demo_checkout_get(user=request.user, session_id=session_id)
    if request.method == "POST":
        try:
            return redirect(demo_checkout_complete(user=request.user, session_id=session_id))
        except NotFoundError:
            raise  # answered 404 by the error middleware
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("billing")
    plan_key = details["metadata"].get("plan_key", "")
    plan = plan_get(plan_key=plan_key)
    yearly = details["metadata"].get("cycle") == BillingCycle.YEARLY
    return render(request, "billing/demo_checkout.html", {
        "session": details, "plan": plan, "yearly": yearly,
        "price_cents": (plan.price_yearly_cents if yearly else plan.price_monthly_cents) if plan else 0,
        "trial_days": details.get("trial_days") or 0,
    })


def _subscription_action(request, action, success: str):
    try:
        action(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("billing")


@login_required
@require_POST
def portal(request):
    try:
        url = portal_url(user=request.user, return_url=request.build_absolute_uri(reverse("billing")))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing")
    if provider_is_demo():
        messages.info(request, "Demo billing has no hosted portal: manage your plan right here.")
    return redirect(url)


# Money actions: GET shows what the change does, when, and what it costs; the POST from that page
# makes it. The page's form carries a signed one-time token, so a second submit changes nothing.


def _refused(request, message: str, *, status: int = 400, back: str = "billing"):
    return render(request, "billing/confirm.html", {"error": message, "back_url": reverse(back)}, status=status)


def _confirm_page(request, make_quote: Callable[[], ChangeQuote], *, url_name: str, back: str = "billing"):
    """The confirmation page of the change ``make_quote`` describes, or why it cannot be made."""
    try:
        quote = make_quote()
    except ApplicationError as exc:
        return _refused(request, exc.message, status=exc.status_code, back=back)
    action_url = reverse(url_name)
    preview = quote.preview
    confirmation = confirmation_issue(
        user_id=request.user.pk, action=quote.action, plan_key=quote.plan.plan_key, cycle=quote.cycle,
        proration_date=preview.proration_date if preview else None,
        amount_due_cents=preview.amount_due_cents if preview else 0, currency=preview.currency if preview else "usd",
    )
    return render(request, "billing/confirm.html", {
        "quote": quote, "confirmation": confirmation, "action_url": action_url, "back_url": reverse(back),
        "demo_billing": provider_is_demo(),
    })


def _confirmation(request, action: str):
    form = ConfirmationForm(request.POST, user_id=request.user.pk, action=action)
    if form.is_valid():
        return form.cleaned_data["confirmation"], None
    return None, " ".join(form.errors["confirmation"])


def _charged_sentence(confirmation) -> str:
    if not confirmation.amount_due_cents:
        return "Nothing was charged today."
    return f"{money_text(confirmation.amount_due_cents, confirmation.currency)} was charged to your card."


@login_required
@require_http_methods(["GET", "POST"])
def subscription_change(request):
    if request.method == "GET":
        form = PlanChoiceForm(request.GET)
        if not form.is_valid():
            return _refused(request, "Choose one of the plans shown.", back="billing_plans")
        return _confirm_page(request, lambda: plan_change_quote(
            user=request.user, plan_key=form.cleaned_data["plan_key"], cycle=form.cleaned_data["cycle"],
        ), url_name="billing_subscription_change", back="billing_plans")
    confirmation, error = _confirmation(request, "plan_change")
    if error:
        return _refused(request, error, back="billing_plans")
    try:
        subscription_change_plan(
            user=request.user, plan_key=confirmation.plan_key, cycle=confirmation.cycle,
            proration_date=confirmation.proration_date, confirmation=confirmation.token,
        )
    except ApplicationError as exc:
        return _refused(request, exc.message, status=exc.status_code, back="billing_plans")
    # Said from what was confirmed: a repeated submit answers before the first one has finished.
    plan = plan_get(plan_key=confirmation.plan_key)
    messages.success(request, f"You are now on {plan.name if plan else confirmation.plan_key} "
                              f"({confirmation.cycle}). {_charged_sentence(confirmation)}")
    return redirect("billing")


@login_required
@require_http_methods(["GET", "POST"])
def subscription_cancel_view(request):
    if request.method == "GET":
        return _confirm_page(request, lambda: cancel_quote(user=request.user), url_name="billing_subscription_cancel")
    confirmation, error = _confirmation(request, "cancel")
    if error:
        return _refused(request, error)
    try:
        subscription = subscription_cancel(user=request.user, confirmation=confirmation.token)
    except ApplicationError as exc:
        return _refused(request, exc.message, status=exc.status_code)
    ends_at = subscription.ends_at or (
        subscription.trial_ends_at if subscription.is_trialing else subscription.current_period_end)
    until = f"{ends_at:%B} {ends_at.day}, {ends_at.year}" if ends_at else "the end of the current period"
    if subscription.is_trialing:
        messages.success(request, f"Your trial stays until {until} and nothing will be charged. "
                                  "You can resume your plan until then.")
    else:
        messages.success(request, f"Your plan stays until {until} and nothing more will be charged. "
                                  "You can resume it until then.")
    return redirect("billing")


@login_required
@require_POST
def subscription_resume_view(request):
    return _subscription_action(request, subscription_resume, "Your plan will continue. Nothing else changes.")


@login_required
@require_http_methods(["GET", "POST"])
def subscription_start_now_view(request):
    if request.method == "GET":
        return _confirm_page(request, lambda: trial_end_quote(user=request.user),
                             url_name="billing_subscription_start_now")
    confirmation, error = _confirmation(request, "start_now")
    if error:
        return _refused(request, error)
    try:
        subscription = subscription_start_now(user=request.user, confirmation=confirmation.token)
    except ApplicationError as exc:
        return _refused(request, exc.message, status=exc.status_code)
    plan = plan_get(plan_key=subscription.current_plan)
    messages.success(request, f"Your trial has ended and your paid {plan.name if plan else ''} plan is active. "
                              f"{_charged_sentence(confirmation)}")
    return redirect("billing")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify, store once, acknowledge: the work happens in the ``billing_event_process`` actor."""
    try:
        event = get_provider().webhook_event_parse(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except WebhookSignatureError:
        logger.warning("stripe webhook refused: bad signature")
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    stored, created = webhook_event_record(event=event)
    return HttpResponse("ok" if created else "duplicate", status=200, content_type="text/plain")
