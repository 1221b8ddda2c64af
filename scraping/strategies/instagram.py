"""Instagram: reels search by keyword or #hashtag, and accounts related to a given one."""

from __future__ import annotations

from typing import Any

from scraping.models import Platform, SearchType
from scraping.providers import CreatorHit, CreatorProfileData, ProviderNotFoundError, ScrapeCreatorsClient, SearchPage

from .base import (
    Candidate,
    Checkpoint,
    JobSpec,
    PagedKeywordStrategy,
    RelatedCreators,
    SearchStrategy,
    StrategyPage,
    TargetNotFoundError,
)

# Related accounts handed to enrichment per step, and the most kept waiting in the checkpoint.
SIMILAR_BATCH = 24
FRONTIER_LIMIT = 3000


def _enrich(client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
    return client.instagram_profile(hit.handle)


class InstagramKeyword(PagedKeywordStrategy):
    platform = Platform.INSTAGRAM
    search_type = SearchType.KEYWORD
    max_pages_key = "provider.max_pages_per_keyword.instagram"

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None) -> SearchPage:
        # The reels search has no paging: one reply of up to 60 reels per keyword or hashtag.
        return client.instagram_reels_search(term.lstrip("#"), amount=60)

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return _enrich(client, hit)


def related_node(hit: CreatorHit) -> dict[str, Any]:
    return {"id": hit.external_id, "username": hit.handle, "full_name": hit.display_name,
            "is_verified": hit.verified, "profile_pic_url": hit.avatar_url}


def _hit_from_node(node: dict[str, Any]) -> CreatorHit:
    handle = node["username"]
    return CreatorHit(
        platform=Platform.INSTAGRAM, external_id=node["id"], handle=handle,
        display_name=node.get("full_name") or handle, followers=None, verified=bool(node.get("is_verified")),
        avatar_url=node.get("profile_pic_url") or "", profile_url=f"https://www.instagram.com/{handle}/",
        bio="", post=None,
    )


class InstagramSimilar(SearchStrategy):
    """Breadth-first over Instagram's related accounts, starting at the target.

    The checkpoint keeps the frontier (accounts still to hand out) and every id already queued, so
    an account is offered once however many profiles list it.
    """

    platform = Platform.INSTAGRAM
    search_type = SearchType.SIMILAR

    def next_page(self, *, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> StrategyPage:
        if "target_id" not in checkpoint:
            try:
                target = client.instagram_profile(spec.target_username)
            except ProviderNotFoundError as exc:
                raise TargetNotFoundError(spec.target_username) from exc
            checkpoint = {"target_id": target.external_id, "frontier": [], "queued": [target.external_id]}
            checkpoint = self._queue(checkpoint, [related_node(hit) for hit in target.related])
        frontier = list(checkpoint["frontier"])
        batch, rest = frontier[:SIMILAR_BATCH], frontier[SIMILAR_BATCH:]
        candidates = tuple(Candidate(hit=_hit_from_node(node), keyword=f"@{spec.target_username}") for node in batch)
        return StrategyPage(candidates, {**checkpoint, "frontier": rest})

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return _enrich(client, hit)

    def absorb(self, *, checkpoint: Checkpoint, related: RelatedCreators) -> Checkpoint:
        nodes = [node for found in related.by_external_id.values() for node in found]
        return self._queue(checkpoint, nodes)

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        return "target_id" in checkpoint and not checkpoint["frontier"]

    @staticmethod
    def _queue(checkpoint: Checkpoint, nodes: list[dict[str, Any]]) -> Checkpoint:
        queued = set(checkpoint["queued"])
        frontier = list(checkpoint["frontier"])
        for node in nodes:
            if node.get("id") and node.get("username") and node["id"] not in queued and len(frontier) < FRONTIER_LIMIT:
                if node.get("is_private"):
                    continue
                queued.add(node["id"])
                frontier.append(node)
        return {**checkpoint, "frontier": frontier, "queued": sorted(queued)}
