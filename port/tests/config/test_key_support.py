"""The config key support table is complete, and unsupported keys are never accepted silently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pycodex.config.support import (
    HONOURED,
    PENDING,
    STATUSES,
    key_support,
    unsupported_key_warnings,
)

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT.parent / "shared" / "conformance" / "config-schema" / "config.schema.json"


def test_every_schema_key_has_a_row_and_no_row_is_invented() -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"upstream conformance data not found at {SCHEMA}")
    schema_keys = set(json.loads(SCHEMA.read_text())["properties"])
    table = key_support()
    missing = sorted(schema_keys - set(table))
    extra = sorted(set(table) - schema_keys)
    assert not missing, f"schema keys missing from key_support.json: {missing}"
    assert not extra, f"key_support.json rows for keys the schema does not have: {extra}"


def test_rows_are_well_formed() -> None:
    for key, row in key_support().items():
        assert row["status"] in STATUSES, key
        assert row.get("note"), f"{key}: every row says why"
        if row["status"] == HONOURED:
            assert row.get("scenario"), f"{key}: an honoured key names the scenario proving it"
        if row["status"] == PENDING:
            assert str(row.get("owner", "")).startswith("issue "), f"{key}: pending needs an owner"


def test_unsupported_keys_warn_and_inert_values_do_not() -> None:
    warnings = unsupported_key_warnings({"plugins": {"x": {"enabled": True}}, "model": "m"})
    assert len(warnings) == 1 and "`plugins`" in warnings[0]
    assert "not supported by pycodex yet" in warnings[0]
    pending = unsupported_key_warnings({"apps": {"connector": {"enabled": True}}})
    assert "(planned: issue 16)" in pending[0]
    assert unsupported_key_warnings({"agents": {"max_threads": 2}}) == []  # honoured
    assert unsupported_key_warnings({"mcp_servers": {"s": {"command": "x"}}}) == []  # honoured
    assert unsupported_key_warnings({"features": {"apps": False}}) == []
    # turning off a feature the port has but does not let go of is warned about
    assert unsupported_key_warnings({"features": {"unified_exec": False}})
    assert unsupported_key_warnings({"features": {"shell_snapshot": False}}) == []


def _exec(home: Path, cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "k"}
    return subprocess.run(
        [sys.executable, "-c", "from pycodex._entry import main; main()", "exec", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_prints_the_warning_for_an_unsupported_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        'model = "gpt-5.5"\n[plugins.demo]\nenabled = true\n[features]\nmemories = true\n'
    )
    run = _exec(home, tmp_path, "--skip-git-repo-check", "-")
    assert run.returncode == 1  # stops at the empty prompt, after loading the config
    assert "config key `plugins` is not supported by pycodex yet" in run.stderr
    # a feature pycodex lacks, turned on: named on stderr (not as a codex event)
    assert "pycodex does not implement the feature(s) memories" in run.stderr


def test_strict_config_refuses_an_unknown_key_with_a_caret_snippet(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        'model = "gpt-5.5"\n[sandbox_workspace_write]\nnetwork_access = true\nbogus_nested = 1\n'
    )
    run = _exec(home, tmp_path, "--strict-config", "--skip-git-repo-check", "hi")
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == "Error loading config.toml:"
    assert lines[1] == (
        f"{home / 'config.toml'}:4:1: unknown configuration field "
        "`sandbox_workspace_write.bogus_nested`"
    )
    assert lines[2:5] == ["  |", "4 | bogus_nested = 1", "  | ^^^^^^^^^^^^"]


def test_strict_config_refuses_an_unknown_override(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    run = _exec(home, tmp_path, "--strict-config", "-c", "nope=1", "--skip-git-repo-check", "hi")
    assert run.returncode == 1
    assert run.stderr.strip() == (
        "Error loading config.toml: unknown configuration field `nope` in -c/--config override"
    )


def test_without_strict_an_unknown_key_is_only_reported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("bogus = 1\n")
    run = _exec(home, tmp_path, "--skip-git-repo-check", "-")
    assert run.returncode == 1 and "No prompt provided via stdin." in run.stderr
    assert "Error loading config.toml" not in run.stderr
