"""Contact emails and links from what creators write in their bios and link lists.

Creators hide addresses from scrapers ("mia [at] glow [dot] co"), glue emoji and punctuation to
them, and paste image names and package versions that look like addresses ("logo@2x.png",
"pkg@1.2.3"). Extraction undoes the usual disguises, then keeps only candidates that are real
addresses: the result is lower-cased, de-duplicated and in the order found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

EmailSource = Literal["profile", "bio", "link"]


@dataclass(frozen=True)
class EmailFound:
    address: str
    source: EmailSource
    link: str = ""  # source "link": the link it was found in or behind, as the creator wrote it

    def as_json(self) -> dict[str, str]:
        found = {"address": self.address, "source": self.source}
        if self.link:
            found["link"] = self.link
        return found


@dataclass(frozen=True)
class ContactInfo:
    emails: tuple[EmailFound, ...]
    links: tuple[str, ...]

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(email.address for email in self.emails)


_OPEN = r"[\[\(\{<]"
_CLOSE = r"[\]\)\}>]"
_BRACKETED_AT_RE = re.compile(rf"\s*{_OPEN}\s*(?:at|@)\s*{_CLOSE}\s*", re.IGNORECASE)
_BRACKETED_DOT_RE = re.compile(rf"\s*{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}\s*", re.IGNORECASE)
# "mia@glow dot co" once the "at" has been undone.
_SPELLED_DOT_AFTER_AT_RE = re.compile(r"(@[a-z0-9.-]+)\s+dot\s+(?=[a-z])", re.IGNORECASE)
_SPELLED_OUT_RE = re.compile(
    r"(?<![\w.+'\u2019-])(?P<local>[a-z0-9][a-z0-9._+-]*)\s+at\s+"
    r"(?P<domain>[a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)+)\b",
    re.IGNORECASE,
)
_CANDIDATE_RE = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)

# Spelled-out addresses ("mia at glow dot com") read like prose, so they are only trusted with a
# common top-level domain and a local part that is not an everyday word ("meet me at home dot com").
_SPELLED_OUT_TLDS = frozenset(
    "com net org co io me info biz tv uk us ca au de fr es it nl be ch at se no dk ie nz br mx in "
    "jp kr sg ph id my za ai app studio media agency".split()
)
_PROSE_WORDS = frozenset(
    "me us you him her them it this that here there home look meet see email mail contact dm "
    "write reach find call text message available based shop order buy book visit watch stream listen "
    "live tune join now online also".split()
)
_IMAGE_EXTENSIONS = frozenset("png jpg jpeg gif webp svg avif heic bmp ico tif tiff".split())
_RETINA_LABEL_RE = re.compile(r"\d+(?:\.\d+)?x")
_TLD_RE = re.compile(r"[a-z]{2,24}|xn--[a-z0-9-]{1,59}")
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_RESERVED_TLDS = frozenset({"localhost", "local", "test", "invalid", "example", "internal"})
_PLACEHOLDER_DOMAINS = frozenset({"example.com", "example.net", "example.org", "domain.com"})

_URL_CHARS = r"[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL_RE = re.compile(
    rf"(?:https?://|www\.){_URL_CHARS}+"
    rf"|(?<![\w@.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{{2,24}}(?:/{_URL_CHARS}*)?",
    re.IGNORECASE,
)
# A bare "name.tld" without a path is only a link when the TLD is one people put in bios;
# otherwise "Mr.Smith" or "photo.jpg" would become links.
_BARE_LINK_TLDS = frozenset(
    "com net org co io ai ee me ly gg tv app page link bio shop store site online live uk us ca au "
    "de fr es it nl be to fm so xyz".split()
)
_TRAILING_PUNCTUATION = ".,;:!?'\"*"
_BRACKET_PAIRS = {")": "(", "]": "["}
_WEB_SCHEMES = ("http", "https")
_NON_WEB_SCHEME_RE = re.compile(r"(?:mailto|tel|sms|javascript|data):", re.IGNORECASE)


def extract_emails(text: str) -> list[str]:
    """Addresses in ``text``, lower-cased, de-duplicated, in order of appearance."""
    if not text:
        return []
    found: dict[str, None] = {}
    for match in _CANDIDATE_RE.finditer(_undo_disguises(text)):
        address = _valid_address(match.group())
        if address:
            found.setdefault(address)
    return list(found)


def extract_links(text: str) -> list[str]:
    """Web links written in ``text`` (with or without a scheme), normalised, de-duplicated."""
    if not text:
        return []
    # Addresses contain "domain.tld" and must not also come out as links.
    without_emails = _CANDIDATE_RE.sub(" ", _undo_disguises(text))
    links: dict[str, None] = {}
    for match in _URL_RE.finditer(without_emails):
        link = normalise_link(match.group())
        if link and (_has_scheme_or_www(match.group()) or _is_plausible_bare_link(link)):
            links.setdefault(link)
    return list(links)


def extract_contacts(
    *, bio: str = "", links: Iterable[str] = (), profile_email: str = ""
) -> ContactInfo:
    """Emails and links from a profile.

    An address found in several places is reported once, with the first source in the order
    profile field, bio, link: the provider's own field is the most deliberate, a link the least.
    ``links`` keeps web URLs only (mailto: and tel: links are read for addresses and dropped),
    bio URLs first.
    """
    given_links = [link for link in links if isinstance(link, str)]
    emails: dict[str, EmailFound] = {}
    sources: list[tuple[EmailSource, list[tuple[str, str]]]] = [
        ("profile", [(profile_email or "", "")]),
        ("bio", [(bio or "", "")]),
        ("link", [(unquote(link), _link_label(link)) for link in given_links]),
    ]
    for source, texts in sources:
        for text, link in texts:
            for address in extract_emails(text):
                emails.setdefault(address, EmailFound(address=address, source=source, link=link))

    web_links: dict[str, None] = {}
    for link in [*extract_links(bio or ""), *(normalise_link(link) for link in given_links)]:
        if link:
            web_links.setdefault(link)
    return ContactInfo(emails=tuple(emails.values()), links=tuple(web_links))


def _link_label(link: str) -> str:
    """A link as a source to name: a web address; a ``mailto:`` link is the address itself."""
    return "" if link.strip().lower().startswith(("mailto:", "tel:")) else link.strip()[:300]


def normalise_link(url: str) -> str:
    """``url`` as https?://host/path with a lower-case host, or "" if it is not a web link."""
    text = _strip_trailing_punctuation(url.strip())
    if not text:
        return ""
    if "://" not in text:
        # "mia@glow.co" or "mailto:..." is an address, not a website at glow.co.
        if _NON_WEB_SCHEME_RE.match(text) or "@" in text.split("/", 1)[0]:
            return ""
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() not in _WEB_SCHEMES or "." not in host:
        return ""
    netloc = host if port is None else f"{host}:{port}"
    path = "" if parts.path == "/" else parts.path
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def _undo_disguises(text: str) -> str:
    text = text.replace("\uff20", "@")
    text = _BRACKETED_AT_RE.sub("@", text)
    text = _BRACKETED_DOT_RE.sub(".", text)
    previous = None
    while previous != text:
        previous, text = text, _SPELLED_DOT_AFTER_AT_RE.sub(r"\1.", text)
    return _SPELLED_OUT_RE.sub(_spelled_out_address, text)


def _spelled_out_address(match: re.Match[str]) -> str:
    local = match["local"]
    labels = re.split(r"\s+dot\s+", match["domain"], flags=re.IGNORECASE)
    if local.lower() in _PROSE_WORDS or labels[-1].lower() not in _SPELLED_OUT_TLDS:
        return match.group()
    return f"{local}@{'.'.join(labels)}"


def _valid_address(candidate: str) -> str:
    address = candidate.lower()
    local, _, domain = address.partition("@")
    local = local.lstrip(".")
    if not local or len(local) > 64 or local.endswith(".") or ".." in local:
        return ""
    labels = domain.split(".")
    tld = labels[-1]
    if len(domain) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return ""
    if not _TLD_RE.fullmatch(tld) or tld in _RESERVED_TLDS or domain in _PLACEHOLDER_DOMAINS:
        return ""
    if tld in _IMAGE_EXTENSIONS or _RETINA_LABEL_RE.fullmatch(labels[0]):
        return ""
    return f"{local}@{domain}"


def _strip_trailing_punctuation(url: str) -> str:
    # A closing bracket belongs to the URL only when the URL opened it: "(see glow.co/a)" ends
    # the link before ")", while "wiki/Glow_(band)" keeps it.
    while url:
        last = url[-1]
        opening = _BRACKET_PAIRS.get(last)
        unbalanced = opening is not None and url.count(last) > url.count(opening)
        if last not in _TRAILING_PUNCTUATION and not unbalanced:
            break
        url = url[:-1]
    return url


def _has_scheme_or_www(text: str) -> bool:
    return bool(re.match(r"(?:https?://|www\.)", text, re.IGNORECASE))


def _is_plausible_bare_link(link: str) -> bool:
    parts = urlsplit(link)
    tld = (parts.hostname or "").rsplit(".", 1)[-1]
    return tld in _BARE_LINK_TLDS or (bool(parts.path) and tld not in _IMAGE_EXTENSIONS)
