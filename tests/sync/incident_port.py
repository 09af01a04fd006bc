"""The small port of the gate incident: a synchronous Session, an exec CLI, two tests.

``session.py`` carries provenance markers, so the planner sends changes of
``codex_core::session::Session`` to it; ``port/tests/exec`` runs the CLI in a
subprocess (the end-to-end test the old prefix selection never ran).
"""

from __future__ import annotations

import json
from pathlib import Path

from pycodex.testing import ScriptedResponse
from sync_workspace import git, make_upstream

from upstream.lock import write_lock

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
CLI_TEST = """import subprocess
import sys


def test_exec_cli_prints_the_history(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "pycodex.exec.cli", "hi", "there"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() != []
"""
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


def chat_answer(code: str) -> ScriptedResponse:
    body = {
        "id": "chatcmpl-ferry", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": json.dumps({"code": code, "notes": "translated"})}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }  # fmt: skip
    return ScriptedResponse(body=json.dumps(body), content_type="application/json")


def make_incident_project(
    base: Path, files: dict[str, str], base_url: str, extra_toml: str = ""
) -> tuple[Path, list[str]]:
    """An upstream (pin + one commit writing ``files``) and the small port pinned to it."""
    skeleton = {
        "codex-rs/core/Cargo.toml": CARGO,
        "codex-rs/core/src/lib.rs": "pub mod session;\n",
        "codex-rs/core/src/session.rs": SESSION_RS,
    }
    shas = make_upstream(base / "upstream", [("core: session", skeleton), ("core: change", files)])
    project = base / "project"
    pin = shas[0][:12]
    for rel, text in {
        "ferry.toml": FERRY_TOML.format(upstream=base / "upstream", base_url=base_url) + extra_toml,
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
