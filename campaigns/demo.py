"""The demo workspace `make run` opens onto: a campaign whose searches have finished on all three
platforms, and a list of its creators worked through every bucket of the board.

It is made through the services a user's clicks call, and its searches run on the job engine
against the configured provider (the sandbox provider in the embedded default), step by step in
this thread as ``run_search`` runs one, so the demo shows exactly what a user would get.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.selectors import result_row_limit
from influencer_platform.errors import ApplicationError
from scraping.models import CreatorProfile, JobStatus, Platform, ScrapingJob, SearchType
from scraping.selectors import ResultFilters
from scraping.services import job_step_run

from .lists.selectors import list_items, result_creator_ids
from .lists.services import list_add_creators, list_create, list_item_update, list_items_move
from .lists.models import Bucket, CreatorList, ListType
from .models import Campaign
from .services import campaign_create, campaign_delete, campaign_search_start

CAMPAIGN_NAME = "Spring SPF serum launch"
CAMPAIGN_DESCRIPTION = (
    "Creators for the April launch of our mineral SPF serum: skincare and sensitive-skin voices in the "
    "US and UK, 10k to 500k followers, who reply to their comments."
)
LIST_NAME = "Spring launch shortlist"
LIST_DESCRIPTION = "Who we are talking to for the SPF serum launch, from first look to booked."
LIST_TAGS = ("spring launch", "skincare")
# A search's size: small, so `make run` waits seconds for the demo, and never more than the rows a
# trial is shown, so the demo trial sees everything its searches found.
SEARCH_TARGET = 20
# Safety net for a provider that never says it is done; the sandbox ends each search in a few steps.
MAX_STEPS = 200


@dataclass(frozen=True)
class DemoSearch:
    platform: str
    search_type: str
    keywords: str = ""
    # A similar search starts from the first creator found by this earlier search (its index in SEARCHES).
    similar_to: int | None = None


SEARCHES = (
    DemoSearch(Platform.TIKTOK, SearchType.KEYWORD, keywords="sensitive skin, spf glow"),
    DemoSearch(Platform.INSTAGRAM, SearchType.KEYWORD, keywords="glass skin, #skincare"),
    DemoSearch(Platform.YOUTUBE, SearchType.KEYWORD, keywords="skincare, glass skin"),
    DemoSearch(Platform.INSTAGRAM, SearchType.SIMILAR, similar_to=1),
)

@dataclass(frozen=True)
class BoardCard:
    bucket: str
    pinned: bool = False
    notes: str = ""
    # The last contact, for a card that has one: outreach takes days, not the second of seeding.
    contacted_days_ago: int | None = None


# Where the list's creators sit on the board, in the order they are added (round robin over the
# searches, so every bucket mixes platforms), with what someone working the list would leave.
BOARD = (
    BoardCard(Bucket.BOOKED, pinned=True, contacted_days_ago=9,
              notes="Booked: 3 videos in launch week. Rate agreed, contract signed, samples shipped."),
    BoardCard(Bucket.BOOKED, contacted_days_ago=6,
              notes="Booked a dedicated review; the script outline is due a week before launch."),
    BoardCard(Bucket.CONTACTED, pinned=True, contacted_days_ago=3,
              notes="Sent the brief and asked for a rate card and the US/UK audience split. Follow up on Friday."),
    BoardCard(Bucket.CONTACTED, contacted_days_ago=2,
              notes="Replied to the brief: open to a gifted trial of the serum first."),
    BoardCard(Bucket.CONTACTED, contacted_days_ago=1),
    BoardCard(Bucket.SHORTLIST, pinned=True,
              notes="Comments full of questions about their routine. Check for a competing SPF deal before "
                    "reaching out."),
    BoardCard(Bucket.SHORTLIST, notes="Strong before/after posts; ask about usage rights for paid ads."),
    BoardCard(Bucket.SHORTLIST),
    BoardCard(Bucket.BACKLOG),
    BoardCard(Bucket.BACKLOG),
    BoardCard(Bucket.BACKLOG),
    BoardCard(Bucket.BACKLOG),
)


class DemoWorkspaceError(ApplicationError):
    code = "demo_workspace_failed"


@dataclass(frozen=True)
class DemoWorkspace:
    campaign: Campaign
    searches: list[ScrapingJob]
    creator_list: CreatorList


def demo_workspace_exists(*, user: User) -> bool:
    """Whether the user has made anything of their own, which a demo must never touch."""
    return (Campaign.objects.filter(user=user).exists() or CreatorList.objects.filter(owner=user).exists()
            or ScrapingJob.objects.filter(user=user).exists())


def demo_workspace_create(*, user: User, on_search: Callable[[ScrapingJob], None] = lambda job: None
                          ) -> DemoWorkspace:
    """Create the campaign, run its searches to their end, and work a list of their creators.

    ``on_search`` is told about each search as it ends. If anything fails, the campaign is deleted
    again (with its searches) so that running this later starts over rather than finding half a
    demo; creators already counted this month stay counted, as for anyone.
    """
    campaign = campaign_create(user=user, name=CAMPAIGN_NAME, description=CAMPAIGN_DESCRIPTION)
    try:
        searches: list[ScrapingJob] = []
        for search in SEARCHES:
            job = _search_run(user=user, campaign=campaign, search=search, earlier=searches)
            on_search(job)
            searches.append(job)
        creator_list = _list_work(user=user, searches=searches)
    except BaseException:
        campaign_delete(campaign=campaign)
        raise
    return DemoWorkspace(campaign=campaign, searches=searches, creator_list=creator_list)


def _search_run(*, user: User, campaign: Campaign, search: DemoSearch, earlier: list[ScrapingJob]) -> ScrapingJob:
    username = ""
    if search.similar_to is not None:
        username = _first_creator(user=user, job=earlier[search.similar_to]).handle
    limit = result_row_limit(user=user)
    job = campaign_search_start(
        user=user, campaign=campaign, platform=search.platform, search_type=search.search_type,
        target_results=min(SEARCH_TARGET, limit or SEARCH_TARGET), keywords=search.keywords,
        username=username, dispatch=False,
    )
    for _ in range(MAX_STEPS):
        outcome = job_step_run(job_id=job.pk, dispatch=False)
        if outcome.finished:
            break
        job.refresh_from_db()
        if job.failed_attempts:
            # Waiting out the engine's backoff would hold `make run` for about a minute; the demo is
            # made on the next run instead.
            raise DemoWorkspaceError(f"The data provider is failing ({job.error_detail or job.status_message}); "
                                     "run seed_demo again once it answers.")
        time.sleep(outcome.delay)
    job.refresh_from_db()
    if job.status != JobStatus.COMPLETED:
        raise DemoWorkspaceError(f"The demo's {job.get_platform_display()} search for {job.query_label} did not "
                                 f"complete ({job.get_status_display().lower()}): {job.status_message}")
    return job


def _first_creator(*, user: User, job: ScrapingJob) -> CreatorProfile:
    return CreatorProfile.objects.get(pk=result_creator_ids(user=user, job_id=job.pk, limit=1)[0])


@transaction.atomic
def _list_work(*, user: User, searches: list[ScrapingJob]) -> CreatorList:
    """A list of creators from every search, placed on the board the way a week of outreach
    leaves it; the ones with a public email are the ones contacted first, as they would be."""
    limit = result_row_limit(user=user)
    per_search = []
    for job in searches:
        shown = result_creator_ids(user=user, job_id=job.pk, limit=limit)
        emailed = set(result_creator_ids(user=user, job_id=job.pk, filters=ResultFilters(has_email=True), limit=limit))
        per_search.append(sorted(shown, key=lambda creator_id: creator_id not in emailed))
    chosen: list[int] = []
    for rank in range(max(map(len, per_search), default=0)):
        for creator_ids in per_search:
            if rank < len(creator_ids) and creator_ids[rank] not in chosen and len(chosen) < len(BOARD):
                chosen.append(creator_ids[rank])

    creator_list = list_create(owner=user, name=LIST_NAME, description=LIST_DESCRIPTION,
                               list_type=ListType.CAMPAIGN, tags=LIST_TAGS)
    list_add_creators(creator_list=creator_list, actor=user, creator_ids=chosen)
    item_ids = dict(list_items(creator_list=creator_list).values_list("creator_id", "pk"))
    cards = [(item_ids[creator_id], BOARD[index]) for index, creator_id in enumerate(chosen)]
    # Booked creators were contacted first, so both moves go through "contacted" and record the contact.
    reached = [item_id for item_id, card in cards if card.bucket in (Bucket.CONTACTED, Bucket.BOOKED)]
    list_items_move(creator_list=creator_list, actor=user, item_ids=reached, bucket=Bucket.CONTACTED)
    for bucket in (Bucket.BOOKED, Bucket.SHORTLIST):
        list_items_move(creator_list=creator_list, actor=user, bucket=bucket,
                        item_ids=[item_id for item_id, card in cards if card.bucket == bucket])
    now = timezone.now()
    for item_id, card in cards:
        changes: dict = {}
        if card.notes:
            changes["notes"] = card.notes
        if card.pinned:
            changes["pinned"] = True
        if card.contacted_days_ago is not None:
            changes["last_contacted_at"] = now - timedelta(days=card.contacted_days_ago)
        if changes:
            list_item_update(creator_list=creator_list, actor=user, item_id=item_id, **changes)
    creator_list.refresh_from_db()
    return creator_list
