"""``pycodex`` without a subcommand, ``resume`` and ``fork`` as a user runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tui_harness import TuiHarness

ENTRY = "from pycodex._entry import main; main()"


def _pycodex(tui: TuiHarness, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        cwd=tui.workspace,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_terminal_the_ui_refuses_like_codex(tui: TuiHarness) -> None:
    for args in ([], ["fix the tests"], ["-m", "gpt-5.5", "hello"], ["resume"], ["fork", "--last"]):
        run = _pycodex(tui, *args)
        assert (run.returncode, run.stderr) == (1, "Error: stdin is not a terminal\n"), args


def test_ui_flags_before_a_subcommand_are_an_error(tui: TuiHarness) -> None:
    run = _pycodex(tui, "-m", "gpt-5.5", "exec", "hi")
    assert run.returncode == 2
    assert "--model given before `exec` applies to the interactive UI only" in run.stderr


def test_help_lists_the_ui_flags_and_the_subcommands(tui: TuiHarness) -> None:
    run = _pycodex(tui, "--help")
    assert run.returncode == 0
    for needle in ("--ask-for-approval", "--no-alt-screen", "exec", "resume", "fork", "PROMPT"):
        assert needle in run.stdout


def test_exec_and_version_never_import_textual(tui: TuiHarness) -> None:
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('textual=%s\\n' % ('textual' in sys.modules)))\n"
        f"sys.argv = ['pycodex'] + sys.argv[1:]\n{ENTRY}\n"
    )
    for args in (["--version"], ["exec", "--help"]):
        run = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr
        assert run.stderr.endswith("textual=False\n"), (args, run.stderr)


def test_a_bad_config_stops_before_the_ui(tui: TuiHarness, tmp_path: Path) -> None:
    if shutil.which("script") is None:
        pytest.skip("util-linux `script` (a pseudo-terminal for the UI) is not installed")
    (tui.home / "config.toml").write_text("model = [\n")
    run = subprocess.run(
        ["script", "-qec", f"{sys.executable} -c '{ENTRY}'", "/dev/null"],
        cwd=tui.workspace,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "config.toml: Invalid value" in run.stdout


def test_untrusted_is_not_an_approval_choice_in_codex_0_169(tui: TuiHarness) -> None:
    run = _pycodex(tui, "-a", "untrusted")
    assert run.returncode == 2
    assert "Invalid value for '-a' / '--ask-for-approval'" in run.stderr
