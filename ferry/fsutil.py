"""Atomic file writes shared by every stage: a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class UnreadableFileError(OSError):
    """A file that exists but cannot be read as UTF-8 text (a directory, bad bytes, no access).

    It is an ``OSError`` so every reader's existing ``except OSError`` covers undecodable
    bytes too; the message names the file and what is wrong with it.
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


def read_text(path: Path) -> str:
    """``path`` as UTF-8 text; a missing file raises ``FileNotFoundError`` unchanged.

    Anything else that stops the read (a directory in its place, a permission problem,
    bytes that are not UTF-8) raises :class:`UnreadableFileError` naming the file.
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except IsADirectoryError as exc:
        raise UnreadableFileError(f"{path}: is a directory, not a file", exc.errno) from exc
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot read: {exc.strerror}", exc.errno) from exc
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from exc
