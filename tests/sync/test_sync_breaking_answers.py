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
from pycodex.testing import MockResponsesServer, ScriptedResponse
from sync_workspace import git, make_upstream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from gate_fixtures import main_venv  # noqa: E402

from upstream.ledger import Ledger  # noqa: E402
from upstream.lock import read_lock, write_lock  # noqa: E402

CARGO = '[package]\nname = "codex-core"\nversion = "0.1.0"\nedition = "2021"\n'
SESSION_RS = """pub struct Session {
    history: Vec<String>,
}

impl Session {
    pub fn run_turn(&mut self, prompt: &str) -> Vec<String> {
        self.history.push(prompt.to_string());
        self.history.clone()
    }
}
"""
BODY_CHANGE_RS = SESSION_RS.replace(
    "self.history.push(prompt.to_string());", 'self.history.push(format!("user: {prompt}"));'
)
SIGNATURE_CHANGE_RS = SESSION_RS.replace(
    "pub fn run_turn(&mut self, prompt: &str) -> Vec<String> {\n        self.history.push(prompt.to_string());\n        self.history.clone()",
    "pub fn run_turn(&mut self, prompt: &str, limit: usize) -> Vec<String> {\n        self.history.push(prompt.to_string());\n        self.history.iter().rev().take(limit).cloned().collect()",
)
TURN_RS = 'pub fn turn_label(n: usize) -> String {\n    format!("turn {n}")\n}\n'

SESSION_PY = '''"""pycodex.core.session: the conversation state (synchronous)."""

from __future__ import annotations


# ferry: codex_core::session::Session @ {pin} 0a1b2c3d
class Session:
    def __init__(self) -> None:
        self.history: list[str] = []

    # ferry: codex_core::session::Session::run_turn @ {pin} 1a2b3c4d
    def run_turn(self, prompt: str) -> list[str]:
        self.history.append(prompt)
        return list(self.history)
'''
CLI_PY = '''"""pycodex.exec.cli: run prompts through a session and print the history."""

from __future__ import annotations

import sys

from pycodex.core.session import Session


def main(argv: list[str] | None = None) -> int:
    session = Session()
    history: list[str] = []
    for prompt in sys.argv[1:] if argv is None else argv:
        history = session.run_turn(prompt)
    print("\\n".join(history))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''
CORE_TEST = (
    "from pycodex.core.session import Session\n\n\n"
    "def test_a_new_session_is_empty() -> None:\n    assert Session().history == []\n"
)
CLI_TEST = '''import subprocess
import sys


def test_exec_cli_prints_the_history(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "pycodex.exec.cli", "hi", "there"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() != []
'''
FERRY_TOML = """[upstream]
url = "{upstream}"
branch = "main"
subtree = "codex-rs"
checkout = ".ferry/upstream"

[translate]
backend = "llm"
target_root = "port"
state_dir = ".ferry"
max_attempts = 2

[translate.module_map]
"codex-rs/core/src/**" = "pycodex.core.{{path}}"

[translate.llm]
api = "chat"
base_url = "{base_url}"
model = "test-model"
api_key_env = "FERRY_TEST_MODEL_KEY"

[translate.prices]
"test-model" = {{ input = 1.0, output = 2.0 }}

[validate]
gates = ["pytest"]
pytest_args = ["-q"]
"""

IMPORT_BREAKING = '''from pycodex.core.history import History


class Session:
    def run_turn(self, prompt: str) -> list[str]:
        History.record(self.history, f"user: {prompt}")
        return list(self.history)
'''
STUB = '''class Session:
    def run_turn(self, prompt: str) -> list[str]:
        return []
'''
SIGNATURE = '''class Session:
    def run_turn(self, prompt: str, limit: int) -> list[str]:
        self.history.append(prompt)
        return list(reversed(self.history))[:limit]
'''
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


def chat_answer(code: str) -> ScriptedResponse:
    body = {
        "id": "chatcmpl-ferry", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": json.dumps({"code": code, "notes": "translated"})}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }  # fmt: skip
    return ScriptedResponse(body=json.dumps(body), content_type="application/json")


def _project(base: Path, variant: str, base_url: str) -> tuple[Path, list[str]]:
    files, _, _ = VARIANTS[variant]
    skeleton = {
        "codex-rs/core/Cargo.toml": CARGO,
        "codex-rs/core/src/lib.rs": "pub mod session;\n",
        "codex-rs/core/src/session.rs": SESSION_RS,
    }
    shas = make_upstream(base / "upstream", [("core: session", skeleton), ("core: change", files)])
    project = base / "project"
    pin = shas[0][:12]
    for rel, text in {
        "ferry.toml": FERRY_TOML.format(upstream=base / "upstream", base_url=base_url),
        ".gitignore": ".ferry/\n__pycache__/\n",
        "port/pyproject.toml": '[project]\nname = "pycodex"\nversion = "0"\n\n'
        '[project.scripts]\npycodex = "pycodex.exec.cli:main"\n',
        "port/pycodex/__init__.py": '"""pycodex."""\n',
        "port/pycodex/core/__init__.py": '"""pycodex.core."""\n',
        "port/pycodex/core/session.py": SESSION_PY.format(pin=pin),
        "port/pycodex/exec/__init__.py": '"""pycodex.exec."""\n',
        "port/pycodex/exec/cli.py": CLI_PY,
        "port/tests/core/test_session.py": CORE_TEST,
        "port/tests/exec/test_exec_cli.py": CLI_TEST,
    }.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    write_lock(project / "ferry.lock", str(base / "upstream"), "main", shas[0])
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "port with a hand-written session")
    return project, shas


def _ledger(project: Path) -> dict[str, int]:
    path = project / ".ferry/ledger.sqlite"
    if not path.is_file():
        return {}
    with Ledger(path) as ledger:
        return ledger.counts()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_sync_refuses_a_breaking_translation(tmp_path: Path, variant: str) -> None:
    _, answer, expected = VARIANTS[variant]
    with MockResponsesServer([chat_answer(answer) for _ in range(6)]) as server:
        project, shas = _project(tmp_path, variant, server.base_url)
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
