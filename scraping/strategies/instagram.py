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
    topic_terms,
)

# Related accounts handed to enrichment per step, and the most kept waiting in the checkpoint.
SIMILAR_BATCH = 24
FRONTIER_LIMIT = 3000
# When related accounts run out: reels searches on the target's topics, pages per topic.
TOPIC_SEARCHES = 3
TOPIC_PAGES = 3


def _enrich(client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
    return client.instagram_profile(hit.handle)


class InstagramKeyword(PagedKeywordStrategy):
    platform = Platform.INSTAGRAM
    search_type = SearchType.KEYWORD
    max_pages_key = "provider.max_pages_per_keyword.instagram"

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None, *, spec: JobSpec) -> SearchPage:
        return client.instagram_reels_search(term.lstrip("#"), page=int(cursor) if cursor else 1)

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


def target_topics(target: CreatorProfileData) -> list[str]:
    """What the target posts about: its hashtags and caption words, its category, its bio."""
    captions = [" ".join([post.caption, *(f"#{tag}" for tag in post.hashtags)]) for post in target.recent_posts]
    exclude = {target.handle, *target.handle.replace("_", ".").split(".")}
    return topic_terms(*captions, target.bio, *target.tags, exclude=exclude, limit=TOPIC_SEARCHES)


class InstagramSimilar(SearchStrategy):
    """Breadth-first over Instagram's related accounts, starting at the target.

    The checkpoint keeps the frontier (accounts still to hand out) and every id already queued, so
    an account is offered once however many profiles list it. The related accounts come first:
    only when they run out do reels searches on the target's own topics add accounts (whose
    related accounts then join the frontier in turn).
    """

    platform = Platform.INSTAGRAM
    search_type = SearchType.SIMILAR

    def next_page(self, *, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> StrategyPage:
        if "target_id" not in checkpoint:
            try:
                target = client.instagram_profile(spec.target_username)
            except ProviderNotFoundError as exc:
                raise TargetNotFoundError(spec.target_username, reason=exc.reason) from exc
            if target.is_private:
                # A private account shows neither posts nor related accounts: nothing to start from.
                raise TargetNotFoundError(spec.target_username, reason="private")
            checkpoint = {"target_id": target.external_id, "frontier": [], "queued": [target.external_id],
                          "topics": target_topics(target), "topic": 0, "topic_page": 1}
            checkpoint = self._queue(checkpoint, [related_node(hit) for hit in target.related])
        keyword = f"@{spec.target_username}"
        if not checkpoint["frontier"] and not self._topics_done(checkpoint):
            checkpoint, keyword = self._search_topic(client, checkpoint)
        frontier = list(checkpoint["frontier"])
        batch, rest = frontier[:SIMILAR_BATCH], frontier[SIMILAR_BATCH:]
        candidates = tuple(Candidate(hit=_hit_from_node(node), keyword=node.get("via") or keyword,
                                     topics=(node["via"],) if node.get("via") else ()) for node in batch)
        return StrategyPage(candidates, {**checkpoint, "frontier": rest})

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return _enrich(client, hit)

    def absorb(self, *, checkpoint: Checkpoint, related: RelatedCreators) -> Checkpoint:
        nodes = [node for found in related.by_external_id.values() for node in found]
        return self._queue(checkpoint, nodes)

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        return "target_id" in checkpoint and not checkpoint["frontier"] and self._topics_done(checkpoint)

    @staticmethod
    def _topics_done(checkpoint: Checkpoint) -> bool:
        return checkpoint.get("topic", 0) >= len(checkpoint.get("topics") or ())

    def _search_topic(self, client: ScrapeCreatorsClient, checkpoint: Checkpoint) -> tuple[Checkpoint, str]:
        topic = checkpoint["topics"][checkpoint["topic"]]
        page_number = checkpoint["topic_page"]
        page = client.instagram_reels_search(topic, page=page_number)
        nodes = [{**related_node(hit), "via": topic} for hit in page.hits]
        if page.has_more and page_number < TOPIC_PAGES:
            moved = {"topic_page": page_number + 1}
        else:
            moved = {"topic": checkpoint["topic"] + 1, "topic_page": 1}
        return self._queue({**checkpoint, **moved}, nodes), topic

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
