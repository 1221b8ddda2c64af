"""The API's shared pieces: one error body for every failure (and its schema), one JSON parser, the id
field, one pagination style, CSV downloads that ignore the Accept header."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .errors import ApplicationError
from .fields import IdRange, Int64Range

# Our bodies nest three levels at most; the limit leaves room and stops a body built to exhaust the
# decoder's recursion (50,000 brackets is a RecursionError inside the json module).
MAX_JSON_DEPTH = 20
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_CODES_BY_EXCEPTION = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.ValidationError, "invalid"),
]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every error as ``{"code", "message", "extra"}``."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    code = next((c for cls, c in _CODES_BY_EXCEPTION if isinstance(exc, cls)), "error")
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        message = "Some fields are invalid."
        extra["fields"] = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    else:
        message = str(exc.detail)
        # A permission class may raise with a dict detail that already names its code.
        if isinstance(exc.detail, dict):
            code = str(exc.detail.get("code", code))
            message = str(exc.detail.get("message", message))
            extra = {k: v for k, v in exc.detail.items() if k not in {"code", "message"}}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after_seconds"] = int(exc.wait)

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(
        {"code": code, "message": message, "extra": extra},
        status=getattr(exc, "status_code", status.HTTP_400_BAD_REQUEST),
        headers=headers,
    )


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing what no honest client sends and nothing downstream can hold.

    JSON may spell an unpaired UTF-16 surrogate (``"\\ud800"``); Python decodes it to a string that
    is not text, which neither PostgreSQL nor the JSON renderer can encode. A real character written
    as a surrogate pair decodes to that character and passes.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels deep.")
        _check_parsed(data)
        return data


def _check_parsed(data: Any) -> None:
    # Iterative, as the structure may be nearly as deep as the recursion limit.
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                raise exceptions.ParseError("JSON parse error - text holds an unpaired surrogate (\\ud800-\\udfff), "
                                            "which is not a character.")
        elif isinstance(value, (list, dict)):
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels deep.")
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)


class IntegerField(Int64Range, serializers.IntegerField):
    """An integer within 64 bits unless a narrower range is given."""


class IdField(IdRange, serializers.IntegerField):
    """The id of a row: from 1 to the largest bigint."""


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    extra = serializers.DictField(help_text="Details such as `field`, `fields` or `recommended_plan`.")


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorOutput) for code in codes}


class IgnoreClientContentNegotiation(BaseContentNegotiation):
    """A CSV download answers with CSV whatever the Accept header says, and errors with JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


CSV_RESPONSES = {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The rows as CSV."),
                 **error_responses(403, 404)}
