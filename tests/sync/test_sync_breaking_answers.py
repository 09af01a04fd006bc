"""Regression: ``ferry sync --backend llm --gate pytest`` refuses translations that break the port.

The incident: a scripted model's translation created ``pycodex/core/session/__init__.py``
(shadowing ``session.py``), the pytest gate imported pycodex from the main checkout's
editable install and ran only ``port/tests/core``, and the commit was merged. Here a
small port with that layout is synced by the real ``ferry sync`` CLI, run by the
interpreter of a "main checkout" venv whose pycodex is an editable install of the
project itself, against a model server on 127.0.0.1 that answers with four kinds of
breaking translation. Each time the sync must refuse to merge, leave the port branch,
the pin and the ledger as they were, and say in its report which gate failed and why.

Only the CLI and the public file formats are used, so the same test can be pointed at
an older ferry to show what it would have done (see the closing note of issue 12).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from incident_port import (
    BODY_CHANGE_RS,
    SIGNATURE_CHANGE_RS,
    TURN_RS,
    chat_answer,
    make_incident_project,
)
from pycodex.testing import MockResponsesServer
from sync_workspace import git

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from gate_fixtures import main_venv

from upstream.ledger import Ledger
from upstream.lock import read_lock

IMPORT_BREAKING = """from pycodex.core.history import History


class Session:
    def run_turn(self, prompt: str) -> list[str]:
        History.record(self.history, f"user: {prompt}")
        return list(self.history)
"""
STUB = """class Session:
    def run_turn(self, prompt: str) -> list[str]:
        return []
"""
SIGNATURE = """class Session:
    def run_turn(self, prompt: str, limit: int) -> list[str]:
        self.history.append(prompt)
        return list(reversed(self.history))[:limit]
"""
TURN_PY = 'def turn_label(n: int) -> str:\n    return f"turn {n}"\n'

#: variant -> (upstream files of the commit after the pin, the model's answer, what must say no)
VARIANTS: dict[str, tuple[dict[str, str], str, tuple[str, ...]]] = {
    "shadowing-module": (
        {"codex-rs/core/src/session/turn.rs": TURN_RS},
        TURN_PY,
        ("shadow", "pycodex/core/session.py"),
    ),
    "import-breaking": (
        {"codex-rs/core/src/session.rs": BODY_CHANGE_RS},
        IMPORT_BREAKING,
        ("pytest gate failed", "No module named 'pycodex.core.history'"),
    ),
    "stub-body": (
        {"codex-rs/core/src/session.rs": BODY_CHANGE_RS},
        STUB,
        ("Session.run_turn is a stub (`return []`)", "codex_core::session::Session::run_turn"),
    ),
    "changed-public-signature": (
        {"codex-rs/core/src/session.rs": SIGNATURE_CHANGE_RS},
        SIGNATURE,
        ("pytest gate failed", "test_exec_cli_prints_the_history"),
    ),
}


def _ledger(project: Path) -> dict[str, int]:
    path = project / ".ferry/ledger.sqlite"
    if not path.is_file():
        return {}
    with Ledger(path) as ledger:
        return ledger.counts()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_sync_refuses_a_breaking_translation(tmp_path: Path, variant: str) -> None:
    files, answer, expected = VARIANTS[variant]
    with MockResponsesServer([chat_answer(answer) for _ in range(6)]) as server:
        project, shas = make_incident_project(tmp_path, files, server.base_url)
        python = main_venv(tmp_path / "main-venv", project)
        # the main venv's pycodex is the project's own checkout: a gate trusting
        # sys.executable would judge it instead of the sync worktree
        head = git(project, "rev-parse", "HEAD")
        tree = git(project, "rev-parse", "HEAD:port")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["FERRY_TEST_MODEL_KEY"] = "sk-test"
        proc = subprocess.run(
            [str(python), "-c", "from ferry.cli import main; main()", "sync",
             "--config", str(project / "ferry.toml"), "--backend", "llm", "--gate", "pytest"],
            cwd=project, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        requests = server.model_requests()
    summary: dict[str, Any] = json.loads(proc.stdout[: proc.stdout.rindex("}") + 1])
    report = f"exit {proc.returncode}\n{proc.stderr}"
    (commit,) = summary["commits"]

    # refused: nothing merged, the port branch, the pin and the ledger's verdicts unchanged
    assert summary["outcome"] == "failed" and proc.returncode == 1, report
    assert commit["status"] == "failed" and commit["port_commit"] is None, report
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "rev-parse", "HEAD:port") == tree
    assert git(project, "status", "--porcelain") == ""
    lock = read_lock(project / "ferry.lock")
    assert lock is not None and lock.commit == shas[0]
    counts = _ledger(project)
    assert counts.get("ported", 0) == 0 and counts.get("skipped", 0) == 0, counts

    # the run's report says which gate failed and why
    for text in expected:
        assert text in commit["reason"], commit["reason"]
    assert commit["rejected_by"] in {"pytest", "translate:check", "translate:shadow", "plan"}
    review = Path(summary["review"]).read_text()
    assert commit["rejected_by"] in review and expected[-1].replace("'", "&#39;") in review

    if variant == "stub-body":  # the stub guard's text went back to the model
        assert len(requests) == 2
        repair = requests[1].json()["messages"][-1]["content"]
        assert "is a stub (`return []`)" in repair
