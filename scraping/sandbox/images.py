"""Real JPEG and HEIC images for the sandbox's avatar and thumbnail URLs."""

from __future__ import annotations

import colorsys
import hashlib
import io
from functools import lru_cache

from PIL import Image, ImageDraw
from pillow_heif import register_heif_opener

register_heif_opener()

AVATAR_SIZE = (320, 320)
THUMB_SIZE = (270, 480)
FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "heic": "HEIF"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "HEIF": "image/heic"}


RGB = tuple[int, int, int]


def _colour(hue: float, saturation: float, value: float) -> RGB:
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return int(red * 255), int(green * 255), int(blue * 255)


def _palette(media_id: str) -> tuple[RGB, RGB]:
    hue = int.from_bytes(hashlib.blake2b(media_id.encode(), digest_size=2).digest(), "big") / 65535
    return _colour(hue, 0.45, 0.9), _colour((hue + 0.5) % 1, 0.35, 0.98)


def _avatar(media_id: str) -> Image.Image:
    background, figure = _palette(media_id)
    image = Image.new("RGB", AVATAR_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((105, 60, 215, 170), fill=figure)
    draw.ellipse((55, 185, 265, 400), fill=figure)
    return image


def _thumbnail(media_id: str) -> Image.Image:
    background, figure = _palette(media_id)
    image = Image.new("RGB", THUMB_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 270, 480), fill=(background[0] // 2, background[1] // 2, background[2] // 2))
    draw.polygon(((105, 190), (105, 290), (185, 240)), fill=figure)
    return image


@lru_cache(maxsize=2048)
def render_media(kind: str, media_id: str, extension: str) -> tuple[bytes, str]:
    """Encoded bytes and content type for ``/media/<kind>/<media_id>.<extension>``.

    Raises ``KeyError`` for an unknown kind or extension.
    """
    image_format = FORMATS[extension]
    image = {"avatars": _avatar, "thumbs": _thumbnail}[kind](media_id)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, quality=80)
    return buffer.getvalue(), CONTENT_TYPES[image_format]
