"""The local evaluator: apply the model patch and the test patch, run the named tests.

It mirrors the official harness's decision (resolved iff every FAIL_TO_PASS and
PASS_TO_PASS test passes) without Docker: a fresh checkout at ``base_commit``, the
instance's own environment (:mod:`harness.swe.envs`), ``pytest -rA`` on exactly the
listed tests; the per-instance logs mirror the official ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ferry.fsutil import write_text_atomic
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


def evaluate(
    instance: SweInstance,
    model_patch: str,
    source: str,
    work: Path,
    *,
    timeout_sec: float = 1800,
    python: Path | None = None,
    log_dir: Path | None = None,
) -> Evaluation:
    """Evaluate one patch in ``work`` with the instance's interpreter ``python``.

    ``log_dir`` receives what the official harness keeps per instance: ``patch.diff``,
    ``test_output.txt`` and ``report.json`` (its report shape).
    """
    result = _evaluate(instance, model_patch, source, work, timeout_sec, python, log_dir)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(log_dir / "patch.diff", model_patch)
        write_text_atomic(
            log_dir / "report.json",
            json.dumps(official_report(result, model_patch), indent=2) + "\n",
        )
    return result


def official_report(result: Evaluation, model_patch: str) -> dict[str, object]:
    """The official harness's ``report.json`` for one instance."""

    def split(tests: dict[str, str]) -> dict[str, list[str]]:
        return {
            "success": [t for t, s in tests.items() if s == UnitTestStatus.PASSED],
            "failure": [t for t, s in tests.items() if s != UnitTestStatus.PASSED],
        }

    applied = result.status not in ("empty_patch", "patch_apply_failed")
    return {
        result.instance_id: {
            "patch_is_None": False,
            "patch_exists": bool(model_patch.strip()),
            "patch_successfully_applied": applied,
            "resolved": result.resolved,
            "tests_status": {
                "FAIL_TO_PASS": split(result.fail_to_pass),
                "PASS_TO_PASS": split(result.pass_to_pass),
                "FAIL_TO_FAIL": {"success": [], "failure": []},
                "PASS_TO_FAIL": {"success": [], "failure": []},
            },
        }
    }


def _evaluate(
    instance: SweInstance,
    model_patch: str,
    source: str,
    work: Path,
    timeout_sec: float,
    python: Path | None,
    log_dir: Path | None,
) -> Evaluation:
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
    interpreter = str(python or sys.executable)
    tests = [*instance.FAIL_TO_PASS, *instance.PASS_TO_PASS]
    env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        proc = subprocess.run(
            [interpreter, "-m", "pytest", "-rA", "-p", "no:cacheprovider", *tests],
            cwd=repo, env=env, capture_output=True, text=True, timeout=timeout_sec,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Evaluation(ident, False, "timeout")
    output = proc.stdout + proc.stderr
    (work / "test_output.txt").write_text(output, encoding="utf-8")
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(log_dir / "test_output.txt", output)
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


__all__ = ["Evaluation", "GitError", "evaluate", "official_report"]
