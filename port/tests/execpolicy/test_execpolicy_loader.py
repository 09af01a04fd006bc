"""Which rules files apply: $CODEX_HOME/rules then project .codex/rules, sorted per folder."""

from __future__ import annotations

from pathlib import Path

from pycodex.execpolicy import Decision, load_exec_policy
from pycodex.execpolicy.loader import (
    collect_policy_files,
    default_policy_path,
    project_config_folders,
)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_collects_only_rules_files_sorted(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    _write(rules / "b.rules", "")
    _write(rules / "a.rules", "")
    _write(rules / "notes.txt", "")
    (rules / "dir.rules").mkdir()
    (rules / "link.rules").symlink_to(rules / "a.rules")
    assert collect_policy_files(rules) == [rules / "a.rules", rules / "b.rules"]
    assert collect_policy_files(tmp_path / "missing") == []


def test_user_and_project_layers_are_merged_in_precedence_order(tmp_path: Path) -> None:
    home = tmp_path / "home"
    repo = tmp_path / "repo"
    sub = repo / "pkg"
    (repo / ".git").mkdir(parents=True)
    sub.mkdir()
    _write(home / "rules" / "default.rules", 'prefix_rule(pattern = ["git"], decision = "prompt")')
    _write(
        repo / ".codex" / "rules" / "p.rules",
        'prefix_rule(pattern = ["git", "push"], decision = "forbidden")',
    )
    _write(
        sub / ".codex" / "rules" / "q.rules", 'prefix_rule(pattern = ["ls"], decision = "allow")'
    )
    _write(
        tmp_path / ".codex" / "rules" / "outside.rules",
        'prefix_rule(pattern = ["ls"], decision = "forbidden")',
    )

    loaded = load_exec_policy(home, sub, system_folder=None)
    assert loaded.warning is None
    assert loaded.files == (
        home / "rules" / "default.rules",
        (repo / ".codex" / "rules" / "p.rules").resolve(),
        (sub / ".codex" / "rules" / "q.rules").resolve(),
    )
    policy = loaded.policy
    assert policy.check(["git", "push"], lambda _: Decision.ALLOW).decision is Decision.FORBIDDEN
    assert policy.check(["ls"], lambda _: Decision.PROMPT).decision is Decision.ALLOW


def test_project_rules_can_be_excluded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(repo / ".codex" / "rules" / "p.rules", 'prefix_rule(pattern = ["ls"])')
    loaded = load_exec_policy(home, repo, system_folder=None, include_project=False)
    assert loaded.files == ()


def test_parse_error_yields_empty_policy_and_warning(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bad = home / "rules" / "bad.rules"
    _write(home / "rules" / "a.rules", 'prefix_rule(pattern = ["ls"])')
    _write(bad, '\nprefix_rule(pattern = ["x"], decision = "perhaps")\n')
    loaded = load_exec_policy(home, None, system_folder=None)
    assert loaded.policy.rules_by_program == {}
    assert (
        loaded.warning
        == f"{bad}:2: error: invalid decision: perhaps (problem is on or around line 2)"
    )


def test_project_root_without_marker_is_cwd(tmp_path: Path) -> None:
    work = tmp_path / "a" / "b"
    (work / ".codex").mkdir(parents=True)
    (tmp_path / "a" / ".codex").mkdir()
    assert project_config_folders(work, markers=("no-such-marker",)) == [
        (work / ".codex").resolve()
    ]


def test_default_policy_path(tmp_path: Path) -> None:
    assert default_policy_path(tmp_path) == tmp_path / "rules" / "default.rules"
