"""Builders shared by the creator list tests: creators found by a user's search, lists, collaborators."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from itertools import count

from campaigns.lists.models import CreatorList, CreatorListItem
from campaigns.lists.services import list_add_creators, list_create, list_share
from scraping.models import CreatorProfile, JobCreator, JobStatus, ScrapingJob

_numbers = count(1)


def make_creator(**fields) -> CreatorProfile:
    n = next(_numbers)
    handle = fields.pop("handle", f"creator{n:04d}")
    values = {"platform": "tiktok", "external_id": f"list-ext-{n}", "handle": handle,
              "display_name": f"Creator {n:04d}", "followers": 1_000 * n, "engagement_rate": Decimal("3.25"),
              "profile_url": f"https://www.tiktok.com/@{handle}", **fields}
    return CreatorProfile.objects.create(**values)


def make_search(user, creators=(), campaign=None, **fields) -> ScrapingJob:
    """A finished search of ``user`` that found ``creators`` in this order."""
    job = ScrapingJob.objects.create(user=user, campaign=campaign, platform="tiktok", search_type="keyword",
                                     keywords=["skincare"], target_results=max(len(creators), 1),
                                     status=JobStatus.COMPLETED, found_count=len(creators), **fields)
    JobCreator.objects.bulk_create([JobCreator(job=job, creator=creator, keyword="skincare", rank=rank)
                                    for rank, creator in enumerate(creators, start=1)])
    return job


def make_list(owner, creators=(), name="Launch shortlist", **fields) -> CreatorList:
    creator_list = list_create(owner=owner, name=name, **fields)
    if creators:
        list_add_creators(creator_list=creator_list, actor=owner, creator_ids=[creator.pk for creator in creators])
    return creator_list


def share(creator_list, user, role) -> None:
    list_share(creator_list=creator_list, actor=creator_list.owner, email=user.email, role=role)


def board(creator_list) -> dict[str, list[str]]:
    """Handles per bucket in position order, as the board shows them."""
    columns: dict[str, list[str]] = {}
    for item in CreatorListItem.objects.filter(creator_list=creator_list).select_related("creator") \
            .order_by("bucket", "position"):
        columns.setdefault(item.bucket, []).append(item.creator.handle)
    return columns


def positions(creator_list) -> dict[str, list[int]]:
    result: dict[str, list[int]] = {}
    for bucket, position in CreatorListItem.objects.filter(creator_list=creator_list) \
            .order_by("bucket", "position").values_list("bucket", "position"):
        result.setdefault(bucket, []).append(position)
    return result


def assert_dense(creator_list) -> None:
    for bucket, numbers in positions(creator_list).items():
        assert numbers == list(range(len(numbers))), (bucket, numbers)


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
