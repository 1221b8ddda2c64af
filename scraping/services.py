"""The search job engine: start, step, cancel, retry, and the sweep.

A job advances in steps. A step reads search pages and fetches profiles in a continuous flow (see
``flow.py``): a bounded number of fetches always in flight, the next page read while they are out,
and what arrives stored in small commits. Each commit opens a short transaction that locks the job
row and stores the arrived creators *if the job is still at the step it started from*, with the
resume checkpoint of the pages fully handled so far. A step that runs out of time hands over to the
next (any worker may run it); a redelivered message, a duplicate sent by the sweep, or a step that
raced a cancel stores nothing twice: under the lock, creators already stored are skipped and the
target caps what is added, so a kill -9 anywhere still ends at exactly the target.

Inside that transaction the new creators are revealed to the owner under the usage row lock (job
row first, then usage row, always in that order): a creator counts once per month, when it is first
revealed, so a second search finding it again, or a step stored twice, charges nothing more; a
trial's search stops at the rows a trial may see.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from adminpanel.alerts import SEARCH_PROVIDER_FAILED, alert_provider_refused, alert_raise
from adminpanel.config import config_get, search_switched_on
from billing.selectors import result_row_limit
from billing.services import PlanLimitError, RevealStop, creators_check, usage_reveal_creators
from influencer_platform.errors import ApplicationError, ProviderPermanentError, ProviderTransientError
from influencer_platform.http import web_url
from influencer_platform.jobs import actor_send

from .enrichment import profiles_reusable, profiles_store
from .flow import Arrival, FlowPage, InOrder, PageLedger, ProfileFlow
from .search_filters import SearchFilters
from .models import (
    ACTIVE_STATUSES,
    CreatorProfile,
    EndReason,
    JobCreator,
    JobPhase,
    JobStatus,
    Platform,
    ScrapingJob,
    SearchType,
)
from .parsing import normalise_handle
from .provider import provider_client
from .strategies import Candidate, JobSpec, TargetNotFoundError, strategy_for
from .strategies.base import Checkpoint

logger = logging.getLogger(__name__)

MAX_KEYWORDS = 10
MAX_KEYWORD_LENGTH = 100
# The most a single search may ask for, whatever the plan allows.
MAX_TARGET = 10_000


# Arrived creators are stored in commits of this many, or at least this often (seconds).
COMMIT_BATCH = 10
COMMIT_INTERVAL = 0.5
# A creator whose profile fetch kept failing is tried once more, at the end of the queue.
CANDIDATE_TRIES = 2


class SearchInputError(ApplicationError):
    code = "invalid_search"


class SearchSwitchedOffError(ApplicationError):
    """An operator switched this platform and search type off; searches already running go on."""

    code = "search_switched_off"
    status_code = 409


@dataclass(frozen=True)
class StepOutcome:
    """What a step did: ``delay`` is when the next step should run (None: the job has ended)."""

    stored: int
    delay: float | None
    stale: bool = False

    @property
    def finished(self) -> bool:
        return self.delay is None


# Starting


def search_keywords_parse(raw: str | list[str]) -> list[str]:
    """Up to 10 distinct keywords from "a, b" or a list; a leading # is kept for hashtag search."""
    parts = raw.replace("\n", ",").split(",") if isinstance(raw, str) else list(raw)
    keywords: dict[str, str] = {}
    for part in parts:
        keyword = " ".join(str(part).split())
        if not keyword or keyword == "#":
            continue
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise SearchInputError(f"Keep each keyword under {MAX_KEYWORD_LENGTH} characters.",
                                   extra={"field": "keywords"})
        keywords.setdefault(keyword.lower(), keyword)
    if not keywords:
        raise SearchInputError("Enter at least one keyword.", extra={"field": "keywords"})
    if len(keywords) > MAX_KEYWORDS:
        raise SearchInputError(f"Use at most {MAX_KEYWORDS} keywords per search.", extra={"field": "keywords"})
    return list(keywords.values())


# Where each platform's profile links live; a link anywhere else names an account on another site.
_PROFILE_DOMAINS = {Platform.TIKTOK: "tiktok.com", Platform.INSTAGRAM: "instagram.com", Platform.YOUTUBE: "youtube.com"}
# Share links point at a post through a redirect; the path is a short code, not the creator's handle.
_SHARE_HOSTS = frozenset({"vm.tiktok.com", "vt.tiktok.com", "youtu.be", "instagr.am"})


def search_username_parse(raw: str, *, platform: str) -> str:
    """A bare handle from "@name", "name" or a profile link on ``platform``; links to another site
    and share links (to a post, not a profile) are refused."""
    text = (raw or "").strip()
    domain = _PROFILE_DOMAINS.get(platform)
    if domain and ("://" in text or ("/" in text and "." in text.split("/", 1)[0])):
        try:
            host = (urlsplit(text if "://" in text else f"https://{text}").hostname or "").lower()
        except ValueError:  # a malformed address, such as an unclosed "[" host
            host = ""
        label = Platform(platform).label
        if host in _SHARE_HOSTS:
            raise SearchInputError(f"That is a share link to a post. Paste the creator's {label} profile link "
                                   "or their @username.", extra={"field": "username"})
        if host != domain and not host.endswith(f".{domain}"):
            article = "an" if label[:1] in "AEIOU" else "a"
            raise SearchInputError(f"That link is not {article} {label} profile. Paste {article} {label} "
                                   "profile link or an @username.", extra={"field": "username"})
    try:
        return normalise_handle(text)
    except ValueError as exc:
        raise SearchInputError(
            "Enter a username such as @creator or a link to their profile.", extra={"field": "username"}
        ) from exc


@transaction.atomic
def job_start(
    *,
    user: User,
    platform: str,
    search_type: str,
    target_results: int,
    keywords: str | list[str] = "",
    username: str = "",
    campaign_id: int | None = None,
    filters: SearchFilters = SearchFilters(),
    dispatch: bool = True,
) -> ScrapingJob:
    """Validate the input and the plan, create the job, and queue its first step on commit.

    ``filters`` come checked from ``SearchFilters.parse``. ``dispatch=False`` leaves running the
    steps to the caller (the foreground command).
    """
    if platform not in Platform.values:
        raise SearchInputError(f"Unknown platform {platform!r}.", extra={"field": "platform"})
    if search_type not in SearchType.values:
        raise SearchInputError(f"Unknown search type {search_type!r}.", extra={"field": "search_type"})
    if not search_switched_on(platform, search_type):
        raise SearchSwitchedOffError(
            f"{search_unavailable_label(platform, search_type)} searches are switched off for now. "
            "Searches already running finish as usual.",
            extra={"field": "search_type", "platform": platform, "search_type": search_type},
        )
    if search_type == SearchType.KEYWORD:
        parsed_keywords, target_username = search_keywords_parse(keywords), ""
    else:
        parsed_keywords, target_username = [], search_username_parse(username, platform=platform)
    if not isinstance(target_results, int) or not 1 <= target_results <= MAX_TARGET:
        raise SearchInputError(f"Choose a target between 1 and {MAX_TARGET:,} creators.",
                               extra={"field": "target_results"})
    creators_check(user=user, count=target_results).raise_if_denied()

    job = ScrapingJob.objects.create(
        user=user,
        campaign_id=campaign_id,
        platform=platform,
        search_type=search_type,
        keywords=parsed_keywords,
        target_username=target_username,
        target_results=target_results,
        filters=filters.as_json(),
        status=JobStatus.PENDING,
        phase=JobPhase.QUEUED,
        status_message="Queued",
    )
    if dispatch:
        _dispatch_on_commit(job.pk, step=0, delay=0)
    return job


def search_unavailable_label(platform: str, search_type: str) -> str:
    """"TikTok similar-creator": how a switched-off search is named to users."""
    kind = "keyword" if search_type == SearchType.KEYWORD else "similar-creator"
    return f"{Platform(platform).label} {kind}"


def _dispatch_on_commit(job_id: int, *, step: int, delay: float) -> None:
    transaction.on_commit(lambda: actor_send("job_step", job_id, step, delay=delay))


# One step


def job_spec(job: ScrapingJob) -> JobSpec:
    return JobSpec(
        platform=job.platform,
        search_type=job.search_type,
        keywords=tuple(job.keywords),
        target_username=job.target_username,
        target_results=job.target_results,
        region=SearchFilters.from_json(job.filters).region,
    )


def job_step_run(*, job_id: int, step: int | None = None, dispatch: bool = True,
                 on_progress: Callable[[int, str], None] | None = None) -> StepOutcome:
    """Run the job's next step. Safe to call any number of times with the same arguments.

    ``on_progress(found, message)`` is told after each commit that stored creators.
    """
    job = ScrapingJob.objects.select_related("user__subscription").filter(pk=job_id).first()
    if job is None or job.is_finished or (step is not None and job.step != step):
        return StepOutcome(stored=0, delay=None, stale=True)
    now = timezone.now()
    ScrapingJob.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
        status=JobStatus.PROCESSING, started_at=now, last_progress_at=now, updated_at=now
    )
    _phase_set(job, JobPhase.SEARCHING, "Searching")
    concurrency = max(1, int(config_get("scraping.enrichment_concurrency")))
    # Each search is a flow of its own in the shared limiter, and each account a party to it.
    client, session = provider_client(pool_size=2 * concurrency, flow=f"job-{job.pk}", account=f"user-{job.user_id}")
    try:
        return _StepRun(job, client, session, concurrency=concurrency, dispatch=dispatch,
                        on_progress=on_progress).run()
    finally:
        session.close()


@dataclass(frozen=True)
class Spend:
    """What a step's provider calls cost, counted into the job as its commits happen."""

    calls: int = 0
    credits: int = 0
    hedged: int = 0
    wasted: int = 0
    rate_limited: int = 0
    credits_remaining: int | None = None

    def __sub__(self, other: Spend) -> Spend:
        return Spend(calls=self.calls - other.calls, credits=self.credits - other.credits,
                     hedged=self.hedged - other.hedged, wasted=self.wasted - other.wasted,
                     rate_limited=self.rate_limited - other.rate_limited, credits_remaining=self.credits_remaining)

    @property
    def counters(self) -> dict[str, int]:
        return {"provider_calls": self.calls, "credits_spent": self.credits, "hedged_calls": self.hedged,
                "wasted_calls": self.wasted, "rate_limited_calls": self.rate_limited}


class _StepRun:
    """One step: pages read and profiles fetched in a continuous flow, stored in small commits.

    Candidates are submitted while fewer than ``concurrency`` fetches are in flight and fewer than
    the missing creators are pending; the next page is read as soon as the queue runs dry, while
    fetches are still out. Arrivals are stored every ``COMMIT_BATCH`` creators or
    ``COMMIT_INTERVAL`` seconds, under the job lock and the step guard, with the ledger's resume
    checkpoint; after ``scraping.step_duration`` the step stops reading, drains what it took, and hands over
    to the next step (which may run on another worker).
    """

    def __init__(self, job: ScrapingJob, client, session, *, concurrency: int, dispatch: bool,
                 on_progress: Callable[[int, str], None] | None) -> None:
        self.job, self.client, self.session, self.dispatch = job, client, session, dispatch
        self.on_progress = on_progress
        self.started_from = job.step
        self.strategy = strategy_for(job.platform, job.search_type)
        self.spec = job_spec(job)
        self.flow = ProfileFlow(strategy=self.strategy, client=client, concurrency=concurrency,
                                attempts=max(1, int(config_get("provider.call_retries"))),
                                read_link_pages=bool(config_get("scraping.fetch_link_pages")))
        self.ledger = PageLedger(self.strategy, job.checkpoint)
        self.counted = Spend()
        self.found = job.found_count
        self.stored = 0
        row_limit = result_row_limit(user=job.user)
        self.wanted = job.target_results if row_limit is None else min(job.target_results, row_limit)

    def spend(self) -> Spend:
        """The calls made since the last commit counted them."""
        session, client = self.session, self.client
        total = Spend(calls=session.calls, credits=client.credits_spent + session.wasted_credits,
                      hedged=session.hedged, wasted=session.wasted, rate_limited=session.rate_limited,
                      credits_remaining=client.credits_remaining)
        delta, self.counted = total - self.counted, total
        return delta

    def run(self) -> StepOutcome:
        try:
            outcome = self._flow()
        except TargetNotFoundError as exc:
            outcome = self._end(EndReason.TARGET_NOT_FOUND, _target_unreadable_message(self.job, exc.reason))
        except ProviderTransientError as exc:
            self.flow.close()
            outcome = _step_failed(self.job.pk, self.started_from, self.spend(), exc, dispatch=self.dispatch)
        except ProviderPermanentError as exc:
            alert_provider_refused(status=exc.status, message=exc.message)
            outcome = self._end(EndReason.PROVIDER_REJECTED,
                                "The data provider refused the search. Our team has been notified.",
                                detail=exc.message)
        finally:
            # Fetches still out were paid for: wait for them (each is bounded by its deadline).
            self.flow.close()
        if outcome.stale or outcome.finished:
            # Fetches sent after the last commit were paid for: count them too.
            _stale_step(self.job.pk, self.spend())
        return StepOutcome(stored=self.stored, delay=outcome.delay, stale=outcome.stale)

    def _end(self, reason: str, message: str, *, detail: str = "") -> StepOutcome:
        self.flow.close()
        return _job_end_after_failure(self.job.pk, self.started_from, self.spend(), reason, message, detail=detail)

    def _flow(self) -> StepOutcome:
        flow, ledger, strategy = self.flow, self.ledger, self.strategy
        frontier = self.job.checkpoint
        exhausted = strategy.exhausted(spec=self.spec, checkpoint=frontier)
        queue: deque[tuple[FlowPage, Candidate, int]] = deque()
        ready = InOrder()
        # After this the step stops reading, drains what it took and hands over to the next step
        # (which any worker may run), so a long search shares the workers with the others.
        reading_ends = time.monotonic() + config_get("scraping.step_duration").total_seconds()
        pages_read = 0
        last_commit = time.monotonic()
        failures_in_row, last_failure = 0, None
        while True:
            pending = flow.in_flight + sum(1 for arrival in ready.waiting if not _failed(arrival))
            missing = self.wanted - self.found - pending
            while queue and flow.has_room and (missing > 0 or queue[0][2] > 1):
                page, candidate, tries = queue.popleft()
                if not flow.in_flight and not self.stored:
                    _phase_set(self.job, JobPhase.ENRICHING, "Fetching creator profiles")
                flow.submit(page, candidate, tries=tries)
                missing -= 1
            # The next page is read while a buffer of candidates is still queued: its call waits for
            # a rate slot behind the fetches in flight, and the flow must not run dry meanwhile.
            if (missing > len(queue) and len(queue) < flow.concurrency and not exhausted
                    and (not pages_read or time.monotonic() < reading_ends)
                    and (strategy.reads_ahead or not ledger.unresolved)):
                page_read = self._next_page(frontier)
                pages_read += 1
                frontier = page_read.checkpoint
                exhausted = strategy.exhausted(spec=self.spec, checkpoint=frontier)
                self._take(page_read.candidates, ledger.add(frontier), queue, ready)
                ledger.settle()
                continue
            if not flow.in_flight and not ready.waiting:
                break
            for arrival in flow.arrivals(timeout=COMMIT_INTERVAL):
                if _failed(arrival):
                    failures_in_row, last_failure = failures_in_row + 1, arrival.fetch.error
                    if arrival.tries < CANDIDATE_TRIES:
                        # At the front: the creators after it wait for it to be stored in order.
                        queue.appendleft((arrival.page, arrival.candidate, arrival.tries + 1))
                        continue
                else:
                    failures_in_row = 0
                ready.add(arrival)
            giving_up = failures_in_row >= 2 * flow.concurrency
            # Nothing more will arrive without a commit (the creators still queued wait for what is
            # missing to be known): store all that came, still in taking order.
            flush = giving_up or not flow.in_flight
            releasable = len(ready.waiting) if flush else ready.releasable()
            if releasable and (flush or releasable >= COMMIT_BATCH
                               or time.monotonic() - last_commit >= COMMIT_INTERVAL):
                outcome = self._commit(ready.release(everything=flush), final=False)
                last_commit = time.monotonic()
                if outcome.stale or outcome.finished:
                    return outcome
            if giving_up:
                # The provider fails every profile: wait out a backoff rather than burn the pages.
                raise last_failure
        return self._commit([], final=True)

    def _next_page(self, checkpoint: Checkpoint):
        attempts = max(1, int(config_get("provider.call_retries")))
        for attempt in range(1, attempts + 1):
            try:
                return self.strategy.next_page(client=self.client, spec=self.spec, checkpoint=checkpoint)
            except ProviderTransientError as exc:
                # Reading a page is a pure function of the checkpoint: asking again is safe.
                if attempt == attempts:
                    raise
                if exc.status is not None and exc.status >= 500:
                    time.sleep(0.1 * attempt)
        raise AssertionError("unreachable")

    def _take(self, candidates: tuple[Candidate, ...], page: FlowPage, queue: deque, ready: InOrder) -> None:
        """The page's creators this job has not stored or taken yet, first sighting wins."""
        excluded = self.strategy.excluded_ids(checkpoint=page.checkpoint)
        unique: dict[str, Candidate] = {}
        for candidate in candidates:
            if candidate.hit.external_id not in excluded and candidate.hit.external_id not in ready:
                unique.setdefault(candidate.hit.external_id, candidate)
        stored = set(JobCreator.objects.filter(job_id=self.job.pk, creator__external_id__in=list(unique))
                     .values_list("creator__external_id", flat=True))
        fresh = [candidate for key, candidate in unique.items() if key not in stored]
        reusable = profiles_reusable(platform=self.job.platform, hits=[c.hit for c in fresh])
        for candidate in fresh:
            key = candidate.hit.external_id
            ready.take(key)
            page.open.add(key)
            if key in reusable:
                ready.add(Arrival(page=page, candidate=candidate, fetch=None))
            else:
                queue.append((page, candidate, 1))

    def _commit(self, arrivals: list[Arrival], *, final: bool) -> StepOutcome:
        stored = [arrival for arrival in arrivals if not _failed(arrival)]
        profiles = profiles_store(hits=[a.candidate.hit for a in stored],
                                  fetches=[a.fetch for a in stored if a.fetch is not None])
        for arrival in arrivals:
            profile = profiles.get(arrival.candidate.hit.external_id)
            self.ledger.resolve(arrival.page, arrival.candidate.hit.external_id, profile.related if profile else None)
        checkpoint = self.ledger.resume_checkpoint
        outcome = _step_store(
            self.job.pk, self.started_from, self._accepted(stored, profiles), profiles, checkpoint,
            final=final, exhausted=final and self.strategy.exhausted(spec=self.spec, checkpoint=checkpoint),
            spend=self.spend(), reused=sum(1 for a in stored if a.fetch is None), dispatch=self.dispatch,
        )
        self.stored += outcome.stored
        self.found += outcome.stored
        if outcome.stored and not outcome.finished and self.on_progress is not None:
            self.on_progress(self.found, f"Found {self.found:,} of {self.job.target_results:,}")
        return outcome


    def _accepted(self, arrivals: list[Arrival], profiles: dict[str, CreatorProfile]) -> list[Candidate]:
        """The arrived creators that count toward the job's target: the one place that decides.

        A creator left out here (no profile, or outside the search's filters) is still resolved (its
        page moves on) and is simply not stored for this job; the flow fetches others until the
        target is met.
        """
        filters = SearchFilters.from_json(self.job.filters)
        return [arrival.candidate for arrival in arrivals
                if (profile := profiles.get(arrival.candidate.hit.external_id)) is not None and filters.accepts(profile)]


def _failed(arrival: Arrival) -> bool:
    return arrival.fetch is not None and arrival.fetch.error is not None


def _target_unreadable_message(job: ScrapingJob, reason: str) -> str:
    """Why a similar search could not start: nothing was found, so nothing is charged."""
    who, platform = f"@{job.target_username}", job.get_platform_display()
    if reason == "private":
        return (f"{who} is a private {platform} account, so there is nothing to match. "
                "Try a public creator like them.")
    if reason == "deleted":
        return f"{who} does not exist on {platform} or was deleted. Check the spelling, or try another creator."
    return f"We could not find {who} on {platform}. Check the spelling, or paste a link to their profile."


def _phase_set(job: ScrapingJob, phase: str, message: str) -> None:
    # A plain UPDATE, no lock: the phase is informational and the next store overwrites it.
    ScrapingJob.objects.filter(pk=job.pk, status__in=ACTIVE_STATUSES).update(
        phase=phase, status_message=message, updated_at=timezone.now()
    )


def _locked_job(job_id: int, started_from: int) -> ScrapingJob | None:
    """The job row, locked, if it is still running the step that started from ``started_from``."""
    job = ScrapingJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.is_finished or job.step != started_from:
        return None
    return job


def _stale_step(job_id: int, spend: Spend) -> StepOutcome:
    """A step that lost to a cancel or to a duplicate stores nothing, but its provider calls were
    made and paid for: they still count in the job's totals (and so in the credits spent overall)."""
    counters = {field: F(field) + value for field, value in spend.counters.items() if value}
    if spend.credits_remaining is not None and counters:
        counters["credits_remaining"] = spend.credits_remaining
    if counters:
        # A plain UPDATE: updated_at stays as the step that won left it, which the sweep reads.
        ScrapingJob.objects.filter(pk=job_id).update(**counters)
    return StepOutcome(stored=0, delay=None, stale=True)


def _spend_add(job: ScrapingJob, spend: Spend) -> None:
    for field, value in spend.counters.items():
        setattr(job, field, getattr(job, field) + value)
    if spend.credits_remaining is not None:
        job.credits_remaining = spend.credits_remaining


@transaction.atomic
def _step_store(job_id: int, started_from: int, candidates: list[Candidate], profiles: dict[str, CreatorProfile],
                checkpoint: dict, *, final: bool, exhausted: bool, spend: Spend, reused: int,
                dispatch: bool) -> StepOutcome:
    """Store arrived creators; ``final`` ends the step (the next one is queued, or the job ends).

    A commit that is not final keeps the step counter, so a duplicate of this step may still store
    its own arrivals: the read of what is already stored under the lock keeps every row unique.
    """
    job = _locked_job(job_id, started_from)
    if job is None:
        return _stale_step(job_id, spend)
    # Under the job lock nobody else writes this job's rows, so this read is exact.
    already = set(JobCreator.objects.filter(job=job).filter(
        creator_id__in=[p.pk for p in profiles.values()]).values_list("creator_id", flat=True))
    new = [c for c in candidates if c.hit.external_id in profiles and profiles[c.hit.external_id].pk not in already]
    new = new[: job.target_results - job.found_count]
    try:
        reveal = usage_reveal_creators(user_id=job.user_id, creator_ids=[profiles[c.hit.external_id].pk for c in new],
                                       shown_before=job.found_count, job_id=job.pk)
    except PlanLimitError as exc:
        reveal, access_lost = None, exc
    else:
        access_lost = None
    granted = len(reveal.creator_ids) if reveal else 0
    JobCreator.objects.bulk_create([
        _job_creator(job, profiles[c.hit.external_id], c, rank=job.found_count + index + 1)
        for index, c in enumerate(new[:granted])
    ])
    now = timezone.now()
    job.found_count += granted
    job.step += final
    job.checkpoint = checkpoint
    if granted or final:
        job.failed_attempts = 0
    _spend_add(job, spend)
    job.profiles_reused += reused
    job.last_progress_at = now

    if job.found_count >= job.target_results:
        _finish(job, JobStatus.COMPLETED, EndReason.TARGET_REACHED,
                f"Found {job.found_count:,} creators.")
    elif access_lost is not None:
        _finish(job, JobStatus.PARTIAL, EndReason.ACCESS_ENDED,
                f"Stopped at {job.found_count:,} of {job.target_results:,}: {access_lost.message}")
    elif reveal.row_limit is not None and job.found_count >= reveal.row_limit:
        # A trial's search ends at the rows a trial sees: the reveal stops exactly there.
        _finish(job, JobStatus.PARTIAL, EndReason.TRIAL_ROWS,
                f"Found the first {job.found_count:,} creators, the rows a trial shows of each search. Subscribe "
                f"and resume this search to find the rest of the {job.target_results:,}.")
    elif reveal.stopped_by == RevealStop.CREATOR_LIMIT:
        _finish(job, JobStatus.PARTIAL, EndReason.QUOTA_EXHAUSTED,
                f"Stopped at {job.found_count:,} of {job.target_results:,} creators: you have used this "
                "month's creator allowance. Upgrade your plan or wait for the monthly reset to find more.")
    elif exhausted:
        _finish(job, JobStatus.PARTIAL, EndReason.PROVIDER_EXHAUSTED, _exhausted_message(job))
    elif not final:
        job.phase = JobPhase.ENRICHING
        job.status_message = f"Found {job.found_count:,} of {job.target_results:,}"
        job.save()
        return StepOutcome(stored=granted, delay=0.0)
    else:
        job.phase = JobPhase.SEARCHING
        job.status_message = f"Found {job.found_count:,} of {job.target_results:,}"
        delay = config_get(f"provider.step_delay.{job.platform}").total_seconds()
        if dispatch:
            _dispatch_on_commit(job.pk, step=job.step, delay=delay)
        job.save()
        return StepOutcome(stored=granted, delay=delay)
    # The job ended: so did this step, whichever commit of it that was.
    job.step = started_from + 1
    job.save()
    return StepOutcome(stored=granted, delay=None)


def _exhausted_message(job: ScrapingJob) -> str:
    matching, advice = "", "Add keywords to find more."
    if SearchFilters.from_json(job.filters).narrows:
        matching, advice = " matching your filters", "Widen the filters or add keywords to find more."
    if job.found_count == 0:
        return (f"{job.get_platform_display()} has no creators{matching} for {job.query_label}. "
                f"{'Widen the filters or try' if matching else 'Try'} broader keywords.")
    return (f"Found {job.found_count:,} of {job.target_results:,}: {job.get_platform_display()} has no more "
            f"creators{matching} for {job.query_label}. {advice}")


def _job_creator(job: ScrapingJob, profile: CreatorProfile, candidate: Candidate, *, rank: int) -> JobCreator:
    post = candidate.hit.post
    return JobCreator(
        job=job,
        creator=profile,
        keyword=candidate.keyword[:200],
        rank=rank,
        post_url=web_url(post.url if post else "")[:1000],
        post_caption=post.caption if post else "",
        post_views=post.views if post else None,
        post_likes=post.likes if post else None,
        post_comments=post.comments if post else None,
        post_shares=post.shares if post else None,
        post_hashtags=list(post.hashtags) if post else [],
        similar_topics=list(candidate.topics),
        post_thumbnail_url=(post.thumbnail_url if post else "")[:1000],
        post_duration_seconds=post.duration_seconds if post else None,
        posted_at=post.posted_at if post else None,
    )


def _finish(job: ScrapingJob, status: str, reason: str, message: str) -> None:
    if reason in (EndReason.PROVIDER_REJECTED, EndReason.PROVIDER_UNAVAILABLE):
        alert_raise(kind=SEARCH_PROVIDER_FAILED, detail=f"Search {job.pk} ({job.platform}): {job.error_detail}")
    job.status = status
    job.end_reason = reason
    job.status_message = message[:500]
    job.phase = JobPhase.DONE
    job.finished_at = timezone.now()
    transaction.on_commit(lambda: actor_send("search_finished", job.pk))


def _backoff(attempt: int) -> float:
    """Exponential with jitter: about 2, 4, 8 ... seconds, capped at a minute."""
    return min(60.0, 2.0 ** attempt) * random.uniform(0.75, 1.25)


@transaction.atomic
def _step_failed(job_id: int, started_from: int, spend: Spend, exc: ProviderTransientError,
                 *, dispatch: bool) -> StepOutcome:
    job = _locked_job(job_id, started_from)
    if job is None:
        return _stale_step(job_id, spend)
    _spend_add(job, spend)
    job.failed_attempts += 1
    job.error_detail = exc.message[:2000]
    budget = max(1, int(config_get("provider.retry_budget")))
    if job.failed_attempts >= budget:
        status = JobStatus.PARTIAL if job.found_count else JobStatus.ERROR
        found = f" The {job.found_count:,} creators found so far are kept." if job.found_count else ""
        _finish(job, status, EndReason.PROVIDER_UNAVAILABLE,
                f"The data provider kept failing, so the search stopped.{found} Try again in a few minutes.")
        job.save()
        return StepOutcome(stored=0, delay=None)
    delay = max(exc.retry_after or 0.0, _backoff(job.failed_attempts))
    job.phase = JobPhase.WAITING
    job.status_message = "The data provider is busy; retrying shortly."
    # Counts as activity for the sweep: a job waiting out a backoff is not stalled.
    job.last_progress_at = timezone.now()
    job.save()
    if dispatch:
        _dispatch_on_commit(job.pk, step=job.step, delay=delay)
    return StepOutcome(stored=0, delay=delay)


@transaction.atomic
def _job_end_after_failure(job_id: int, started_from: int, spend: Spend, reason: str, message: str,
                           *, detail: str = "") -> StepOutcome:
    job = _locked_job(job_id, started_from)
    if job is None:
        return _stale_step(job_id, spend)
    _spend_add(job, spend)
    job.error_detail = detail[:2000]
    if job.found_count:
        message = f"{message} The {job.found_count:,} creators found before that are kept."
    _finish(job, JobStatus.PARTIAL if job.found_count else JobStatus.ERROR, reason, message)
    job.save()
    return StepOutcome(stored=0, delay=None)


# Cancel, retry, sweep


@transaction.atomic
def job_cancel(*, job: ScrapingJob, by_operator: bool = False) -> ScrapingJob:
    """Stop a running job; what it found stays. A step in flight stores nothing after this."""
    job = ScrapingJob.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        raise ApplicationError("This search has already ended.", code="job_finished", status_code=409)
    reason = EndReason.CANCELLED_BY_OPERATOR if by_operator else EndReason.CANCELLED_BY_USER
    _finish(job, JobStatus.CANCELLED, reason, f"Cancelled with {job.found_count:,} creators found.")
    job.save()
    return job


@transaction.atomic
def job_retry(*, job: ScrapingJob, by_operator: bool = False, dispatch: bool = True) -> ScrapingJob:
    """Resume an ended job from its checkpoint; only for endings that more work can change.

    An operator may also resume a cancelled search (one they cancelled, or its owner did).
    """
    job = ScrapingJob.objects.select_for_update().get(pk=job.pk)
    if not (job.is_resumable or (by_operator and job.status == JobStatus.CANCELLED)):
        raise ApplicationError("Only a failed, timed-out or interrupted search can be resumed.",
                               code="job_not_retryable", status_code=409)
    if job.end_reason in (EndReason.QUOTA_EXHAUSTED, EndReason.ACCESS_ENDED, EndReason.TRIAL_ROWS):
        creators_check(user=job.user, count=1).raise_if_denied()
    if job.end_reason == EndReason.TRIAL_ROWS and result_row_limit(user=job.user) is not None:
        raise PlanLimitError("A trial shows the first rows of each search. Subscribe to a plan to find the rest.",
                             code="trial_rows", extra={"remaining": 0})
    job.status = JobStatus.PROCESSING
    job.phase = JobPhase.QUEUED
    job.end_reason = ""
    job.status_message = "Resuming"
    job.failed_attempts = 0
    job.finished_at = None
    job.last_progress_at = timezone.now()
    job.save()
    if dispatch:
        _dispatch_on_commit(job.pk, step=job.step, delay=0)
    return job


@dataclass(frozen=True)
class SweepResult:
    timed_out: int
    redispatched: int


def jobs_sweep(*, now=None) -> SweepResult:
    """End jobs that made no progress for too long; re-send the step of jobs that look stalled.

    A worker killed between storing a step and sending the next leaves a job that nothing will
    wake: re-sending its current step is safe because a duplicate stores nothing.
    """
    now = now or timezone.now()
    timeout = config_get("timeouts.standard_job_timeout")
    stalled_after = config_get("timeouts.stalled_step_after")
    timed_out = 0
    expired = ScrapingJob.objects.active().filter(
        Q(last_progress_at__lt=now - timeout) | Q(last_progress_at__isnull=True, created_at__lt=now - timeout)
    )
    for job_id in expired.values_list("pk", flat=True):
        timed_out += _job_time_out(job_id, now=now, timeout=timeout)
    redispatched = 0
    # A job pausing between pages on purpose is not stalled.
    stalled_after += max(config_get(f"provider.step_delay.{platform}") for platform in Platform.values)
    stalled = ScrapingJob.objects.active().filter(updated_at__lt=now - stalled_after)
    for job_id, step in stalled.values_list("pk", "step"):
        actor_send("job_step", job_id, step)
        redispatched += 1
    if timed_out or redispatched:
        logger.info("job sweep", extra={"timed_out": timed_out, "redispatched": redispatched})
    return SweepResult(timed_out=timed_out, redispatched=redispatched)


@transaction.atomic
def _job_time_out(job_id: int, *, now, timeout: timedelta) -> int:
    job = ScrapingJob.objects.select_for_update().get(pk=job_id)
    if job.is_finished or (job.last_progress_at or job.created_at) >= now - timeout:
        return 0
    minutes = int(timeout.total_seconds() // 60)
    kept = f" The {job.found_count:,} creators found are kept." if job.found_count else ""
    _finish(job, JobStatus.TIMEOUT, EndReason.NO_PROGRESS,
            f"The search stopped making progress for {minutes} minutes and was ended.{kept}")
    job.save()
    return 1
