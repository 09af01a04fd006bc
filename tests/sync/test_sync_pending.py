"""Nothing skipped silently: pending items hold the pin; an explicit decision moves it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sync_workspace import (
    CONST,
    FUNCTION,
    HEADER,
    HISTORY,
    SETTINGS,
    Workspace,
    git,
    make_workspace,
)

from ferry.cli import main
from upstream.ledger import Ledger
from upstream.lock import read_lock

RETRY = ("types: retry_delay", {"crates/demo/src/types.rs": HEADER + SETTINGS + FUNCTION})
AFTER = (
    "types: MAX_RETRIES",
    {"crates/demo/src/types.rs": HEADER + SETTINGS + FUNCTION + CONST},
)
OTHER_CRATE = (
    "other: a crate the port does not cover",
    {
        "crates/other/Cargo.toml": '[package]\nname = "other"\nversion = "0.1.0"\n',
        "crates/other/src/lib.rs": "pub fn helper() -> u32 {\n    7\n}\n",
    },
)


def run(ws: Workspace, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, [*args, "--config", str(ws.config)])
    stdout = result.stdout
    data = json.loads(stdout[: stdout.rindex("}") + 1]) if "{" in stdout else {}
    return result.exit_code, data, result.stderr


def pin(ws: Workspace) -> str:
    lock = read_lock(ws.project / "ferry.lock")
    assert lock is not None
    return lock.commit


def test_held_commit_stays_held_until_decided(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [*HISTORY[:2], RETRY, AFTER])
    code, summary, _ = run(ws, "sync")
    assert code == 4 and summary["outcome"] == "held"
    assert pin(ws) == ws.shas[1]
    # the commit after the held one is not translated either: the pin may not skip ahead
    assert [c["status"] for c in summary["commits"]] == ["committed", "held", "pending"]
    head = git(ws.project, "rev-parse", "HEAD")
    code, again, _ = run(ws, "sync")
    assert code == 4 and again["outcome"] == "held" and pin(ws) == ws.shas[1]
    assert git(ws.project, "rev-parse", "HEAD") == head

    # `ferry ledger backlog` and `ferry track` show what holds the pin, per crate
    result = CliRunner().invoke(main, ["ledger", "backlog", "--config", str(ws.config), "--json"])
    assert result.exit_code == 0, result.output
    backlog = json.loads(result.output)
    assert backlog["format"] == "ferry.backlog/1"
    assert backlog["by_crate"] == {"demo": {"needs-llm": 1, "blocking": 1}}
    result = CliRunner().invoke(main, ["ledger", "backlog", "--config", str(ws.config)])
    assert "demo" in result.output and "holding the pin" in result.output
    result = CliRunner().invoke(
        main, ["ledger", "backlog", "--crate", "demo", "--config", str(ws.config)]
    )
    assert "demo::types::retry_delay" in result.output and "holds" in result.output
    result = CliRunner().invoke(main, ["track", "--no-fetch", "--config", str(ws.config)])
    assert result.exit_code == 0, result.output
    assert "backlog: pending items by crate" in result.output


def test_accept_pending_records_the_decision_and_moves_the_pin(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [*HISTORY[:2], RETRY, AFTER])
    reason = "retry_delay waits for the llm backend (issue 99)"
    code, summary, err = run(ws, "sync", "--accept-pending", reason)
    assert code == 0, err
    assert [c["status"] for c in summary["commits"]] == ["committed", "skipped", "committed"]
    assert pin(ws) == ws.shas[3]
    assert "MAX_RETRIES" in (ws.project / "port/pydemo/types.py").read_text()
    with Ledger(ws.project / ".ferry/ledger.sqlite") as ledger:
        entry = ledger.get(ws.shas[2])
        assert entry is not None and entry.status == "skipped"
        assert f"pin moved past 1 pending item(s): {reason}" in entry.reason
        (pending,) = ledger.backlog()  # still in the backlog, with the decision beside it
        assert pending.qualified_path == "demo::types::retry_delay"
        assert pending.deferred == reason
        decisions = {i.qualified_path: i.decision for i in ledger.items(ws.shas[3])}
        assert decisions["demo::types::MAX_RETRIES"] == "ported"


def test_accept_pending_needs_a_reason(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:2])
    code, _, err = run(ws, "sync", "--accept-pending", "  ")
    assert code == 2 and "give the reason to record" in err
    assert pin(ws) == ws.shas[0]


def test_pending_items_of_uncovered_crates_are_recorded_not_blocking(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [*HISTORY[:2], OTHER_CRATE])
    code, summary, err = run(ws, "sync")
    assert code == 0, err
    assert [c["status"] for c in summary["commits"]] == ["committed", "skipped"]
    assert "1 pending (1 unmapped-crate)" in summary["commits"][1]["reason"]
    assert pin(ws) == ws.shas[2]
    with Ledger(ws.project / ".ferry/ledger.sqlite") as ledger:
        (pending,) = ledger.backlog()
        assert (pending.qualified_path, pending.code, pending.blocking) == (
            "other::helper",
            "unmapped-crate",
            False,
        )
        assert ledger.backlog_by_crate() == {"other": {"unmapped-crate": 1}}


def test_a_decline_rule_lets_the_pin_pass_and_is_recorded(tmp_path: Path) -> None:
    extra = (
        '\n[[translate.decline]]\nrule = "runtime-helper"\n'
        'reason = "pydemo computes delays itself"\nitems = ["demo::types::retry_*"]\n'
    )
    ws = make_workspace(tmp_path, [*HISTORY[:2], RETRY], extra_toml=extra)
    code, summary, err = run(ws, "sync")
    assert code == 0, err
    assert summary["commits"][1]["status"] == "skipped"
    assert "1 declined (1 runtime-helper)" in summary["commits"][1]["reason"]
    assert pin(ws) == ws.shas[2]
    with Ledger(ws.project / ".ferry/ledger.sqlite") as ledger:
        assert ledger.backlog() == []
        (item,) = ledger.items(ws.shas[2])
        assert (item.decision, item.code) == ("declined", "runtime-helper")
