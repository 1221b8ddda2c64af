"""TikTok: keyword (and #hashtag) video search, and creators similar to a given account.

A similar search starts from what the target posts: the hashtags and words of its latest videos
and its bio. It searches users by those topics, gives every candidate the topics it shares with
the target (in its handle, name, bio or the video it came with), drops candidates that share none,
and hands out the rest by overlap, then by how close their audience is to the target's
(0.1x to 10x its followers), then by how many of the searches found them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from influencer_platform.errors import ProviderError
from scraping.search_filters import DEFAULT_TIKTOK_REGION
from scraping.models import Platform, SearchType
from scraping.providers import CreatorHit, CreatorProfileData, ProviderNotFoundError, ScrapeCreatorsClient, SearchPage

from .base import (
    STOPWORDS,
    Candidate,
    Checkpoint,
    JobSpec,
    PagedKeywordStrategy,
    StrategyPage,
    TargetNotFoundError,
    hit_from_json,
    hit_to_json,
    topic_terms,
)

# Topics searched, and the wider set a candidate may share with the target.
SEARCH_TERMS = 5
TOPICS = 12
EMIT_BATCH = 25
# Candidates scored before the best are handed out, as a multiple of what is still missing.
POOL_FACTOR = 2
POOL_LIMIT = 3000
FOLLOWER_BAND = (0.1, 10.0)
# Hashtags that say nothing about what a video is about.
GENERIC_TAGS = frozenset(
    """fyp fypシ foryou foryoupage fy fypage viral viralvideo trending trend tiktok tiktoker duet stitch
    capcut xyzbca explore explorepage foru parati pourtoi blowthisup goviral""".split()
)
_TOKEN_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


class TikTokKeyword(PagedKeywordStrategy):
    platform = Platform.TIKTOK
    search_type = SearchType.KEYWORD
    max_pages_key = "provider.max_pages_per_keyword.tiktok"

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None, *, spec: JobSpec) -> SearchPage:
        # The search results rarely carry a bio, so every creator is enriched afterwards.
        region = spec.region or DEFAULT_TIKTOK_REGION
        if term.startswith("#"):
            return client.tiktok_hashtag_search(term, cursor, region=region)
        return client.tiktok_keyword_search(term, cursor, region=region)

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        return client.tiktok_profile(hit.handle)


def target_topics(target: CreatorProfileData, videos: list[Any], *, limit: int = TOPICS) -> list[str]:
    """What the target is about, most telling first: hashtags it uses on several videos, then the
    words of its captions and bio. ``videos`` are its latest posts (``PostSnapshot``)."""
    exclude = {target.handle, *_tokens(target.handle), *_tokens(target.display_name)} | GENERIC_TAGS
    tags: Counter[str] = Counter()
    for video in videos:
        for tag in dict.fromkeys(video.hashtags):
            if tag not in exclude and len(tag) >= 3 and tag not in STOPWORDS:
                tags[tag] += 1
    ranked = [tag for tag, _count in sorted(tags.items(), key=lambda item: (-item[1], item[0]))]
    captions = " ".join(re.sub(r"#\w+", " ", video.caption) for video in videos)
    words = topic_terms(captions, target.bio, exclude=exclude | set(ranked), limit=limit)
    return list(dict.fromkeys(ranked[: limit - min(len(words), limit // 3)] + words))[:limit]


def shared_topics(hit: CreatorHit, topics: list[str]) -> list[str]:
    """The target's topics this candidate shows: in its handle (also run together, "glowwithmia"),
    name, bio, or the caption and hashtags of the video it was found with."""
    text = " ".join([hit.display_name, hit.bio, *(
        [hit.post.caption, *hit.post.hashtags] if hit.post else [])])
    words = {_stem(word) for word in _tokens(f"{hit.handle} {text}")}
    handle = hit.handle.lower()
    return [topic for topic in topics
            if _stem(topic) in words or (len(topic) >= 4 and topic in handle)]


def _tokens(text: str) -> list[str]:
    return [token.lower() for token in _TOKEN_RE.findall(text or "")]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


class TikTokSimilar(TikTokKeyword):
    """Target profile and latest videos → topics → user search on the top topics, scored.

    Two phases in the checkpoint, as many times as it takes: ``collect`` reads one user-search page
    per step (round robin over the terms, each paged on its cursor) and scores its creators into
    ``pool``; ``emit`` hands the pool out best first. A search that needs more than one pool's worth
    goes back to collecting once the ranked list is handed out.
    """

    search_type = SearchType.SIMILAR

    def next_page(self, *, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> StrategyPage:
        if "terms" not in checkpoint:
            checkpoint = self._start(client, spec)
        if checkpoint["phase"] == "collect":
            return StrategyPage((), self._collect(client, spec, checkpoint))
        ranked: list[dict[str, Any]] = checkpoint["ranked"]
        start = checkpoint["emitted"]
        batch = ranked[start:start + EMIT_BATCH]
        candidates = tuple(Candidate(hit=hit_from_json(entry["hit"]), keyword=entry["term"],
                                     topics=tuple(entry["topics"])) for entry in batch)
        checkpoint = {**checkpoint, "emitted": start + len(batch)}
        if checkpoint["emitted"] >= len(ranked) and not super().exhausted(spec=spec, checkpoint=checkpoint):
            checkpoint = {**checkpoint, "phase": "collect", "ranked": [], "emitted": 0}
        return StrategyPage(candidates, checkpoint)

    def terms(self, spec: JobSpec, checkpoint: Checkpoint) -> list[str]:
        return list(checkpoint.get("terms", ()))

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None, *, spec: JobSpec) -> SearchPage:
        return client.tiktok_user_search(term, cursor)

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        return ("terms" in checkpoint and checkpoint["phase"] == "emit"
                and checkpoint["emitted"] >= len(checkpoint["ranked"])
                and super().exhausted(spec=spec, checkpoint=checkpoint))

    def _start(self, client: ScrapeCreatorsClient, spec: JobSpec) -> Checkpoint:
        try:
            target = client.tiktok_profile(spec.target_username)
        except ProviderNotFoundError as exc:
            raise TargetNotFoundError(spec.target_username, reason=exc.reason) from exc
        try:
            videos = list(client.tiktok_profile_videos(target.handle))
        except ProviderError:
            # The bio alone still gives topics; a failed videos call must not end the search.
            videos = []
        topics = target_topics(target, videos) or [target.handle]
        return {"target_id": target.external_id, "target_followers": target.followers, "topics": topics,
                "terms": topics[:SEARCH_TERMS], "phase": "collect", "pool": {}, "handed_out": [],
                "ranked": [], "emitted": 0}

    def _collect(self, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> Checkpoint:
        read = super().next_page(client=client, spec=spec, checkpoint=checkpoint)
        checkpoint = read.checkpoint
        pool: dict[str, dict[str, Any]] = dict(checkpoint["pool"])
        handed_out = set(checkpoint["handed_out"])
        for candidate in read.candidates:
            hit = candidate.hit
            if hit.external_id == checkpoint["target_id"] or hit.external_id in handed_out:
                continue
            entry = pool.get(hit.external_id)
            if entry is None:
                topics = shared_topics(hit, checkpoint["topics"])
                if not topics or len(pool) >= POOL_LIMIT:
                    continue
                entry = {"hit": hit_to_json(hit), "topics": topics, "term": candidate.keyword, "found": 0}
            pool[hit.external_id] = {**entry, "found": entry["found"] + 1}
        checkpoint = {**checkpoint, "pool": pool}
        missing = spec.target_results - len(handed_out)
        if len(pool) >= POOL_FACTOR * max(missing, 1) or super().exhausted(spec=spec, checkpoint=checkpoint):
            ranked = sorted(pool.values(), key=lambda entry: self._rank(entry, checkpoint))
            checkpoint = {**checkpoint, "phase": "emit", "pool": {}, "ranked": ranked, "emitted": 0,
                          "handed_out": sorted(handed_out | set(pool))}
        return checkpoint

    @staticmethod
    def _rank(entry: dict[str, Any], checkpoint: Checkpoint) -> tuple:
        target_followers = checkpoint.get("target_followers")
        followers = entry["hit"].get("followers")
        in_band = bool(target_followers and followers
                       and FOLLOWER_BAND[0] * target_followers <= followers <= FOLLOWER_BAND[1] * target_followers)
        return (-len(entry["topics"]), not in_band, -entry["found"], entry["hit"]["external_id"])
