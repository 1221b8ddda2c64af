"""How fast the image proxy converts, and what a cache hit costs next to a static file.

Prints:

- conversions per second of a 1080x1080 HEIC (photo-like content) to a 256 px JPEG, and to
  WebP, and of a 1080x1080 JPEG to a 256 px JPEG for comparison, one at a time
  (``scraping.images.render.image_render``, the function the proxy and the avatar actor call),
  then HEIC to JPEG on one process per CPU;
- a cache miss through ``/img/...`` (fetch from a local HTTP server standing in for the CDN,
  convert, store), then cache hits of the same rendition through Django's test ``Client`` (the
  whole middleware stack, no sockets): by the stored hash an avatar's URL carries, by the URL
  alone (a cache lookup first), and a 304 revalidation; next to WhiteNoise serving a static file
  with the same bytes through the same stack.

    .venv/bin/python bench/images.py [--conversions 40] [--requests 400]

Runs on the embedded default (a throwaway SQLite database, local-memory cache, a temporary
media folder) and cleans up after itself.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def photo(size: int):
    """A square picture with smooth areas, shapes and sensor grain: the grain is what makes HEVC
    work, so a flat synthetic image would flatter the figures."""
    from PIL import Image, ImageDraw, ImageFilter

    gradient = Image.linear_gradient("L").resize((size, size))
    texture = Image.effect_noise((size // 8, size // 8), 60).resize((size, size), Image.Resampling.BICUBIC)
    image = Image.merge("RGB", (gradient, gradient.rotate(90), texture))
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.3, size * 0.15, size * 0.7, size * 0.55), fill=(235, 190, 160))
    draw.rectangle((size * 0.2, size * 0.6, size * 0.8, size), fill=(60, 90, 160))
    image = image.filter(ImageFilter.GaussianBlur(1))
    grain = Image.effect_noise((size, size), 12)
    return Image.blend(image, Image.merge("RGB", (grain, grain, grain)), 0.05)


def encoded(image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    # 80 is what the sandbox's CDN stand-in uses for its HEIC avatars.
    image.save(buffer, format=fmt, quality=80 if fmt == "HEIF" else 85)
    return buffer.getvalue()


def heic_to_jpeg(source: bytes) -> int:
    from scraping.images.render import image_render

    return len(image_render(source, size=256, output="jpeg"))


def django_setup(workdir: Path) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "influencer_platform.settings.local",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "REDIS_URL": "",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def serve_once(body: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Cdn(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/heic")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Cdn)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"127.0.0.1:{server.server_address[1]}"


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up: imports, pools, first-use caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def interleaved(cases: dict[str, Callable[[], object]], runs: int, rounds: int = 4) -> dict[str, list[float]]:
    """``runs`` timings of each case, taken in alternating rounds so that a burst of other work
    on the machine hits every case alike."""
    results: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(rounds):
        for label, action in cases.items():
            results[label] += timed(action, max(1, runs // rounds))
    return results


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversions", type=int, default=40)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        workdir = Path(tmp)
        django_setup(workdir)
        from django.conf import settings
        from django.test import Client

        from scraping.images.placeholder import creator_placeholder
        from scraping.images.render import image_render
        from scraping.images.signing import ImageRequest, image_proxy_url

        picture = photo(1080)
        heic = encoded(picture, "HEIF")
        jpeg = encoded(picture, "JPEG")
        print(f"source: 1080x1080, HEIC {len(heic) / 1024:.0f} KB, JPEG {len(jpeg) / 1024:.0f} KB; "
              f"{os.cpu_count()} CPUs\n")

        print("conversions (scraping.images.render.image_render)")
        conversions = {label: (lambda source=source, output=output: image_render(source, size=256, output=output))
                       for label, source, output in (("HEIC 1080 -> JPEG 256", heic, "jpeg"),
                                                     ("HEIC 1080 -> WebP 256", heic, "webp"),
                                                     ("JPEG 1080 -> JPEG 256", jpeg, "jpeg"))}
        for label, times in interleaved(conversions, args.conversions).items():
            median = statistics.median(times)
            print(f"  {label:24} {1 / median:6.1f} per second   one at a time: median {ms(median)}"
                  f"  p95 {ms(p95(times))}  ({len(times)} runs)")

        workers = os.cpu_count() or 1
        batch = max(args.conversions, 4 * workers)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(heic_to_jpeg, [heic] * workers))  # start the processes
            started = time.perf_counter()
            list(pool.map(heic_to_jpeg, [heic] * batch))
            elapsed = time.perf_counter() - started
        print(f"  {'HEIC 1080 -> JPEG 256':24} {batch / elapsed:6.1f} per second   on {workers} processes"
              f" ({batch} conversions)")

        server, netloc = serve_once(heic)
        settings.IMAGE_PROXY_HOSTS = {netloc}
        settings.IMAGE_PROXY_PRIVATE_HOSTS = {netloc}
        placeholder = creator_placeholder(platform="tiktok", external_id="1", name="Bench")
        by_url = image_proxy_url(ImageRequest(url=f"http://{netloc}/avatar.heic", size=256, placeholder=placeholder))

        # WhiteNoise indexes STATIC_ROOT when the middleware starts (first request): write first.
        client = Client()
        static_dir = Path(settings.STATIC_ROOT) / "bench"
        static_dir.mkdir(parents=True)
        started = time.perf_counter()
        miss = client.get(by_url)
        miss_time = time.perf_counter() - started
        assert miss.status_code == 200 and miss["Content-Type"] == "image/jpeg", miss
        rendition = miss.content
        (static_dir / "avatar-256.jpg").write_bytes(rendition)
        client = Client()  # a fresh handler, so WhiteNoise sees the file
        content_hash = next(Path(settings.MEDIA_ROOT, "images").glob("*/*")).name
        by_hash = image_proxy_url(ImageRequest(url=f"http://{netloc}/avatar.heic", size=256,
                                               placeholder=placeholder, content_hash=content_hash))
        etag = miss["ETag"]

        def proxy_hit(url: str) -> Callable[[], None]:
            def get() -> None:
                response = client.get(url)
                assert response.status_code == 200 and len(response.content) == len(rendition)
            return get

        def revalidate() -> None:
            assert client.get(by_hash, HTTP_IF_NONE_MATCH=etag).status_code == 304

        def static_file() -> None:
            response = client.get("/static/bench/avatar-256.jpg")
            assert response.status_code == 200
            assert len(b"".join(response.streaming_content)) == len(rendition)

        print(f"\nGET through Django's test Client, full middleware stack ({args.requests} requests each, "
              f"rendition {len(rendition) / 1024:.1f} KB)")
        print(f"  cache miss: fetch + HEIC->JPEG + store   {ms(miss_time)}  (one request)")
        results = interleaved({"cache hit, stored hash (avatar URL)": proxy_hit(by_hash),
                               "cache hit, URL -> hash from the cache": proxy_hit(by_url),
                               "304 revalidation (If-None-Match)": revalidate,
                               "static file, WhiteNoise, same bytes": static_file}, args.requests)
        static_median = statistics.median(results["static file, WhiteNoise, same bytes"])
        for label, times in results.items():
            median = statistics.median(times)
            print(f"  {label:40} median {ms(median)}  p95 {ms(p95(times))}  {1 / median:7.0f} req/s"
                  f"  x{median / static_median:.2f} of static")
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
