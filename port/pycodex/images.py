"""Local images as ``data:`` URLs, for ``view_image`` and ``exec -i``."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


# ferry: codex_utils_image::error::ImageProcessingError @ 1d092cb66
class UnsupportedImage(ValueError):
    """The file is readable but not an image format the model accepts."""


# ferry: codex_utils_image::format_to_mime @ 1d092cb66 -- sniffed from the first bytes
def image_mime_type(data: bytes, path: Path) -> str | None:
    """Sniff the type from the first bytes (a name can lie), else trust the suffix."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed if guessed and guessed.startswith("image/") else None


# ferry: codex_utils_image::load_for_prompt_bytes @ 1d092cb66 -- without resizing
# ferry: codex_utils_image::EncodedImage::into_data_url @ 1d092cb66
def image_data_url(path: Path) -> str:
    """Read ``path`` as a data URL; raises OSError or :class:`UnsupportedImage`."""
    data = path.read_bytes()
    mime = image_mime_type(data, path)
    if mime is None:
        raise UnsupportedImage(f"unsupported image format: {path}")
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


# ferry: codex_protocol::models::ContentItem::InputImage @ 1d092cb66
def input_image(url: str) -> dict[str, str]:
    return {"type": "input_image", "image_url": url, "detail": "original"}
