from collections.abc import Callable

from django.shortcuts import redirect
from django.urls import reverse

from .selectors import onboarding_url_name

# Everything else is a product page that an unfinished user is sent away from.
_OPEN_PREFIXES = (
    "/accounts/",
    "/onboarding/",
    "/admin/",
    "/api/",
    "/static/",
    "/media/",
    "/img/",
    "/billing/webhook/",
    # Checkout is how onboarding ends: its pages must open before onboarding is complete.
    "/billing/checkout/",
    "/billing/demo/",
    "/healthz",
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
        # The path first: reading ``request.user`` loads the session, which marks every response
        # ``Vary: Cookie`` and would keep shared caches from serving public files such as images.
        if (
            request.path == "/"
            or request.path.startswith(_OPEN_PREFIXES)
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
