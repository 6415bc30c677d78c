"""Reading an uploaded picture and writing it again, clean: the only place Pillow sees uploads.

What an upload says it is (its name, its Content-Type) is never asked: Pillow reads the bytes,
restricted to JPEG, PNG, WebP and GIF, and refuses anything else. The picture's size is checked
from its header before its pixels are decoded, so a small file that would unpack into gigabytes
(a decompression bomb) is refused unread. What is kept is the pixels only: turned upright as
the camera's orientation tag says, converted to sRGB, and encoded again as a JPEG (or a PNG when
it has transparency), in a display size and a thumbnail. EXIF (GPS position, camera, time), XMP,
ICC profiles and comments are not copied, so nothing but the picture leaves with it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

from storyboard.errors import InvalidRequest, Refused

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
DISPLAY_BOX = (1600, 1600)  # the largest a story page shows a photo
THUMBNAIL_BOX = (480, 480)
JPEG_QUALITY = 85

log = logging.getLogger(__name__)


class NotAPhoto(InvalidRequest):
    """The bytes are not a picture Storyboard reads (400, with what to send instead)."""


class PhotoTooLarge(Refused):
    """The picture is too big to take, in bytes or in pixels (413)."""

    status = 413


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class CleanPhoto:
    """An upload re-encoded: what to store, and as what type."""

    content_type: str
    display: Rendition
    thumbnail: Rendition


NOT_A_PHOTO = "That file is not a photo Storyboard can read. Choose a JPEG, PNG, WebP or GIF picture."


def megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g} million"


def clean_photo(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanPhoto:
    """Read `data` as a picture and encode it again without metadata, or refuse it."""
    if not data:
        raise NotAPhoto("That file is empty. Choose a photo to add.")
    if len(data) > max_bytes:
        raise PhotoTooLarge(f"That file is {len(data) / 1_048_576:.1f} MB; a photo can be at most "
                            f"{max_bytes // 1_048_576} MB. Choose a smaller one, or save it at a smaller size.")
    image = _decoded(data, max_pixels)
    try:
        # Shrink to the display size before turning and converting it, so each copy those
        # steps make is small (the 480 px thumbnail comes from the display size too).
        image.thumbnail((max(DISPLAY_BOX), max(DISPLAY_BOX)), Image.Resampling.LANCZOS)
        upright = ImageOps.exif_transpose(image)
        transparent = _has_transparency(upright)
        pixels = _in_srgb(upright, "RGBA" if transparent else "RGB")
    except Exception as error:  # noqa: BLE001 - see _decoded: a damaged file fails in many ways
        log.info("photo refused while converting: %r", error)
        raise NotAPhoto(NOT_A_PHOTO) from None
    kind = "PNG" if transparent else "JPEG"
    return CleanPhoto(
        content_type="image/png" if transparent else "image/jpeg",
        display=_encoded(pixels, DISPLAY_BOX, kind),
        thumbnail=_encoded(pixels, THUMBNAIL_BOX, kind),
    )


def _decoded(data: bytes, max_pixels: int) -> Image.Image:
    """The picture, fully decoded; refused if it is not one, is damaged, or has too many pixels."""
    too_many = (f"That picture has more pixels than Storyboard takes (at most {megapixels(max_pixels)}, "
                "such as 8,000 × 5,000). Save it at a smaller size and try again.")
    try:
        # First a check of the whole file without decoding it (verify() leaves the image
        # unusable), then a fresh read whose size is checked before any pixel is decoded.
        with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            _check_size(probe, max_pixels, too_many)
            probe.verify()
        image = Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
        _check_size(image, max_pixels, too_many)
        image.seek(0)  # an animation's first frame
        if image.format == "JPEG":
            # Decode a big JPEG at a fraction of its size straight away (DCT scaling), keeping
            # both sides at least the display size: an 8000 x 5000 photo then takes a quarter of
            # the memory, and no rendition loses detail.
            image.draft(image.mode, (max(DISPLAY_BOX), max(DISPLAY_BOX)))
        image.load()
        return image
    except PhotoTooLarge:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, for headers claiming far more than max_pixels (the warning is an
        # error where warnings are made errors, as in the tests).
        raise PhotoTooLarge(too_many) from None
    except UnidentifiedImageError:
        raise NotAPhoto(NOT_A_PHOTO) from None
    except Exception as error:  # noqa: BLE001 - damaged files raise OSError, SyntaxError,
        # ValueError, struct.error, IndexError... from Pillow's decoders: all "not readable".
        log.info("photo refused while decoding: %r", error)
        raise NotAPhoto("That picture is damaged or incomplete, so Storyboard cannot read it. "
                        "Try saving it again, or choose another.") from None


def _check_size(image: Image.Image, max_pixels: int, message: str) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise NotAPhoto(NOT_A_PHOTO)
    if width * height > max_pixels:
        raise PhotoTooLarge(message)


def _has_transparency(image: Image.Image) -> bool:
    """Whether any pixel is at least partly see-through (a logo, a cut-out)."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        return image.convert("RGBA").getchannel("A").getextrema()[0] < 255
    return False


def _in_srgb(image: Image.Image, mode: str) -> Image.Image:
    """The pixels in sRGB, in `mode`: a wide-gamut photo (a phone's Display P3) keeps its colours
    once its ICC profile is dropped, and a CMYK or palette picture becomes plain RGB."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(BytesIO(profile))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
            if converted is not None:
                return converted
        except (ImportError, OSError, ValueError, TypeError) as error:
            # PyCMSError is an OSError: a broken profile leaves the colours as they are.
            log.info("photo colour profile ignored: %r", error)
    return image.convert(mode)


def _encoded(image: Image.Image, box: tuple[int, int], kind: str) -> Rendition:
    """The picture fitted within `box` (never enlarged), encoded with nothing but its pixels."""
    copy = image.copy()
    copy.thumbnail(box, Image.Resampling.LANCZOS)
    copy.info = {}  # no EXIF, XMP, ICC profile, comment or text chunk is written
    out = BytesIO()
    if kind == "JPEG":
        copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        copy.save(out, "PNG", optimize=True)
    return Rendition(out.getvalue(), copy.width, copy.height)
