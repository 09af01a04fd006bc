"""``ferry validate``: gates from ferry.toml, Verdict JSON, exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import validate
from harness.errors import TaskFormatError
from harness.records import VERDICT_FORMAT
from harness.validate.config import plan_selection


def _project(root: Path, toml: str, *, broken: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "port" / "pycodex" / "demo").mkdir(parents=True)
    (root / "port" / "pycodex" / "__init__.py").write_text("")
    body = "def double(x: int) -> int:\n    return x * 2\n"
    if broken:
        body = 'def double(x: int) -> int:\n    return "x" * x\n'
    (root / "port" / "pycodex" / "demo" / "__init__.py").write_text(body)
    (root / "port" / "tests" / "demo").mkdir(parents=True)
    (root / "port" / "tests" / "demo" / "test_demo_double.py").write_text(
        "import sys\nsys.path.insert(0, 'port')\nfrom pycodex.demo import double\n\n"
        "def test_double() -> None:\n    assert double(2) == 4\n"
    )
    (root / "benchmarks").mkdir()
    (root / "benchmarks" / "bench_tiny.py").write_text("print('tiny 1')\n")
    (root / "plan.json").write_text(
        json.dumps({"units": [{"module": "pycodex.demo", "items": []}]})
    )
    (root / "ferry.toml").write_text(toml)
    return root


def _invoke(root: Path, *args: str) -> tuple[int, str, dict[str, object] | None]:
    out = root / "verdict.json"
    result = CliRunner().invoke(
        validate, ["--config", str(root / "ferry.toml"), "-o", str(out), *args]
    )
    data = json.loads(out.read_text()) if out.exists() else None
    return result.exit_code, result.output, data


def test_plan_selects_module_and_its_tests(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    tests, modules = plan_selection(root / "plan.json", root)
    assert modules == ["port/pycodex/demo/__init__.py"]
    assert tests == []  # never guessed from the module's name: [validate] tests decide


def test_plan_with_unknown_module_is_bad_input(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    (root / "plan.json").write_text(json.dumps({"module": "pycodex.nope"}))
    with pytest.raises(TaskFormatError, match=r"pycodex\.nope"):
        plan_selection(root / "plan.json", root)
    code, output, _ = _invoke(root, "--plan", str(root / "plan.json"))
    assert code == 2 and "pycodex.nope" in output


def test_passing_gates_exit_zero_with_verdict(tmp_path: Path) -> None:
    root = _project(tmp_path, '[upstream]\nurl = "x"\n\n[validate]\ngates = ["pytest", "mypy"]\n')
    code, output, verdict = _invoke(root, "--plan", str(root / "plan.json"))
    assert code == 0, output
    assert verdict is not None and verdict["passed"] is True
    assert verdict["stamp"]["format"] == VERDICT_FORMAT  # type: ignore[index]
    assert verdict["stamp"]["config"]["gates"] == ["pytest", "mypy"]  # type: ignore[index]
    assert [g["name"] for g in verdict["gates"]] == ["pytest", "mypy"]  # type: ignore[attr-defined]


def test_failing_mypy_exits_one_with_its_output(tmp_path: Path) -> None:
    root = _project(tmp_path, '[validate]\ngates = ["mypy"]\n', broken=True)
    code, _, verdict = _invoke(root, "--plan", str(root / "plan.json"))
    assert code == 1
    assert verdict is not None and verdict["passed"] is False
    gate = verdict["gates"][0]  # type: ignore[index]
    assert gate["passed"] is False and "Incompatible return value" in gate["output"]


def test_failing_pytest_exits_one(tmp_path: Path) -> None:
    root = _project(tmp_path, '[validate]\ngates = ["pytest"]\n', broken=True)
    code, _, verdict = _invoke(root, "--tests", "port/tests/demo")
    assert code == 1 and verdict is not None
    assert "1 failed" in verdict["gates"][0]["output"]  # type: ignore[index]


def test_unknown_gate_is_bad_input(tmp_path: Path) -> None:
    root = _project(tmp_path, '[validate]\ngates = ["lint"]\n')
    code, output, _ = _invoke(root)
    assert code == 2 and "unknown gate" in output and "validate.gates" in output


def test_bench_gate_records_then_compares_with_tolerance(tmp_path: Path) -> None:
    toml = '[validate]\ngates = ["bench"]\n\n[validate.bench]\nscripts = ["bench_tiny"]\nrepeats = 2\ntolerance = 0.5\n'
    root = _project(tmp_path, toml)
    code, output, _ = _invoke(root)
    assert code == 1 and "no baseline" in output
    code, _, _ = _invoke(root, "--record-baseline")
    assert code == 0
    baseline = json.loads((root / "benchmarks" / "baseline.json").read_text())
    assert baseline["seconds"]["bench_tiny"] > 0
    # Generous baseline passes, impossible one fails.
    (root / "benchmarks" / "baseline.json").write_text(
        json.dumps({"seconds": {"bench_tiny": 100.0}})
    )
    assert _invoke(root)[0] == 0
    (root / "benchmarks" / "baseline.json").write_text(
        json.dumps({"seconds": {"bench_tiny": 0.0001}})
    )
    code, _, verdict = _invoke(root)
    assert code == 1 and "FAIL slower" in verdict["gates"][0]["output"]  # type: ignore[index]


def test_no_selection_fails_the_gate_clearly(tmp_path: Path) -> None:
    root = _project(tmp_path, '[validate]\ngates = ["pytest"]\ntests = []\n')
    code, _, verdict = _invoke(root)
    assert code == 1 and "no tests selected" in verdict["gates"][0]["output"]  # type: ignore[index]


def test_parity_gate_reports_invalid_scenarios(tmp_path: Path) -> None:
    empty = tmp_path / "no-scenarios"
    empty.mkdir()
    toml = f'[validate]\ngates = ["parity"]\nparity_args = ["--scenarios", "{empty}"]\n'
    root = _project(tmp_path / "p", toml)
    code, _, verdict = _invoke(root)
    assert code == 1 and verdict is not None
    gate = verdict["gates"][0]  # type: ignore[index]
    assert gate["name"] == "parity" and gate["passed"] is False
    assert gate["details"]["exit_code"] == 2
    assert gate["output"].startswith("parity gate: invalid parity scenario")


def test_translator_plan_units_are_understood(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    plan = {
        "format": "ferry.plan/1",
        "units": [{"id": "pycodex.demo", "python_module": "pycodex.demo",
                   "target_path": str(root / "port" / "pycodex" / "demo" / "__init__.py"),
                   "items": [{"counterparts": [{"python_module": "pycodex.gone"}]}]}],
    }  # fmt: skip
    (root / "plan.json").write_text(json.dumps(plan))
    tests, modules = plan_selection(root / "plan.json", root)
    assert modules == ["port/pycodex/demo/__init__.py"]
    assert tests == []
