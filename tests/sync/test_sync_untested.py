"""A translation no test runs is merged only with --allow-untested, then flagged and counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from incident_port import SESSION_RS, chat_answer, make_incident_project
from pycodex.testing import MockResponsesServer
from sync_workspace import git

from ferry.cli import main
from upstream.lock import read_lock

#: upstream adds a method nothing in the port's tests (or its CLI) calls
SUMMARY_RS = SESSION_RS.replace(
    "        self.history.clone()\n    }\n",
    "        self.history.clone()\n    }\n\n"
    '    pub fn summary(&self) -> String {\n        self.history.join(", ")\n    }\n',
)
SUMMARY_PY = (
    'class Session:\n    def summary(self) -> str:\n        return ", ".join(self.history)\n'
)


def _sync(project: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["FERRY_TEST_MODEL_KEY"] = "sk-test"
    proc = subprocess.run(
        [sys.executable, "-c", "from ferry.cli import main; main()", "sync",
         "--config", str(project / "ferry.toml"), "--gate", "pytest", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    summary = json.loads(proc.stdout[: proc.stdout.rindex("}") + 1])
    return proc.returncode, summary, proc.stderr


def test_untested_translation_needs_the_flag_and_is_flagged(tmp_path: Path) -> None:
    files = {"codex-rs/core/src/session.rs": SUMMARY_RS}
    with MockResponsesServer([chat_answer(SUMMARY_PY) for _ in range(4)]) as server:
        project, shas = make_incident_project(tmp_path, files, server.base_url)
        head = git(project, "rev-parse", "HEAD")
        code, summary, err = _sync(project)
        (commit,) = summary["commits"]
        assert code == 1 and commit["rejected_by"] == "untested", err
        assert commit["untested"] == ["pycodex.core.session.Session.summary"]
        assert "--allow-untested" in commit["reason"]
        assert git(project, "rev-parse", "HEAD") == head

        code, summary, err = _sync(project, "--allow-untested")
    (commit,) = summary["commits"]
    assert code == 0 and summary["outcome"] == "merged", err
    assert commit["status"] == "committed"
    assert commit["untested"] == ["pycodex.core.session.Session.summary"]
    lock = read_lock(project / "ferry.lock")
    assert lock is not None and lock.commit == shas[1]
    message = git(project, "log", "-1", "--format=%B")
    assert "Ferry-Untested: pycodex.core.session.Session.summary" in message
    assert "untested: pycodex.core.session.Session.summary" in err

    review = Path(summary["review"]).read_text()
    assert '<span class="status untested">untested</span>' in review
    assert "color: #cf222e" in review  # shown in red
    assert (
        '<p class="untested">untested: <code>pycodex.core.session.Session.summary</code>' in review
    )

    out = tmp_path / "report"
    result = CliRunner().invoke(
        main, ["report", "--config", str(project / "ferry.toml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    sync = next(s for s in data["sections"] if s["key"] == "SYNC")
    assert [row["untested"] for row in sync["rows"]] == [1, 1]
