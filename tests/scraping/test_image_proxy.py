"""The image proxy against a local HTTP server standing in for the platform CDNs.

The server answers JPEG, PNG, HEIC, HTML, 403s and redirects as each test tells it and records
every request, so a test can show both what a browser gets from ``/img/...`` and what reached the
CDN (or, for refused targets, that nothing did).
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.template import Context, Template
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from scraping.images.placeholder import creator_placeholder
from scraping.images.services import creator_avatars_queue, creator_avatars_store
from scraping.images.signing import ImageRequest, image_proxy_url
from scraping.models import CreatorProfile, JobStatus
from scraping.services import job_start
from tests.waiting import wait_until
from tests.factories import CreatorProfileFactory

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class FakeCdn:
    """A CDN edge on ``host``: ``routes`` maps a path (with its query, or without as a fallback) to
    a reply or to a function of the request headers returning one."""

    host: str
    port: int = 0
    routes: dict[str, Reply | Callable[[dict[str, str]], Reply]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.netloc}{path}"

    def paths(self) -> list[str]:
        return [path for path, _headers in self.requests]


def _handler(cdn: FakeCdn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {key.lower(): value for key, value in self.headers.items()}
            cdn.requests.append((self.path, headers))
            route = cdn.routes.get(self.path) or cdn.routes.get(self.path.split("?", 1)[0])
            status, extra, body = (route(headers) if callable(route) else route) if route else (404, {}, b"")
            self.send_response(status)
            for key, value in {"Content-Length": str(len(body)), **extra}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def serve_cdn() -> Iterator[Callable[[str, int], FakeCdn]]:
    servers: list[ThreadingHTTPServer] = []

    def serve(host: str = "127.0.0.1", port: int = 0) -> FakeCdn:
        cdn = FakeCdn(host=host)
        server = ThreadingHTTPServer((host, port), _handler(cdn))
        server.daemon_threads = True
        cdn.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return cdn

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def cdn(settings, serve_cdn) -> FakeCdn:
    """A CDN the proxy may fetch from, although it is on a loopback address (as the sandbox is)."""
    edge = serve_cdn("127.0.0.1", 0)
    settings.IMAGE_PROXY_HOSTS = {edge.netloc}
    settings.IMAGE_PROXY_PRIVATE_HOSTS = {edge.netloc}
    settings.IMAGE_PROXY_ALTERNATE_HOSTS = {}
    return edge


# Images


def _picture(width: int, height: int) -> Image.Image:
    """Red left half, blue right half: orientation shows in where the colours end up."""
    image = Image.new("RGB", (width, height), (220, 30, 30))
    image.paste((30, 30, 220), (width // 2, 0, width, height))
    return image


def jpeg(width: int = 200, height: int = 100, *, orientation: int | None = None) -> bytes:
    image = _picture(width, height)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 29.0)}  # GPS latitude: must never reach a browser
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def png_with_alpha(size: int = 120) -> bytes:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    image.paste((20, 160, 90, 255), (0, 0, size // 2, size))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def heic(size: int = 1080) -> bytes:
    buffer = io.BytesIO()
    _picture(size, size).save(buffer, format="HEIF", quality=70)
    return buffer.getvalue()


def ok(body: bytes, content_type: str = "image/jpeg") -> Reply:
    return 200, {"Content-Type": content_type}, body


FORBIDDEN: Reply = (403, {"Content-Type": "text/plain"}, b"Access denied")


def redirect(location: str) -> Reply:
    return 302, {"Location": location}, b""


# Proxy requests


def proxy_url(url: str, size: int = 64, *, name: str = "Mia Vega", content_hash: str = "") -> str:
    placeholder = creator_placeholder(platform="tiktok", external_id="123", name=name)
    return image_proxy_url(ImageRequest(url=url, size=size, placeholder=placeholder, content_hash=content_hash))


def decoded(response) -> Image.Image:
    return Image.open(io.BytesIO(response.content))


def assert_placeholder(response, initial: str = "M") -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert f">{initial}</text>" in body
    assert creator_placeholder(platform="tiktok", external_id="123", name="Mia Vega").colour in body


def tampered(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return f"{parts.path}?{urlencode(query)}"


# Signed URLs only


@pytest.mark.django_db
def test_image_proxy_refuses_an_unsigned_url(client, cdn):
    cdn.routes["/a.jpg"] = ok(jpeg())

    response = client.get("/img/not-a-signature/", {"u": cdn.url("/a.jpg"), "s": "64", "i": "M", "c": "0"})

    assert response.status_code == 403
    assert cdn.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"u": "TARGET"}, {"s": "512"}, {"i": "X"}, {"h": "0" * 64}])
def test_image_proxy_refuses_a_tampered_url(client, cdn, change):
    cdn.routes["/a.jpg"] = ok(jpeg())
    cdn.routes["/other.jpg"] = ok(jpeg())
    change = {key: cdn.url("/other.jpg") if value == "TARGET" else value for key, value in change.items()}

    response = client.get(tampered(proxy_url(cdn.url("/a.jpg")), **change))

    assert response.status_code == 403
    assert cdn.requests == []


@pytest.mark.django_db
def test_image_proxy_refuses_a_stored_copy_name_that_is_not_a_content_hash(client, cdn):
    # Even a URL we signed (by mistake) cannot point the storage path anywhere else.
    cdn.routes["/a.jpg"] = ok(jpeg())

    response = client.get(proxy_url(cdn.url("/a.jpg"), content_hash="../../" + "a" * 58))

    assert response.status_code == 403
    assert cdn.requests == []


@pytest.mark.django_db
def test_image_proxy_signature_covers_the_url_it_was_made_for(client, cdn):
    cdn.routes["/a.jpg"] = ok(jpeg())

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


# Where the proxy will not go


@pytest.mark.django_db
def test_image_proxy_refuses_a_loopback_address_not_allowed_as_private(client, cdn, settings):
    cdn.routes["/a.jpg"] = ok(jpeg())
    settings.IMAGE_PROXY_PRIVATE_HOSTS = set()

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert_placeholder(response)
    assert cdn.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/iam.jpg", "http://10.0.0.7/a.jpg"])
def test_image_proxy_refuses_private_targets_on_the_allow_list(client, settings, target):
    settings.IMAGE_PROXY_HOSTS = {"169.254.169.254", "10.0.0.7"}

    response = client.get(proxy_url(target))

    assert_placeholder(response)


@pytest.mark.django_db
def test_image_proxy_refuses_a_host_off_the_allow_list(client, cdn, serve_cdn):
    elsewhere = serve_cdn("127.0.0.1", 0)
    elsewhere.routes["/a.jpg"] = ok(jpeg())

    response = client.get(proxy_url(elsewhere.url("/a.jpg")))

    assert_placeholder(response)
    assert elsewhere.requests == []


@pytest.mark.django_db
def test_image_proxy_refuses_a_redirect_into_a_private_address(client, cdn, serve_cdn, settings):
    # 127.0.0.2 is on the allow-list but, unlike the CDN, not allowed to be private.
    internal = serve_cdn("127.0.0.2", 0)
    internal.routes["/secret.jpg"] = ok(jpeg())
    settings.IMAGE_PROXY_HOSTS = {cdn.netloc, internal.netloc}
    cdn.routes["/a.jpg"] = redirect(internal.url("/secret.jpg"))

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert_placeholder(response)
    assert cdn.paths() == ["/a.jpg"]
    assert internal.requests == []


@pytest.mark.django_db
def test_image_proxy_follows_up_to_three_redirects(client, cdn):
    cdn.routes["/a.jpg"] = redirect("/b.jpg")
    cdn.routes["/b.jpg"] = redirect(cdn.url("/c.jpg"))
    cdn.routes["/c.jpg"] = redirect("/final.jpg")
    cdn.routes["/final.jpg"] = ok(jpeg())

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert response["Content-Type"] == "image/jpeg"
    assert cdn.paths() == ["/a.jpg", "/b.jpg", "/c.jpg", "/final.jpg"]


@pytest.mark.django_db
def test_image_proxy_gives_up_after_three_redirects(client, cdn):
    for hop in range(5):
        cdn.routes[f"/{hop}.jpg"] = redirect(f"/{hop + 1}.jpg")
    cdn.routes["/5.jpg"] = ok(jpeg())

    response = client.get(proxy_url(cdn.url("/0.jpg")))

    assert_placeholder(response)
    assert "/4.jpg" not in cdn.paths()


# What the proxy will not pass on


@pytest.mark.django_db
def test_image_proxy_refuses_a_body_that_is_not_an_image(client, cdn):
    cdn.routes["/a.jpg"] = ok(b"<!doctype html><html><body>Not here</body></html>", "image/jpeg")

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert_placeholder(response)
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_image_proxy_refuses_a_truncated_image(client, cdn):
    # The header is fine, the pixels stop halfway: only decoding them shows it.
    whole = jpeg(400, 400)
    cdn.routes["/cut.jpg"] = ok(whole[: len(whole) // 2])

    response = client.get(proxy_url(cdn.url("/cut.jpg")))

    assert_placeholder(response)


@pytest.mark.django_db
def test_image_proxy_refuses_an_svg(client, cdn):
    # An SVG is a document that can run script; the proxy only passes on pixels.
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    cdn.routes["/a.svg"] = ok(svg, "image/svg+xml")

    response = client.get(proxy_url(cdn.url("/a.svg")))

    assert_placeholder(response)
    assert b"script" not in response.content


@pytest.mark.django_db
def test_image_proxy_refuses_a_decompression_bomb(client, cdn):
    # A few kilobytes that declare 49 megapixels: decoding them would take 49 MB and a lot of CPU.
    buffer = io.BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 100_000
    cdn.routes["/bomb.png"] = ok(buffer.getvalue(), "image/png")

    response = client.get(proxy_url(cdn.url("/bomb.png")))

    assert_placeholder(response)


@pytest.mark.django_db
def test_image_proxy_shows_the_initial_when_the_cdn_does_not_answer_in_time(client, cdn, settings):
    settings.IMAGE_PROXY_TIMEOUT = (1.0, 0.3)

    def stalled(headers: dict[str, str]) -> Reply:
        time.sleep(1.0)
        return ok(jpeg())

    cdn.routes["/a.jpg"] = stalled

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert_placeholder(response)
    assert cdn.paths() == ["/a.jpg"]  # a timeout is not a refusal: no variants tried


@pytest.mark.django_db
def test_image_proxy_refuses_a_body_over_the_size_cap(client, cdn, settings):
    settings.IMAGE_PROXY_MAX_BYTES = 10_000
    cdn.routes["/big.jpg"] = ok(jpeg() + b"\0" * 20_000)

    response = client.get(proxy_url(cdn.url("/big.jpg")))

    assert_placeholder(response)


# Conversion


@pytest.mark.django_db
def test_image_proxy_converts_heic_to_jpeg_at_the_requested_size(client, cdn):
    cdn.routes["/avatar.heic"] = ok(heic(1080), "image/heic")

    response = client.get(proxy_url(cdn.url("/avatar.heic"), size=256))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image = decoded(response)
    assert (image.format, image.size) == ("JPEG", (256, 256))
    assert image.getpixel((20, 128))[0] > 150  # still red on the left


@pytest.mark.django_db
def test_image_proxy_serves_webp_to_browsers_that_accept_it(client, cdn):
    cdn.routes["/avatar.heic"] = ok(heic(400), "image/heic")

    response = client.get(proxy_url(cdn.url("/avatar.heic"), size=128),
                          HTTP_ACCEPT="image/avif,image/webp,image/apng,*/*;q=0.8")

    assert response["Content-Type"] == "image/webp"
    assert decoded(response).size == (128, 128)
    assert "Accept" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["image/webp;q=0, image/*", "image/avif,*/*", ""])
def test_image_proxy_serves_jpeg_to_browsers_that_do_not_ask_for_webp(client, cdn, accept):
    cdn.routes["/a.jpg"] = ok(jpeg())

    response = client.get(proxy_url(cdn.url("/a.jpg")), HTTP_ACCEPT=accept)

    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "image_format"), [("*/*", "JPEG"), ("image/webp,*/*", "WEBP")])
def test_image_proxy_applies_exif_orientation_and_strips_metadata(client, cdn, accept, image_format):
    # Stored landscape with "rotate 90° clockwise to display": the browser must get portrait.
    cdn.routes["/photo.jpg"] = ok(jpeg(200, 100, orientation=6))

    image = decoded(client.get(proxy_url(cdn.url("/photo.jpg"), size=64), HTTP_ACCEPT=accept))

    assert image.format == image_format
    assert image.size == (32, 64)
    assert image.getpixel((16, 5))[0] > 150  # the left (red) half is now on top
    assert not image.getexif()
    assert "exif" not in image.info and "icc_profile" not in image.info and "xmp" not in image.info


@pytest.mark.django_db
def test_image_proxy_flattens_transparency_on_white(client, cdn):
    cdn.routes["/logo.png"] = ok(png_with_alpha(), "image/png")

    image = decoded(client.get(proxy_url(cdn.url("/logo.png"), size=64)))

    assert image.mode == "RGB"
    assert image.getpixel((60, 32)) == pytest.approx((255, 255, 255), abs=3)


# 403s and the placeholder


@pytest.mark.django_db
def test_image_proxy_retries_a_403_with_the_simplified_url(client, cdn):
    # Signed, expired CDN URL: the edge refuses it, the plain path still serves the original.
    cdn.routes["/avt/abc~tplv-crop:100:100.heic?x-expires=1&x-signature=zz"] = FORBIDDEN
    cdn.routes["/avt/abc.jpeg"] = ok(jpeg())

    response = client.get(proxy_url(cdn.url("/avt/abc~tplv-crop:100:100.heic?x-expires=1&x-signature=zz")))

    assert response["Content-Type"] == "image/jpeg"
    assert cdn.paths()[-1] == "/avt/abc.jpeg"


@pytest.mark.django_db
def test_image_proxy_retries_a_403_without_browser_headers(client, cdn):
    # An edge that refuses anything that looks like a hot-linking browser.
    cdn.routes["/a.jpg"] = lambda headers: ok(jpeg()) if headers.get("user-agent") == "Mozilla/5.0" else FORBIDDEN

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert response["Content-Type"] == "image/jpeg"
    assert all("referer" not in headers for _path, headers in cdn.requests)


@pytest.mark.django_db
def test_image_proxy_sends_no_cookie_a_cdn_set(client, cdn):
    cdn.routes["/a.jpg"] = (403, {"Set-Cookie": "edge=tracked; Path=/"}, b"")
    cdn.routes["/b.jpg"] = ok(jpeg())

    client.get(proxy_url(cdn.url("/a.jpg")))
    client.get(proxy_url(cdn.url("/b.jpg")))

    assert len(cdn.requests) > 2
    assert all("cookie" not in headers for _path, headers in cdn.requests)


@pytest.mark.django_db
def test_image_proxy_retries_a_403_on_an_alternate_cdn_host(client, cdn, serve_cdn, settings):
    alternate = serve_cdn("127.0.0.2", cdn.port)
    settings.IMAGE_PROXY_HOSTS = {cdn.netloc, alternate.netloc}
    settings.IMAGE_PROXY_PRIVATE_HOSTS = {cdn.netloc, alternate.netloc}
    settings.IMAGE_PROXY_ALTERNATE_HOSTS = {"127.0.0.1": ["127.0.0.2"]}
    cdn.routes["/avt/a.jpg"] = FORBIDDEN
    alternate.routes["/avt/a.jpg"] = ok(jpeg())

    response = client.get(proxy_url(cdn.url("/avt/a.jpg")))

    assert response["Content-Type"] == "image/jpeg"
    assert alternate.paths() == ["/avt/a.jpg"]


@pytest.mark.django_db
def test_image_proxy_shows_the_initial_when_every_variant_is_refused(client, cdn):
    cdn.routes["/avt/a.jpg"] = FORBIDDEN
    cdn.routes["/avt/a.jpeg"] = FORBIDDEN

    response = client.get(proxy_url(cdn.url("/avt/a.jpg?sig=1"), name="mia vega"))

    assert_placeholder(response, initial="M")
    assert len(cdn.requests) >= 3  # as given, minimal headers, simplified URL
    assert "immutable" not in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_image_proxy_does_not_ask_a_refusing_cdn_again_right_away(client, cdn):
    cdn.routes["/a.jpg"] = FORBIDDEN
    client.get(proxy_url(cdn.url("/a.jpg")))
    asked = len(cdn.requests)

    assert_placeholder(client.get(proxy_url(cdn.url("/a.jpg"))))
    assert len(cdn.requests) == asked


@pytest.mark.django_db
def test_image_proxy_placeholder_has_the_creators_stable_colour(client, cdn):
    cdn.routes["/a.jpg"] = FORBIDDEN
    first = creator_placeholder(platform="tiktok", external_id="1", name="Ana")
    second = creator_placeholder(platform="tiktok", external_id="1", name="Ana")

    url = image_proxy_url(ImageRequest(url=cdn.url("/a.jpg"), size=48, placeholder=first))
    body = client.get(url).content.decode()

    assert first == second
    assert f'fill="{first.colour}"' in body and ">A</text>" in body


# Storage, caching, 304


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_image_proxy_asks_the_cdn_once_for_an_image_many_browsers_want_at_once(cdn):
    def slow_edge(_headers: dict[str, str]) -> Reply:
        time.sleep(0.4)
        return ok(jpeg())

    cdn.routes["/popular.jpg"] = slow_edge
    url = proxy_url(cdn.url("/popular.jpg"))
    responses = []

    def visitor() -> None:
        try:
            responses.append(Client().get(url, HTTP_ACCEPT="image/avif,image/webp,*/*"))
        finally:
            connection.close()

    visitors = [threading.Thread(target=visitor) for _ in range(4)]
    for thread in visitors:
        thread.start()
    for thread in visitors:
        thread.join(timeout=15)

    assert [response.status_code for response in responses] == [200] * 4
    assert {response["Content-Type"] for response in responses} == {"image/webp"}
    assert len({response.content for response in responses}) == 1
    assert cdn.paths() == ["/popular.jpg"]


@pytest.mark.django_db
def test_image_proxy_answers_304_on_a_repeat(client, cdn):
    cdn.routes["/a.jpg"] = ok(jpeg())
    url = proxy_url(cdn.url("/a.jpg"))

    first = client.get(url)
    repeat = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"]
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == first["ETag"]
    assert cdn.paths() == ["/a.jpg"]


@pytest.mark.django_db
def test_image_proxy_answers_304_for_a_repeated_placeholder(client, cdn):
    cdn.routes["/a.jpg"] = FORBIDDEN
    url = proxy_url(cdn.url("/a.jpg"))

    first = client.get(url)
    repeat = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert repeat.status_code == 304


@pytest.mark.django_db
def test_image_proxy_serves_a_repeat_from_storage_with_long_cache_headers(client, cdn, settings):
    cdn.routes["/a.heic"] = ok(heic(600), "image/heic")
    url = proxy_url(cdn.url("/a.heic"), size=96)

    first = client.get(url)
    cdn.routes["/a.heic"] = FORBIDDEN  # the CDN URL has expired meanwhile
    again = client.get(url)

    assert again.content == first.content
    assert cdn.paths() == ["/a.heic"]
    assert "public" in again["Cache-Control"] and "max-age=2592000" in again["Cache-Control"]
    # A shared cache in front keeps one copy per format, not one per visitor.
    assert [value.strip() for value in again["Vary"].split(",")] == ["Accept"]
    assert "Set-Cookie" not in again
    stored = sorted(path.name for path in Path(settings.MEDIA_ROOT, "images").rglob("*") if path.is_file())
    assert stored == ["96.jpg", "source"]


@pytest.mark.django_db
def test_image_proxy_answers_a_signed_in_visitor_without_varying_on_the_cookie(client, cdn, user):
    cdn.routes["/a.jpg"] = ok(jpeg())
    client.force_login(user)

    response = client.get(proxy_url(cdn.url("/a.jpg")))

    assert response.status_code == 200
    # One copy in a shared cache serves every visitor, signed in or not.
    assert [value.strip() for value in response["Vary"].split(",")] == ["Accept"]
    assert "Set-Cookie" not in response


# The template tag


def _creator(**fields) -> CreatorProfile:
    defaults = {"platform": "tiktok", "external_id": "123", "handle": "miavega", "display_name": "Mia Vega"}
    return CreatorProfileFactory(**{**defaults, **fields})


def _rendered_avatar(creator: CreatorProfile, size: int = 40) -> str:
    return Template("{% load results %}{% creator_avatar creator size %}").render(
        Context({"creator": creator, "size": size})
    )


def _img_src(html: str) -> str:
    match = re.search(r'<img src="([^"]+)"', html)
    assert match, html
    return unescape(match[1])


@pytest.mark.django_db
def test_creator_avatar_renders_the_proxied_image_over_the_initial(client, cdn):
    cdn.routes["/mia.heic"] = ok(heic(320), "image/heic")
    creator = _creator(avatar_url=cdn.url("/mia.heic"))

    html = _rendered_avatar(creator, 40)

    assert 'width="40" height="40"' in html and 'loading="lazy"' in html and 'alt=""' in html
    assert ">M<img" in html  # the initial underneath, shown until the picture loads
    assert " 2x" in html
    response = client.get(_img_src(html))
    assert response["Content-Type"] == "image/jpeg"
    assert decoded(response).size == (48, 48)
    assert _img_src(html).startswith("/img/")  # never the CDN itself


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "initial"), [
    ("ßarah Koch", "ß"), ("ŉaomi", "N"), ("ﬁona lee", "F"), ("🌸 mia", "M"), ("ǆenan", "D"), ("…", "?"),
])
def test_creator_avatar_of_any_name_is_one_initial_the_proxy_accepts(client, cdn, name, initial):
    cdn.routes["/a.jpg"] = FORBIDDEN
    creator = _creator(avatar_url=cdn.url("/a.jpg"), display_name=name)

    response = client.get(_img_src(_rendered_avatar(creator, 40)))

    assert response.status_code == 200
    assert_placeholder(response, initial=initial)


@pytest.mark.django_db
def test_creator_avatar_without_a_picture_is_the_initial_only():
    html = _rendered_avatar(_creator(avatar_url=""))

    assert "<img" not in html
    assert ">M</span>" in html


# Avatars stored when a creator is saved


@pytest.mark.django_db
def test_creator_avatars_store_keeps_a_copy_that_outlives_the_cdn_url(client, cdn):
    cdn.routes["/mia.heic"] = ok(heic(320), "image/heic")
    creator = _creator(avatar_url=cdn.url("/mia.heic"))

    assert creator_avatars_store(profile_ids=[creator.pk]) == 1
    creator.refresh_from_db()
    cdn.routes["/mia.heic"] = FORBIDDEN
    response = client.get(_img_src(_rendered_avatar(creator)))

    assert len(creator.avatar_hash) == 64 and creator.avatar_fetched_at is not None
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert cdn.paths() == ["/mia.heic"]


@pytest.mark.django_db
def test_creator_avatars_store_fetches_each_avatar_once(cdn):
    cdn.routes["/mia.jpg"] = ok(jpeg())
    creator = _creator(avatar_url=cdn.url("/mia.jpg"))

    creator_avatars_store(profile_ids=[creator.pk])
    creator_avatars_store(profile_ids=[creator.pk])

    assert cdn.paths() == ["/mia.jpg"]


@pytest.mark.django_db
def test_creator_avatars_store_keeps_the_old_copy_when_a_refresh_is_refused(cdn, settings):
    settings.RUNTIME_CONFIG_OVERRIDES = {"images.refresh_after": "1d"}
    cdn.routes["/mia.jpg"] = ok(jpeg())
    creator = _creator(avatar_url=cdn.url("/mia.jpg"))
    creator_avatars_store(profile_ids=[creator.pk])
    creator.refresh_from_db()
    stored_hash = creator.avatar_hash
    CreatorProfile.objects.filter(pk=creator.pk).update(avatar_fetched_at=timezone.now() - timedelta(days=2))
    cdn.routes["/mia.jpg"] = FORBIDDEN

    creator_avatars_store(profile_ids=[creator.pk])

    creator.refresh_from_db()
    assert creator.avatar_hash == stored_hash
    assert creator.avatar_fetched_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
def test_changed_avatar_is_fetched_again_and_shown_instead_of_the_old_one(client, cdn,
                                                                          django_capture_on_commit_callbacks):
    cdn.routes["/old.jpg"] = ok(jpeg(100, 50))
    cdn.routes["/new.heic"] = ok(heic(300), "image/heic")
    creator = _creator(avatar_url=cdn.url("/old.jpg"))
    creator_avatars_store(profile_ids=[creator.pk])
    creator.refresh_from_db()
    old_src = _img_src(_rendered_avatar(creator))

    # A search saves the creator with a new picture.
    CreatorProfile.objects.filter(pk=creator.pk).update(avatar_url=cdn.url("/new.heic"))
    creator.refresh_from_db()
    with django_capture_on_commit_callbacks() as queued:
        creator_avatars_queue(previous_urls={creator.external_id: cdn.url("/old.jpg")}, profiles=[creator])
    creator.refresh_from_db()
    still_old = client.get(_img_src(_rendered_avatar(creator)))
    creator_avatars_store(profile_ids=[creator.pk])
    creator.refresh_from_db()
    new_src = _img_src(_rendered_avatar(creator))

    assert len(queued) == 1  # one actor message, sent once the save commits
    assert decoded(still_old).size == (48, 24)  # the stored old picture until the new one is in
    assert new_src != old_src
    assert decoded(client.get(new_src)).size == (48, 48)
    assert cdn.paths() == ["/old.jpg", "/new.heic"]


@pytest.mark.django_db
def test_creator_avatars_store_leaves_the_placeholder_for_a_refused_avatar(client, cdn):
    cdn.routes["/gone.jpg"] = FORBIDDEN
    creator = _creator(avatar_url=cdn.url("/gone.jpg"))

    assert creator_avatars_store(profile_ids=[creator.pk]) == 0
    creator.refresh_from_db()

    assert creator.avatar_hash == "" and creator.avatar_fetched_at is not None
    assert_placeholder(client.get(_img_src(_rendered_avatar(creator))))


def _wait_for(condition: Callable[[], bool], timeout: float = 60) -> bool:
    return wait_until(condition, timeout=timeout, every=0.2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_stores_the_avatars_it_finds_through_the_worker(client, sandbox, make_customer, job_worker,
                                                              settings):
    user = make_customer("viral_surge")

    job = job_start(user=user, platform="tiktok", search_type="keyword", keywords="skincare", target_results=40)

    def all_tried() -> bool:
        job.refresh_from_db()
        pending = CreatorProfile.objects.exclude(avatar_url="").filter(avatar_fetched_at__isnull=True)
        return job.is_finished and not pending.exists()

    assert _wait_for(all_tried), f"job {job.status}, avatars still pending"
    assert job.status == JobStatus.COMPLETED
    creators = list(CreatorProfile.objects.exclude(avatar_url=""))
    heic_avatars = [c for c in creators if c.avatar_url.endswith(".heic")]
    broken = [c for c in creators if "/media/forbidden/" in c.avatar_url or "/media/notimage/" in c.avatar_url]
    assert heic_avatars, "the sandbox serves some avatars as HEIC"
    assert all(len(c.avatar_hash) == 64 for c in creators if c not in broken)
    assert all(c.avatar_hash == "" for c in broken)
    assert all(Path(settings.MEDIA_ROOT, "images", c.avatar_hash[:2], c.avatar_hash, "source").exists()
               for c in heic_avatars)

    # The platform's CDN is gone: pages still show every stored avatar.
    settings.IMAGE_PROXY_HOSTS = set()
    response = client.get(_img_src(_rendered_avatar(heic_avatars[0])))
    assert response["Content-Type"] == "image/jpeg"
    assert decoded(response).size == (48, 48)
