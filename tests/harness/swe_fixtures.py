"""Tiny local git repositories turned into SWE-bench instances (no network)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

ENV = {
    "GIT_AUTHOR_NAME": "ferry", "GIT_AUTHOR_EMAIL": "f@example.com",
    "GIT_COMMITTER_NAME": "ferry", "GIT_COMMITTER_EMAIL": "f@example.com",
    "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent",
}  # fmt: skip


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=ENV
    ).stdout


@dataclass(frozen=True)
class Spec:
    """One bug: the buggy file, its fix, a new test that shows it, and an existing test."""

    instance_id: str
    module: str
    buggy: str
    fixed: str
    old_test: str
    new_test: str


SPECS = [
    Spec("mathlib__mathlib-1", "mathlib/add.py", "def add(a, b):\n    return a - b\n",
         "def add(a, b):\n    return a + b\n",
         "from mathlib.add import add\n\ndef test_zero():\n    assert add(0, 0) == 0\n",
         "from mathlib.add import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"),
    Spec("mathlib__mathlib-2", "mathlib/mul.py", "def mul(a, b):\n    return a + b\n",
         "def mul(a, b):\n    return a * b\n",
         "from mathlib.mul import mul\n\ndef test_two():\n    assert mul(2, 2) == 4\n",
         "from mathlib.mul import mul\n\ndef test_mul():\n    assert mul(3, 4) == 12\n"),
    Spec("textkit__textkit-1", "textkit/title.py", "def title(s):\n    return s.upper()\n",
         "def title(s):\n    return s.title()\n",
         "from textkit.title import title\n\ndef test_empty():\n    assert title('') == ''\n",
         "from textkit.title import title\n\ndef test_title():\n    assert title('hello world') == 'Hello World'\n"),
    Spec("textkit__textkit-2", "textkit/strip.py", "def clean(s):\n    return s\n",
         "def clean(s):\n    return ' '.join(s.split())\n",
         "from textkit.strip import clean\n\ndef test_plain():\n    assert clean('a') == 'a'\n",
         "from textkit.strip import clean\n\ndef test_spaces():\n    assert clean('  a   b ') == 'a b'\n"),
    Spec("textkit__textkit-3", "textkit/count.py", "def words(s):\n    return len(s)\n",
         "def words(s):\n    return len(s.split())\n",
         "from textkit.count import words\n\ndef test_none():\n    assert words('') == 0\n",
         "from textkit.count import words\n\ndef test_words():\n    assert words('a bb ccc') == 3\n"),
]  # fmt: skip


def build_instances(root: Path) -> tuple[Path, Path]:
    """Create the repos under ``root/repos`` and the dataset file; return (repos_dir, dataset)."""
    repos = root / "repos"
    rows = []
    for spec in SPECS:
        owner_name = spec.instance_id.rsplit("-", 1)[0]
        repo = repos / owner_name
        package = spec.module.split("/")[0]
        stem = Path(spec.module).stem
        if not repo.exists():
            repo.mkdir(parents=True)
            _git(repo, "init", "--quiet", "-b", "main")
            (repo / package).mkdir()
            (repo / package / "__init__.py").write_text("")
            (repo / "tests").mkdir()
            (repo / "README").write_text(owner_name + "\n")
            _git(repo, "add", "-A")
            _git(repo, "commit", "--quiet", "-m", "init")
        (repo / spec.module).write_text(spec.buggy)
        old_test = f"tests/test_{stem}_existing.py"
        (repo / old_test).write_text(spec.old_test)
        _git(repo, "add", "-A")
        _git(repo, "commit", "--quiet", "-m", f"add {stem}")
        base = _git(repo, "rev-parse", "HEAD").strip()
        (repo / spec.module).write_text(spec.fixed)
        patch = _git(repo, "diff")
        _git(repo, "checkout", "--quiet", "--", ".")
        new_test = f"tests/test_{stem}_new.py"
        (repo / new_test).write_text(spec.new_test)
        _git(repo, "add", "-N", new_test)
        test_patch = _git(repo, "diff")
        _git(repo, "reset", "--quiet")
        (repo / new_test).unlink()
        f2p = [f"{new_test}::{spec.new_test.split('def ')[1].split('(')[0]}"]
        p2p = [f"{old_test}::{spec.old_test.split('def ')[1].split('(')[0]}"]
        rows.append({
            "instance_id": spec.instance_id, "repo": owner_name.replace("__", "/"), "base_commit": base,
            "problem_statement": f"{spec.module} is wrong; see {f2p[0]}", "patch": patch,
            "test_patch": test_patch, "FAIL_TO_PASS": json.dumps(f2p), "PASS_TO_PASS": json.dumps(p2p),
            "version": "0.1", "created_at": "2026-01-01T00:00:00Z",
        })  # fmt: skip
    dataset = root / "instances.json"
    dataset.write_text(json.dumps(rows, indent=1))
    return repos, dataset
