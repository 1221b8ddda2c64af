from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scraping.sandbox import SandboxConfig, SandboxServer, serve_forever
from scraping.sandbox.latency import PROFILES


class Command(BaseCommand):
    help = "Serve the sandbox ScrapeCreators provider (generated creators) in the foreground."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--latency-ms", type=int, default=0, help="fixed delay before every API answer")
        parser.add_argument("--latency-spread", type=float, default=0.0, metavar="SIGMA",
                            help="make --latency-ms the median of a log-normal with this sigma (0.5: one answer "
                                 "in twenty past 2.3x the median; 1.0: a long tail)")
        parser.add_argument("--endpoint-latency", action="append", default=[], metavar="PATH=MS[:SIGMA]",
                            help="answer PATH after a log-normal draw around MS instead (repeatable), e.g. "
                                 "/v1/tiktok/profile=800:0.6")
        parser.add_argument(
            "--latency-profile", choices=sorted(PROFILES), default="none",
            help="per-endpoint delays drawn from log-normal distributions: 'realistic' answers as the provider "
                 "does (TikTok about a second, YouTube search 1.6 s and twice that with includeExtras, Instagram "
                 "profiles 2.2 s, reels search 4.5 s); added to --latency-ms")
        parser.add_argument("--refuse", action="append", default=[], metavar="PATH",
                            help="answer 404 for this endpoint, e.g. /v2/instagram/reels/search (repeatable)")
        parser.add_argument("--rate-limit", type=float, default=0.0,
                            help="requests per second, 0 = unlimited; below the app's own rate it makes a 429 "
                                 "storm, as a provider whose real limit is lower than configured")
        parser.add_argument("--fail-rate", type=float, default=0.0, help="share of API calls that fail (0-1)")
        parser.add_argument("--hang-seconds", type=float, default=30.0, help="how long an injected hang lasts")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--api-key", default=None, help="accept only this key (default: any non-empty key)")

    def handle(self, *args: Any, **options: Any) -> None:
        endpoint_latency = tuple(_endpoint_latency(text) for text in options["endpoint_latency"])
        if options["latency_spread"] < 0:
            raise CommandError("--latency-spread must not be negative")
        if not 0.0 <= options["fail_rate"] <= 1.0:
            raise CommandError("--fail-rate must be between 0 and 1")
        if options["rate_limit"] < 0 or options["latency_ms"] < 0 or options["hang_seconds"] < 0:
            raise CommandError("--rate-limit, --latency-ms and --hang-seconds must not be negative")
        config = SandboxConfig(
            latency_ms=options["latency_ms"], rate_limit=options["rate_limit"], fail_rate=options["fail_rate"],
            seed=options["seed"], api_key=options["api_key"], host=options["host"], port=options["port"],
            hang_seconds=options["hang_seconds"], latency_profile=options["latency_profile"],
            refused_paths=frozenset(options["refuse"]), latency_spread=options["latency_spread"],
            endpoint_latency=endpoint_latency,
        )
        try:
            serve_forever(config, on_ready=self._announce)
        except OSError as exc:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        self.stdout.write("Sandbox provider stopped.")

    def _announce(self, server: SandboxServer) -> None:
        self.stdout.write(f"Sandbox provider listening on {server.base_url} (seed {server.config.seed}, "
                          f"latency profile {server.config.latency_profile})")
        self.stdout.write("Quit with CONTROL-C.")
        self.stdout.flush()


def _endpoint_latency(text: str) -> tuple[str, float, float]:
    path, _, timing = text.partition("=")
    median, _, sigma = timing.partition(":")
    try:
        median_s, spread = float(median) / 1000, float(sigma or 0.5)
    except ValueError:
        raise CommandError(f"--endpoint-latency {text!r}: write PATH=MS or PATH=MS:SIGMA") from None
    if not path.startswith("/") or median_s < 0 or spread < 0:
        raise CommandError(f"--endpoint-latency {text!r}: write PATH=MS or PATH=MS:SIGMA") from None
    return path, median_s, spread
