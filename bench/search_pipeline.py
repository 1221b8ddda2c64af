"""How close TikTok keyword searches get to the provider's rate limit, clean and under a faulty provider.

Runs the real job engine (``job_start`` + ``job_step_run``, profile enrichment included) in this
process against sandbox providers at 150 ms latency, on a throwaway SQLite database and the
in-memory rate limiter, one scenario after another, and prints one line per scenario:

- ``clean``: the provider allows our configured rate (``--rate-limit``); goal wall <= 1.1 x the
  lower bound calls / rate;
- ``faults``: ``--fail-rate`` of the calls fail, a third of those after hanging ``--hang-seconds``;
  goal wall <= 1.5 x the clean run's;
- ``limit``: the provider's real limit is ``--provider-limit`` (default half of ours) and says so
  with 429s; goal: completes with <= 2 % of the calls answered 429;
- ``concurrent``: ``--concurrent`` searches of as many customers at once; goal: each within
  1.3 x its fair-share bound (processor sharing of the rate between the searches), first rows of
  each within 5 s.

With ``--seed-method`` it then times the seed's method (one call after another with 100 ms pauses)
and a second run within the freshness window, as before.

    .venv/bin/python bench/search_pipeline.py [--target 300] [--rate-limit 40] [--fail-rate 0.1]
        [--hang-seconds 30] [--provider-limit 20] [--concurrent 5] [--seed-method]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraping.sandbox.server import SandboxConfig, SandboxServer, start_sandbox  # noqa: E402  (imports no Django)
from bench.embedded import django_on_sandbox, paying_customer, point_at_sandbox  # noqa: E402

LATENCY_MS = 150
ENGINE_RATE = 40  # requests per second, the engine's configured rate (--rate-limit)
SEED = 11
# Six topics whose sandbox pools (seed 11) hold about 1,950 distinct TikTok creators.
KEYWORDS = ["skincare", "makeup", "beauty", "glow", "fitness", "food"]
SEED_METHOD_PAUSE = 0.1


@dataclass(frozen=True)
class EngineRun:
    wall: float
    first_rows: float | None
    status: str
    found: int
    provider_calls: int
    rate_limited: int
    hedged: int
    wasted: int
    credits: int
    reused: int
    steps: int


@dataclass(frozen=True)
class SeedMethodRun:
    wall: float
    creators: int
    calls: int


def engine_run(user, *, target: int, keywords: list[str] = KEYWORDS) -> EngineRun:
    """One search through the engine, each step run in this thread as a worker would run it."""
    from django.db import connection

    from scraping.services import job_start, job_step_run

    started = time.perf_counter()
    first_rows: list[float] = []

    def progress(found: int, _message: str) -> None:
        if not first_rows:
            first_rows.append(time.perf_counter() - started)

    try:
        job = job_start(user=user, platform="tiktok", search_type="keyword", keywords=keywords,
                        target_results=target, dispatch=False)
        while True:
            outcome = job_step_run(job_id=job.pk, dispatch=False, on_progress=progress)
            if outcome.finished:
                break
            time.sleep(outcome.delay or 0)
        wall = time.perf_counter() - started
        job.refresh_from_db()
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()
    return EngineRun(
        wall=wall, first_rows=first_rows[0] if first_rows else (wall if job.found_count else None),
        status=job.status, found=job.found_count, provider_calls=job.provider_calls,
        rate_limited=job.rate_limited_calls, hedged=job.hedged_calls, wasted=job.wasted_calls,
        credits=job.credits_spent, reused=job.profiles_reused, steps=job.step,
    )


def fair_share_bounds(calls: list[int], rate: float) -> list[float]:
    """When each search could end at the earliest if the rate were shared evenly between the
    searches still running (processor sharing): the smallest ends first, then the rest speed up."""
    order = sorted(range(len(calls)), key=lambda index: calls[index])
    bounds = [0.0] * len(calls)
    elapsed, done, remaining = 0.0, 0, len(calls)
    for index in order:
        elapsed += (calls[index] - done) * remaining / rate
        done = calls[index]
        remaining -= 1
        bounds[index] = elapsed
    return bounds


def scenario(provider: SandboxServer, users: list, *, target: int) -> list[EngineRun]:
    """The searches of ``users``, all at once, on a fresh provider and an idle limiter."""
    point_at_sandbox(provider)
    if len(users) == 1:
        return [engine_run(users[0], target=target)]
    runs: list[EngineRun | None] = [None] * len(users)

    def run(index: int) -> None:
        runs[index] = engine_run(users[index], target=target)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [run for run in runs if run is not None]


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


def _row(name: str, run: EngineRun, bound: float, goal: str) -> str:
    share = f"{100 * run.rate_limited / run.provider_calls:.1f}%" if run.provider_calls else "-"
    wasted = f"{100 * run.wasted / run.provider_calls:.1f}%" if run.provider_calls else "-"
    first = f"{run.first_rows:.1f}" if run.first_rows is not None else "-"
    return (f"{name:<14} {run.status:<9} {run.found:>5} {run.wall:>7.1f} {first:>6} {run.provider_calls:>6} "
            f"{run.rate_limited:>5} {share:>6} {run.hedged:>6} {wasted:>7} {bound:>7.1f} {run.wall / bound:>6.2f}  {goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=int, default=300, help="creators per search (default 300)")
    parser.add_argument("--rate-limit", type=float, default=ENGINE_RATE,
                        help=f"requests/s the engine is set to, and the clean provider allows (default {ENGINE_RATE})")
    parser.add_argument("--fail-rate", type=float, default=0.1, help="share of calls failing in the faults scenario")
    parser.add_argument("--hang-seconds", type=float, default=30.0, help="how long a third of the failed calls hang")
    parser.add_argument("--provider-limit", type=float, default=None,
                        help="the provider's real limit in the limit scenario (default: half of --rate-limit)")
    parser.add_argument("--concurrent", type=int, default=5, help="searches at once in the concurrent scenario")
    parser.add_argument("--enrichment-concurrency", type=int, default=16,
                        help="profile fetches in flight per search (default 16)")
    parser.add_argument("--seed-method", action="store_true",
                        help="also time the seed's method and a second run within the freshness window")
    parser.add_argument("--reference-sample", type=int, default=150,
                        help="creators the seed's method is timed on, then extrapolated (default 150)")
    args = parser.parse_args()
    rate = args.rate_limit
    provider_limit = args.provider_limit or rate / 2

    clean = SandboxConfig(latency_ms=LATENCY_MS, rate_limit=rate, seed=SEED)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as workdir, start_sandbox(clean) as provider:
        django_on_sandbox(provider, Path(workdir) / "bench.sqlite3", config={
            "provider.requests_per_second": rate,
            "scraping.enrichment_concurrency": args.enrichment_concurrency,
        })
        from adminpanel.config import config_get

        users = [paying_customer(email=f"bench{n}@creatorradar.test", plan_key="fame_flex")
                 for n in range(max(2, args.concurrent + 1))]
        print(f"sandbox: latency {LATENCY_MS} ms, seed {SEED} | engine: {config_get('provider.requests_per_second')} "
              f"req/s, enrichment concurrency {config_get('scraping.enrichment_concurrency')}, in-process steps on SQLite")
        print(f"search: TikTok keywords {', '.join(KEYWORDS)}, target {args.target} each; a fresh provider and "
              "cold profile cache per scenario")
        print(f"{'scenario':<14} {'status':<9} {'found':>5} {'wall s':>7} {'1st s':>6} {'calls':>6} {'429s':>5} "
              f"{'429 %':>6} {'hedged':>6} {'wasted':>7} {'bound':>7} {'ratio':>6}  goal")

        from scraping.models import CreatorProfile

        def cold() -> None:
            # Every profile is paid for again, as on a first search.
            CreatorProfile.objects.update(enriched_at=None)

        cold()
        clean_run = scenario(provider, users[:1], target=args.target)[0]
        print(_row("clean", clean_run, clean_run.provider_calls / rate, "ratio <= 1.10"))

        cold()
        faults = replace(clean, fail_rate=args.fail_rate, hang_seconds=args.hang_seconds)
        with start_sandbox(faults) as faulty:
            fault_run = scenario(faulty, users[1:2], target=args.target)[0]
        print(_row(f"faults {args.fail_rate:.0%}", fault_run, fault_run.provider_calls / rate,
                   f"wall {fault_run.wall / clean_run.wall:.2f}x clean (goal <= 1.5x)"))

        cold()
        with start_sandbox(replace(clean, rate_limit=provider_limit)) as limited:
            limit_run = scenario(limited, users[:1], target=args.target)[0]
        print(_row(f"limit {provider_limit:g}/s", limit_run, limit_run.provider_calls / provider_limit,
                   "completes, 429s <= 2% (bound at the provider's limit)"))

        cold()
        with start_sandbox(clean) as shared:
            runs = scenario(shared, users[:args.concurrent], target=args.target)
        bounds = fair_share_bounds([run.provider_calls for run in runs], rate)
        for index, (run, bound) in enumerate(zip(runs, bounds, strict=True), start=1):
            print(_row(f"concurrent {index}/{len(runs)}", run, bound,
                       "ratio <= 1.30 of fair share, 1st rows <= 5 s"))

        if args.seed_method:
            point_at_sandbox(provider)
            first = engine_run(users[0], target=args.target)
            with start_sandbox(clean) as reference_provider:
                time.sleep(1)  # a full token bucket, like the engine run had
                sample = seed_method_run(reference_provider, creators=min(args.reference_sample, args.target))
            estimate = sample.wall * first.found / sample.creators
            bound = first.provider_calls / rate
            print(f"seed method:   {sample.creators} creators in {sample.wall:.1f} s ({sample.calls} calls) | "
                  f"{first.found} creators ~ {estimate:.0f} s | speed-up over the clean run "
                  f"{estimate / clean_run.wall:.1f}x (ceiling {estimate / bound:.1f}x = seed estimate / bound)")
            share = 100 * first.credits / clean_run.credits if clean_run.credits else 0.0
            print(f"run 2 (fresh): {first.status} {first.found} creators | wall {first.wall:.1f} s | calls "
                  f"{first.provider_calls} | profiles reused {first.reused} | credits {first.credits} = "
                  f"{share:.1f}% of the clean run (goal <= 10%)")


if __name__ == "__main__":
    main()
