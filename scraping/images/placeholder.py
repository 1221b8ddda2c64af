"""A creator's initial in a colour that stays the same for them everywhere, as an SVG if needed."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Readable white initials on each. The last one is neutral, for images that belong to no creator
# (post thumbnails).
PALETTE = ("#5b47e0", "#d6384b", "#12a46b", "#d98a00", "#2878d6", "#b1459c", "#0f8a8a", "#6b5a3e", "#9794ad")
_CREATOR_COLOURS = len(PALETTE) - 1


@dataclass(frozen=True)
class Placeholder:
    initial: str  # one character, or "" for a plain colour
    colour_index: int

    @property
    def colour(self) -> str:
        return PALETTE[self.colour_index]


NEUTRAL_PLACEHOLDER = Placeholder(initial="", colour_index=len(PALETTE) - 1)


def initial_of(name: str) -> str:
    """One character for ``name``: its first letter or digit, upper-cased when that stays one character.

    Compatibility forms are unfolded first ("ﬁona" -> "F", "ŉ" -> "N"), and a letter whose capital is two
    characters keeps its own form ("ßarah" -> "ß"): the proxy's signed URL carries exactly one.
    """
    for char in unicodedata.normalize("NFKC", name):
        # Modifier letters (the apostrophe of "ŉ") are marks on a letter, not one to show.
        if char.isalnum() and unicodedata.category(char) != "Lm":
            upper = char.upper()
            return upper if len(upper) == 1 else char
    return "?"


def creator_placeholder(*, platform: str, external_id: str, name: str) -> Placeholder:
    """The initial of ``name`` in the colour of this platform account."""
    digest = hashlib.sha256(f"{platform}:{external_id}".encode()).digest()
    return Placeholder(initial=initial_of(name), colour_index=digest[0] % _CREATOR_COLOURS)


def placeholder_svg(placeholder: Placeholder, *, size: int) -> bytes:
    letter = (
        f'<text x="50" y="50" dy=".35em" text-anchor="middle" fill="#fff" font-size="42" font-weight="700" '
        f'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif">{escape(placeholder.initial)}</text>'
        if placeholder.initial
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" fill="{placeholder.colour}"/>{letter}</svg>'
    ).encode()
