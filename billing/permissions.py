from rest_framework.permissions import BasePermission

from accounts.models import ApiToken

from .models import Feature
from .services import access_check, feature_check


class ApiAccess(BasePermission):
    """Signed in; requests made with an API token also need a plan that includes API access."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, ApiToken):
            feature_check(user=request.user, feature=Feature.API).raise_if_denied()
        return True


class ProductAccess(ApiAccess):
    """Product endpoints additionally need finished onboarding and an active or trialing plan."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        access_check(user=request.user).raise_if_denied()
        return True
