"""Run Debian's headless Chromium on a local file and return the DOM after its scripts ran."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def dump_dom(binary: str, page: Path, timeout: float = 90.0) -> str:
    """The serialized DOM of ``page`` once loaded (``--dump-dom``)."""
    with tempfile.TemporaryDirectory(prefix="ferry-chromium-") as profile:
        proc = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{binary} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stdout


def screenshot(binary: str, page: Path, out: Path, timeout: float = 90.0) -> None:
    with tempfile.TemporaryDirectory(prefix="ferry-chromium-") as profile:
        subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1600",
             f"--screenshot={out}", page.resolve().as_uri()],
            capture_output=True,
            timeout=timeout,
            check=True,
        )  # fmt: skip
