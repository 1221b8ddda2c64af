from collections.abc import Callable

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import ResolverMatch, reverse
from django.views.static import serve
from rest_framework.views import APIView

from .selectors import onboarding_url_name

# Named routes an unfinished user may open; every other product page sends them to their step.
_OPEN_URL_NAMES = frozenset({
    "landing",
    "onboarding", "onboarding_info", "onboarding_intent", "onboarding_plan",
    # Checkout is how onboarding ends: its pages must open before onboarding is complete.
    "billing_checkout", "billing_checkout_success", "billing_checkout_cancel", "billing_demo_checkout",
    # Not pages a person reads: Stripe's calls, the load balancer's probe, images in public pages.
    "billing_stripe_webhook", "healthz", "image_proxy",
})
# Signing in and out, sign-up, passwords and email addresses.
_SIGN_IN_PACKAGE = "allauth"


def _open_during_onboarding(match: ResolverMatch) -> bool:
    """Decided from the route the request resolved to, wherever the URL configuration mounts it."""
    view = match.func
    view_class = getattr(view, "view_class", None)
    return (
        match.url_name in _OPEN_URL_NAMES
        or admin.site.name in match.namespaces
        or view.__module__.partition(".")[0] == _SIGN_IN_PACKAGE
        # The API answers its callers with JSON (tokens included), never with a page to go to.
        or (view_class is not None and issubclass(view_class, APIView))
        # Uploaded files while developing (``static()`` in the URL configuration).
        or view is serve
    )


def onboarding_not_required(view: Callable) -> Callable:
    """Let a signed-in user who has not finished onboarding open this page.

    For pages that are someone else's to share (a list a colleague was invited to): the person
    invited has no business to describe and no plan to choose before they can read it.
    """
    view.onboarding_not_required = True
    return view


class OnboardingMiddleware:
    """Send a signed-in user who has not finished onboarding back to the step they are on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The route first: reading ``request.user`` loads the session, which marks every response
        # ``Vary: Cookie`` and would keep shared caches from serving public files such as images.
        if (
            _open_during_onboarding(request.resolver_match)
            or getattr(view_func, "onboarding_not_required", False)
            or not request.user.is_authenticated
        ):
            return None
        step = onboarding_url_name(user=request.user)
        if not step:
            return None
        url = reverse(step)
        response = redirect(url)
        if getattr(request, "htmx", False):
            response["HX-Redirect"] = url
        return response
