"""How similar a TikTok "similar to @x" search's creators are to @x, and how many carry engagement.

The sandbox provider's creators each belong to one known topic (its niches: beauty, food, fitness
...). For one target per topic, this runs a similar search for 100 creators through the real job
engine (``job_start`` + ``job_step_run``, enrichment included) on a throwaway SQLite database, then
prints per target and overall:

- precision at 100: the share of the results whose topic is the target's (goal >= 80%);
- engagement: the share of the results with an engagement figure (goal >= 90%), and its bases;
- credits spent per search.

    .venv/bin/python bench/similar_quality.py [--target 100] [--topics 6]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraping.sandbox import data  # noqa: E402  (imports no Django)
from scraping.sandbox.server import SandboxConfig, start_sandbox  # noqa: E402
from bench.embedded import django_on_sandbox, paying_customer  # noqa: E402

SEED = 11
GOAL_PRECISION = 80
GOAL_ENGAGEMENT = 90


def targets(count: int) -> list[tuple[str, int]]:
    """One public creator per topic with a mid-sized audience: (handle, topic index)."""
    universe = data._universe("tiktok", SEED)
    chosen = []
    for niche, members in enumerate(universe.members[:count]):
        for index in members:
            creator = data._creator("tiktok", SEED, index)
            if not creator.private and 5_000 <= creator.followers <= 200_000:
                chosen.append((creator.handle, niche))
                break
    return chosen


def topic_of(external_id: str) -> int | None:
    index = data._universe("tiktok", SEED).index_by_id.get(external_id)
    return None if index is None else data._universe("tiktok", SEED).niches[index]


def similar_run(user, handle: str, *, target: int):
    from scraping.models import JobCreator
    from scraping.services import job_start, job_step_run

    job = job_start(user=user, platform="tiktok", search_type="similar", username=handle,
                    target_results=target, dispatch=False)
    for _ in range(2000):
        if job_step_run(job_id=job.pk, dispatch=False).finished:
            break
    job.refresh_from_db()
    rows = list(JobCreator.objects.filter(job=job).select_related("creator").order_by("rank")[:100])
    return job, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=int, default=100, help="creators per search (default 100)")
    parser.add_argument("--topics", type=int, default=6, help="targets, one per sandbox topic (default 6)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-similar-") as workdir, \
            start_sandbox(SandboxConfig(seed=SEED)) as provider:
        django_on_sandbox(provider, Path(workdir) / "bench.sqlite3",
                          config={"provider.requests_per_second": 200, "scraping.fetch_link_pages": False})
        user = paying_customer(email="bench@creatorradar.test", plan_key="viral_surge")
        print(f"sandbox seed {SEED}: TikTok similar searches for {args.target} creators, one target per topic")
        on_topic = with_engagement = total = 0
        for handle, niche in targets(args.topics):
            job, rows = similar_run(user, handle, target=args.target)
            same = sum(topic_of(row.creator.external_id) == niche for row in rows)
            engaged = [row.creator.engagement_basis or "?" for row in rows if row.creator.engagement_rate is not None]
            on_topic, with_engagement, total = on_topic + same, with_engagement + len(engaged), total + len(rows)
            share = 100 * same / len(rows) if rows else 0.0
            bases = ", ".join(f"{basis} {n}" for basis, n in Counter(engaged).most_common())
            print(f"  @{handle:<24} {data.NICHES[niche].words[0]:<10} {job.status:<9} {len(rows):>3} results | "
                  f"on topic {share:5.1f}% | engagement {len(engaged):>3} ({bases or 'none'}) | "
                  f"credits {job.credits_spent}")
        precision = 100 * on_topic / total if total else 0.0
        engagement = 100 * with_engagement / total if total else 0.0
        print(f"precision at 100: {precision:.1f}% (goal >= {GOAL_PRECISION}%) | "
              f"results with engagement: {engagement:.1f}% (goal >= {GOAL_ENGAGEMENT}%)")


if __name__ == "__main__":
    main()
