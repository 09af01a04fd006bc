"""``pycodex features`` and feature flags in exec: codex 0.169's names, stages and texts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from exec_harness import ExecHarness, ExecRun
from pycodex.errors import ConfigError
from pycodex.features import (
    IMPLEMENTED,
    LEGACY_ALIASES,
    STAGES,
    canonical_name,
    effective_states,
    feature_warnings,
    features,
    spec,
)
from pycodex.features.toml_edit import set_feature
from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_response_created,
)


def _cli(home: Path, *args: str) -> ExecRun:
    proc = subprocess.run(
        [sys.executable, "-c", "from pycodex._entry import main; main()", *args],
        env={**os.environ, "CODEX_HOME": str(home)},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    return ExecRun(proc.returncode, proc.stdout, proc.stderr)


def test_registry_is_codex_0_169s() -> None:
    specs = features()
    assert len(specs) == 215
    assert {s.stage for s in specs} <= set(STAGES)
    assert {s.name for s in specs} >= IMPLEMENTED
    assert all(spec(target) is not None for target in LEGACY_ALIASES.values())
    goals = spec("goals")
    assert goals is not None and (goals.stage, goals.default_enabled, goals.implemented) == (
        "stable",
        True,
        True,
    )
    hooks = spec("hooks")
    assert hooks is not None and not hooks.implemented


def test_unknown_names_are_errors_and_aliases_resolve() -> None:
    assert canonical_name("web_search") == "web_search_request"
    assert canonical_name("plan_tool") == "plan_tool"
    with pytest.raises(ConfigError, match=r"^Unknown feature flag: nope$"):
        canonical_name("nope")


def test_effective_states_and_warnings() -> None:
    states = effective_states({"goals": False, "web_search": True, "hooks": True})
    assert (states["goals"], states["web_search_request"], states["hooks"]) == (False, True, True)
    warnings = feature_warnings(
        {"web_search": True, "async_compaction": True, "hooks": True, "undo": True},
        "/h/config.toml",
    )
    assert warnings[0].startswith("`[features].web_search` is deprecated")
    assert warnings[1].startswith("Under-development features enabled: async_compaction.")
    assert "/h/config.toml" in warnings[1]
    # removed features (undo) do nothing in codex either: no note for them
    assert warnings[2] == (
        "pycodex does not implement the feature(s) async_compaction, hooks; enabling them "
        "has no effect (see `pycodex features list`)."
    )
    assert feature_warnings({"async_compaction": True}, "x", suppress_unstable=True)[0].startswith(
        "pycodex does not"
    )
    assert feature_warnings({"goals": True, "hooks": False}, "x") == []


def test_list_prints_codex_columns_and_marks_what_pycodex_lacks(tmp_path: Path) -> None:
    run = _cli(tmp_path, "features", "list", "--enable", "hooks", "--disable", "apps")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 216  # codex's 215 plus pycodex's plan_tool
    by_name = {line.split()[0]: line for line in lines}
    assert by_name["goals"] == "goals".ljust(41) + "stable".ljust(19) + "true"
    assert by_name["hooks"] == "hooks".ljust(41) + "stable".ljust(19) + "true  not implemented"
    assert by_name["apps"].endswith("false  not implemented")
    assert by_name["undo"] == "undo".ljust(41) + "removed".ljust(19) + "false"
    assert by_name["plan_tool"].startswith("plan_tool".ljust(41) + "pycodex")
    unknown = _cli(tmp_path, "features", "list", "--enable", "bogus")
    assert (unknown.returncode, unknown.stderr) == (1, "Error: Unknown feature flag: bogus\n")


@pytest.mark.oracle
def test_list_matches_codex_column_for_column(tmp_path: Path) -> None:
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary, oracle_home_root

    try:
        codex = codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(str(exc))
    home = Path(__import__("tempfile").mkdtemp(dir=oracle_home_root()))
    (home / "config.toml").write_text(
        "[features]\nhooks = false\nmemories = true\nweb_search = true\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "RUST_"))}
    theirs = subprocess.run(
        [str(codex), "features", "list"],
        env={**env, "CODEX_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    ours = _cli(home, "features", "list")
    assert theirs.returncode == ours.returncode == 0
    codex_rows = theirs.stdout.splitlines()
    our_rows = [line.removesuffix("  not implemented") for line in ours.stdout.splitlines()]
    assert our_rows[: len(codex_rows)] == codex_rows


def test_enable_disable_edit_config_like_codex(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\nmodel = "x"  # keep\n\n[profiles.a]\nmodel = "y"\n')
    assert (
        _cli(tmp_path, "features", "enable", "goals").stdout
        == "Enabled feature `goals` in config.toml.\n"
    )
    assert (
        _cli(tmp_path, "features", "disable", "apps").stdout
        == "Disabled feature `apps` in config.toml.\n"
    )
    assert _cli(tmp_path, "features", "disable", "memories").returncode == 0  # off by default
    assert config.read_text() == (
        '# mine\nmodel = "x"  # keep\n\n[profiles.a]\nmodel = "y"\n\n[features]\ngoals = true\napps = false\n'
    )
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    run = _cli(tmp_path, "features", "enable", "hooks")
    assert "pycodex does not implement the feature `hooks`" in run.stderr
    _cli(tmp_path, "features", "disable", "hooks")  # on by default: written as false
    _cli(tmp_path, "features", "enable", "memories")
    _cli(tmp_path, "features", "disable", "memories")  # off by default: the line goes
    assert config.read_text().endswith("[features]\ngoals = true\napps = false\nhooks = false\n")
    unknown = _cli(tmp_path, "features", "enable", "no_such_feature")
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "Error: Unknown feature flag: no_such_feature\n",
    )


def test_toml_edit_layouts(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("features.goals = true\nmodel = 'x'\n")
    set_feature(path, "goals", False)
    assert path.read_text() == "features.goals = false\nmodel = 'x'\n"
    set_feature(path, "goals", None)
    assert path.read_text() == "model = 'x'\n"
    path.write_text("[features]\ngoals = true\n\n[other]\nx = 1\n")
    set_feature(path, "apps", False)
    assert path.read_text() == "[features]\ngoals = true\napps = false\n\n[other]\nx = 1\n"
    path.write_text("features = { goals = true }\n")
    with pytest.raises(ConfigError, match="edit"):
        set_feature(path, "apps", True)
    assert path.read_text() == "features = { goals = true }\n"  # refused, untouched
    path.write_text("[broken\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        set_feature(path, "apps", True)


def _answer() -> ScriptedResponse:
    return ScriptedResponse.sse(
        [
            ev_response_created("r"),
            ev_assistant_message("m", "hi"),
            ev_completed_with_tokens("r", 1),
        ]
    )


def test_exec_warns_about_unimplemented_features_and_refuses_unknown(harness: ExecHarness) -> None:
    harness.server.push(_answer())
    run = harness.run("--json", "--enable", "async_compaction", "--enable", "undo", "hi")
    assert run.returncode == 0, run.stderr
    errors = [
        e["item"]["message"]
        for e in run.events()
        if e["type"] == "item.completed" and e["item"]["type"] == "error"
    ]  # type: ignore[index]
    assert errors[0].startswith("Under-development features enabled: async_compaction.")
    assert len(errors) == 1  # the event stream is codex's; pycodex's own note goes to stderr
    assert "pycodex does not implement the feature(s) async_compaction;" in run.stderr
    bad = harness.run("--json", "--enable", "bogus_feature_x", "hi")
    assert (bad.returncode, bad.stdout, bad.stderr.strip()) == (
        1,
        "",
        "Error: Unknown feature flag: bogus_feature_x",
    )
    assert len(harness.server.model_requests()) == 1


def test_disable_goals_drops_the_goal_tools(harness: ExecHarness) -> None:
    harness.server.push(_answer())
    assert harness.run("--json", "--disable", "goals", "hi").returncode == 0
    names = [t.get("name") for t in harness.server.model_requests()[0].json()["tools"]]
    assert "get_goal" not in names and "exec_command" in names
