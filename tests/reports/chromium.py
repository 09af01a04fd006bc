"""Run Debian's headless Chromium on a local file and return the DOM after its scripts ran."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

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


def screenshot(
    binary: str, page: Path, out: Path, width: int = 1280, height: int = 1600, timeout: float = 90.0
) -> None:
    with tempfile.TemporaryDirectory(prefix="ferry-chromium-") as profile:
        subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "--hide-scrollbars", f"--screenshot={out}", page.resolve().as_uri()],
            capture_output=True,
            timeout=timeout,
            check=True,
        )  # fmt: skip


LAYOUT_ID = "ferry-layout-probe"

#: appended to a copy of the page: after load, writes what overflows the window as JSON.
_PROBE = """
<script>
window.addEventListener("load", function () {
  var doc = document.documentElement;
  var found = {inner: window.innerWidth, scroll: doc.scrollWidth, boxes: []};
  document.querySelectorAll(%(selector)s).forEach(function (el) {
    var r = el.getBoundingClientRect();
    found.boxes.push({cls: el.className, left: r.left, right: r.right, top: r.top,
                      bottom: r.bottom, width: r.width});
  });
  var out = document.createElement("pre");
  out.id = "%(id)s";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>
"""


def layout(
    binary: str, page: Path, width: int, selector: str, timeout: float = 90.0
) -> dict[str, Any]:
    """Window width, document width and the boxes matching ``selector`` at ``width`` px.

    The probe runs in a copy of the page beside it (so relative images still load); the
    copy is removed afterwards.
    """
    html = page.read_text(encoding="utf-8")
    probe = _PROBE % {"selector": json.dumps(selector), "id": LAYOUT_ID}
    copy = page.with_name(f".probe-{page.name}")
    copy.write_text(html.replace("</body>", probe + "</body>"), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="ferry-chromium-") as profile:
            proc = subprocess.run(
                [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},900",
                 "--hide-scrollbars", "--dump-dom", copy.resolve().as_uri()],
                capture_output=True, text=True, timeout=timeout,
            )  # fmt: skip
    finally:
        copy.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{binary} exited {proc.returncode}: {proc.stderr[-2000:]}")
    match = re.search(rf'<pre id="{LAYOUT_ID}">(.*?)</pre>', proc.stdout, flags=re.S)
    if match is None:
        raise RuntimeError("the layout probe did not run (no result in the DOM)")
    data: dict[str, Any] = json.loads(htmllib.unescape(match.group(1)))
    return data


def overflow(found: dict[str, Any]) -> list[str]:
    """What does not fit the window: the document itself, or a probed box."""
    problems = []
    if found["scroll"] > found["inner"]:
        problems.append(f"document is {found['scroll']} px wide in a {found['inner']} px window")
    for box in found["boxes"]:
        if box["right"] > found["inner"] + 0.5 or box["left"] < -0.5:
            problems.append(f"{box['cls']} spans {box['left']:.0f}-{box['right']:.0f} px")
    return problems
