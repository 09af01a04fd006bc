"""A generated upstream Rust history and a tiny port project for the sync tests.

The upstream is a git repository with one crate (``crates/demo``) whose commits add serde
declarations the mechanical backend can translate, a test-only change and a change outside
the subtree. Author and committer dates are fixed, so two workspaces built the same way
have the same upstream shas (the resume test compares such twins).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from upstream.lock import write_lock

CARGO = '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n'
LIB = "pub mod types;\n"
HEADER = "use serde::{Deserialize, Serialize};\n"
SETTINGS = """
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub user_name: String,
    pub retries: u32,
}
"""
SETTINGS_WITH_MODE = """
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub user_name: String,
    pub retries: u32,
    pub mode: Mode,
}
"""
MODE = """
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Fast,
    Safe,
}
"""
TESTS = """
#[cfg(test)]
mod tests {
    #[test]
    fn settings_roundtrip() {
        assert_eq!(1 + 1, 2);
    }
}
"""
CONST = "\npub const MAX_RETRIES: u32 = 5;\n"
FUNCTION = "\npub fn retry_delay(attempt: u32) -> u64 {\n    100 * u64::from(attempt)\n}\n"

#: (subject, {path: text}) applied in order; commit 0 is the pin.
HISTORY: list[tuple[str, dict[str, str]]] = [
    (
        "demo: crate skeleton",
        {
            "crates/demo/Cargo.toml": CARGO,
            "crates/demo/src/lib.rs": LIB,
            "crates/demo/src/types.rs": HEADER,
        },
    ),
    ("types: add Settings", {"crates/demo/src/types.rs": HEADER + SETTINGS}),
    ("docs: readme outside the subtree", {"README.md": "# demo upstream\n"}),
    (
        "types: add Mode and Settings.mode",
        {"crates/demo/src/types.rs": HEADER + MODE + SETTINGS_WITH_MODE},
    ),
    ("types: unit test", {"crates/demo/src/types.rs": HEADER + MODE + SETTINGS_WITH_MODE + TESTS}),
    (
        "types: MAX_RETRIES",
        {"crates/demo/src/types.rs": HEADER + CONST + MODE + SETTINGS_WITH_MODE + TESTS},
    ),
]

PORT_TEST = '''"""The translated demo types load and validate upstream-shaped JSON."""

import importlib

import pydantic


def test_translated_models_validate() -> None:
    module = importlib.import_module("pydemo.types")
    models = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, pydantic.BaseModel)
        and value.__module__ == module.__name__
    ]
    for model in models:
        assert isinstance(model.model_json_schema(), dict)
    settings = getattr(module, "Settings", None)
    if settings is not None:
        data = {"userName": "ada", "retries": 2}
        if "mode" in settings.model_fields:
            data["mode"] = "safe"
        assert settings.model_validate(data).retries == 2
'''

FERRY_TOML = """\
[upstream]
url = "{upstream}"
branch = "main"
subtree = "crates"
checkout = ".ferry/upstream"

[translate]
backend = "mechanical"
target_root = "port"
state_dir = ".ferry"

[translate.module_map]
"crates/demo/src/**" = "pydemo.{{path}}"

[validate]
gates = ["pytest"]
"""

PYPROJECT = '[tool.pytest.ini_options]\npythonpath = ["port"]\naddopts = "-p no:cacheprovider"\n'


def git(cwd: Path, *args: str, date: str = "2026-01-01T00:00:00+00:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Upstream Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.invalid",
        "GIT_COMMITTER_NAME": "Upstream Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.invalid",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    proc = subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_upstream(path: Path, history: list[tuple[str, dict[str, str]]]) -> list[str]:
    """Commit ``history`` into a new repository at ``path``; returns the shas in order."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    shas = []
    for n, (subject, files) in enumerate(history):
        _write(path, files)
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", subject, date=f"2026-01-{n + 1:02d}T00:00:00+00:00")
        shas.append(git(path, "rev-parse", "HEAD"))
    return shas


@dataclass(frozen=True)
class Workspace:
    upstream: Path
    project: Path
    shas: tuple[str, ...]

    @property
    def config(self) -> Path:
        return self.project / "ferry.toml"

    def port_tree(self) -> str:
        """The tree id of the committed port (what the branch holds, byte for byte)."""
        return git(self.project, "rev-parse", "HEAD:port")

    def port_files(self) -> dict[str, str]:
        root = self.project / "port"
        return {
            str(p.relative_to(root)): p.read_text()
            for p in sorted(root.rglob("*.py"))
            if "__pycache__" not in p.parts
        }


def make_workspace(
    base: Path, history: list[tuple[str, dict[str, str]]] | None = None, extra_toml: str = ""
) -> Workspace:
    """An upstream built from ``history`` and a port project pinned at its first commit."""
    shas = make_upstream(base / "upstream", history if history is not None else HISTORY)
    project = base / "project"
    _write(
        project,
        {
            "ferry.toml": FERRY_TOML.format(upstream=base / "upstream") + extra_toml,
            ".gitignore": ".ferry/\n__pycache__/\n",
            "pyproject.toml": PYPROJECT,
            "port/pydemo/__init__.py": '"""The demo port."""\n',
            "port/pydemo/types.py": '"""pydemo.types: translated from crates/demo/src/types.rs."""\n',
            "port/tests/types/test_types.py": PORT_TEST,
        },
    )
    write_lock(project / "ferry.lock", str(base / "upstream"), "main", shas[0])
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "port skeleton")
    return Workspace(base / "upstream", project, tuple(shas))
