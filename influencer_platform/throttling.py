"""Who is asking, as every limiter of the site sees it: the API's throttles, the API token limiter
and allauth's sign-in limits all count by ``client_address``."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from rest_framework import throttling


def client_address(request: HttpRequest) -> str:
    """The client's IP address.

    Behind ``TRUSTED_PROXY_COUNT`` proxies of our own, each appends the address it saw to
    X-Forwarded-For, so the client is the entry that many places from the right; whatever stands
    further left was written by the client and proves nothing. With no trusted proxy (the
    default) the header is ignored and the peer's address is the client's.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        try:
            return str(ipaddress.ip_address(hops[-min(proxies, len(hops))]))
        except ValueError:
            # Only a misconfigured proxy writes something else; the peer is then the best we know.
            return peer
    return peer


class _ClientAddressIdent:
    def get_ident(self, request) -> str:
        return client_address(request)


class AnonRateThrottle(_ClientAddressIdent, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_ClientAddressIdent, throttling.UserRateThrottle):
    pass
