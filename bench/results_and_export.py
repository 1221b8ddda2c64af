"""How fast a 10,000-creator search's results pages answer, and what a 100,000-row CSV export costs.

Starts its own throwaway PostgreSQL cluster (as ``scripts/test.sh`` does: ``initdb`` in a temp dir,
a unix socket only, ``fsync=off``), stops and deletes it at exit, migrates, then prints:

- results page ``/searches/<id>/`` and API ``/api/v1/searches/<id>/results/`` at 50 rows a page,
  plain, sorted by followers and filtered to creators with an email: median and p95 time through
  Django's test ``Client`` (a signed-in paying customer; random pages), and queries per request
  (goal < 100 ms p95). A URL that answers other than 200 is reported, and the selector is timed alone;
- the CSV export of 100,000 rows: ``scraping.export.csv_rows`` fully consumed vs PostgreSQL's own
  ``COPY (SELECT the same columns) TO STDOUT WITH CSV`` read through psycopg, and the ratio
  (goal <= 3x);
- peak memory of the export at 10k, 50k and 100k rows (tracemalloc peak of Python allocations, and
  the growth of the process's resident high-water mark), in its own pass because tracemalloc
  slows everything down. Flat figures mean the export streams.

    .venv/bin/python bench/results_and_export.py [--requests 40] [--export-runs 5]
"""

from __future__ import annotations

import argparse
import atexit
import glob
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCH_CREATORS = 10_000
EXPORT_ROWS = 100_000
MEMORY_ROWS = (10_000, 50_000, 100_000)
PAGE_SIZE = 50
EMAIL_SHARE = 0.35
SEED = 7
GOAL_PAGE_MS = 100
GOAL_EXPORT_RATIO = 3


# A throwaway PostgreSQL


def _pg_bin() -> str:
    initdb = shutil.which("initdb")
    if initdb:
        return str(Path(initdb).resolve().parent)  # /usr/local/bin may hold symlinks to a few of them
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2]))
    if not found:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql, or run `make test` once).")
    return found[-1]


def postgres_start() -> str:
    """Start a cluster listening on a socket in a temp dir, return that dir; stopped at exit."""
    pg_bin, work = _pg_bin(), tempfile.mkdtemp(prefix="ip-bench.")
    os.chmod(work, 0o755)
    # initdb refuses to run as root, so the cluster belongs to the postgres user, as in scripts/test.sh.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, stdout=subprocess.DEVNULL)

    def stop() -> None:
        subprocess.run([*as_postgres, f"{pg_bin}/pg_ctl", "-D", f"{work}/pg", "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(work, ignore_errors=True)

    atexit.register(stop)
    # atexit does not run on SIGTERM by default; turn it into a normal exit so the cluster stops.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run(f"{pg_bin}/initdb", "-D", f"{work}/pg", "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")
    run(f"{pg_bin}/pg_ctl", "-D", f"{work}/pg", "-l", f"{work}/pg.log", "-w", "start", "-o",
        f"-c listen_addresses='' -k {work} -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    import psycopg

    with psycopg.connect(host=work, user="postgres", dbname="postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE bench")
    return work


def django_setup(socket_dir: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "influencer_platform.settings.local",
        "DATABASE_URL": f"postgres://postgres@/bench?host={socket_dir}",
        "REDIS_URL": "",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    })
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here

    setup_test_environment()  # lets the test Client's "testserver" host through ALLOWED_HOSTS
    call_command("migrate", verbosity=0, interactive=False)


# Data


WORDS = ("skincare glow routine vegan serum spf clean beauty makeup tutorial haul review fitness morning "
         "night budget drugstore luxury dermatologist acne hydration retinol niacinamide sunscreen tips").split()
NAMES = ("Ana", "Léa", "Mia", "Zoë", "Sam", "Kai", "Noor", "Aiko", "Chloé", "Ife", "Rosa", "Yuki", "Maya")
PLATFORMS = ("tiktok", "instagram", "youtube")
PROFILE_URLS = {"tiktok": "https://www.tiktok.com/@{}", "instagram": "https://www.instagram.com/{}/",
                "youtube": "https://www.youtube.com/@{}"}
POST_URLS = {"tiktok": "https://www.tiktok.com/@{}/video/{}", "instagram": "https://www.instagram.com/p/{}{}/",
             "youtube": "https://www.youtube.com/watch?v={}{}"}


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def creators_create(count: int, rng: random.Random) -> list[int]:
    from scraping.models import CreatorProfile

    ids: list[int] = []
    for start in range(0, count, 5000):
        batch = []
        for n in range(start, min(start + 5000, count)):
            platform = PLATFORMS[n % 3]
            handle = f"{rng.choice(NAMES).lower()}.{rng.choice(WORDS)}{n}"
            emails = []
            if rng.random() < EMAIL_SHARE:
                emails.append({"address": f"{handle}@gmail.com", "source": rng.choice(("profile", "bio", "link"))})
                if rng.random() < 0.2:
                    emails.append({"address": f"collabs@{handle.split('.')[0]}studio.com", "source": "link"})
            batch.append(CreatorProfile(
                platform=platform, external_id=f"bench{n}", handle=handle,
                display_name=f"{rng.choice(NAMES)} {rng.choice(WORDS).title()} ✨",
                followers=int(rng.lognormvariate(9.5, 1.8)), engagement_rate=round(rng.uniform(0.3, 18), 2),
                verified=rng.random() < 0.05, profile_url=PROFILE_URLS[platform].format(handle),
                avatar_url=f"https://cdn.example.com/avatars/{n}.jpg",
                bio=f"{_sentence(rng, 6, 30)} | DM for collabs 💌" + (f" {emails[0]['address']}" if emails else ""),
                emails=emails, has_email=bool(emails), links=[f"https://linktr.ee/{handle}"],
            ))
        ids.extend(creator.pk for creator in CreatorProfile.objects.bulk_create(batch))
    return ids


def search_create(user, creator_ids: list[int], rng: random.Random, *, keywords: list[str]):
    from django.utils import timezone

    from scraping.models import CreatorProfile, JobCreator, ScrapingJob

    job = ScrapingJob.objects.create(
        user=user, platform="tiktok", search_type="keyword", keywords=keywords, status="completed",
        phase="done", target_results=len(creator_ids), found_count=len(creator_ids),
        started_at=timezone.now() - timedelta(minutes=20), finished_at=timezone.now(),
    )
    platforms = dict(CreatorProfile.objects.filter(pk__in=creator_ids).values_list("pk", "platform"))
    for start in range(0, len(creator_ids), 5000):
        batch = []
        for rank, creator_id in enumerate(creator_ids[start:start + 5000], start=start + 1):
            views = int(rng.lognormvariate(10, 2))
            batch.append(JobCreator(
                job=job, creator_id=creator_id, rank=rank, keyword=rng.choice(keywords),
                post_url=POST_URLS[platforms[creator_id]].format(f"c{creator_id}", 7_000_000_000 + rank),
                post_caption=f"{_sentence(rng, 8, 40)} " + " ".join(f"#{w}" for w in rng.sample(WORDS, 4)),
                post_views=views, post_likes=views // rng.randint(8, 40), post_comments=views // rng.randint(200, 900),
                post_shares=views // rng.randint(300, 2000) if rng.random() < 0.8 else None,
                post_hashtags=rng.sample(WORDS, rng.randint(2, 6)),
                post_thumbnail_url=f"https://cdn.example.com/thumbs/{creator_id}.jpg",
            ))
        JobCreator.objects.bulk_create(batch)
    return job


def customer_create():
    """A Glow Up customer past the trial: csv_export included, no 25-row trial cap."""
    from accounts.models import OnboardingStep, User
    from billing.services import trial_start

    user = User.objects.create_user("bench@creatorradar.test", "bench-pass-2026", full_name="Bench Brand",
                                    onboarding_step=OnboardingStep.PLAN_SELECTED)
    trial_start(user=user, plan_key="glow_up")
    user = User.objects.select_related("subscription").get(pk=user.pk)  # trial_start saved another copy
    user.subscription.subscription_status = "active"
    user.subscription.save()
    return user


# Measuring


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label: str, samples: list[float], *, extra: str = "") -> None:
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    verdict = "ok" if p95 < GOAL_PAGE_MS else "OVER GOAL"
    print(f"  {label:<44} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (goal p95 < {GOAL_PAGE_MS} ms: {verdict}){extra}")


def results_bench(user, job, *, requests: int, rng: random.Random) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from scraping.selectors import ResultFilters, job_results

    client = Client()
    client.force_login(user)
    variants = [
        ("plain", "", ResultFilters()),
        ("sorted by followers", "&sort=followers", ResultFilters(sort="followers")),
        ("has email", "&has_email=on", ResultFilters(has_email=True)),
    ]
    surfaces = [("results page", f"/searches/{job.pk}/", "text/html"),
                ("API results", f"/api/v1/searches/{job.pk}/results/", "application/json")]
    missing = []
    for surface, path, content_type in surfaces:
        print(f"{surface}  GET {path}?page=K&page_size={PAGE_SIZE}  ({SEARCH_CREATORS:,} creators)")
        for label, query, _filters in variants:
            cache.clear()  # the API's per-user throttle counts in the cache
            pages = max(1, SEARCH_CREATORS // PAGE_SIZE)
            if query == "&has_email=on":
                pages = max(1, round(SEARCH_CREATORS * EMAIL_SHARE) // PAGE_SIZE)

            def url() -> str:
                return f"{path}?page={rng.randint(1, pages)}&page_size={PAGE_SIZE}{query}"

            probe = client.get(url())
            if probe.status_code != 200 or content_type not in probe.get("Content-Type", ""):
                print(f"  {label:<44} NOT MEASURED: answered {probe.status_code} "
                      f"{probe.get('Content-Type', '')}")
                missing.append(surface)
                break
            queries: list[float] = []

            def timed_query(execute, sql, *args):
                started = time.perf_counter()
                try:
                    return execute(sql, *args)
                finally:
                    queries.append((time.perf_counter() - started) * 1000)

            # Counted at the cursor: the test Client's request_started signal empties connection.queries.
            with connection.execute_wrapper(timed_query):
                client.get(url())
            for _ in range(3):
                client.get(url())
            report(label, timed(lambda: client.get(url()), requests),
                   extra=f"  {len(queries)} queries, {sum(queries):.0f} ms of SQL in one")
    if missing:
        print(f"Note: {', '.join(sorted(set(missing)))} not available yet; timing the selector alone instead.")
        for label, _query, filters in variants:
            rows = job_results(user=user, job_id=job.pk, filters=filters)

            def page() -> list:
                offset = rng.randrange(0, SEARCH_CREATORS // 3, PAGE_SIZE)
                return list(rows[offset:offset + PAGE_SIZE])

            report(f"selector job_results, {label}", timed(page, requests))


def copy_sql(job_id: int) -> str:
    from scraping.models import CreatorProfile, JobCreator

    return (
        "COPY (SELECT cp.platform, cp.handle, cp.display_name, cp.profile_url, cp.followers, cp.engagement_rate, "
        "cp.verified, cp.bio, cp.links, cp.emails, jc.post_url, jc.posted_at, jc.post_caption, jc.post_views, "
        "jc.post_likes, jc.post_comments, jc.post_shares, jc.post_hashtags, jc.post_duration_seconds, jc.keyword, "
        "jc.found_at "
        f"FROM {JobCreator._meta.db_table} jc JOIN {CreatorProfile._meta.db_table} cp ON cp.id = jc.creator_id "
        f"WHERE jc.job_id = {int(job_id)} ORDER BY jc.rank, jc.id) TO STDOUT WITH (FORMAT csv, HEADER)"
    )


def copy_consume(job_id: int) -> int:
    from django.db import connection

    size = 0
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql(job_id)) as copy:
        for data in copy:
            size += len(data)
    return size


def export_consume(user, job_id: int, limit: int | None = None) -> int:
    """What the response does with the stream: encode every chunk and hand it on."""
    from scraping.export import csv_rows
    from scraping.selectors import job_results

    size = 0
    for chunk in csv_rows(job_results(user=user, job_id=job_id), limit=limit):
        size += len(chunk.encode("utf-8"))
    return size


def export_bench(user, job, *, runs: int) -> None:
    from django.test import Client

    print(f"CSV export of {EXPORT_ROWS:,} rows")
    size, copy_size = export_consume(user, job.pk), copy_consume(job.pk)
    export_ms: list[float] = []
    copy_ms: list[float] = []
    # Alternated so that a burst of load on the machine hits both sides alike.
    for _ in range(runs):
        export_ms += timed(lambda: export_consume(user, job.pk), 1)
        copy_ms += timed(lambda: copy_consume(job.pk), 1)
    export_median, copy_median = statistics.median(export_ms), statistics.median(copy_ms)
    ratio = export_median / copy_median
    print(f"  csv_rows fully consumed                    median {export_median:7.0f} ms  "
          f"({size / 1e6:.1f} MB, {EXPORT_ROWS / export_median:,.0f} rows/ms)")
    print(f"  PostgreSQL COPY ... TO STDOUT (psycopg)    median {copy_median:7.0f} ms  ({copy_size / 1e6:.1f} MB)")
    print(f"  ratio csv_rows / COPY                      {ratio:.2f}x  "
          f"(goal <= {GOAL_EXPORT_RATIO}x: {'ok' if ratio <= GOAL_EXPORT_RATIO else 'OVER GOAL'})")

    client = Client()
    client.force_login(user)
    # The page records the export with a POST and downloads the file it links to; the API answers the POST.
    page_link = client.post(f"/searches/{job.pk}/export/")["Location"]
    for method, path in (("GET", page_link), ("POST", f"/api/v1/searches/{job.pk}/export.csv")):
        started = time.perf_counter()
        response = client.get(path) if method == "GET" else client.post(path)
        body = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(
            response.content)
        elapsed = (time.perf_counter() - started) * 1000
        label = f"{method} {path.split('?', 1)[0]}"
        if response.status_code == 200:
            print(f"  {label:<42} {elapsed:7.0f} ms  ({body / 1e6:.1f} MB, one run)")
        else:
            print(f"  {label:<42} NOT MEASURED: answered {response.status_code}")


def _rss_high_water_kb() -> int | None:
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None


def _rss_high_water_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def memory_bench(user, job) -> None:
    print("CSV export memory (separate pass: tracemalloc slows the export)")
    for rows in MEMORY_ROWS:
        can_reset = _rss_high_water_reset()
        rss_before = _rss_high_water_kb()
        tracemalloc.start()
        tracemalloc.reset_peak()
        size = export_consume(user, job.pk, limit=rows)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = _rss_high_water_kb()
        rss = (f"  resident high-water +{(rss_after - rss_before) / 1024:5.1f} MB"
               if can_reset and rss_before is not None and rss_after is not None else "")
        print(f"  {rows:>7,} rows ({size / 1e6:5.1f} MB of CSV)  tracemalloc peak {peak / 1e6:5.2f} MB{rss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page variant")
    parser.add_argument("--export-runs", type=int, default=5, help="timed runs of each full export")
    args = parser.parse_args()

    django_setup(postgres_start())
    from django.db import connection

    rng = random.Random(SEED)
    started = time.perf_counter()
    user = customer_create()
    creator_ids = creators_create(EXPORT_ROWS, rng)
    search = search_create(user, creator_ids[:SEARCH_CREATORS], rng, keywords=["skincare", "vegan skincare"])
    big = search_create(user, creator_ids, rng, keywords=["beauty", "makeup", "glow"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"PostgreSQL {connection.pg_version // 10000}, seeded {len(creator_ids):,} creators and "
          f"{SEARCH_CREATORS + EXPORT_ROWS:,} results in {time.perf_counter() - started:.0f} s "
          f"({EMAIL_SHARE:.0%} with emails)\n")

    results_bench(user, search, requests=args.requests, rng=rng)
    print()
    export_bench(user, big, runs=args.export_runs)
    print()
    memory_bench(user, big)


if __name__ == "__main__":
    main()
