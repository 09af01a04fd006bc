"""No silent weaker fallback (issue 11, hole 5), through ``pycodex exec``.

With bubblewrap broken, a workspace-write command is refused (Landlock cannot
keep .git/.codex/.agents read-only) and stderr says which mechanism is in use.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sec_harness import PYCODEX, Call, run_agent


def _broken_bwrap(base: Path) -> dict[str, str]:
    fake_bin = base / "fakebin"
    fake_bin.mkdir(parents=True)
    fake = fake_bin / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    return {"PATH": f"{fake_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}"}


def test_workspace_write_refuses_landlock_fallback(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    from pycodex.sandbox import sandbox_available

    if sandbox_available(use_legacy_landlock=True) is not None:
        pytest.skip("Landlock is unavailable on this machine")
    run = run_agent(
        PYCODEX,
        [Call.exec("touch ran")],
        base=tmp_path,
        env=_broken_bwrap(tmp_path),
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "warning: sandbox: using the Landlock sandbox because bubblewrap" in run.stderr
    assert "cannot keep .git, .codex and .agents read-only" in run.outputs[0]
    assert not (run.workspace / "ran").exists()
    failed = next(e for e in run.events() if e["type"] == "item.completed")["item"]
    assert failed["status"] == "failed"
