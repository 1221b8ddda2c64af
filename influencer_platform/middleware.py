import re
import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .errors import ApplicationError, NotFoundError, PermissionDeniedError
from .logging import request_id_var

# Accept an id from a trusted proxy only when it looks like one, so log lines cannot be forged.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class ApplicationErrorMiddleware:
    """Pages that let an ``ApplicationError`` escape answer like Django would, never with a 500.

    Not found and not allowed become the usual 404/403 pages (another user's ids answer 404, the
    same as ids that never existed); any other refusal is a 400 page with its message. The API
    renders these errors itself through its exception handler.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFoundError):
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionDeniedError):
            raise PermissionDenied(exception.message) from exception
        if isinstance(exception, ApplicationError):
            return render(request, "400.html", {"message": exception.message}, status=exception.status_code)
        return None
