"""A frozen pycodex (PyInstaller bundle) cannot run ``python -I -S script``: its helper
stages must go through the bundle's own entry point instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pycodex.sandbox import linux


def test_source_install_runs_helpers_as_isolated_scripts() -> None:
    argv = linux.helper_argv(linux.LAUNCH_HELPER)
    assert argv[:3] == [sys.executable, "-I", "-S"]
    assert Path(argv[3]).name == "_launch.py"
    assert Path(linux.helper_argv(linux.LANDLOCK_HELPER)[3]).name == "landlock.py"


def test_frozen_bundle_reinvokes_itself_with_the_helper_marker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert linux.helper_argv(linux.LAUNCH_HELPER) == [sys.executable, "--pycodex-internal-launch"]
    assert linux.supervised_command(["true"])[:2] == [sys.executable, "--pycodex-internal-launch"]
    assert "-I" not in linux.supervised_command(["true"])


@pytest.mark.parametrize(
    ("marker", "args", "expected"),
    [
        # The launcher stage runs the program and passes its exit status through.
        (linux.LAUNCH_HELPER, ["-", "0", "sh", "-c", "exit 7"], 7),
        # Bad arguments reach the landlock stage's own usage error, not the CLI's.
        (linux.LANDLOCK_HELPER, ["-"], 2),
    ],
)
def test_entry_point_dispatches_helper_markers(marker: str, args: list[str], expected: int) -> None:
    script = "from pycodex._entry import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", script, marker, *args], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == expected, proc.stderr
    assert "No such option" not in proc.stderr
