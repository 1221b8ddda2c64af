from rest_framework.permissions import BasePermission

from .models import Feature
from .services import feature_check


class ApiAccess(BasePermission):
    """Signed in, on a plan that includes API access (which needs finished onboarding and an active
    or trialing subscription too), whatever the credentials: a token or the browser session.

    The site's pages are server-rendered and call no /api/v1/ endpoint, so a session is held to the
    same rule as a token; ``tests/test_api_hardening.py`` fails if a page starts calling one.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        feature_check(user=request.user, feature=Feature.API).raise_if_denied()
        return True
