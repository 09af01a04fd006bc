"""A ``ferry sync`` killed with SIGKILL at a checkpoint, then rerun, ends exactly like an
uninterrupted run: same port tree (byte for byte), same pin; before the merge, the
checked-out port and the pin are untouched."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sync_workspace import HISTORY, Workspace, git, make_workspace

from upstream.lock import read_lock


def ferry_sync(ws: Workspace, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("FERRY_SYNC_KILL_AT", None)
    if kill_at is not None:
        env["FERRY_SYNC_KILL_AT"] = kill_at
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from ferry.cli import main; main()",
            "sync",
            "--config",
            str(ws.config),
        ],
        cwd=ws.project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def pin(ws: Workspace) -> str:
    lock = read_lock(ws.project / "ferry.lock")
    assert lock is not None
    return lock.commit


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Port tree id and pin after an uninterrupted run."""
    ws = make_workspace(tmp_path_factory.mktemp("reference"), HISTORY[:5])
    proc = ferry_sync(ws)
    assert proc.returncode == 0, proc.stderr
    return ws.port_tree(), pin(ws)


@pytest.mark.parametrize(
    ("kill_at", "merged_before_kill"),
    [
        # the second commit translated into the worktree, not committed
        ("after-translate:1", False),
        # the first port commit made, the checkpoint not yet updated
        ("after-commit:0", False),
        # the checked-out branch fast-forwarded, the pin not yet moved
        ("after-merge", True),
        # the pin moved, the ledger and the summary not yet written
        ("after-pin", True),
    ],
)
def test_killed_sync_resumes_to_the_same_result(
    tmp_path: Path, reference: tuple[str, str], kill_at: str, merged_before_kill: bool
) -> None:
    ws = make_workspace(tmp_path, HISTORY[:5])
    start_tree, start_pin = ws.port_tree(), pin(ws)
    killed = ferry_sync(ws, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # the pin never moves before a passing verdict and a merge
    assert (pin(ws) == start_pin) is (kill_at != "after-pin")
    assert (ws.port_tree() != start_tree) is merged_before_kill
    # the checked-out tree is never left half-written (only the pin file may have moved)
    changed = git(ws.project, "status", "--porcelain").splitlines()
    assert changed == ([] if kill_at != "after-pin" else ["M ferry.lock"])

    resumed = ferry_sync(ws)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["resumed"] is True and summary["outcome"] == "merged"
    assert (ws.port_tree(), pin(ws)) == reference

    again = ferry_sync(ws)
    assert again.returncode == 0 and json.loads(again.stdout)["outcome"] == "nothing-to-do"
    assert (ws.port_tree(), pin(ws)) == reference


def test_restart_discards_an_unfinished_run(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:2])
    killed = ferry_sync(ws, "after-translate:0")
    assert killed.returncode == -signal.SIGKILL
    first_run = json.loads((ws.project / ".ferry/sync/state.json").read_text())["run_id"]
    restarted = subprocess.run(
        [sys.executable, "-c", "from ferry.cli import main; main()", "sync", "--restart",
         "--config", str(ws.config)],
        cwd=ws.project, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert restarted.returncode == 0, restarted.stderr
    summary = json.loads(restarted.stdout)
    assert summary["resumed"] is False and summary["run_id"] != first_run
    assert summary["outcome"] == "merged" and pin(ws) == ws.shas[1]


def test_batched_sync_makes_one_port_commit_per_batch(
    tmp_path: Path, reference: tuple[str, str]
) -> None:
    ws = make_workspace(tmp_path, HISTORY[:5])
    before = git(ws.project, "rev-parse", "HEAD")
    proc = subprocess.run(
        [sys.executable, "-c", "from ferry.cli import main; main()", "sync", "--batch", "2",
         "--config", str(ws.config)],
        cwd=ws.project, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    # in-range commits: Settings, Mode (one batch, one port commit), the unit test (skipped)
    statuses = [(c["status"], c["batch_head"]) for c in summary["commits"]]
    assert statuses == [("committed", ws.shas[3]), ("committed", None), ("skipped", None)]
    # the same symbols from the same upstream state (a batch merges them in one pass, so
    # their order in the module may differ from the one-commit-at-a-time run)
    markers = re.findall(
        r"# ferry: (\S+) @ (\w+)", (ws.project / "port/pydemo/types.py").read_text()
    )
    assert sorted(markers) == [
        ("demo::types::Mode", ws.shas[3][:12]),
        ("demo::types::Settings", ws.shas[3][:12]),
    ]
    assert pin(ws) == reference[1]
    review = Path(summary["review"]).read_text()
    assert f"translated in the batch ending at {ws.shas[3][:12]}" in review
    [message] = [
        m
        for m in git(ws.project, "log", "--format=%B%x00", f"{before}..HEAD").split("\x00")
        if m.strip()
    ]
    assert message.startswith(
        f"ferry sync: 2 upstream commits ({ws.shas[1][:12]}..{ws.shas[3][:12]})"
    )
    assert f"Ferry-Upstream: {ws.shas[1]}" in message and f"Ferry-Upstream: {ws.shas[3]}" in message
