"""Turning fetched bytes into what browsers get: sRGB JPEG or WebP, upright, resized, no metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()
# Load every Pillow plugin now: Image.open(formats=...) looks only at those already registered.
Image.init()

OutputFormat = Literal["jpeg", "webp"]

# Only decoders for what platform CDNs serve are tried: fewer parsers see untrusted bytes.
# (Multi-picture JPEGs from phones open through the JPEG entry as "MPO".)
SOURCE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "HEIF", "AVIF")
# A 1 MB file can declare a gigapixel canvas; nothing a CDN serves as an avatar comes near this.
MAX_SOURCE_PIXELS = 40_000_000


@dataclass(frozen=True)
class Output:
    pillow_format: str
    content_type: str
    options: dict[str, Any]


OUTPUTS: dict[str, Output] = {
    "jpeg": Output("JPEG", "image/jpeg", {"quality": 82, "optimize": True}),
    # method 2: about a third of the default's encoding time for a few per cent more bytes at these sizes.
    "webp": Output("WEBP", "image/webp", {"quality": 80, "method": 2}),
}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class NotAnImageError(ValueError):
    """The bytes are not an image we can show (HTML, SVG, truncated, absurdly large...)."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def _open(body: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(body), formats=SOURCE_FORMATS)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImageError("The body is not an image.") from exc
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_SOURCE_PIXELS:
        image.close()
        raise NotAnImageError(f"The image is {width}x{height} pixels.")
    return image


def image_probe(body: bytes) -> ImageInfo:
    """Format and size from the header alone; ``NotAnImageError`` for anything else."""
    with _open(body) as image:
        return ImageInfo(format=str(image.format), width=image.width, height=image.height)


def image_render(body: bytes, *, size: int, output: OutputFormat) -> bytes:
    """``body`` fitted into ``size`` x ``size`` (never enlarged) as ``output``.

    EXIF orientation is applied, colours converted to sRGB, transparency flattened on white and
    every bit of metadata (EXIF with its GPS position, XMP, ICC) left behind.
    """
    target = OUTPUTS[output]
    try:
        with _open(body) as image:
            if image.format in ("JPEG", "MPO"):
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: most of the time of a resize.
                image.draft("RGB", (size, size))
            upright = ImageOps.exif_transpose(image)
            icc_profile = image.info.get("icc_profile")
        picture = _as_srgb(upright, icc_profile)
        picture.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        picture.save(buffer, format=target.pillow_format, **target.options)
    except NotAnImageError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        # Truncated or corrupt data only shows when the pixels are decoded.
        raise NotAnImageError("The image cannot be decoded.") from exc
    return buffer.getvalue()


def _as_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    if image.mode in ("P", "PA", "LA") or (image.mode == "L" and "transparency" in image.info):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        image = image.convert("RGB")
    if icc_profile:
        # Phones save in Display P3: dropping the profile without converting would wash colours out.
        try:
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)), _SRGB,
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert("RGB") if image.mode != "RGB" else image
