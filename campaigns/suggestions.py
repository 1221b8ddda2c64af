"""Keyword suggestions for the search wizard, from what the account told us and what it found.

Two sources, in this order:

- the brand description from onboarding: its noun phrases ("clean skincare", "sensitive skin"),
  found the RAKE way (a phrase is a run of words between stop words and punctuation);
- the creators the account's searches found: hashtags their posts share, and words and phrases that
  recur in their bios. A term counts once per creator, and only terms two or more creators share are kept,
  so one creator's quirks never show up.

Everything is computed here from our own rows; no outside service sees the description.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from accounts.models import User
from scraping.models import JobCreator, ScrapingJob

MAX_SUGGESTIONS = 8
# The longest phrase suggested as it stands; longer runs give their two-word pieces instead, as a
# search for five words in a row finds little.
MAX_PHRASE_WORDS = 3
# How many of the account's latest found creators are read; enough for the shared terms to show.
CREATOR_SAMPLE = 400
MIN_CREATORS_SHARING = 2

_STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either else ever every few for from
further get gets got had has have having he her here hers herself him himself his how i if in into is it
its itself just let lets like made make makes many may me more most much must my myself need needs no nor
not now of off on once one only or other our ours ourselves out over own per really same she should so
some such than that the their theirs them themselves then there these they this those through to too
under until up upon us very via want wants was way we well were what when where which while who whom
why will with within without would you your yours yourself yourselves
im ive were weve youre theyre dont doesnt isnt arent cant wont
two three four five six seven eight nine ten first
""".split())
# Words that describe the search itself, not what to search for.
_BRIEF_WORDS = frozenset("""
brand brands business company creator creators influencer influencers content kind kinds type types
looking look find finding search sell sells selling product products love loved lovely great good best
new people someone anyone audience audiences followers collaborate collaboration collaborations partner
partners partnership work working team customers clients especially mostly mainly etc things stuff lot lots
based focus focused around across world worldwide online shop store available
""".split())
# Hashtags every platform's posts carry whatever they are about.
_GENERIC_HASHTAGS = frozenset("""
fyp foryou foryoupage fy fypage viral trending trend explore explorepage reels reel tiktok instagram
youtube shorts short video videos love instagood photooftheday like likes follow followme share
new fun happy
""".split())
_TOKEN = re.compile(r"#?[^\W_](?:[\w'’-]*[^\W_])?", re.UNICODE)
# Phrases stop at punctuation as well as at stop words.
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”/|\n•·–—]+")


def _norm(term: str) -> str:
    """A spelling-independent key: lower case, no '#', a plain plural 's' dropped."""
    words = [word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
             for word in term.lower().lstrip("#").split()]
    return " ".join(words)


def _is_content_word(word: str) -> bool:
    plain = word.lower().replace("’", "'").replace("'", "")
    return (
        len(plain) > 2 and not plain.isdigit() and plain not in _STOP_WORDS and plain not in _BRIEF_WORDS
    )


def text_phrases(text: str) -> list[str]:
    """The candidate search phrases in ``text``, in the order they first appear, lower-cased."""
    phrases: list[str] = []
    for clause in _CLAUSE_BREAK.split(text or ""):
        run: list[str] = []
        for token in [*_TOKEN.findall(clause), ""]:
            if token and not token.startswith("#") and _is_content_word(token):
                run.append(token.lower())
                continue
            if len(run) <= MAX_PHRASE_WORDS:
                phrases.append(" ".join(run))
            else:
                phrases.extend(" ".join(run[i:i + 2]) for i in range(len(run) - 1))
            run = []
            if token.startswith("#") and len(token) > 2 and token[1:].lower() not in _GENERIC_HASHTAGS:
                phrases.append(token.lower())
    return [phrase for phrase in phrases if phrase]


def description_keywords(text: str) -> list[str]:
    """Search phrases from a brand description: every phrase once, repeated ones first."""
    phrases = text_phrases(text)
    counts = Counter(_norm(phrase) for phrase in phrases)
    first_seen: dict[str, str] = {}
    for phrase in phrases:
        first_seen.setdefault(_norm(phrase), phrase)
    order = {key: index for index, key in enumerate(first_seen)}
    return [first_seen[key] for key in sorted(first_seen, key=lambda key: (-counts[key], order[key]))]


def _bio_terms(bio: str) -> set[str]:
    """A bio's phrases with their words and word pairs: bios run words together ("easy vegan
    recipes daily") where a description would not, so what two bios share counts inside longer runs."""
    terms: set[str] = set()
    for phrase in text_phrases(bio):
        terms.add(phrase)
        if not phrase.startswith("#"):
            words = phrase.split()
            terms.update(words)
            terms.update(" ".join(words[i:i + 2]) for i in range(len(words) - 1))
    return terms


def shared_creator_terms(creators: Iterable[tuple[Iterable[str], str]]) -> list[str]:
    """Hashtags and bio words that two or more creators share, most shared first.

    ``creators`` gives each creator's post hashtags (without '#') and bio.
    """
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for hashtags, bio in creators:
        terms = {f"#{tag.lower()}" for tag in hashtags if tag and tag.lower() not in _GENERIC_HASHTAGS}
        terms.update(_bio_terms(bio))
        keys: dict[str, str] = {}
        for term in sorted(terms):  # "#..." sorts first: a hashtag is what the provider searches
            keys.setdefault(_norm(term), term)
        for key, term in keys.items():
            counts[key] += 1
            if key not in spelling or (term.startswith("#") and not spelling[key].startswith("#")):
                spelling[key] = term
    shared = [(key, count) for key, count in counts.items() if count >= MIN_CREATORS_SHARING]
    # A word that only ever comes inside a shared phrase adds nothing beside it.
    phrases = [(key, count) for key, count in shared if " " in key]
    shared = [(key, count) for key, count in shared
              if " " in key or not any(count == phrase_count and key in phrase.split()
                                       for phrase, phrase_count in phrases)]
    shared.sort(key=lambda item: (-item[1], not spelling[item[0]].startswith("#"), spelling[item[0]]))
    return [spelling[key] for key, _ in shared]


def keywords_merge(*sources: Iterable[str], exclude: Iterable[str] = (), limit: int = MAX_SUGGESTIONS) -> list[str]:
    """The first ``limit`` distinct terms of the sources in turn, leaving out ``exclude``d ones."""
    seen = {_norm(term) for term in exclude}
    merged: list[str] = []
    for source in sources:
        for term in source:
            key = _norm(term)
            if key in seen or key.replace(" ", "") in seen:
                continue
            seen.update({key, key.replace(" ", "")})
            merged.append(term)
            if len(merged) == limit:
                return merged
    return merged


def search_keyword_suggestions(*, user: User, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Keywords to suggest in ``user``'s search wizard; none of the ones they searched already."""
    searched = [keyword for keywords in ScrapingJob.objects.filter(user=user).values_list("keywords", flat=True)
                for keyword in keywords or ()]
    found = (
        JobCreator.objects.filter(job__user=user)
        .order_by("-found_at")
        .values_list("creator_id", "post_hashtags", "creator__bio")[:CREATOR_SAMPLE]
    )
    per_creator: dict[int, tuple[list[str], str]] = {}
    for creator_id, hashtags, bio in found:
        tags, _ = per_creator.setdefault(creator_id, ([], bio or ""))
        tags.extend(tag for tag in hashtags or () if isinstance(tag, str))
    return keywords_merge(
        description_keywords(user.brand_description),
        shared_creator_terms(per_creator.values()),
        exclude=searched,
        limit=limit,
    )
