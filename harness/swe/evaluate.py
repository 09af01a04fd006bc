"""The local evaluator: apply the model patch and the test patch, run the named tests.

It mirrors the official harness's decision (resolved iff every FAIL_TO_PASS and
PASS_TO_PASS test passes) without Docker: a fresh checkout at ``base_commit``, a
venv that sees the harness's pytest, ``pytest -rA`` on exactly the listed tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from harness.parsers import ParseError, UnitTestStatus, parse_pytest_nodeids
from harness.swe.git import GitError, apply_patch, checkout
from harness.swe.instances import SweInstance


@dataclass(frozen=True)
class Evaluation:
    instance_id: str
    resolved: bool
    status: str  # resolved | unresolved | empty_patch | patch_apply_failed | test_patch_failed | parse_error | timeout
    fail_to_pass: dict[str, str] = field(default_factory=dict)
    pass_to_pass: dict[str, str] = field(default_factory=dict)
    message: str = ""


def make_venv(dest: Path) -> Path:
    """A venv whose interpreter also sees the harness's site-packages (pytest), offline."""
    python = dest / "bin" / "python"
    if python.exists():
        return python
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(dest)], check=True, timeout=300
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "ferry-harness.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return python


def evaluate(
    instance: SweInstance,
    model_patch: str,
    source: str,
    work: Path,
    *,
    timeout_sec: float = 1800,
    venv: Path | None = None,
) -> Evaluation:
    """Evaluate one patch in ``work``; ``venv`` may be shared by instances of one run."""
    ident = instance.instance_id
    if not model_patch.strip():
        return Evaluation(ident, False, "empty_patch")
    repo = checkout(source, instance.base_commit, work / "repo")
    try:
        apply_patch(repo, model_patch)
    except GitError as exc:
        return Evaluation(ident, False, "patch_apply_failed", message=str(exc))
    try:
        apply_patch(repo, instance.test_patch)
    except GitError as exc:
        return Evaluation(ident, False, "test_patch_failed", message=str(exc))
    python = make_venv(venv or work / "venv")
    tests = [*instance.FAIL_TO_PASS, *instance.PASS_TO_PASS]
    env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        proc = subprocess.run(
            [str(python), "-m", "pytest", "-rA", "-p", "no:cacheprovider", *tests],
            cwd=repo, env=env, capture_output=True, text=True, timeout=timeout_sec,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Evaluation(ident, False, "timeout")
    (work / "test_output.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    try:
        results = parse_pytest_nodeids(proc.stdout)
    except ParseError as exc:
        return Evaluation(ident, False, "parse_error", message=str(exc))

    def status(test: str) -> str:
        return str(results.get(test, UnitTestStatus.FAILED))

    f2p = {t: status(t) for t in instance.FAIL_TO_PASS}
    p2p = {t: status(t) for t in instance.PASS_TO_PASS}
    ok = all(v == UnitTestStatus.PASSED for v in [*f2p.values(), *p2p.values()])
    return Evaluation(ident, ok, "resolved" if ok else "unresolved", f2p, p2p)


__all__ = ["Evaluation", "GitError", "evaluate", "make_venv"]
