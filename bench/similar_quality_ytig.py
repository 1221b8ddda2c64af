"""How topical YouTube and Instagram "similar to @x" searches are, and how many results carry engagement.

Runs the real job engine (``job_start`` + ``job_step_run``, enrichment included) in this process
against the sandbox provider, whose generated creators each post about one known topic (a niche),
on a throwaway SQLite database, then prints per platform and target:

- precision at N (default 100): the share of the first N results whose topic is the target's
  (goal >= 80 %);
- engagement: the share of those results with an engagement rate, and how it was computed
  (goal >= 90 %);

and the same engagement share for a YouTube and an Instagram keyword search.

    .venv/bin/python bench/similar_quality_ytig.py [--target 100] [--targets-per-platform 4] [--seed 11]
        [--latency-profile none|realistic]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraping.sandbox import data  # noqa: E402  (imports no Django)
from scraping.sandbox.server import SandboxConfig, start_sandbox  # noqa: E402
from bench.embedded import django_on_sandbox, paying_customer  # noqa: E402

SEED = 11
PRECISION_GOAL = 80.0
ENGAGEMENT_GOAL = 90.0
# Niches the targets are drawn from: beauty, food, tech, fitness, gaming, pets.
TARGET_NICHES = (0, 1, 4, 2, 5, 7)
KEYWORD_SEARCHES = {"youtube": "desk setup, budget travel", "instagram": "vegan recipes, #skincare"}


@dataclass(frozen=True)
class Measured:
    label: str
    status: str
    found: int
    on_topic: int | None
    with_engagement: int
    bases: Counter
    credits: int
    wall: float

    def line(self) -> str:
        precision = "" if self.on_topic is None else (
            f" | precision {100 * self.on_topic / self.found:.0f}% (goal >= {PRECISION_GOAL:.0f}%)" if self.found else "")
        share = 100 * self.with_engagement / self.found if self.found else 0.0
        how = ", ".join(f"{basis or 'none'} {count}" for basis, count in sorted(self.bases.items()))
        return (f"{self.label:<42} {self.status:<9} {self.found:>4} results{precision} | engagement "
                f"{share:.0f}% (goal >= {ENGAGEMENT_GOAL:.0f}%; {how}) | credits {self.credits} | {self.wall:.1f} s")


def targets(platform: str, count: int, seed: int) -> list[tuple[str, int]]:
    """Public creators of the sandbox, one per niche in ``TARGET_NICHES``: (handle, niche)."""
    universe = data._universe(platform, seed)
    chosen = []
    for niche in TARGET_NICHES[:count]:
        for index in universe.members[niche]:
            creator = data._creator(platform, seed, index)
            if not creator.private and creator.followers > 5_000:
                chosen.append((creator.handle, niche))
                break
    return chosen


def run(user, *, platform: str, search_type: str, target: int, label: str, niche: int | None,
        seed: int, **source) -> Measured:
    from scraping.models import JobCreator
    from scraping.ratelimit import provider_rate_limiter
    from scraping.services import job_start, job_step_run

    provider_rate_limiter().reset()
    started = time.perf_counter()
    job = job_start(user=user, platform=platform, search_type=search_type, target_results=target,
                    dispatch=False, **source)
    while not job_step_run(job_id=job.pk, dispatch=False).finished:
        pass
    wall = time.perf_counter() - started
    job.refresh_from_db()
    rows = list(JobCreator.objects.filter(job=job).select_related("creator").order_by("rank")[:target])
    universe = data._universe(platform, seed)
    on_topic = None if niche is None else sum(
        universe.niches[universe.index_by_id[row.creator.external_id]] == niche
        for row in rows if row.creator.external_id in universe.index_by_id)
    return Measured(
        label=label, status=job.status, found=len(rows), on_topic=on_topic,
        with_engagement=sum(row.creator.engagement_rate is not None for row in rows),
        # getattr: the bench also runs on code from before engagement said how it was computed.
        bases=Counter(getattr(row.creator, "engagement_basis", "?") for row in rows), credits=job.credits_spent,
        wall=wall,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=int, default=100, help="results per search, and N of precision at N")
    parser.add_argument("--targets-per-platform", type=int, default=4, help=f"at most {len(TARGET_NICHES)}")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--latency-profile", default="none",
                        help="the sandbox's per-endpoint delays: none, or realistic (the provider's seconds)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-similar-") as workdir, \
            start_sandbox(SandboxConfig(seed=args.seed, latency_profile=args.latency_profile)) as provider:
        django_on_sandbox(provider, Path(workdir) / "bench.sqlite3", log_level="ERROR", config={
            "provider.requests_per_second": 400,
            "scraping.fetch_link_pages": False,
            **{f"provider.step_delay.{platform}": "0s" for platform in ("tiktok", "instagram", "youtube")},
        })
        user = paying_customer(email="bench-similar@creatorradar.test", plan_key="fame_flex")
        print(f"sandbox seed {args.seed}, latency profile {args.latency_profile} | searches to {args.target} results")
        totals: dict[str, list[Measured]] = {}
        for platform in ("youtube", "instagram"):
            for handle, niche in targets(platform, args.targets_per_platform, args.seed):
                label = f"{platform} similar @{handle} ({data.NICHES[niche].words[0]})"
                measured = run(user, platform=platform, search_type="similar", target=args.target, label=label,
                               niche=niche, seed=args.seed, username=handle)
                totals.setdefault(f"{platform} similar", []).append(measured)
                print(measured.line())
            keywords = KEYWORD_SEARCHES[platform]
            measured = run(user, platform=platform, search_type="keyword", target=args.target,
                           label=f"{platform} keyword {keywords}", niche=None, seed=args.seed, keywords=keywords)
            totals.setdefault(f"{platform} keyword", []).append(measured)
            print(measured.line())
        print("totals:")
        for name, runs in totals.items():
            found = sum(m.found for m in runs)
            engaged = sum(m.with_engagement for m in runs)
            precision = ""
            if all(m.on_topic is not None for m in runs):
                precision = f"precision {100 * sum(m.on_topic for m in runs) / found:.1f}% (goal >= 80%) | "
            print(f"  {name:<18} {found:>4} results | {precision}engagement {100 * engaged / found:.1f}% "
                  f"(goal >= 90%)")


if __name__ == "__main__":
    main()
