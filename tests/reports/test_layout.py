"""The HTML report and the review page fit a 1280 px window, checked in headless Chromium:
the rendered boxes (a probe script in a copy of the page) and a 1280 px screenshot."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from chromium import find_chromium, layout, overflow, screenshot
from click.testing import CliRunner
from PIL import Image
from sync_workspace import Workspace

from ferry.cli import main
from reports.review_data import latest_summary, load_review
from reports.review_page import render_review

WIDTH = 1280
LONG = "x = compute(" + ", ".join(f"argument_{n}" for n in range(60)) + ")"


@pytest.fixture
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip("Debian chromium is not installed (scripts/ensure-system-deps.sh installs it)")
    return binary


def ink(shot: Path, box: dict[str, Any]) -> int:
    """Pixels that are not page background inside ``box`` (clipped to the screenshot)."""
    image = Image.open(shot).convert("L")
    left, top = max(0, int(box["left"])), max(0, int(box["top"]))
    right = min(image.width, int(box["right"]))
    bottom = min(image.height, int(box["bottom"]))
    assert right > left and bottom > top, (box, image.size)
    crop = image.crop((left, top, right, bottom))
    return sum(crop.histogram()[:200])  # grey levels 0-199: text, borders, shading


def review_page(ws: Workspace, out: Path, css: tuple[tuple[str, str], ...] = ()) -> Path:
    """The review page of the synced run, with a long line on both sides of every commit."""
    data = load_review(latest_summary(ws.project / ".ferry/sync"))
    commits = []
    for commit in data.commits:
        items = [dataclasses.replace(i, diff=i.diff + "\n+" + LONG) for i in commit.items]
        commits.append(
            dataclasses.replace(commit, items=items, python_diff=commit.python_diff + "\n+" + LONG)
        )
    data.commits[:] = commits
    html = render_review(data)
    for old, new in css:
        assert old in html, old
        html = html.replace(old, new)
    out.write_text(html, encoding="utf-8")
    return out


def test_review_page_columns_fit_1280_px_with_long_lines(
    chromium: str, synced: Workspace, tmp_path: Path
) -> None:
    page = review_page(synced, tmp_path / "review.html")
    found = layout(chromium, page, WIDTH, ".sides > div, section.commit")
    assert overflow(found) == []
    columns = [b for b in found["boxes"] if b["cls"] in ("rust", "python")]
    rust = [b for b in columns if b["cls"] == "rust"]
    python = [b for b in columns if b["cls"] == "python"]
    assert len(rust) == len(python) == 5
    for r, p in zip(rust, python, strict=True):
        # side by side, each about half of the window, the Python column inside it
        assert r["right"] <= p["left"] and p["right"] <= WIDTH
        assert 0.3 * WIDTH < p["width"] < 0.55 * WIDTH
        assert abs(r["top"] - p["top"]) < 1
    shot = tmp_path / "review.png"
    screenshot(chromium, page, shot, WIDTH, 1600)
    assert Image.open(shot).size == (WIDTH, 1600)
    visible = [p for p in python if p["top"] < 1600]
    assert visible and ink(shot, visible[0]) > 500  # the Python column is drawn on screen


def test_the_layout_check_catches_a_column_pushed_off_screen(
    chromium: str, synced: Workspace, tmp_path: Path
) -> None:
    """The grid as it was (``1fr 1fr``, grid items at their automatic minimum width: a
    column grows with its longest line) overflows, and the check says so."""
    page = review_page(
        synced,
        tmp_path / "review.html",
        (
            (
                "grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);",
                "grid-template-columns: 1fr 1fr;",
            ),
            (".sides > div { min-width: 0; }", ""),
        ),
    )
    problems = overflow(layout(chromium, page, WIDTH, ".sides > div"))
    assert any("python spans" in p for p in problems), problems


def test_html_report_fits_1280_px(chromium: str, synced: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        ["report", "--config", str(synced.config), "--upstream", str(synced.upstream),
         "--against-paper", "--no-measure", "--measurements", str(tmp_path / "none"),
         "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out / "report.html"
    found = layout(chromium, page, WIDTH, "section, img, .scroll, h2, p")
    assert overflow(found) == []
    images = [b for b in found["boxes"] if b["cls"] == "" and b["width"] > 0]
    assert images, json.dumps(found)[:500]
    shot = tmp_path / "report.png"
    screenshot(chromium, page, shot, WIDTH, 1600)
    assert Image.open(shot).size == (WIDTH, 1600)
    first_table = next(b for b in found["boxes"] if b["cls"] == "scroll")
    assert first_table["right"] <= WIDTH and ink(shot, first_table) > 200
