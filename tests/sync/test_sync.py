"""``ferry sync`` over a generated upstream history with the mechanical backend."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sync_workspace import FUNCTION, HEADER, HISTORY, Workspace, git, make_workspace

from ferry.cli import main
from harness.sync.runlock import RunLock
from upstream.ledger import Ledger
from upstream.lock import read_lock


def run_sync(ws: Workspace, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["sync", "--config", str(ws.config), *args])
    stdout = result.stdout
    summary = json.loads(stdout[: stdout.rindex("}") + 1]) if "{" in stdout else {}
    return result.exit_code, summary, result.stderr


def pin(ws: Workspace) -> str:
    lock = read_lock(ws.project / "ferry.lock")
    assert lock is not None
    return lock.commit


def test_sync_translates_each_commit_and_merges(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    before = git(ws.project, "rev-parse", "HEAD")
    code, summary, err = run_sync(ws)
    assert code == 0, err
    assert summary["format"] == "ferry.sync/1" and summary["outcome"] == "merged"
    assert summary["ferry_version"] and summary["config"]["backend"] == "mechanical"
    commits = summary["commits"]
    assert isinstance(commits, list)
    # the README commit is outside the subtree, the unit-test commit has nothing to translate
    assert [c["sha"] for c in commits] == [ws.shas[1], ws.shas[3], ws.shas[4], ws.shas[5]]
    assert [c["status"] for c in commits] == ["committed", "committed", "skipped", "committed"]
    assert pin(ws) == ws.shas[5]

    types = (ws.project / "port/pydemo/types.py").read_text()
    assert f"# ferry: demo::types::Settings @ {ws.shas[3][:12]}" in types
    assert f"# ferry: demo::types::MAX_RETRIES @ {ws.shas[5][:12]}" in types
    spec = importlib.util.spec_from_file_location(
        "ferry_sync_demo_types", ws.project / "port/pydemo/types.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    settings = module.Settings.model_validate({"userName": "ada", "retries": 2, "mode": "safe"})
    assert (settings.user_name, settings.mode) == ("ada", module.Mode("safe"))
    assert module.MAX_RETRIES == 5

    # one port commit per translated upstream commit, provenance in the message
    log = git(ws.project, "log", "--format=%B%x00", f"{before}..HEAD").split("\x00")
    messages = [m.strip() for m in log if m.strip()]
    assert len(messages) == 3
    assert f"Ferry-Upstream: {ws.shas[3]}" in messages[1]
    assert "Ferry-Provenance: pydemo.types.Mode <- demo::types::Mode (added)" in messages[1]
    assert (
        "Ferry-Provenance: pydemo.types.Settings <- demo::types::Settings (modified)" in messages[1]
    )

    with Ledger(ws.project / ".ferry/ledger.sqlite") as ledger:
        assert ledger.counts() == {"new": 0, "ported": 3, "skipped": 1, "failed": 0}

    # artifacts for the review page and reports
    art = Path(commits[1]["artifacts"])
    assert {p.name for p in art.iterdir()} >= {
        "changeset.json",
        "plan.json",
        "translate.json",
        "verdict.json",
        "python.diff",
    }
    review = Path(summary["review"]).read_text()
    assert review.count('<section class="commit"') == 4 and "types: add Mode" in review
    verdict = json.loads((art / "verdict.json").read_text())
    assert verdict["passed"] and verdict["stamp"]["format"] == "ferry.verdict/1"

    # idempotent: a second run has nothing to do and leaves everything as it is
    head = git(ws.project, "rev-parse", "HEAD")
    code, again, _ = run_sync(ws)
    assert code == 0 and again["outcome"] == "nothing-to-do"
    assert git(ws.project, "rev-parse", "HEAD") == head and pin(ws) == ws.shas[5]


def test_untranslatable_commit_holds_the_sync_and_keeps_the_pin_before_it(tmp_path: Path) -> None:
    history = [
        *HISTORY[:2],
        ("types: retry_delay", {"crates/demo/src/types.rs": HEADER + FUNCTION}),
    ]
    ws = make_workspace(tmp_path, history)
    code, summary, err = run_sync(ws)
    assert code == 4, err
    assert summary["outcome"] == "held"
    commits = summary["commits"]
    assert isinstance(commits, list)
    assert [c["status"] for c in commits] == ["committed", "held"]
    assert "1 pending item(s) in covered crate(s) demo (1 needs-llm)" in commits[1]["reason"]
    assert commits[1]["blocking_items"] == 1
    assert any("--accept-pending" in r for r in summary["reasons"])
    # the passing prefix is merged and pinned; the held commit is not
    assert pin(ws) == ws.shas[1]
    assert "class Settings" in (ws.project / "port/pydemo/types.py").read_text()
    assert "retry_delay" not in (ws.project / "port/pydemo/types.py").read_text()
    with Ledger(ws.project / ".ferry/ledger.sqlite") as ledger:
        entry = ledger.get(ws.shas[2])
        assert entry is not None and entry.status == "new"
        (pending,) = ledger.backlog()
        assert (pending.qualified_path, pending.code, pending.blocking) == (
            "demo::types::retry_delay",
            "needs-llm",
            True,
        )


def test_failing_gate_leaves_port_and_pin_untouched(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:2])
    policy = ws.project / "port/tests/types/test_policy.py"
    policy.write_text(
        "import importlib\n\n\ndef test_no_settings_yet() -> None:\n"
        "    assert not hasattr(importlib.import_module('pydemo.types'), 'Settings')\n"
    )
    git(ws.project, "add", "-A")
    git(ws.project, "commit", "-q", "-m", "policy test")
    head = git(ws.project, "rev-parse", "HEAD")
    code, summary, err = run_sync(ws)
    assert code == 1, err
    commits = summary["commits"]
    assert isinstance(commits, list) and commits[0]["status"] == "failed"
    assert commits[0]["gates"] == {"pytest": False}
    assert "pytest gate failed" in commits[0]["reason"]
    assert git(ws.project, "rev-parse", "HEAD") == head
    assert pin(ws) == ws.shas[0]
    assert "Settings" not in (ws.project / "port/pydemo/types.py").read_text()


def test_a_second_concurrent_sync_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:2])
    with RunLock(ws.project / ".ferry/sync/sync.lock"):
        code, summary, err = run_sync(ws)
    assert code == 3 and summary == {}
    assert "another ferry sync is running" in err and "sync.lock" in err
    assert pin(ws) == ws.shas[0]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("\n[sync]\nbranchh = 'x'\n", "[sync].branchh"),
        ("\n[translate.llm]\nmodell = 'x'\n", "[translate].llm.modell"),
        ("\n[validate.bench]\nrepeats = 0\n", "bench.repeats"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, extra: str, named: str) -> None:
    ws = make_workspace(tmp_path, HISTORY[:2], extra_toml=extra)
    code, _, err = run_sync(ws)
    assert code == 2
    assert named in err and "ferry.toml" in err
    assert pin(ws) == ws.shas[0]


def test_no_merge_leaves_the_result_on_the_branch_for_review(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:2])
    head = git(ws.project, "rev-parse", "HEAD")
    code, summary, err = run_sync(ws, "--no-merge")
    assert code == 0, err
    assert summary["outcome"] == "ready" and "ferry/sync" in summary["reasons"][0]
    assert git(ws.project, "rev-parse", "HEAD") == head and pin(ws) == ws.shas[0]
    branch_log = git(ws.project, "log", "--format=%s", "ferry/sync", "-1")
    assert branch_log == f"ferry sync: types: add Settings (upstream {ws.shas[1][:12]})"
    # the next run starts again from the unmoved pin and merges
    code, summary, err = run_sync(ws)
    assert code == 0 and summary["outcome"] == "merged", err
    assert pin(ws) == ws.shas[1]
    assert "class Settings" in (ws.project / "port/pydemo/types.py").read_text()


def test_unparsable_port_module_fails_the_commit_with_the_plan_error(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:2])
    (ws.project / "port/pydemo/types.py").write_text("# ferry: demo::types::X @ abc 123\ndef x(:\n")
    git(ws.project, "commit", "-qam", "a broken port module")
    code, summary, err = run_sync(ws)
    assert code == 1, err
    reason = summary["commits"][0]["reason"]
    assert reason.startswith("plan: ") and "pydemo.types" in reason and "cannot parse" in reason
    assert pin(ws) == ws.shas[0]
