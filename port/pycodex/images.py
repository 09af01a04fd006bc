"""Local images for the model (``exec -i`` and ``view_image``), prepared as codex prepares them.

An image is read and decoded first: a file that does not decode, or whose format codex does
not accept, never reaches the model as an image. PNG, JPEG and WebP within 2048x2048 are sent
byte for byte; GIF is re-encoded as RGBA PNG; other formats (BMP, TIFF, SVG...) are refused;
larger images are scaled down to fit 2048x2048. Pillow decodes and encodes.
"""

from __future__ import annotations

import base64
import io
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_DIMENSION = 2048
#: formats sent as they are (when small enough); codex re-encodes every other one.
PRESERVED = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
#: the formats codex 0.169.0 decodes, by their first bytes (BMP, TIFF, ICO... are refused).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)

#: the placeholder a user turn carries for an attached file that is not a usable image.
IMAGE_OMITTED = "image content omitted because it could not be processed"


# ferry: codex_utils_image::error::ImageProcessingError @ 1d092cb66
class ImageError(Exception):
    """Why an image cannot be sent: ``read`` (I/O), ``decode`` or ``unsupported`` format."""

    def __init__(self, kind: str, message: str, os_error: OSError | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.os_error = os_error


#: kept for callers that only care that the file is not an image the model accepts.
UnsupportedImage = ImageError


# ferry: codex_utils_image::EncodedImage @ 1d092cb66
@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    mime: str
    width: int
    height: int

    # ferry: codex_utils_image::EncodedImage::into_data_url @ 1d092cb66
    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode()}"


def _sniff(data: bytes) -> str | None:
    for signature, fmt in _SIGNATURES:
        if data.startswith(signature):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _io_text(exc: OSError) -> str:
    if exc.errno is not None and exc.strerror:
        return f"{exc.strerror} (os error {exc.errno})"
    return str(exc)


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


# ferry: codex_utils_image::load_for_prompt_bytes @ 1d092cb66
def load_image(path: Path) -> EncodedImage:
    """Read, check and (where codex does) re-encode one image; raises :class:`ImageError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError("read", f"failed to read image at {path}: {_io_text(exc)}", exc) from None
    fmt = _sniff(data)
    if fmt is None:
        mime = mimetypes.guess_type(path.name)[0] or "unknown"
        raise ImageError("unsupported", f"unsupported image `{mime}`")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            width, height = image.size
            if width <= MAX_DIMENSION and height <= MAX_DIMENSION:
                if fmt in PRESERVED:
                    return EncodedImage(data, PRESERVED[fmt], width, height)
                return EncodedImage(_png(image), "image/png", width, height)
            scaled = image.copy()
            scaled.thumbnail((MAX_DIMENSION, MAX_DIMENSION), Image.Resampling.BILINEAR)
            buffer = io.BytesIO()
            if fmt in PRESERVED:
                scaled.save(buffer, format=fmt)
                mime = PRESERVED[fmt]
            else:
                scaled.convert("RGBA").save(buffer, format="PNG")
                mime = "image/png"
            return EncodedImage(buffer.getvalue(), mime, scaled.width, scaled.height)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError("decode", f"failed to decode image at {path}: {exc}") from None


# ferry: codex_utils_image::load_for_prompt_bytes @ 1d092cb66
# ferry: codex_utils_image::EncodedImage::into_data_url @ 1d092cb66
def image_data_url(path: Path) -> str:
    """``path`` as a data URL; raises :class:`ImageError`."""
    return load_image(path).data_url()


# ferry: codex_utils_image::format_to_mime @ 1d092cb66 -- sniffed from the first bytes
def image_mime_type(data: bytes, path: Path) -> str | None:
    """The MIME type an image's first bytes announce (``None``: not a format codex reads)."""
    fmt = _sniff(data)
    if fmt is None:
        return None
    return PRESERVED.get(fmt) or f"image/{fmt.lower()}"


# ferry: codex_protocol::models::ContentItem::InputImage @ 1d092cb66
def input_image(url: str, detail: str = "original") -> dict[str, str]:
    return {"type": "input_image", "image_url": url, "detail": detail}


# ferry: codex_protocol::models::local_image_content_items_with_label_number @ 1d092cb66 -- 0.169.0 placeholder
def user_image_items(number: int, shown_path: str, path: Path) -> list[dict[str, str]]:
    """The content items of one ``-i`` image in the user turn: the image between
    ``<image>`` tags, the omitted-content placeholder for a file that is not a usable image,
    or (a file that cannot be read) a sentence saying so."""
    try:
        image = load_image(path)
    except ImageError as exc:
        if exc.kind == "read" and exc.os_error is not None:
            return [
                {
                    "type": "input_text",
                    "text": f"Codex could not read the local image at `{shown_path}`: "
                    f"{_io_text(exc.os_error)}",
                }
            ]
        body: dict[str, str] = {"type": "input_text", "text": IMAGE_OMITTED}
    else:
        body = input_image(image.data_url())
    return [
        {"type": "input_text", "text": f'<image name=[Image #{number}] path="{shown_path}">'},
        body,
        {"type": "input_text", "text": "</image>"},
    ]
