"""Search strategies, one per platform and search type. A new platform is one new module here."""

from __future__ import annotations

from .base import Candidate, JobSpec, RelatedCreators, SearchStrategy, StrategyPage, TargetNotFoundError
from .instagram import InstagramKeyword, InstagramSimilar
from .tiktok import TikTokKeyword, TikTokSimilar
from .youtube import YouTubeKeyword, YouTubeSimilar

STRATEGIES: dict[tuple[str, str], type[SearchStrategy]] = {
    (strategy.platform, strategy.search_type): strategy
    for strategy in (TikTokKeyword, TikTokSimilar, InstagramKeyword, InstagramSimilar, YouTubeKeyword, YouTubeSimilar)
}


def strategy_for(platform: str, search_type: str) -> SearchStrategy:
    return STRATEGIES[(platform, search_type)]()


__all__ = [
    "Candidate", "JobSpec", "RelatedCreators", "STRATEGIES", "SearchStrategy", "StrategyPage",
    "TargetNotFoundError", "strategy_for",
]
