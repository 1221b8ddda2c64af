"""How close a 1,000-creator TikTok keyword search gets to the provider's rate limit.

Runs the real job engine (``job_start`` + ``job_step_run``, profile enrichment included) in this
process against the sandbox provider at 150 ms latency and a 20 requests/s limit, on a throwaway
SQLite database and the in-memory rate limiter, then prints:

- run 1 (cold cache): wall time, provider calls, 429s, credits, the lower bound calls / rate and
  the ratio wall / bound (goal <= 1.25);
- the seed's method (one call after another with 100 ms pauses: search page, then each new
  creator's profile) on a sample, extrapolated to the same 1,000 creators, and the speed-up;
- run 2, the same search within the freshness window: its credits as a share of run 1's
  (goal <= 10%).

    .venv/bin/python bench/search_pipeline.py [--target 1000] [--rate-limit 20] [--reference-sample 150]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraping.sandbox.server import SandboxConfig, SandboxServer, start_sandbox  # noqa: E402  (imports no Django)
from bench.embedded import django_on_sandbox, paying_customer  # noqa: E402

LATENCY_MS = 150
PROVIDER_RATE = 20  # requests per second, the sandbox's limit and the engine's configured rate (--rate-limit)
SEED = 11
# Six topics whose sandbox pools (seed 11) hold about 1,950 distinct TikTok creators.
KEYWORDS = ["skincare", "makeup", "beauty", "glow", "fitness", "food"]
SEED_METHOD_PAUSE = 0.1


@dataclass(frozen=True)
class EngineRun:
    wall: float
    status: str
    found: int
    provider_calls: int
    sandbox_calls: int
    rate_limited: int
    credits: int
    reused: int
    steps: int


@dataclass(frozen=True)
class SeedMethodRun:
    wall: float
    creators: int
    calls: int


def engine_run(provider: SandboxServer, user, *, target: int) -> EngineRun:
    """One search through the engine, each step run in this thread as a worker would run it."""
    from scraping.ratelimit import provider_rate_limiter
    from scraping.services import job_start, job_step_run

    provider_rate_limiter().reset()
    requests_before, refused_before = provider.stats.requests, provider.stats.by_status[429]
    started = time.perf_counter()
    job = job_start(user=user, platform="tiktok", search_type="keyword", keywords=KEYWORDS,
                    target_results=target, dispatch=False)
    while True:
        outcome = job_step_run(job_id=job.pk, dispatch=False)
        if outcome.finished:
            break
        time.sleep(outcome.delay or 0)
    wall = time.perf_counter() - started
    job.refresh_from_db()
    return EngineRun(
        wall=wall, status=job.status, found=job.found_count, provider_calls=job.provider_calls,
        sandbox_calls=provider.stats.requests - requests_before,
        rate_limited=provider.stats.by_status[429] - refused_before,
        credits=job.credits_spent, reused=job.profiles_reused, steps=job.step,
    )


def seed_method_run(provider: SandboxServer, *, creators: int) -> SeedMethodRun:
    """The seed's way: every call waits for the previous one, then 100 ms more."""
    from influencer_platform.http import build_session
    from scraping.providers import ProviderNotFoundError, ScrapeCreatorsClient

    client = ScrapeCreatorsClient(api_key="sandbox", base_url=provider.base_url, session=build_session())
    seen: set[str] = set()
    calls = 0
    started = time.perf_counter()
    for keyword in KEYWORDS:
        cursor = None
        while len(seen) < creators:
            page = client.tiktok_keyword_search(keyword, cursor)
            calls += 1
            time.sleep(SEED_METHOD_PAUSE)
            for hit in page.hits:
                if len(seen) >= creators:
                    break
                if hit.external_id in seen:
                    continue
                seen.add(hit.external_id)
                try:
                    client.tiktok_profile(hit.handle)
                except ProviderNotFoundError:
                    pass
                calls += 1
                time.sleep(SEED_METHOD_PAUSE)
            if not page.has_more:
                break
            cursor = page.next_cursor
        if len(seen) >= creators:
            break
    return SeedMethodRun(wall=time.perf_counter() - started, creators=len(seen), calls=calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=int, default=1000, help="creators per search (default 1000)")
    parser.add_argument("--rate-limit", type=int, default=PROVIDER_RATE,
                        help=f"requests/s the sandbox allows and the engine is set to (default {PROVIDER_RATE})")
    parser.add_argument("--enrichment-concurrency", type=int, default=None,
                        help="profile fetches in flight per step (default: the system configuration's)")
    parser.add_argument("--reference-sample", type=int, default=150,
                        help="creators the seed's method is timed on, then extrapolated (default 150)")
    args = parser.parse_args()
    rate = args.rate_limit

    config = SandboxConfig(latency_ms=LATENCY_MS, rate_limit=rate, seed=SEED)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as workdir, start_sandbox(config) as provider:
        concurrency = args.enrichment_concurrency
        django_on_sandbox(provider, Path(workdir) / "bench.sqlite3", config={
            "provider.requests_per_second": rate,
            **({"scraping.enrichment_concurrency": concurrency} if concurrency else {}),
        })
        from adminpanel.config import config_get

        user = paying_customer(email="bench@creatorradar.test", plan_key="viral_surge")
        print(f"sandbox: latency {LATENCY_MS} ms, limit {rate} req/s, seed {SEED} | engine: "
              f"{config_get('provider.requests_per_second')} req/s, enrichment concurrency "
              f"{config_get('scraping.enrichment_concurrency')}, in-process steps on SQLite")
        print(f"search: TikTok keywords {', '.join(KEYWORDS)}, target {args.target}")

        first = engine_run(provider, user, target=args.target)
        bound = first.provider_calls / rate
        print(f"run 1 (cold):  {first.status} {first.found} creators in {first.steps} steps | "
              f"wall {first.wall:.1f} s | calls {first.provider_calls} (sandbox saw {first.sandbox_calls}) | "
              f"429s {first.rate_limited} | credits {first.credits} | bound {bound:.1f} s | "
              f"ratio {first.wall / bound:.2f} (goal <= 1.25)")

        with start_sandbox(config) as reference_provider:
            time.sleep(1)  # a full token bucket, like the engine run had
            sample = seed_method_run(reference_provider, creators=min(args.reference_sample, args.target))
        estimate = sample.wall * first.found / sample.creators
        how = "measured" if sample.creators >= first.found else f"extrapolated from {sample.creators}"
        print(f"seed method:   {sample.creators} creators in {sample.wall:.1f} s ({sample.calls} calls, "
              f"{sample.calls / sample.wall:.1f} calls/s) | {first.found} creators ~ {estimate:.0f} s ({how}) | "
              f"speed-up {estimate / first.wall:.1f}x (goal >= 8x; at {rate} req/s no run can beat "
              f"{estimate / bound:.1f}x = seed estimate / bound)")

        second = engine_run(provider, user, target=args.target)
        share = 100 * second.credits / first.credits if first.credits else 0.0
        print(f"run 2 (fresh): {second.status} {second.found} creators | wall {second.wall:.1f} s | "
              f"calls {second.provider_calls} | profiles reused {second.reused} | credits {second.credits} "
              f"= {share:.1f}% of run 1 (goal <= 10%)")


if __name__ == "__main__":
    main()
