"""The parity gate runs the candidate's pycodex; the bench gate fails a slower candidate.

Both are run by ``ferry validate`` from a main checkout's venv whose own pycodex is the
good one, so a pass would mean the gate looked at the wrong tree.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from gate_fixtures import REPO_ROOT, copy_tree, main_venv, make_port, run_validate

FAKE_CODEX = Path(__file__).resolve().parent / "parity" / "fake_codex.py"
SCENARIO = "prompt: hello\nturns:\n  - [{assistant_message: hi there}]\n"


def _parity_project(root: Path, scenarios: Path) -> Path:
    make_port(root, gates='["parity"]')
    fake = FAKE_CODEX.read_text()
    (root / "port/pycodex/fake.py").write_text(fake)
    # the installed ferry's parity harness imports pycodex.testing from the main venv
    shutil.copytree(REPO_ROOT / "port/pycodex/testing", root / "port/pycodex/testing",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (root / "port/pyproject.toml").write_text(
        '[project]\nname = "pycodex"\nversion = "0"\n\n'
        '[project.scripts]\npycodex = "pycodex.fake:main"\n'
    )
    args = ["--scenarios", str(scenarios), "--codex", f"{sys.executable} {FAKE_CODEX}",
            "--workers", "1"]  # fmt: skip
    with (root / "ferry.toml").open("a") as fh:
        fh.write(f"parity_args = {json.dumps(args)}\n")
    return root


def test_parity_gate_judges_the_candidates_pycodex(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "just_answer.yaml").write_text(SCENARIO)
    main = _parity_project(tmp_path / "main", scenarios)
    python = main_venv(tmp_path / "main-venv", main)

    good = copy_tree(main, tmp_path / "wt-good")
    code, verdict, output = run_validate(python, good)
    assert code == 0, output
    (gate,) = verdict["gates"]  # type: ignore[misc]
    assert gate["passed"] and str(good) in gate["details"]["pycodex"]

    bad = copy_tree(main, tmp_path / "wt-bad")
    source = bad / "port/pycodex/fake.py"
    broken = source.read_text().replace('if "shout" in _variants():', "if True:", 1)
    assert broken != source.read_text(), "the fake binary no longer has the shout switch"
    source.write_text(broken)
    code, verdict, output = run_validate(python, bad)
    assert code == 1, output
    (gate,) = verdict["gates"]  # type: ignore[misc]
    assert gate["name"] == "parity" and gate["passed"] is False
    assert gate["details"]["exit_code"] == 1
    assert "HI THERE" in gate["output"] or "diverged" in gate["output"].lower()


def test_bench_gate_fails_a_candidate_slower_than_the_baseline(tmp_path: Path) -> None:
    main = make_port(tmp_path / "main", gates='["bench"]')
    with (main / "ferry.toml").open("a") as fh:
        fh.write('\n[validate.bench]\nscripts = ["bench_calc"]\nrepeats = 1\ntolerance = 0.5\n'
                 'baseline = "baseline.json"\n')  # fmt: skip
    (main / "benchmarks").mkdir()
    (main / "benchmarks/bench_calc.py").write_text(
        "from pycodex.calc import double\n\nfor _ in range(10):\n    double(3)\n"
    )
    (main / "baseline.json").write_text(json.dumps({"seconds": {"bench_calc": 60.0}}))
    python = main_venv(tmp_path / "main-venv", main)

    fast = copy_tree(main, tmp_path / "wt-fast")
    code, verdict, output = run_validate(python, fast)
    assert code == 0, output

    slow = copy_tree(main, tmp_path / "wt-slow")
    calc = slow / "port/pycodex/calc.py"
    calc.write_text(
        calc.read_text().replace(
            "    return x * 2", "    import time\n    time.sleep(0.3)\n    return x * 2"
        )
    )
    # a recorded baseline the candidate cannot meet however loaded the machine is
    (slow / "baseline.json").write_text(json.dumps({"seconds": {"bench_calc": 1.0}}))
    code, verdict, output = run_validate(python, slow)
    assert code == 1, output
    (gate,) = verdict["gates"]  # type: ignore[misc]
    assert gate["name"] == "bench" and gate["passed"] is False
    assert "bench_calc: FAIL slower" in gate["output"]
    assert gate["details"]["medians"]["bench_calc"] > 1.5
