from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken

# Writing last_used_at on every call would turn each API read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)
# Failed token attempts per client address per window before it is told to wait.
FAILED_ATTEMPTS_LIMIT = 20
FAILED_ATTEMPTS_WINDOW = 60


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` (``Token <token>`` is accepted too)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header: use 'Bearer <token>'.")
        failures_key = f"api-token-failures:{request.META.get('REMOTE_ADDR', '')}"
        if cache.get(failures_key, 0) >= FAILED_ATTEMPTS_LIMIT:
            raise exceptions.Throttled(wait=FAILED_ATTEMPTS_WINDOW, detail="Too many invalid API tokens.")
        token = (
            ApiToken.objects.active()
            .select_related("user", "user__subscription")
            .filter(key_digest=ApiToken.digest(header[1]))
            .first()
        )
        if token is None or not token.user.is_active:
            cache.add(failures_key, 0, FAILED_ATTEMPTS_WINDOW)
            cache.incr(failures_key)
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token from account settings."}
