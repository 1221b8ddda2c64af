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


class OnboardingMiddleware:
    """Send a signed-in user who has not finished onboarding back to the step they are on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: reading ``request.user`` loads the session, which marks every response
        # ``Vary: Cookie`` and would keep shared caches from serving public files such as images.
        if (
            request.path != "/"
            and not request.path.startswith(_OPEN_PREFIXES)
            and request.user.is_authenticated
            and (step := onboarding_url_name(user=request.user))
        ):
            url = reverse(step)
            response = redirect(url)
            if getattr(request, "htmx", False):
                response["HX-Redirect"] = url
            return response
        return self.get_response(request)
