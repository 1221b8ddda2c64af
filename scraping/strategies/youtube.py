"""YouTube: video search by keyword, and channels similar to a given one.

There is no related-channels endpoint, so a similar search derives queries from the target channel
(its tags first, then the topics of its description), reads a few result pages per query, ranks
the channels by how many queries surfaced them and how many of the target's topics their videos
share (a channel matching one query's words and nothing else goes last), and hands out the best
first, each with the topics it shares.
"""

from __future__ import annotations

import re
from dataclasses import replace
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
# Points a channel earns per query that surfaced it, per target topic its videos share, and per
# extra video in the same query.
QUERY_POINTS = 10
TOPIC_POINTS = 4
VIDEO_POINTS = 1
# Tags longer than this are sentences, not topics.
MAX_TAG_WORDS = 3
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _enrich(client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
    # Search results carry the channel id but not always a handle.
    profile = client.youtube_channel(channel_id=hit.external_id)
    if hit.post is not None and (hit.post.likes is not None or hit.post.comments is not None):
        return profile
    # A channel card (or a video without its counts) says nothing about engagement: the channel's
    # latest videos do, for one more call.
    return replace(profile, recent_posts=client.youtube_channel_videos(hit.external_id))


class YouTubeKeyword(PagedKeywordStrategy):
    platform = Platform.YOUTUBE
    search_type = SearchType.KEYWORD
    max_pages_key = "provider.max_pages_per_keyword.youtube"

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None, *, spec: JobSpec) -> SearchPage:
        return client.youtube_search(term.lstrip("#"), cursor)

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return _enrich(client, hit)


def _words(*texts: str) -> set[str]:
    return {word.lower() for text in texts for word in _WORD_RE.findall(text or "") if len(word) > 2}


def similar_queries(target: CreatorProfileData) -> tuple[list[str], list[str]]:
    """The searches for channels like ``target`` and the topic words a candidate is matched on.

    The channel's own tags come first, except those naming the channel itself ("pat mcafee show"
    says who, not what about); the description's topics fill the rest.
    """
    own = _words(target.handle, target.display_name, *target.handle.split("."))
    tags = [tag.lower() for tag in target.tags
            if len(tag.split()) <= MAX_TAG_WORDS and not (_words(tag) & own) and tag.lower() not in own]
    described = topic_terms(target.bio, exclude=own, limit=SIMILAR_QUERIES)
    queries = list(dict.fromkeys([*tags, *described]))[:SIMILAR_QUERIES]
    topics = sorted(_words(*tags, *described) - own)
    return queries or [target.display_name or target.handle], topics


def _overlap(hit: dict[str, Any], topics: set[str]) -> list[str]:
    post = hit.get("post") or {}
    seen = _words(post.get("caption", ""), " ".join(post.get("hashtags") or ()), hit.get("bio", ""),
                  hit.get("display_name", ""))
    return sorted(seen & topics)


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
        candidates = tuple(Candidate(hit=hit_from_json(entry["hit"]), keyword=entry["query"],
                                     topics=tuple(entry.get("shared", ()))) for entry in batch)
        return StrategyPage(candidates, {**checkpoint, "emitted": start + len(batch)})

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return _enrich(client, hit)

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        return checkpoint.get("phase") == "emit" and checkpoint["emitted"] >= len(checkpoint["ranked"])

    def _start(self, client: ScrapeCreatorsClient, spec: JobSpec) -> Checkpoint:
        try:
            target = client.youtube_channel(handle=spec.target_username)
        except ProviderNotFoundError as exc:
            raise TargetNotFoundError(spec.target_username, reason=exc.reason) from exc
        queries, topics = similar_queries(target)
        return {"target_id": target.external_id, "phase": "collect", "queries": queries, "topics": topics,
                "query": 0, "cursor": None, "pages": 0, "scores": {}, "ranked": [], "emitted": 0}

    def _collect(self, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> Checkpoint:
        queries: list[str] = checkpoint["queries"]
        query = queries[checkpoint["query"]]
        page = client.youtube_search(query, checkpoint["cursor"])
        scores: dict[str, dict[str, Any]] = dict(checkpoint["scores"])
        topics = set(checkpoint.get("topics") or ())
        for hit in page.hits:
            if hit.external_id == checkpoint["target_id"]:
                continue
            entry = scores.get(hit.external_id)
            if entry is None:
                entry = {"score": 0, "queries": [], "query": query, "hit": hit_to_json(hit), "shared": []}
            entry = dict(entry)
            shared = sorted({*entry.get("shared", ()), *_overlap(hit_to_json(hit), topics)})
            entry["score"] += TOPIC_POINTS * (len(shared) - len(entry.get("shared", ())))
            entry["shared"] = shared
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
            # A channel that only matched the words of one query, and none of the target's other
            # topics, is a namesake, not a similar channel: it goes last rather than first.
            ranked = sorted(scores.values(), key=lambda entry: (
                not (len(entry["queries"]) > 1 or len(entry.get("shared", ())) > 1),
                -entry["score"], entry["hit"]["external_id"]))
            checkpoint = {**checkpoint, "phase": "emit", "scores": {}, "ranked": ranked}
        return checkpoint
