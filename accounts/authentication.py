from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from influencer_platform.throttling import client_address

from .models import ApiToken

# Writing last_used_at on every call would turn each API read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)
# Invalid tokens per client, and per token prefix, in a window before further invalid ones are told
# to wait. A valid token is always answered: the limit slows guessing, it never locks anyone out.
FAILED_ATTEMPTS_LIMIT = 20
FAILED_ATTEMPTS_WINDOW = 60


def _failure_keys(request, presented: str) -> list[str]:
    # Per client, so one address cannot guess at volume; per prefix (the part of a token its owner
    # sees in settings), so many addresses cannot share the guessing of one token between them.
    prefix = ApiToken.digest(presented[: ApiToken.HINT_LENGTH])
    return [f"api-token-failures:client:{client_address(request)}", f"api-token-failures:prefix:{prefix}"]


def _count_failure(request, presented: str) -> bool:
    """Count an invalid token; True when its client or its prefix was already over the limit."""
    keys = _failure_keys(request, presented)
    over = any(count >= FAILED_ATTEMPTS_LIMIT for count in cache.get_many(keys).values())
    for key in keys:
        # add() starts a window only where none is running, so the window is not pushed back.
        cache.add(key, 0, FAILED_ATTEMPTS_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.set(key, 1, FAILED_ATTEMPTS_WINDOW)
    return over


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` (``Token <token>`` is accepted too)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header: use 'Bearer <token>'.")
        token = (
            ApiToken.objects.active()
            .select_related("user", "user__subscription")
            .filter(key_digest=ApiToken.digest(header[1]))
            .first()
        )
        if token is None or not token.user.is_active:
            if _count_failure(request, header[1]):
                raise exceptions.Throttled(wait=FAILED_ATTEMPTS_WINDOW, detail="Too many invalid API tokens.")
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
