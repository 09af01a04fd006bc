"""Images are prepared as codex prepares them: kept, re-encoded, or replaced by a placeholder."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image
from pycodex.images import IMAGE_OMITTED, ImageError, load_image, user_image_items


def _save(path: Path, fmt: str, size: tuple[int, int] = (3, 2)) -> bytes:
    image = Image.new("RGB", size, (10, 20, 30))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_png_and_jpeg_are_sent_byte_for_byte(tmp_path: Path) -> None:
    for name, fmt, mime in (("a.png", "PNG", "image/png"), ("a.jpg", "JPEG", "image/jpeg")):
        data = _save(tmp_path / name, fmt)
        image = load_image(tmp_path / name)
        assert (image.data, image.mime) == (data, mime)


def test_gif_is_reencoded_as_rgba_png(tmp_path: Path) -> None:
    _save(tmp_path / "a.gif", "GIF")
    image = load_image(tmp_path / "a.gif")
    assert image.mime == "image/png"
    with Image.open(io.BytesIO(image.data)) as decoded:
        assert decoded.mode == "RGBA" and decoded.size == (3, 2)


def test_large_images_are_scaled_to_fit(tmp_path: Path) -> None:
    _save(tmp_path / "big.png", "PNG", (4096, 1024))
    image = load_image(tmp_path / "big.png")
    assert (image.width, image.height) == (2048, 512)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("notes.txt", b"hello", "unsupported"),
        ("pic.bmp", b"BM" + b"\x00" * 60, "unsupported"),
        ("broken.png", b"\x89PNG\r\n\x1a\n\x00\x00", "decode"),
    ],
)
def test_refusals(tmp_path: Path, name: str, content: bytes, kind: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ImageError) as info:
        load_image(tmp_path / name)
    assert info.value.kind == kind


def test_user_turn_items(tmp_path: Path) -> None:
    _save(tmp_path / "ok.png", "PNG")
    (tmp_path / "t.txt").write_text("x")
    ok = user_image_items(1, "ok.png", tmp_path / "ok.png")
    assert ok[0]["text"] == '<image name=[Image #1] path="ok.png">'
    assert ok[1]["image_url"].startswith("data:image/png;base64,")
    assert base64.b64decode(ok[1]["image_url"].split(",", 1)[1]).startswith(b"\x89PNG")
    assert user_image_items(2, "t.txt", tmp_path / "t.txt")[1]["text"] == IMAGE_OMITTED
    missing = user_image_items(3, "gone.png", tmp_path / "gone.png")
    assert missing == [
        {
            "type": "input_text",
            "text": "Codex could not read the local image at `gone.png`: "
            "No such file or directory (os error 2)",
        }
    ]
