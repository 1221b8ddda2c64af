"""YouTube: video search by keyword, and channels similar to a given one.

There is no related-channels endpoint, so a similar search derives queries from the target channel
(its tags, name and description topics), reads a few result pages per query, ranks the channels by
how many queries and videos surfaced them, and hands out the best first.
"""

from __future__ import annotations

from typing import Any

from scraping.models import Platform, SearchType
from scraping.providers import CreatorHit, CreatorProfileData, ProviderNotFoundError, ScrapeCreatorsClient, SearchPage

from .base import (
    Candidate,
    Checkpoint,
    JobSpec,
    PagedKeywordStrategy,
    SearchStrategy,
    StrategyPage,
    TargetNotFoundError,
    hit_from_json,
    hit_to_json,
    topic_terms,
)

SIMILAR_QUERIES = 5
PAGES_PER_QUERY = 3
EMIT_BATCH = 20
# Points a channel earns per query that surfaced it, and per extra video in the same query.
QUERY_POINTS = 10
VIDEO_POINTS = 1


def _enrich(client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
    # Search results carry the channel id but not always a handle.
    return client.youtube_channel(channel_id=hit.external_id)


class YouTubeKeyword(PagedKeywordStrategy):
    platform = Platform.YOUTUBE
    search_type = SearchType.KEYWORD
    max_pages_key = "provider.max_pages_per_keyword.youtube"

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None) -> SearchPage:
        return client.youtube_search(term.lstrip("#"), cursor)

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return _enrich(client, hit)


class YouTubeSimilar(SearchStrategy):
    """Two phases in the checkpoint: ``collect`` (search pages, scoring) then ``emit`` (best first)."""

    platform = Platform.YOUTUBE
    search_type = SearchType.SIMILAR

    def next_page(self, *, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> StrategyPage:
        if "target_id" not in checkpoint:
            checkpoint = self._start(client, spec)
        if checkpoint["phase"] == "collect":
            checkpoint = self._collect(client, spec, checkpoint)
            if checkpoint["phase"] == "collect":
                return StrategyPage((), checkpoint)
        ranked = checkpoint["ranked"]
        start = checkpoint["emitted"]
        batch = ranked[start:start + EMIT_BATCH]
        candidates = tuple(Candidate(hit=hit_from_json(entry["hit"]), keyword=entry["query"]) for entry in batch)
        return StrategyPage(candidates, {**checkpoint, "emitted": start + len(batch)})

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return _enrich(client, hit)

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        return checkpoint.get("phase") == "emit" and checkpoint["emitted"] >= len(checkpoint["ranked"])

    def _start(self, client: ScrapeCreatorsClient, spec: JobSpec) -> Checkpoint:
        try:
            target = client.youtube_channel(handle=spec.target_username)
        except ProviderNotFoundError as exc:
            raise TargetNotFoundError(spec.target_username) from exc
        exclude = {target.handle, *target.handle.split(".")}
        queries = list(dict.fromkeys(
            [tag.lower() for tag in target.tags][:3] + topic_terms(target.bio, target.display_name,
                                                                   exclude=exclude, limit=SIMILAR_QUERIES)
        ))[:SIMILAR_QUERIES] or [target.display_name or target.handle]
        return {"target_id": target.external_id, "phase": "collect", "queries": queries, "query": 0,
                "cursor": None, "pages": 0, "scores": {}, "ranked": [], "emitted": 0}

    def _collect(self, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> Checkpoint:
        queries: list[str] = checkpoint["queries"]
        query = queries[checkpoint["query"]]
        page = client.youtube_search(query, checkpoint["cursor"])
        scores: dict[str, dict[str, Any]] = dict(checkpoint["scores"])
        for hit in page.hits:
            if hit.external_id == checkpoint["target_id"]:
                continue
            entry = scores.get(hit.external_id)
            if entry is None:
                entry = {"score": 0, "queries": [], "query": query, "hit": hit_to_json(hit)}
            entry = dict(entry)
            if query not in entry["queries"]:
                entry["queries"] = [*entry["queries"], query]
                entry["score"] += QUERY_POINTS
            else:
                entry["score"] += VIDEO_POINTS
            scores[hit.external_id] = entry
        pages = checkpoint["pages"] + 1
        moved: Checkpoint
        if page.has_more and pages < PAGES_PER_QUERY:
            moved = {"cursor": page.next_cursor, "pages": pages}
        else:
            moved = {"query": checkpoint["query"] + 1, "cursor": None, "pages": 0}
        checkpoint = {**checkpoint, **moved, "scores": scores}
        # Enough candidates to fill the target twice over, or nothing left to ask: rank them.
        if checkpoint["query"] >= len(queries) or (
            checkpoint["query"] > 0 and moved.get("pages") == 0 and len(scores) >= 2 * spec.target_results
        ):
            ranked = sorted(scores.values(), key=lambda entry: (-entry["score"], entry["hit"]["external_id"]))
            checkpoint = {**checkpoint, "phase": "emit", "scores": {}, "ranked": ranked}
        return checkpoint
