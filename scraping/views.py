"""Pages served by the scraping app: the image proxy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from .images.services import proxied_image_serve
from .images.signing import InvalidImageRequestError, image_request_parse

# Ours contain no script, but an SVG opened on its own is a document: keep it inert.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_safe
def image_proxy(request: HttpRequest, signature: str) -> HttpResponse:
    try:
        image_request = image_request_parse(signature=signature, query=request.GET)
    except InvalidImageRequestError as exc:
        return HttpResponseForbidden(str(exc), content_type="text/plain; charset=utf-8")
    # Not request.accepts(): every browser and client sends */*, and only some can show WebP.
    output = "webp" if "image/webp" in request.headers.get("Accept", "") else "jpeg"
    served = proxied_image_serve(
        request=image_request, output=output, if_none_match=request.headers.get("If-None-Match", "")
    )
    if served.status == 304:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(served.body, content_type=served.content_type)
    response["ETag"] = served.etag
    cache_control = {"public": True, "max_age": served.max_age}
    if served.immutable:
        cache_control["immutable"] = True
    patch_cache_control(response, **cache_control)
    # The same address may later answer with an image in the format the Accept header chose.
    patch_vary_headers(response, ["Accept"])
    # Nothing here depends on who asks, but a middleware that looked at request.user has read
    # the session, and SessionMiddleware would then add "Vary: Cookie": a shared cache in front
    # would keep one copy per visitor. Forgetting the read changes nothing else (saving depends
    # on "modified").
    session = getattr(request, "session", None)
    if session is not None:
        session.accessed = False
    if served.placeholder:
        response["Content-Security-Policy"] = _SVG_POLICY
    return response
