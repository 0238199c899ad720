"""Photos from phones, checked by content: a real JPEG/PNG/WebP, bounded in bytes and pixels, re-encoded.

Re-encoding drops every metadata block, the EXIF location included, and resizes to what a phone shows.
"""

import io
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import Refused

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000
LONG_SIDE = 1600


def clean_photo(upload) -> tuple[ContentFile, int, int]:
    """A re-encoded JPEG of the upload with its size, or Refused with the reason."""
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise Refused(
            _("The photo is too large (at most %(mb)s MB).")
            % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
            "upload_too_large",
            field="photos",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in ALLOWED_FORMATS:
                raise Refused(
                    _("Only JPEG, PNG or WebP photos are accepted."), "upload_not_image", field="photos"
                )
            if width * height > MAX_PIXELS:
                raise Refused(_("The photo has too many pixels."), "upload_too_many_pixels", field="photos")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((LONG_SIDE, LONG_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
            size = image.size
    except Refused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise Refused(
            _("This file is not a photo that can be read."), "upload_not_image", field="photos"
        ) from exc
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}.jpg"), size[0], size[1]


def new_token() -> str:
    return secrets.token_hex(16)
