"""Gates judge the worktree they are pointed at, even when run from the main checkout's venv."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gate_fixtures import BROKEN_CALC, copy_tree, main_venv, make_port, run_validate


def _gate(verdict: dict[str, object], name: str) -> dict[str, object]:
    gates = verdict["gates"]
    assert isinstance(gates, list)
    return next(g for g in gates if g["name"] == name)


def test_gates_run_from_the_main_venv_judge_the_worktree(tmp_path: Path) -> None:
    main = make_port(tmp_path / "main")
    python = main_venv(tmp_path / "main-venv", main)
    broken = copy_tree(main, tmp_path / "wt-broken")
    (broken / "port/pycodex/calc.py").write_text(BROKEN_CALC)

    # the main venv's interpreter, started in the worktree, sees the main checkout's code:
    # exactly what fooled `sys.executable -m pytest`
    seen = subprocess.run(
        [str(python), "-c", "import pycodex.calc as c; print(c.__file__)"],
        cwd=broken, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert seen == str(main / "port/pycodex/calc.py")

    code, verdict, output = run_validate(python, broken)
    assert code == 1, output
    pytest_gate = _gate(verdict, "pytest")
    assert pytest_gate["passed"] is False
    assert "assert 6 == 4" in str(pytest_gate["output"])  # the unit test on the broken code
    assert "test_cli_prints_double" in str(pytest_gate["output"])  # and the CLI subprocess
    env = verdict["environment"]
    assert isinstance(env, dict) and env["search"] == [str((broken / "port").resolve())]

    # the same main venv judging an intact worktree passes
    good = copy_tree(main, tmp_path / "wt-good")
    code, verdict, output = run_validate(python, good)
    assert code == 0, output
    assert _gate(verdict, "imports")["passed"] and _gate(verdict, "pytest")["passed"]


def test_a_shadowing_package_fails_imports_and_pytest(tmp_path: Path) -> None:
    main = make_port(tmp_path / "main")
    python = main_venv(tmp_path / "main-venv", main)
    wt = copy_tree(main, tmp_path / "wt")
    (wt / "port/pycodex/calc").mkdir()
    (wt / "port/pycodex/calc/__init__.py").write_text('"""shadows calc.py"""\n')
    code, verdict, output = run_validate(python, wt)
    assert code == 1, output
    imports = _gate(verdict, "imports")
    assert imports["passed"] is False and "is shadowed by the package" in str(imports["output"])
    assert "cannot import name 'double'" in str(_gate(verdict, "pytest")["output"])


def test_gate_start_check_fails_loudly_when_the_port_resolves_elsewhere(tmp_path: Path) -> None:
    main = make_port(tmp_path / "main")
    # a site directory whose sitecustomize puts the main checkout first: a leak the gate
    # environment cannot prevent by construction, so the start check must catch it
    extra = tmp_path / "extra" / "site-packages"
    extra.mkdir(parents=True)
    (extra / "sitecustomize.py").write_text(
        f"import sys\nsys.path.insert(0, {str(main / 'port')!r})\n"
    )
    python = main_venv(tmp_path / "main-venv", main, extra_site=extra)
    wt = copy_tree(main, tmp_path / "wt")
    code, verdict, output = run_validate(python, wt)
    assert code == 1, output
    isolation = _gate(verdict, "isolation")
    assert isolation["passed"] is False
    text = str(isolation["output"])
    assert (
        "pycodex resolves to" in text and str(main / "port") in text and "no gate was run" in text
    )
    assert _gate(verdict, "pytest")["output"] == "not run: gate environment not isolated"
