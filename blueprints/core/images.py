"""Uploaded photos made safe to keep (Pillow): a photo from a phone camera is large and carries metadata (EXIF,
often the GPS position of the house it was taken in). Every image a module stores goes through ``clean_image``:

- the bytes must open *and* verify as an image of an allowed format (JPEG, PNG, WebP, GIF), whatever the file
  is called; anything else is refused with a message for the clerk (``ImageProblem``);
- the EXIF orientation is applied first (a portrait photo stays upright once its EXIF is gone);
- the image is scaled down to ``max_edge`` pixels on its longer side and re-encoded as a fresh JPEG, so no
  EXIF, GPS, XMP, ICC or comment block of the original survives;
- a decompression bomb (a small file declaring a huge canvas) is refused before it is decoded.

``thumbnail`` makes the small JPEG shown in lists. Only this module opens images.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

DEFAULT_MAX_EDGE = 1600
THUMB_EDGE = 240
MAX_PIXELS = 60_000_000  # 60 MP: more than any phone camera; a larger canvas is a bomb, not a photo
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}  # MPO: the JPEG flavour some phone cameras write
NOT_AN_IMAGE = "Berkas bukan gambar yang dapat dibaca (gunakan foto JPG atau PNG, atau berkas PDF)."
TOO_LARGE = "Ukuran gambar terlalu besar (lebih dari 60 megapiksel)."


class ImageProblem(ValueError):
    """Why the bytes cannot be kept as an image; ``str()`` is the message for the clerk."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes  # a JPEG without metadata
    width: int
    height: int


def looks_like_image(data: bytes) -> bool:
    """Whether the bytes start like one of the allowed image formats (a cheap first look; ``clean_image``
    decides)."""
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or data.startswith((b"GIF87a", b"GIF89a"))
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ImageProblem(NOT_AN_IMAGE)
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageProblem(TOO_LARGE)
            probe.verify()  # checks the structure; the image must be opened again to be used
            image = Image.open(io.BytesIO(data))
            image.load()
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProblem(TOO_LARGE) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, EOFError, IndexError) as exc:
        raise ImageProblem(NOT_AN_IMAGE) from exc
    return image


def _rgb(image: Image.Image) -> Image.Image:
    """The image on a white background in RGB (JPEG holds no transparency and no palette)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # a fresh image object carries no info dict: nothing of the original's metadata is written
    fresh = Image.new("RGB", image.size)
    fresh.paste(image)
    fresh.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def clean_image(data: bytes, max_edge: int = DEFAULT_MAX_EDGE, quality: int = 82) -> CleanImage:
    """The photo upright, at most ``max_edge`` px on its longer side, re-encoded as a JPEG without metadata.
    Raises ``ImageProblem`` (with the clerk's message) for anything that is not an allowed image."""
    image = _open(data)
    # honour the orientation before the EXIF is dropped; a broken orientation tag keeps the pixels as stored
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError, ZeroDivisionError):
        image = ImageOps.exif_transpose(image)
    image = _rgb(image)
    if max(image.size) > max_edge:
        image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    return CleanImage(_encode(image, quality), image.width, image.height)


def thumbnail(clean_jpeg: bytes, edge: int = THUMB_EDGE) -> bytes:
    """A small JPEG of an image already cleaned by ``clean_image``."""
    image = _rgb(_open(clean_jpeg))
    image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return _encode(image, 70)


def placeholder(lines: list[str], size: tuple[int, int] = (640, 400)) -> bytes:
    """A plain JPEG card with a few lines of text: the stand-in photo of demo data."""
    image = Image.new("RGB", size, (225, 235, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, size[0] - 20, size[1] - 20), outline=(40, 60, 120), width=4)
    for i, line in enumerate(lines):
        draw.text((40, 40 + 30 * i), line, fill=(20, 30, 60))
    return _encode(image, 80)


def prepare_upload(
    data: bytes, limit: int, limit_text: str, max_edge: int, wrong_type: str
) -> tuple[str | None, dict]:
    """What is wrong with an uploaded photo or PDF (the clerk's message), or its stored form: a PDF as it is
    (after ``uploads.pdf_problem``), an image cleaned (``clean_image``: at most ``max_edge`` px, re-encoded as
    JPEG without EXIF). The one rule for every module's document upload."""
    from .uploads import pdf_problem

    if not data:
        return "Berkas kosong.", {}
    if len(data) > limit:
        return f"Berkas melebihi batas {limit_text}.", {}
    if data.startswith(b"%PDF-"):
        problem = pdf_problem(data)
        return (problem, {}) if problem else (None, dict(data=data, mime="application/pdf", ext="pdf"))
    if not looks_like_image(data):
        return wrong_type, {}
    try:
        image = clean_image(data, max_edge=max_edge)
    except ImageProblem as problem:
        return str(problem), {}
    return None, dict(data=image.data, mime="image/jpeg", ext="jpg", width=image.width, height=image.height)
