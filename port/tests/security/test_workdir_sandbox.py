"""A model-chosen ``workdir`` must not widen the sandbox (issue 11, hole 1).

The writable roots, protected sub-paths and read-only carve-outs come from the
session's sandbox policy and cwd. Driven through ``pycodex exec`` with a scripted
model; the oracle test sends the same script to the Rust ``codex``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sec_harness import PYCODEX, WORKSPACE_ONLY, AgentRun, Call, codex_or_skip, run_agent

pytestmark = pytest.mark.usefixtures("bwrap_ok")


def _calls(token: str) -> list[Call]:
    probe = f"probe-{token}"
    return [
        Call.exec(f"touch {probe}; echo rc=$?", workdir="/"),
        Call.exec(f"touch {probe}; echo rc=$?", workdir="../outside"),
        Call.exec(f"touch hooks/{probe}; echo rc=$?", workdir=".git"),
        Call.exec(f"touch {probe}; echo rc=$?", workdir=".codex"),
        Call.exec(f"touch ../{probe}; echo rc=$?", workdir="sub"),
    ]


def _setup(ws: Path, base: Path) -> None:
    (base / "outside").mkdir()
    (ws / ".codex").mkdir()
    (ws / "sub").mkdir()


def _attack(binary: list[str], base: Path, token: str, **kw: object) -> AgentRun:
    return run_agent(
        binary,
        _calls(token),
        base=base,
        setup=_setup,
        user_config=WORKSPACE_ONLY,
        **kw,  # type: ignore[arg-type]
    )


def _outcome(run: AgentRun, token: str) -> dict[str, object]:
    probe = f"probe-{token}"
    return {
        "root": Path("/", probe).exists(),
        "outside": (run.root / "outside" / probe).exists(),
        "git_hooks": (run.workspace / ".git" / "hooks" / probe).exists(),
        "codex": (run.workspace / ".codex" / probe).exists(),
        "workspace_from_sub": (run.workspace / probe).exists(),
        "answers": ["rc=0" in out for out in run.outputs],
    }


EXPECTED = {
    "root": False,
    "outside": False,
    "git_hooks": False,
    "codex": False,
    "workspace_from_sub": True,
    "answers": [False, False, False, False, True],
}


def test_workdir_cannot_widen_the_sandbox(tmp_path: Path) -> None:
    token = uuid.uuid4().hex[:12]
    try:
        run = _attack(PYCODEX, tmp_path, token)
    finally:
        Path("/", f"probe-{token}").unlink(missing_ok=True)
    assert run.returncode == 0, run.stderr
    assert _outcome(run, token) == EXPECTED, run.outputs
    for out in run.outputs[:4]:
        assert "Read-only file system" in out


@pytest.mark.oracle
def test_workdir_outcome_matches_rust_codex(tmp_path: Path) -> None:
    from pycodex.testing.rust_oracle import oracle_home_root

    codex = codex_or_skip()
    token = uuid.uuid4().hex[:12]
    try:
        rust = _attack(codex, tmp_path / "rust", token, home_parent=oracle_home_root())
    finally:
        Path("/", f"probe-{token}").unlink(missing_ok=True)
    assert rust.returncode == 0, rust.stderr
    assert _outcome(rust, token) == EXPECTED, rust.outputs
