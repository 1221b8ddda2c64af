"""Generated creators and the ScrapeCreators-shaped answers about them.

Every answer is a pure function of the seed and the request parameters, so a repeated request gets
the same body (the server only adds its credit counter). Nothing here imports Django.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

UNIVERSE_SIZE = 8000


class NotFound(Exception):
    pass


class BadRequest(Exception):
    pass


@dataclass(frozen=True)
class Catalog:
    """What an answer depends on besides its parameters.

    ``now`` anchors generated timestamps; the server fixes it at start so answers stay stable.
    """

    seed: int
    base_url: str
    now: int


@dataclass(frozen=True)
class Niche:
    words: tuple[str, ...]
    taglines: tuple[str, ...]


NICHES: tuple[Niche, ...] = (
    Niche(("beauty", "glow", "makeup", "skincare", "skin", "lashes", "blush"),
          ("Skincare that actually works", "Makeup for real life", "Glow tips, zero gatekeeping")),
    Niche(("food", "chef", "eats", "recipes", "kitchen", "bakes", "cooking", "foodie", "pizza"),
          ("Easy recipes for busy people", "Home cook, big flavours", "Baking my way through life")),
    Niche(("fitness", "fit", "workout", "gym", "lifts", "yoga", "running"),
          ("Strong > skinny", "Home workouts, no excuses", "Certified PT | form tips daily")),
    Niche(("travel", "wander", "nomad", "explore", "trips", "backpacking"),
          ("Travelling the world on a budget", "Hidden gems, every week", "37 countries and counting")),
    Niche(("tech", "gadgets", "setup", "coding", "reviews", "apple", "android"),
          ("Honest tech reviews", "Desk setups and gadgets", "Making tech simple")),
    Niche(("gaming", "plays", "gamer", "streams", "esports", "minecraft"),
          ("Variety streamer", "Clips from my streams", "Gaming is my cardio")),
    Niche(("fashion", "style", "ootd", "outfits", "thrift", "closet"),
          ("Everyday outfits, under $50", "Thrift flips and styling", "Capsule wardrobe nerd")),
    Niche(("pets", "paws", "dog", "puppy", "cat", "kitty"),
          ("Life with two rescue dogs", "Cat content, daily", "Pet tips from a vet tech")),
    Niche(("parenting", "mama", "mom", "dad", "family", "toddler"),
          ("Mom of 3 | real life parenting", "Dad jokes and diapers", "Gentle parenting, honestly")),
    Niche(("finance", "money", "invest", "investing", "budget", "stocks"),
          ("Making money make sense", "Budgeting for humans", "Investing without the jargon")),
    Niche(("music", "beats", "guitar", "singer", "piano", "producer"),
          ("Covers every Friday", "Producer | beats in bio", "Singer-songwriter")),
    Niche(("comedy", "funny", "skits", "jokes", "lol"),
          ("Skits about everyday chaos", "I make the internet laugh (sometimes)", "Comedy, mostly")),
    Niche(("home", "diy", "decor", "plants", "garden", "renovation"),
          ("Renovating a 1920s house", "DIY on a renter's budget", "Plant parent of 140")),
    Niche(("outdoors", "hiking", "camping", "trail", "fishing", "climbing"),
          ("Weekend hikes and gear tests", "Van life and trails", "Outdoors every weekend")),
)
FIRST_NAMES = (
    "mia", "marco", "ava", "leo", "zoe", "noah", "lena", "omar", "chloe", "sam", "priya", "diego",
    "emma", "kai", "nina", "jay", "sofia", "luca", "maya", "ethan", "aisha", "jonas", "lily", "tariq",
    "grace", "mateo", "hana", "owen", "ines", "ben", "yara", "felix", "ruby", "arjun", "isla", "theo",
)
LAST_NAMES = (
    "rossi", "nguyen", "smith", "garcia", "kim", "patel", "silva", "brown", "moreau", "khan",
    "lopez", "meyer", "tanaka", "okafor", "jensen", "costa", "ali", "walsh", "novak", "reyes",
)
CITIES = ("Austin, TX", "London", "Toronto", "LA", "Miami", "NYC", "Sydney", "Berlin", "Chicago",
          "Lisbon", "Denver", "Manila", "Dublin", "Atlanta", "Melbourne", "Seattle")
COUNTRIES = (("United States", "US"), ("United Kingdom", "GB"), ("Canada", "CA"), ("Australia", "AU"),
             ("Germany", "DE"), ("Philippines", "PH"), ("Brazil", "BR"), ("India", "IN"),
             ("Mexico", "MX"), ("France", "FR"))
CAPTIONS = ("POV: you finally tried {q}", "My honest take on {q}", "{q} routine that changed everything",
            "3 {q} mistakes everyone makes", "Day in my life: {q} edition", "Rating every {q} so you don't have to",
            "You asked for it: {q} part 2", "Trying viral {q} hacks", "{q} on a budget")
LINK_HOSTS = ("linktr.ee", "beacons.ai", "stan.store", "lnk.bio")


@dataclass(frozen=True)
class Creator:
    platform: str
    id: str
    handle: str
    name: str
    niche: int
    followers: int
    following: int
    posts: int
    likes: int
    verified: bool
    private: bool
    avatar_ext: str
    avatar_fault: str  # "", "forbidden" or "notimage": the first avatar URL is broken
    bio: str
    email: str  # the creator's address wherever it appears; "" when they publish none
    email_in_field: bool  # Instagram business_email / YouTube email
    links: tuple[tuple[str, str], ...]  # (title, url); a url starting with "/" is on the sandbox


@dataclass(frozen=True)
class Universe:
    handles: tuple[str, ...]
    names: tuple[str, ...]
    niches: tuple[int, ...]
    ids: tuple[str, ...]
    index_by_handle: dict[str, int]
    index_by_id: dict[str, int]
    members: tuple[tuple[int, ...], ...]


def _digest(*parts: object) -> int:
    joined = "\x1f".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(joined, digest_size=8).digest(), "big")


def _rng(*parts: object) -> random.Random:
    return random.Random(_digest(*parts))


def _b64_id(length: int, *parts: object) -> str:
    raw = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()[:length]


def _creator_id(platform: str, seed: int, key: str) -> str:
    h = _digest("id", platform, seed, key)
    if platform == "tiktok":
        return str(6_700_000_000_000_000_000 + h % 10**18)
    if platform == "instagram":
        return str(1_000_000_000 + h % 70_000_000_000)
    return "UC" + _b64_id(22, "channel", seed, key)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _matching_niches(words: list[str]) -> list[int]:
    return [n for n, niche in enumerate(NICHES)
            if any(w in niche.words or w.rstrip("s") in niche.words for w in words)]


def _handle_for(rng: random.Random, niche: Niche, first: str, last: str) -> str:
    word, other = rng.sample(niche.words, 2)
    return rng.choice((
        f"{word}with{first}", f"{first}.{word}", f"{word}by{first}", f"{first}_{last}",
        f"{first}{last}", f"the{first}{word}", f"{word}.{first}_{other}", f"{first}{word}{rng.randint(1, 99)}",
        f"{first}.{last}", f"{word}_{first}", f"{first}s{other}",
    ))


@lru_cache(maxsize=8)
def _universe(platform: str, seed: int) -> Universe:
    rng = _rng("universe", platform, seed)
    handles: list[str] = []
    names: list[str] = []
    niches: list[int] = []
    index_by_handle: dict[str, int] = {}
    for index in range(UNIVERSE_SIZE):
        niche = rng.randrange(len(NICHES))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = _handle_for(rng, NICHES[niche], first, last)
        while handle in index_by_handle or handle.startswith(("missing", "private")):
            handle = f"{handle}{rng.randint(2, 99)}"
        index_by_handle[handle] = index
        handles.append(handle)
        names.append(f"{first.title()} {last.title()}")
        niches.append(niche)
    ids = tuple(_creator_id(platform, seed, f"u{i}") for i in range(UNIVERSE_SIZE))
    members = tuple(tuple(i for i, n in enumerate(niches) if n == key) for key in range(len(NICHES)))
    return Universe(tuple(handles), tuple(names), tuple(niches), ids, index_by_handle,
                    {cid: i for i, cid in enumerate(ids)}, members)


def _email_text(rng: random.Random, address: str) -> str:
    local, domain = address.split("@")
    form = rng.choice((
        address, address, f"{local} [at] {domain.replace('.', ' [dot] ')}", f"{local}(at){domain}",
        f"{address}{rng.choice('.,!')}", f"📧 {address}", f"✉️ {address}", address.upper(),
    ))
    return rng.choice(("", "", "business inquiries: ", "Collabs: ", "📩 ", "PR/brand deals ➡️ ")) + form


def _bio(rng: random.Random, niche: Niche, first: str, email_text: str, platform: str) -> str:
    lines = [rng.choice(niche.taglines)]
    if platform == "youtube":
        lines.insert(0, f"Hey, I'm {first.title()}! New videos every week about {niche.words[0]}.")
    if rng.random() < 0.5:
        lines.append(f"📍 {rng.choice(CITIES)}")
    if rng.random() < 0.2:
        mention = _handle_for(rng, niche, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        lines.append(rng.choice((f"co-host of @{mention}", f"merch drop w/ @{mention} 💫",
                                 "press kit: logo@2x.png", f"🎥 @{mention} | assets/logo@2x.png")))
    if email_text:
        lines.append(email_text)
    return "\n".join(lines)


def _build_creator(platform: str, seed: int, creator_id: str, handle: str, name: str, niche: int) -> Creator:
    rng = _rng("creator", platform, seed, creator_id)
    followers = min(90_000_000, max(300, int(math.exp(rng.gauss(math.log(14_000), 1.7)))))
    first = name.split()[0].lower() if name else handle
    brand = f"{rng.choice(NICHES[niche].words)}{rng.choice(('studio', 'lab', 'hq', 'media', 'co'))}"
    address = "{}@{}".format(
        rng.choice((first, f"{first}.{name.split()[-1].lower()}", "hello", "collabs", "team", "booking")),
        rng.choice((f"{brand}.com", f"{brand}.co", "gmail.com", "outlook.com", "icloud.com", "talentbridge.co")),
    )
    draw = rng.random()
    where = "bio" if draw < 0.35 else "field" if draw < 0.45 else "link" if draw < 0.52 else ""
    if where == "field" and platform == "tiktok":
        where = "link"
    links: list[tuple[str, str]] = []
    if where == "link":
        links.append(("My links", f"/links/{platform}/{handle}"))
    elif rng.random() < 0.45:
        links.append(("Links", f"https://{rng.choice(LINK_HOSTS)}/{handle}"))
    if rng.random() < 0.25:
        links.append(("Shop", f"https://{brand}.com"))
    fault = rng.random()
    return Creator(
        platform=platform, id=creator_id, handle=handle, name=name, niche=niche, followers=followers,
        following=rng.randint(20, 2500), posts=rng.randint(12, 1800),
        likes=int(followers * rng.uniform(3, 25)),
        verified=rng.random() < (0.45 if followers > 500_000 else 0.02),
        private=rng.random() < 0.03, avatar_ext="heic" if rng.random() < 0.2 else "jpg",
        avatar_fault="forbidden" if fault < 0.04 else "notimage" if fault < 0.055 else "",
        bio=_bio(rng, NICHES[niche], first, _email_text(rng, address) if where == "bio" else "", platform),
        email=address if where else "",
        email_in_field=where == "field" or (where == "bio" and rng.random() < 0.3),
        links=tuple(links),
    )


@lru_cache(maxsize=60_000)
def _creator(platform: str, seed: int, index: int) -> Creator:
    uni = _universe(platform, seed)
    return _build_creator(platform, seed, uni.ids[index], uni.handles[index], uni.names[index], uni.niches[index])


@lru_cache(maxsize=4096)
def _outsider(platform: str, seed: int, handle: str, creator_id: str) -> Creator:
    """Any handle exists: one the universe does not know is generated from its own letters."""
    niches = _matching_niches([w for n in NICHES for w in n.words if w in handle])
    niche = niches[0] if niches else _digest("niche", handle) % len(NICHES)
    name = " ".join(part.title() for part in re.split(r"[._\d]+", handle) if part) or handle
    return _build_creator(platform, seed, creator_id, handle, name, niche)


def _clean_handle(handle: str) -> str:
    handle = handle.strip().lstrip("@").lower()
    if not handle:
        raise BadRequest("handle must not be empty")
    if handle.startswith("missing"):
        raise NotFound(f"No account found for {handle}")
    return handle


def _by_handle(platform: str, seed: int, handle: str) -> Creator:
    handle = _clean_handle(handle)
    index = _universe(platform, seed).index_by_handle.get(handle)
    if index is not None:
        return _creator(platform, seed, index)
    return _outsider(platform, seed, handle, _creator_id(platform, seed, f"h:{handle}"))


def _by_id(platform: str, seed: int, creator_id: str) -> Creator:
    creator_id = creator_id.strip()
    if creator_id.lower().startswith("missing"):
        raise NotFound(f"No account found for id {creator_id}")
    index = _universe(platform, seed).index_by_id.get(creator_id)
    if index is not None:
        return _creator(platform, seed, index)
    # Ids are not reversible, so an unknown id gets an account of its own rather than the one a
    # handle lookup may have produced for it.
    rng = _rng("outsider", platform, seed, creator_id)
    handle = _handle_for(rng, NICHES[rng.randrange(len(NICHES))], rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
    return _outsider(platform, seed, handle, creator_id)


@lru_cache(maxsize=1024)
def _pool(platform: str, seed: int, topic: str, region: str = "") -> tuple[int, ...]:
    """The finite, ordered set of creators a search topic can reach (in ``region``, if not the default)."""
    words = topic.split()
    if "empty" in words:
        return ()
    rng = _rng("pool", platform, seed, topic, region) if region else _rng("pool", platform, seed, topic)
    uni = _universe(platform, seed)
    niches = _matching_niches(words) or rng.sample(range(len(NICHES)), 2)
    size = 15 if "tiny" in words else int(math.exp(rng.uniform(math.log(150), math.log(1500))))
    related = [i for n in niches for i in uni.members[n]]
    chosen = rng.sample(related, min(len(related), size if "tiny" in words else int(size * 0.75)))
    taken = set(chosen)
    others = [i for i in rng.sample(range(UNIVERSE_SIZE), size) if i not in taken][: size - len(chosen)]
    pool = chosen + others
    rng.shuffle(pool)
    return tuple(pool)


def _page(pool: tuple[int, ...], offset: int, rng: random.Random, fresh: tuple[int, int],
          repeats: tuple[int, int], extras: tuple[int, int]) -> tuple[list[tuple[int, int]], int]:
    """One page of (creator index, video slot) pairs and the next offset.

    Like the real search, a page repeats a few creators of the previous page and shows some
    creators with more than one video.
    """
    if offset >= len(pool):
        return [], offset
    new = list(pool[offset: offset + rng.randint(*fresh)])
    before = pool[max(0, offset - 12): offset]
    entries = [(i, 0) for i in new]
    entries += [(i, 1) for i in rng.sample(before, min(len(before), rng.randint(*repeats)))]
    entries += [(i, 2) for i in rng.sample(new, min(len(new), rng.randint(*extras)))]
    rng.shuffle(entries)
    return entries, offset + len(new)


def _topic(query: str) -> str:
    topic = " ".join(_words(query))
    if not topic:
        raise BadRequest("query must contain letters or digits")
    return topic


def _compact(n: int) -> str:
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def _ago(seconds: int) -> str:
    for size, unit in ((31_536_000, "year"), (2_592_000, "month"), (604_800, "week"), (86_400, "day"), (3600, "hour")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


@dataclass(frozen=True)
class Video:
    id: str
    caption: str
    hashtags: tuple[str, ...]
    plays: int
    likes: int
    comments: int
    shares: int
    age: int
    duration: int


def _video(c: Creator, topic: str, key: str) -> Video:
    rng = _rng("video", c.id, topic, key)
    niche = NICHES[c.niche]
    words = topic.split() or [niche.words[0]]
    tags = list(dict.fromkeys(["".join(words), *words, *rng.sample(niche.words, 2)]))
    tags += ["fyp"] if rng.random() < 0.4 else []
    caption = rng.choice(CAPTIONS).format(q=" ".join(words)) + " " + " ".join(f"#{t}" for t in tags)
    plays = max(120, int(c.followers * rng.lognormvariate(-0.7, 1.0)))
    likes = int(plays * rng.uniform(0.02, 0.12))
    video_id = {"tiktok": str(7_200_000_000_000_000_000 + _digest("v", c.id, topic, key) % 10**18),
                "instagram": str(3_100_000_000_000_000_000 + _digest("v", c.id, topic, key) % 10**17),
                "youtube": _b64_id(11, "v", c.id, topic, key)}[c.platform]
    return Video(video_id, caption[0].upper() + caption[1:], tuple(tags), plays, likes,
                 int(likes * rng.uniform(0.005, 0.04)), int(likes * rng.uniform(0.01, 0.08)),
                 rng.randint(3600, 200 * 86_400), rng.randint(8, 900 if c.platform == "youtube" else 90))


def _url(cat: Catalog, url: str) -> str:
    return f"{cat.base_url}{url}" if url.startswith("/") else url


def _avatar_urls(cat: Catalog, c: Creator) -> list[str]:
    """The first URL may be a broken CDN copy; later ones are fallbacks that work."""
    good = f"{cat.base_url}/media/avatars/{c.id}.{c.avatar_ext}"
    urls = [f"{cat.base_url}/media/{c.avatar_fault}/{c.id}.jpg"] if c.avatar_fault else []
    urls.append(good)
    if c.avatar_ext != "jpg":
        urls.append(f"{cat.base_url}/media/avatars/{c.id}.jpg")
    return urls


def _thumb(cat: Catalog, video: Video) -> str:
    return f"{cat.base_url}/media/thumbs/{video.id}.jpg"


def _followers_in_search(rng: random.Random, c: Creator) -> int | str:
    # Search payloads occasionally carry a display string instead of a number.
    return _compact(c.followers) if rng.random() < 0.05 else c.followers


def _tiktok_badge(c: Creator) -> dict[str, Any]:
    # Search replies carry no "verified": the badge is a text, in one of two fields.
    kind = _digest("badge", c.id) % 6 if c.verified else -1
    return {"custom_verify": ("Verified account" if kind in (0, 1, 2) else "Popular creator" if kind == 3 else ""),
            "enterprise_verify_reason": "verified account" if kind in (4, 5) else "",
            "verification_type": 1 if kind >= 0 else 0}


def _tiktok_user_fields(cat: Catalog, c: Creator) -> dict[str, Any]:
    avatar = {"uri": f"avt/{c.id}", "url_list": _avatar_urls(cat, c), "url_prefix": None, "width": 720,
              "height": 720}
    return {"uid": c.id, "unique_id": c.handle, "nickname": c.name, "sec_uid": _b64_id(40, "sec", c.id),
            "follower_count": c.followers, "following_count": c.following, "avatar_medium": avatar,
            "avatar_thumb": avatar, "avatar_larger": avatar, "ins_id": "", "account_labels": None,
            "user_tags": None, **_tiktok_badge(c)}


def _tiktok_author(cat: Catalog, c: Creator, rng: random.Random) -> dict[str, Any]:
    # Video search hides the author's totals (0) and, nearly always, the bio.
    author = _tiktok_user_fields(cat, c) | {"total_favorited": 0, "aweme_count": 0, "secret": 0}
    if rng.random() < 0.02:
        author["signature"] = c.bio
    return author


def _tiktok_aweme(cat: Catalog, c: Creator, video: Video, rng: random.Random, region: str) -> dict[str, Any]:
    mentions = [{"type": 0, "hashtag_name": None, "user_id": _creator_id("tiktok", cat.seed, video.id)}
                ] if rng.random() < 0.05 else []
    aweme = {
        "aweme_id": video.id, "desc": video.caption, "region": region, "aweme_type": 0, "is_ad": False,
        "share_url": f"https://www.tiktok.com/@{c.handle}/video/{video.id}?_r=1&u_code=0",
        "create_time": cat.now - video.age,
        "statistics": {"aweme_id": video.id, "play_count": video.plays, "digg_count": video.likes,
                       "comment_count": video.comments, "share_count": video.shares,
                       "collect_count": video.shares // 2, "download_count": 0, "forward_count": 0},
        "text_extra": [{"type": 1, "hashtag_name": tag, "hashtag_id": str(_digest("tag", tag) % 10**9)}
                       for tag in video.hashtags] + mentions,
        "video": {"cover": {"url_list": [_thumb(cat, video)]}, "duration": video.duration * 1000},
        "author": _tiktok_author(cat, c, rng),
    }
    if rng.random() < 0.01:
        # One item in a hundred comes without its link and date.
        del aweme["share_url"], aweme["create_time"]
    return aweme


def _tiktok_video_page(cat: Catalog, endpoint: str, topic: str, cursor: int, region: str
                       ) -> tuple[list[dict[str, Any]], int, bool]:
    """A page's videos, the next cursor, and what the provider says of more: like the real search it
    says "no more" (0) on the last two pages that still hold videos. Each region has creators of
    its own (the US pool is the topic's own, as before regions were asked for)."""
    pool = _pool("tiktok", cat.seed, topic, "" if region.upper() == "US" else region.upper())
    rng = _rng(endpoint, cat.seed, topic, cursor)
    entries, next_cursor = _page(pool, cursor, rng, (16, 22), (2, 4), (2, 5))
    awemes = []
    for index, slot in entries:
        c = _creator("tiktok", cat.seed, index)
        awemes.append(_tiktok_aweme(cat, c, _video(c, topic, f"{cursor}:{slot}"), rng, region))
    return awemes, next_cursor if entries else cursor, next_cursor + 40 < len(pool)


def tiktok_keyword_search(cat: Catalog, query: str, cursor: int, region: str) -> dict[str, Any]:
    awemes, next_cursor, has_more = _tiktok_video_page(cat, "tt-keyword", _topic(query), cursor, region)
    if not awemes:
        return {"aweme_list": None, "cursor": next_cursor, "has_more": 0, "status_code": 0,
                "search_nil_info": {"search_nil_type": "no_result", "is_load_more": "is_load_more"}}
    return {"aweme_list": [], "search_item_list": [{"aweme_info": a} for a in awemes],
            "cursor": next_cursor, "has_more": int(has_more), "status_code": 0}


def tiktok_hashtag_search(cat: Catalog, hashtag: str, cursor: int, region: str = "US") -> dict[str, Any]:
    topic = _topic(hashtag)
    awemes, next_cursor, has_more = _tiktok_video_page(cat, "tt-hashtag", topic, cursor, region)
    page = {"aweme_list": awemes, "cursor": next_cursor}
    # The documented replies show has_more on some pages and not at all on others.
    if _digest("tt-hashtag-more", topic) % 2:
        page["has_more"] = int(has_more)
    return page


def tiktok_user_search(cat: Catalog, query: str, cursor: int) -> dict[str, Any]:
    """Users for a query, paged on ``cursor`` alone: the real reply has no has_more."""
    topic = _topic(query)
    pool = _pool("tiktok", cat.seed, topic)
    rng = _rng("tt-users", cat.seed, topic, cursor)
    entries, next_cursor = _page(pool, cursor, rng, (10, 15), (1, 2), (0, 0))
    users = []
    for index, _slot in entries:
        c = _creator("tiktok", cat.seed, index)
        hidden = c.private
        users.append({
            "user_info": _tiktok_user_fields(cat, c) | {
                "search_user_desc": c.name if rng.random() < 0.6 else topic, "search_user_name": c.handle,
                "total_favorited": 0 if hidden else c.likes, "aweme_count": 0 if hidden else c.posts,
                "secret": int(hidden), "is_private_account": int(hidden)},
            "items": None, "challenges": None, "effects": None, "mix_list": None, "musics": None,
            "position": None, "uniqid_position": None})
    return {"cursor": next_cursor if entries else cursor, "users": users}


def _tiktok_account_state(handle: str) -> dict[str, Any] | None:
    """The short 200 bodies TikTok answers for deleted and private accounts, or None."""
    handle = handle.strip().lstrip("@").lower()
    if handle.startswith("missing"):
        return {"account_deactivated": True, "handle": handle, "message": "Account doesn't exist"}
    if handle.startswith("private"):
        return {"account_private": True, "handle": handle}
    return None


def _tiktok_link(cat: Catalog, url: str) -> str:
    # Creators often type their link without a scheme; the sandbox's own pages stay on http.
    url = _url(cat, url)
    if url.startswith("https://") and _digest("scheme", url) % 3 == 0:
        return url.removeprefix("https://")
    return url


def tiktok_profile(cat: Catalog, handle: str) -> dict[str, Any]:
    if state := _tiktok_account_state(handle):
        return state
    c = _by_handle("tiktok", cat.seed, handle)
    if c.private and _digest("private-body", c.id) % 2:
        return {"account_private": True, "handle": c.handle}
    user = {"id": c.id, "shortId": "", "uniqueId": c.handle, "nickname": c.name, "signature": c.bio,
            "verified": c.verified, "privateAccount": c.private, "secret": c.private,
            "avatarLarger": _avatar_urls(cat, c)[0], "avatarMedium": _avatar_urls(cat, c)[-1],
            "avatarThumb": _avatar_urls(cat, c)[-1], "createTime": cat.now - 400 * 86_400,
            "secUid": _b64_id(40, "sec", c.id), "commerceUserInfo": {"commerceUser": False}, "isOrganization": 0,
            "language": "en"}
    if c.links:
        user["bioLink"] = {"link": _tiktok_link(cat, c.links[0][1]), "risk": 0}
    videos = 0 if c.private else c.posts
    # "stats" rounds for display; "statsV2" has the exact figures, as text.
    exact = {"followerCount": c.followers, "followingCount": c.following, "heart": c.likes, "heartCount": c.likes,
             "videoCount": videos, "diggCount": 0, "friendCount": c.following // 4}
    rounded = {key: int(float(f"{value:.2g}")) if value >= 1000 else value for key, value in exact.items()}
    body = {"user": user, "stats": rounded, "itemList": []}
    if _digest("statsv2", c.id) % 50:
        body["statsV2"] = {key: str(value) for key, value in exact.items()}
    return body


def tiktok_profile_videos(cat: Catalog, handle: str) -> dict[str, Any]:
    if state := _tiktok_account_state(handle):
        return state
    c = _by_handle("tiktok", cat.seed, handle)
    if c.private:
        return {"account_private": True, "handle": c.handle}
    rng = _rng("tt-profile-videos", cat.seed, c.id)
    videos = sorted((_video(c, "", f"post:{n}") for n in range(min(c.posts, 10))), key=lambda v: v.age)
    return {"aweme_list": [_tiktok_aweme(cat, c, v, rng, "US") for v in videos],
            "max_cursor": (cat.now - videos[-1].age) * 1000 if videos else 0, "has_more": int(c.posts > 10)}


def tiktok_audience(cat: Catalog, handle: str) -> dict[str, Any]:
    c = _by_handle("tiktok", cat.seed, handle)
    rng = _rng("audience", cat.seed, c.id)
    countries = rng.sample(COUNTRIES, rng.randint(4, 7))
    weights = sorted((rng.paretovariate(1.2) for _ in countries), reverse=True)
    total = sum(weights)
    # The documented reply gives the share as text ("15.96%").
    return {"audienceLocations": [
        {"country": name, "countryCode": code, "count": int(c.followers * w / total),
         "percentage": f"{100 * w / total:.2f}%"} for (name, code), w in zip(countries, weights)]}


def _instagram_links(cat: Catalog, c: Creator) -> list[dict[str, str]]:
    return [{"url": _url(cat, url), "title": title} for title, url in c.links]


def _instagram_node(cat: Catalog, c: Creator) -> dict[str, Any]:
    return {"id": c.id, "username": c.handle, "full_name": c.name, "is_private": c.private,
            "is_verified": c.verified, "profile_pic_url": _avatar_urls(cat, c)[0]}


def _index_of(cat: Catalog, c: Creator) -> int:
    return _universe(c.platform, cat.seed).index_by_id.get(c.id, -1)


# Instagram's business categories, as its replies spell them; "None" is the text it sends for none.
_IG_BUSINESS_CATEGORIES = ("None", "Creators & Celebrities", "Personal Goods & General Merchandise Stores",
                           "Food & Personal Goods", "Publishers")
_IG_CATEGORIES = ("Digital creator", "Reel creator", "Personal blog", "Video creator", "Public figure")


def _instagram_timeline_node(cat: Catalog, c: Creator, post: Video, rng: random.Random) -> dict[str, Any]:
    shortcode = _b64_id(11, "sc", post.id)
    is_video = rng.random() < 0.7
    node: dict[str, Any] = {
        "__typename": "GraphVideo" if is_video else rng.choice(("GraphImage", "GraphSidecar")),
        "id": post.id, "shortcode": shortcode, "display_url": _thumb(cat, post), "thumbnail_src": _thumb(cat, post),
        "is_video": is_video, "taken_at_timestamp": cat.now - post.age, "comments_disabled": False,
        "like_and_view_counts_disabled": False, "accessibility_caption": None, "location": None,
        "edge_media_to_caption": {"edges": [{"node": {"text": post.caption}}] if rng.random() < 0.9 else []},
        "edge_liked_by": {"count": post.likes}, "edge_media_preview_like": {"count": post.likes},
        "edge_media_to_comment": {"count": post.comments},
        "owner": {"id": c.id, "username": c.handle},
    }
    if is_video:
        # Instagram no longer shows most reels' views publicly and answers 0 for them.
        node |= {"product_type": "clips", "video_view_count": post.plays if rng.random() < 0.3 else 0,
                 "video_url": f"{cat.base_url}/media/thumbs/{post.id}.jpg", "video_duration": post.duration + 0.5}
    return node


def instagram_profile(cat: Catalog, handle: str) -> dict[str, Any]:
    c = _by_handle("instagram", cat.seed, handle)
    rng = _rng("related", cat.seed, c.id)
    links = _instagram_links(cat, c)
    user = _instagram_node(cat, c) | {
        "biography": c.bio, "biography_with_entities": {"raw_text": c.bio, "entities": []},
        "bio_links": [link | {"lynx_url": f"https://l.instagram.com/?u={link['url']}", "link_type": "external"}
                      for link in links],
        "external_url": links[0]["url"] if links else None,
        "business_email": c.email if c.email_in_field else None, "is_business_account": c.email_in_field,
        "is_professional_account": c.email_in_field or rng.random() < 0.5,
        "business_category_name": rng.choice((None, *_IG_BUSINESS_CATEGORIES)),
        "category_name": rng.choice((None, *_IG_CATEGORIES)),
        # Sometimes an object, sometimes the same object as JSON text.
        "business_address_json": rng.choice(({}, '{"city_name": null, "street_address": null}',
                                             {"city_name": None, "street_address": None})),
        "fbid": str(17_841_400_000_000_000 + _digest("fbid", c.id) % 10**12),
        "profile_pic_url_hd": _avatar_urls(cat, c)[-1],
        "edge_followed_by": {"count": c.followers}, "edge_follow": {"count": c.following},
    }
    if c.private or c.handle.startswith("private"):
        # A private account answers 200 with its profile, but neither posts nor related accounts.
        user["is_private"] = True
        user |= {"edge_owner_to_timeline_media": {"count": c.posts, "edges": [],
                                                  "page_info": {"has_next_page": False, "end_cursor": None}},
                 "edge_related_profiles": {"edges": []}}
        return {"success": True, "status": "ok", "data": {"user": user}}
    members = [i for i in _universe("instagram", cat.seed).members[c.niche] if i != _index_of(cat, c)]
    # A few big accounts list no related accounts at all.
    related_count = 0 if rng.random() < 0.03 else rng.randint(10, 30)
    related = [_creator("instagram", cat.seed, i) for i in rng.sample(members, related_count)]
    posts = [_video(c, "", f"post:{n}") for n in range(12)]
    user |= {
        "edge_owner_to_timeline_media": {
            "count": c.posts, "page_info": {"has_next_page": True, "end_cursor": _b64_id(16, "cursor", c.id)},
            "edges": [{"node": _instagram_timeline_node(cat, c, p, rng)} for p in posts]},
        "edge_related_profiles": {"edges": [{"node": _instagram_node(cat, r)} for r in related]},
    }
    return {"success": True, "status": "ok", "data": {"user": user}}


def instagram_basic_profile(cat: Catalog, user_id: str) -> dict[str, Any]:
    c = _by_id("instagram", cat.seed, user_id)
    links = _instagram_links(cat, c)
    return _instagram_node(cat, c) | {
        "pk": c.id, "biography": c.bio, "biography_with_entities": {"entities": []}, "bio_links": links,
        # An account without a website answers "", not null.
        "external_url": links[0]["url"] if links else "",
        "follower_count": c.followers, "following_count": c.following, "media_count": c.posts,
        "is_business": c.email_in_field, "is_business_account": c.email_in_field, "category": None,
        "hd_profile_pic_url_info": {"url": _avatar_urls(cat, c)[-1]},
        "business_email": c.email if c.email_in_field else None}


def _instagram_reel(cat: Catalog, c: Creator, v: Video, rng: random.Random) -> dict[str, Any]:
    shortcode = _b64_id(11, "sc", v.id)
    return {
        "id": v.id, "__typename": "XDTGraphVideo", "shortcode": shortcode,
        "url": f"https://www.instagram.com/reel/{shortcode}/", "caption": v.caption,
        "thumbnail_src": _thumb(cat, v), "display_url": _thumb(cat, v),
        "video_url": f"{cat.base_url}/media/thumbs/{v.id}.jpg", "has_audio": True, "accessibility_caption": None,
        "video_view_count": v.plays, "video_play_count": int(v.plays * 1.6), "product_type": "clips",
        "video_duration": v.duration + 0.4, "is_video": True, "is_ad": False, "is_affiliate": False,
        "taken_at": _iso(cat.now - v.age), "like_count": v.likes, "comment_count": v.comments,
        "is_paid_partnership": rng.random() < 0.06,
        "location": None if rng.random() < 0.8 else {"id": str(_digest("loc", v.id) % 10**15), "name": "Somewhere"},
        "comments": [],
        "owner": _instagram_node(cat, c) | {"is_unpublished": False, "follower_count": c.followers,
                                            "post_count": c.posts},
    }


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def instagram_reels_search(cat: Catalog, query: str, amount: int) -> dict[str, Any]:
    """The older endpoint: up to 60 reels in one reply, no paging."""
    topic = _topic(query)
    amount = min(60, max(1, amount))
    pool = _pool("instagram", cat.seed, topic)
    rng = _rng("ig-reels", cat.seed, topic, amount)
    owners = list(pool[: math.ceil(amount * 0.8)])
    owners += rng.sample(owners, min(len(owners), amount - len(owners)))
    reels = [_instagram_reel(cat, c, _video(c, topic, f"reel:{slot}"), rng)
             for slot, c in enumerate(_creator("instagram", cat.seed, index) for index in owners)]
    return {"reels": reels}


REELS_PER_PAGE = 10


def instagram_reels_search_v2(cat: Catalog, query: str, page: int) -> dict[str, Any]:
    """The current endpoint: about 10 reels a page, numbered from 1; past the end a page is empty."""
    topic = _topic(query)
    if page < 1:
        raise BadRequest("page must be 1 or more")
    pool = _pool("instagram", cat.seed, topic)
    rng = _rng("ig-reels-v2", cat.seed, topic, page)
    start = (page - 1) * REELS_PER_PAGE
    owners = list(pool[start: start + REELS_PER_PAGE])
    # Like the real search, a page shows some creators twice.
    owners += rng.sample(owners, min(len(owners), rng.randint(0, 2)))
    reels = [_instagram_reel(cat, c, _video(c, topic, f"reel:{page}:{slot}"), rng)
             for slot, c in enumerate(_creator("instagram", cat.seed, index) for index in owners)]
    return {"reels": reels}


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"sbx1:{offset}".encode()).decode().rstrip("=")


def _token_offset(token: str) -> int:
    try:
        prefix, offset = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
        if prefix != "sbx1" or int(offset) < 0:
            raise ValueError(token)
        return int(offset)
    except ValueError as exc:
        raise BadRequest("continuationToken is not valid") from exc


def _youtube_handle(rng: random.Random, c: Creator) -> str:
    # Search items name a channel's handle with or without "@", or by its channel path.
    return rng.choices((f"@{c.handle}", c.handle, f"channel/{c.id}"), weights=(6, 3, 1))[0]


def _youtube_video(cat: Catalog, c: Creator, v: Video, rng: random.Random, kind: str,
                   include_extras: bool) -> dict[str, Any]:
    title = v.caption if kind == "short" else v.caption.split(" #")[0]
    video: dict[str, Any] = {
        "type": kind, "id": v.id, "url": f"https://www.youtube.com/watch?v={v.id}", "title": title,
        "thumbnail": _thumb(cat, v),
        "channel": {"id": c.id, "title": c.name, "handle": _youtube_handle(rng, c),
                    "thumbnail": _avatar_urls(cat, c)[0]},
        "viewCountText": f"{v.plays:,} views", "viewCountInt": v.plays,
        "publishedTimeText": ("Streamed " if kind == "live" else "") + _ago(v.age),
        "publishedTime": _iso(cat.now - v.age),
        "lengthText": f"{v.duration // 60}:{v.duration % 60:02d}", "lengthSeconds": v.duration,
        "badges": rng.sample(("4K", "CC", "New"), rng.randint(0, 2)),
    }
    if include_extras:
        video |= {"description": f"{v.caption}\n\n{c.bio.splitlines()[0][:80]}",
                  "likeCountInt": v.likes, "likeCountText": f"{v.likes:,}",
                  "commentCountInt": v.comments, "commentCountText": f"{v.comments:,}"}
    return video


def _youtube_channel_card(cat: Catalog, c: Creator) -> dict[str, Any]:
    return {"type": "channel", "id": c.id, "channelName": c.name, "handle": c.handle,
            "description": c.bio.splitlines()[0], "thumbnail": _avatar_urls(cat, c)[0].replace("https:", "http:"),
            "subscriberCountText": _compact(c.followers), "subscriberCountInt": c.followers,
            "badges": ["Verified"] if c.verified else []}


def youtube_search(cat: Catalog, query: str, continuation_token: str, include_extras: bool = False
                   ) -> dict[str, Any]:
    """A results page as YouTube lays it out: videos, shorts, lives, channel cards and shelves."""
    topic = _topic(query)
    offset = _token_offset(continuation_token) if continuation_token else 0
    pool = _pool("youtube", cat.seed, topic)
    rng = _rng("yt-search", cat.seed, topic, offset)
    entries, next_offset = _page(pool, offset, rng, (15, 18), (1, 3), (1, 2))
    sections: dict[str, list[dict[str, Any]]] = {"videos": [], "channels": [], "playlists": [], "shorts": [],
                                                 "lives": []}
    also_watched: list[dict[str, Any]] = []
    for index, slot in entries:
        c = _creator("youtube", cat.seed, index)
        v = _video(c, topic, f"{offset}:{slot}")
        draw = rng.random()
        if draw < 0.06 and slot == 0:
            sections["channels"].append(_youtube_channel_card(cat, c))
        elif draw < 0.2:
            sections["shorts"].append(_youtube_video(cat, c, v, rng, "short", include_extras))
        elif draw < 0.24:
            sections["lives"].append(_youtube_video(cat, c, v, rng, "live", include_extras))
        elif draw < 0.36:
            also_watched.append(_youtube_video(cat, c, v, rng, "video", include_extras))
        else:
            sections["videos"].append(_youtube_video(cat, c, v, rng, "video", include_extras))
    shelves = []
    if also_watched:
        shelves.append({"type": "shelf", "title": "People also watched", "items": also_watched})
    if entries and offset == 0:
        # The Shorts shelf lists short videos without saying whose they are.
        shorts = [_video(_creator("youtube", cat.seed, index), topic, f"shelf:{index}") for index, _slot in entries[:6]]
        shelves.append({"type": "shelf", "title": "Shorts", "items": [
            {"type": "short", "id": v.id, "url": f"https://www.youtube.com/watch?v={v.id}", "title": v.caption,
             "thumbnail": _thumb(cat, v), "viewCountText": _compact(v.plays), "viewCountInt": v.plays}
            for v in shorts]})
    return {**sections, "shelves": shelves,
            "continuationToken": _token(next_offset) if next_offset < len(pool) else None}


def youtube_channel(cat: Catalog, handle: str, channel_id: str) -> dict[str, Any]:
    c = _by_handle("youtube", cat.seed, handle) if handle else _by_id("youtube", cat.seed, channel_id)
    rng = _rng("yt-channel", cat.seed, c.id)
    niche = NICHES[c.niche]
    links = [_url(cat, url) for _title, url in c.links] + [f"https://instagram.com/{c.handle}"]
    named = {("instagram" if "instagram.com" in url else title.lower().replace(" ", "_")): url
             for title, url in [*((t, _url(cat, u)) for t, u in c.links), ("Instagram", links[-1])]}
    # Channel keywords are one comma-separated string, and some channels set none.
    tags = None if rng.random() < 0.12 else ", ".join([*rng.sample(niche.words, 4), c.name.lower()])
    subscribers: int | float = c.followers
    shown = _compact(c.followers)
    if rng.random() < 0.1 and shown[-1] in "KMB":
        # Some counts are worked back from the text ("16.4M" * 1e6 = 16399999.999999998).
        subscribers = float(shown[:-1]) * {"K": 1e3, "M": 1e6, "B": 1e9}[shown[-1]]
    body: dict[str, Any] = {
        "channelId": c.id, "channel": f"http://www.youtube.com/@{c.handle}", "name": c.name,
        "avatar": {"image": {"sources": [{"url": url, "width": size, "height": size}
                                         for url, size in zip(_avatar_urls(cat, c)[::-1], (72, 120, 160))]}},
        "description": c.bio, "subscriberCount": subscribers,
        "subscriberCountText": f"{_compact(c.followers)} subscribers",
        "videoCountText": f"{c.posts:,} videos", "videoCount": c.posts,
        "viewCountText": f"{c.likes * 10:,} views", "viewCount": c.likes * 10,
        "joinedDateText": "Joined Mar 8, 2017", "tags": tags,
        "email": c.email if c.email_in_field else None, **named, "links": links,
    }
    if rng.random() < 0.85:
        body["handle"] = f"@{c.handle}"
    if rng.random() < 0.85:
        body["country"] = rng.choice(COUNTRIES)[0]
    return body


def youtube_channel_videos(cat: Catalog, handle: str, channel_id: str, include_extras: bool) -> dict[str, Any]:
    c = _by_handle("youtube", cat.seed, handle) if handle else _by_id("youtube", cat.seed, channel_id)
    rng = _rng("yt-channel-videos", cat.seed, c.id)
    videos = []
    for n in range(min(30, c.posts)):
        video = _youtube_video(cat, c, _video(c, "", f"upload:{n}"), rng, "video", include_extras)
        # This endpoint does not repeat the channel on each video.
        video["channel"] = {"title": "", "thumbnail": None}
        videos.append(video)
    return {"videos": videos, "continuationToken": _token(30) if c.posts > 30 else None}


def creator_niche(platform: str, seed: int, external_id: str) -> int | None:
    """The topic a generated creator posts about (an index into ``NICHES``), if the id is one of ours."""
    index = _universe(platform, seed).index_by_id.get(external_id)
    return None if index is None else _universe(platform, seed).niches[index]


def link_page(cat: Catalog, platform: str, handle: str) -> str:
    """The creator's link-in-bio page; the only place some creators publish their address."""
    c = _by_handle(platform, cat.seed, handle)
    items = [f'<li><a href="{_url(cat, url)}">{title}</a></li>'
             for title, url in c.links if not url.startswith("/links/")]
    if c.email:
        items.append(f'<li><a href="mailto:{c.email}">Email me</a></li>')
    return (f"<!doctype html><html><head><title>{c.name} | links</title></head><body>"
            f"<h1>@{c.handle}</h1><ul>{''.join(items)}</ul></body></html>")
