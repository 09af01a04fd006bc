"""``ferry review``: the static page of a sync run, in source and in headless Chromium."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from chromium import dump_dom, find_chromium, screenshot
from click.testing import CliRunner
from sync_workspace import Workspace

from ferry.cli import main
from harness.sync.state import CommitProgress
from reports.review_data import latest_summary, load_commit, load_review
from reports.review_page import render_review


def write_page(ws: Workspace, out: Path) -> Path:
    result = CliRunner().invoke(main, ["review", "--config", str(ws.config), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()) == out
    return out


def test_review_page_shows_each_commit_with_items_diffs_provenance_and_verdicts(
    synced: Workspace, tmp_path: Path
) -> None:
    html = write_page(synced, tmp_path / "review.html").read_text()
    sections = re.findall(r'<section class="commit" data-status="(\w+)"', html)
    assert sections == ["committed", "committed", "skipped", "committed", "held"]
    for subject in (
        "types: add Settings",
        "types: add Mode and Settings.mode",
        "types: retry_delay",
    ):
        assert subject in html
    # Rust item diff beside the Python diff it produced, with the provenance link
    assert "demo::types::Mode</code> — enum, added, new" in html
    assert '<code class="provenance">pydemo.types.Mode</code>' in html
    assert '<span class="add">+pub enum Mode {</span>' in html
    assert re.search(r'<span class="add">\+class Mode\b', html)
    assert "# ferry: demo::types::MAX_RETRIES @ " in html
    # gate verdicts, why the last commit holds the pin and the test-only commit's skip note
    assert html.count('<td class="pass">PASS</td>') == 3
    assert "1 pending item(s) in covered crate(s) demo (1 needs-llm)" in html
    assert "pending (needs-llm): a fn needs the llm backend" in html
    assert "declined (test-code): test code: the port&#39;s tests are written" in html


def test_review_escapes_upstream_text(synced: Workspace) -> None:
    data = load_review(latest_summary(synced.project / ".ferry/sync"))
    first = data.commits[0]
    hostile = first.progress.model_copy(update={"subject": "<script>alert(1)</script>"})
    data.commits[0] = dataclasses.replace(first, progress=hostile)
    html = render_review(data)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_review_without_runs_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "ferry.toml").write_text("[sync]\nstate_dir = 'state'\n")
    result = CliRunner().invoke(main, ["review", "--config", str(tmp_path / "ferry.toml")])
    assert result.exit_code == 1
    assert "no sync run recorded" in result.output and "ferry sync" in result.output


def test_review_page_renders_in_headless_chromium(synced: Workspace, tmp_path: Path) -> None:
    binary = find_chromium()
    if binary is None:
        pytest.skip("Debian chromium is not installed (scripts/ensure-system-deps.sh installs it)")
    page = write_page(synced, tmp_path / "review.html")
    dom = dump_dom(binary, page)
    # the page script ran: it counted the commit sections by status
    assert "5 upstream commits: 3 committed, 1 skipped, 0 failed, 1 held, 0 pending" in dom
    assert "(counted by the page script)" not in dom
    sides = re.findall(r'<div class="sides">(.*?)</section>', dom, flags=re.S)
    assert len(sides) == 5
    assert 'class="rust"' in sides[1] and "+pub enum Mode {" in sides[1]
    assert 'class="python"' in sides[1] and re.search(r"\+class Mode\b", sides[1])
    shot = tmp_path / "review.png"
    screenshot(binary, page, shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_missing_artifacts_become_notes_on_the_page(tmp_path: Path) -> None:
    progress = CommitProgress(
        sha="a" * 40, subject="lost", status="failed", units=1, artifacts=str(tmp_path)
    )
    view = load_commit(progress)
    assert view.items == [] and view.python_diff == ""
    assert (
        "changeset.json not recorded" in view.notes and "translate.json not recorded" in view.notes
    )
    (tmp_path / "plan.json").write_text("{not json")
    assert any(n.startswith("plan.json unreadable") for n in load_commit(progress).notes)
