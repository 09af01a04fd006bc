"""apply_patch enforces the sandbox's writable roots and protected paths (issue 11, hole 2).

apply_patch runs inside pycodex, so it must refuse what the sandbox would: targets
in ``.git`` (hooks included), ``.codex``, ``.agents``, outside the writable roots,
and paths that reach those through a symlink. Driven through ``pycodex exec``; the
oracle test sends the same script to the Rust ``codex`` and compares the answers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sec_harness import PYCODEX, WORKSPACE_ONLY, AgentRun, Call, codex_or_skip, run_agent

OUTSIDE = "patch rejected: writing outside of the project; rejected by user approval settings"

CALLS = [
    Call.patch("*** Add File: .git/hooks/pre-commit\n+echo pwned\n"),
    Call.patch("*** Add File: .codex/config.toml\n+sandbox_mode = 'danger-full-access'\n"),
    Call.patch("*** Add File: gl/hooks/pre-push\n+echo pwned\n"),
    Call.patch("*** Add File: ok.txt\n+fine\n*** Add File: .agents/x.md\n+bad\n"),
    Call.patch("*** Update File: a.txt\n*** Move to: .git/moved\n@@\n-a\n+b\n"),
    Call.patch("*** Delete File: .git/HEAD\n"),
    Call.patch("*** Add File: ../outside/x\n+bad\n"),
    Call.patch("*** Add File: ok2.txt\n+fine\n*** Update File: lk/a.txt\n@@\n-a\n+b\n"),
    Call.patch("*** Add File: sub/new.txt\n+good\n"),
]


def _setup(ws: Path, base: Path) -> None:
    os.symlink(".git", ws / "gl")
    (ws / "a.txt").write_text("a\n")
    (ws / "sub").mkdir()
    (base / "outside").mkdir()
    (base / "outside" / "a.txt").write_text("a\n")
    os.symlink(base / "outside", ws / "lk")


def _normalized(run: AgentRun) -> list[str]:
    return [
        re.sub(r"Wall time: [0-9.]+ seconds", "Wall time: X", out).replace(str(run.workspace), "WS")
        for out in run.outputs
    ]


EXPECTED = [
    OUTSIDE,
    OUTSIDE,
    "Exit code: 1\nWall time: X\nOutput:\nFailed to write file WS/gl/hooks/pre-push\n",
    OUTSIDE,
    OUTSIDE,
    OUTSIDE,
    OUTSIDE,
    "Exit code: 1\nWall time: X\nOutput:\nFailed to write file WS/lk/a.txt\n",
    "Exit code: 0\nWall time: X\nOutput:\nSuccess. Updated the following files:\nA sub/new.txt\n",
]


def _attack(binary: list[str], base: Path, **kw: object) -> AgentRun:
    return run_agent(binary, CALLS, base=base, setup=_setup, user_config=WORKSPACE_ONLY, **kw)  # type: ignore[arg-type]


def _untouched(run: AgentRun) -> None:
    ws = run.workspace
    assert not (ws / ".git" / "hooks" / "pre-commit").exists()
    assert not (ws / ".git" / "hooks" / "pre-push").exists()
    assert not (ws / ".git" / "moved").exists()
    assert (ws / ".git" / "HEAD").exists()
    assert (ws / "a.txt").read_text() == "a\n"
    assert (run.root / "outside" / "a.txt").read_text() == "a\n"
    assert sorted(p.name for p in (run.root / "outside").iterdir()) == ["a.txt"]
    assert not (ws / ".agents").exists()
    assert (ws / "sub" / "new.txt").read_text() == "good\n"


def test_protected_targets_are_rejected_and_nothing_changes(tmp_path: Path) -> None:
    run = _attack(PYCODEX, tmp_path)
    assert run.returncode == 0, run.stderr
    assert _normalized(run) == EXPECTED
    _untouched(run)
    # A patch rejected on one file changes none: ok.txt / ok2.txt were not written.
    assert not (run.workspace / "ok.txt").exists()
    assert not (run.workspace / "ok2.txt").exists()
    statuses = [
        e["item"]["status"]
        for e in run.events()
        if e["type"] == "item.completed" and e["item"]["type"] == "file_change"
    ]
    assert statuses == ["failed", "failed", "completed"]


@pytest.mark.oracle
def test_patch_answers_match_rust_codex(tmp_path: Path) -> None:
    from pycodex.testing.rust_oracle import oracle_home_root

    rust = _attack(codex_or_skip(), tmp_path / "rust", home_parent=oracle_home_root())
    assert rust.returncode == 0, rust.stderr
    assert _normalized(rust) == EXPECTED
    _untouched(rust)
