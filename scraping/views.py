"""Pages served by the scraping app: the image proxy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from .images.render import OutputFormat
from .images.services import proxied_image_serve
from .images.signing import InvalidImageRequestError, image_request_parse

# Ours contain no script, but an SVG opened on its own is a document: keep it inert.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _output_format(request: HttpRequest) -> OutputFormat:
    # Not request.accepts(): every browser and client sends */*, and only some can show WebP,
    # so WebP goes only to those that name it (and did not name it to refuse it, with q=0).
    for media_type in request.accepted_types:
        if (media_type.main_type, media_type.sub_type) == ("image", "webp"):
            return "webp" if media_type.quality > 0 else "jpeg"
    return "jpeg"


@require_safe
def image_proxy(request: HttpRequest, signature: str) -> HttpResponse:
    try:
        image_request = image_request_parse(signature=signature, query=request.GET)
    except InvalidImageRequestError as exc:
        return HttpResponseForbidden(str(exc), content_type="text/plain; charset=utf-8")
    output = _output_format(request)
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
    if served.placeholder:
        response["Content-Security-Policy"] = _SVG_POLICY
    return response
