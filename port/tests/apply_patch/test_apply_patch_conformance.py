"""The 23 upstream conformance scenarios (``codex-rs/apply-patch/tests/fixtures/scenarios``).

For each: copy ``input/`` to a fresh directory, apply ``patch.txt`` there and
compare the whole tree (file set and bytes) with ``expected/``. Rejected patches
leave the input untouched; scenario 015 checks that hunks applied before a
failing one stay applied, as upstream does.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from ap_test_helpers import SCENARIOS_DIR, tree
from pycodex.apply_patch import ApplyPatchError, apply_patch
from pycodex.apply_patch.cli import run as run_cli

if not SCENARIOS_DIR.is_dir():
    pytest.skip(
        f"conformance data not found at {SCENARIOS_DIR} (expected ../shared beside the checkout)",
        allow_module_level=True,
    )

SCENARIOS = sorted(p.name for p in SCENARIOS_DIR.iterdir() if p.is_dir())


def _prepare(name: str, tmp_path: Path) -> tuple[Path, str, dict[str, bytes | str]]:
    scenario = SCENARIOS_DIR / name
    ws = tmp_path / "ws"
    if (scenario / "input").is_dir():
        shutil.copytree(scenario / "input", ws)
    else:
        ws.mkdir()
    expected = tree(scenario / "expected") if (scenario / "expected").is_dir() else {}
    return ws, (scenario / "patch.txt").read_text(encoding="utf-8"), expected


def test_all_23_scenarios_are_present() -> None:
    assert len(SCENARIOS) == 23


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_library(name: str, tmp_path: Path) -> None:
    ws, patch, expected = _prepare(name, tmp_path)
    try:
        result = apply_patch(patch, ws)
    except ApplyPatchError:
        pass
    else:
        assert result.output.startswith("Success. Updated the following files:\n")
    assert tree(ws) == expected


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_cli(name: str, tmp_path: Path) -> None:
    ws, patch, expected = _prepare(name, tmp_path)
    old = os.getcwd()
    os.chdir(ws)
    try:
        code, out, err = run_cli([patch])
    finally:
        os.chdir(old)
    assert (code == 0) == (out != "")
    assert (code == 0) == (err == "")
    assert tree(ws) == expected


@pytest.mark.oracle
@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_output_matches_rust(name: str, tmp_path: Path, apply_patch_oracle) -> None:  # type: ignore[no-untyped-def]
    ws, patch, expected = _prepare(name, tmp_path)
    rust_ws = tmp_path / "rust"
    shutil.copytree(ws, rust_ws)
    rust = apply_patch_oracle.run([patch], rust_ws)
    old = os.getcwd()
    os.chdir(ws)
    try:
        code, out, err = run_cli([patch])
    finally:
        os.chdir(old)
    assert (code, out, err.replace(str(ws), "<ws>")) == (
        rust.code,
        rust.stdout,
        rust.stderr.replace(str(rust_ws), "<ws>"),
    )
    assert tree(ws) == tree(rust_ws) == expected
