"""How long the sandbox takes to answer each endpoint.

The real provider scrapes the platforms on each call: TikTok answers in about a second, Instagram
and YouTube in seconds (reels search goes through a web search first, and ``includeExtras`` opens
every video). A profile names a median and a spread per endpoint; each answer waits a draw from
that log-normal distribution, so a run meets slow tails as well as typical calls.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    median_s: float
    spread: float = 0.5  # sigma of the log-normal: 0.5 puts one answer in twenty past 2.3 x the median

    def draw(self, rng: random.Random) -> float:
        return self.median_s * math.exp(rng.gauss(0.0, self.spread))


REALISTIC: dict[str, Latency] = {
    "/v1/tiktok/search/keyword": Latency(1.4),
    "/v1/tiktok/search/hashtag": Latency(1.4),
    "/v1/tiktok/search/users": Latency(1.1),
    "/v1/tiktok/profile": Latency(0.8),
    "/v1/tiktok/user/audience": Latency(2.5),
    "/v1/instagram/profile": Latency(2.2, 0.6),
    "/v1/instagram/basic-profile": Latency(1.2),
    "/v1/instagram/reels/search": Latency(9.0, 0.5),
    "/v2/instagram/reels/search": Latency(4.5, 0.6),
    "/v1/youtube/search": Latency(1.6),
    "/v1/youtube/channel": Latency(1.3),
    "/v1/youtube/channel-videos": Latency(2.0),
}
# includeExtras fetches each listed video's details as well.
EXTRAS_FACTOR = 2.0
DEFAULT = Latency(1.0)

PROFILES: dict[str, dict[str, Latency]] = {"none": {}, "realistic": REALISTIC}


def answer_delay(profile: str, path: str, *, extras: bool, rng: random.Random) -> float:
    """Seconds to wait before answering ``path`` under ``profile`` ("none": no wait)."""
    table = PROFILES[profile]
    if not table:
        return 0.0
    delay = table.get(path, DEFAULT).draw(rng)
    return delay * EXTRAS_FACTOR if extras else delay
