"""``ferry report``: every table regenerated from stored artifacts, or labelled "no data"."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from radon.complexity import cc_visit
from radon.raw import analyze
from sync_workspace import CONST, HEADER, LIB, MODE, SETTINGS_WITH_MODE, TESTS, Workspace

from ferry.cli import main
from harness.outcomes import FailureMode
from harness.records import TB_RESULTS_FORMAT, VERDICT_FORMAT, stamp
from harness.tb.results import BenchmarkResults, TrialResult
from harness.validate import GateResult, Verdict

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def tb_run(directory: Path, agent: str, seconds: list[float], solved: set[str]) -> Path:
    """A results.json as ``ferry bench tb`` writes it (the harness's own models)."""
    trials = []
    for n, secs in enumerate(seconds):
        task = f"task-{n}"
        trials.append(
            TrialResult(
                id=f"{agent}-{n}", trial_name=f"{task}.1", task_id=task, instruction="do it",
                is_resolved=task in solved, failure_mode=FailureMode.NONE,
                total_input_tokens=1000 * (n + 1), total_output_tokens=100 * (n + 1),
                trial_started_at=T0, trial_ended_at=T0 + timedelta(seconds=secs + 5),
                agent_started_at=T0, agent_ended_at=T0 + timedelta(seconds=secs),
                task_format="tb1", agent=agent, environment="local", cost_usd=0.01 * (n + 1),
                stamp=stamp(TB_RESULTS_FORMAT, {"agent": agent}),
            )
        )  # fmt: skip
    results = BenchmarkResults.from_trials(
        agent, trials, stamp(TB_RESULTS_FORMAT, {"agent": agent})
    )
    path = directory / agent / "results.json"
    path.parent.mkdir(parents=True)
    path.write_text(results.model_dump_json(indent=2))
    return path


def code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def rows(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    section = next(s for s in report["sections"] if s["key"] == key)
    assert section["rows"] is not None, section["note"]
    return list(section["rows"])


def test_report_tables_from_a_sync_bench_results_and_both_trees(
    synced: Workspace, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    tb_run(runs, "oracle", [2.0, 4.0, 6.0], {"task-0", "task-1", "task-2"})
    tb_run(runs, "pycodex", [10.0, 20.0, 30.0], {"task-1"})
    (runs / "junk").mkdir()
    (runs / "junk" / "results.json").write_text('{"results": []}')
    verdict = Verdict(
        passed=False,
        gates=[
            GateResult(name="pytest", passed=True, output="1 passed", duration_sec=1.0),
            GateResult(name="mypy", passed=False, output="1 error", duration_sec=2.0),
        ],
        tests=["port/tests"],
        modules=["port/pydemo/types.py"],
        stamp=stamp(VERDICT_FORMAT, {}),
    )
    (tmp_path / "verdict.json").write_text(verdict.model_dump_json())
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        ["report", "--config", str(synced.config), "--upstream", str(synced.upstream),
         "--results", str(runs), "--verdicts", str(tmp_path / "verdict.json"), "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["format"] == "ferry.report/1" and report["config"]["package"].endswith(
        "port/pydemo"
    )
    # Rust is read at the pin (the last merged commit), Python from the synced port
    assert report["config"]["rev"] == synced.shas[5]

    rust = HEADER + CONST + MODE + SETTINGS_WITH_MODE + TESTS
    python = (synced.project / "port/pydemo/types.py").read_text()
    loc = {r["module"]: r for r in rows(report, "IV")}
    assert loc["pydemo.types"]["rust_loc"] == code_lines(rust)
    assert loc["pydemo.types"]["python_loc"] == analyze(python).sloc
    assert loc["pydemo.types"]["python/rust"] == round(analyze(python).sloc / code_lines(rust), 2)
    assert loc["pydemo"]["rust_loc"] == code_lines(LIB)
    assert loc["total"]["rust_files"] == 2

    tests = {r["module"]: r for r in rows(report, "V")}
    assert (tests["pydemo.types"]["rust_tests"], tests["pydemo.types"]["python_tests"]) == (1, 1)
    api = {r["module"]: r for r in rows(report, "VIII")}
    # const + enum + struct in Rust; the public top-level classes and functions in Python
    public = [
        node.name
        for node in ast.parse(python).body
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_")
    ]
    assert {"Settings", "Mode"} <= set(public)
    assert (api["pydemo.types"]["rust_api"], api["pydemo.types"]["python_api"]) == (3, len(public))

    ranks = {r["rank"]: r["blocks"] for r in rows(report, "CC")}
    blocks = cc_visit(python) + cc_visit((synced.project / "port/pydemo/__init__.py").read_text())
    assert ranks["A"] == sum(ranks.values()) == len(blocks) >= 2  # plain declarations: rank A

    [sync_run] = rows(report, "SYNC")
    counts = tuple(sync_run[k] for k in ("committed", "skipped", "failed", "held"))
    assert counts == (3, 1, 0, 1)
    assert sync_run["outcome"] == "held" and sync_run["gates_passed"] == 3
    assert sync_run["attempts"] == 3  # one per unit; the held commit is not translated
    iterations = rows(report, "II")
    assert [r["iteration"] for r in iterations] == [1, 2, 3, 4]
    assert iterations[0]["kind"] == "sync" and (
        iterations[0]["passed"],
        iterations[0]["total"],
    ) == (4, 5)
    by_kind = {(r["kind"], r["passed"], r["total"]) for r in iterations[1:]}
    assert by_kind == {("validate", 1, 2), ("bench tb", 3, 3), ("bench tb", 1, 3)}

    bench = {r["agent"]: r for r in rows(report, "XI")}
    assert set(bench) == {"oracle", "pycodex"}
    assert bench["oracle"]["accuracy"] == 1.0 and bench["pycodex"]["resolved"] == 1
    assert bench["pycodex"]["input_tokens"] == 6000
    [h2h] = rows(report, "XII")
    assert (h2h["both"], h2h["neither"], h2h["only A"] + h2h["only B"]) == (1, 0, 2)
    runtime = {r["agent"]: r for r in rows(report, "VI")}
    assert runtime["pycodex"]["median_s"] == 20.0 and runtime["oracle"]["max_s"] == 6.0
    assert runtime["oracle"]["median_trial_s"] == 9.0
    usage = {r["agent"]: r for r in rows(report, "VII")}
    assert usage["pycodex"]["cost_per_resolved_usd"] == 0.06
    assert "skipped, not a ferry bench results.json" in next(
        s["note"] for s in report["sections"] if s["key"] == "XI"
    )

    md = (out / "report.md").read_text()
    assert "## Table IV: Lines of code by module, Rust vs Python" in md
    assert "| pydemo.types |" in md and "no data" not in md
    html = (out / "report.html").read_text()
    assert '<section id="table-XII">' in html and "table-iv-loc.png" in html
    for png in ("table-iv-loc.png", "complexity.png", "table-xi-accuracy.png",
                "table-vi-runtime.png", "table-ii-iterations.png", "sync-runs.png"):  # fmt: skip
        assert (out / png).read_bytes()[:4] == b"\x89PNG", png


def test_missing_inputs_give_labelled_no_data_sections(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.count("*no data: ") == 10
    assert "no data: the port package" in md and "no ferry bench results.json found" in md
    assert not list((tmp_path / "out").glob("*.png"))


def test_bad_report_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "ferry.toml"
    config.write_text("[report]\npackages = 'x'\n")
    result = CliRunner().invoke(main, ["report", "--config", str(config)])
    assert result.exit_code == 1 and "[report].packages" in result.output


def test_unreadable_upstream_is_reported_in_the_note_not_raised(tmp_path: Path) -> None:
    package = tmp_path / "port" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def public() -> int:\n    return 1\n")
    (tmp_path / "ferry.toml").write_text('[report]\npackage = "port/pkg"\ntests = "port/tests"\n')
    (tmp_path / "not-a-repo").mkdir()
    result = CliRunner().invoke(
        main,
        ["report", "--config", str(tmp_path / "ferry.toml"), "--upstream",
         str(tmp_path / "not-a-repo"), "-o", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    loc = next(s for s in report["sections"] if s["key"] == "IV")
    assert "Rust side missing" in loc["note"] and "neither an upstream checkout" in loc["note"]
    assert {r["module"]: r["python_loc"] for r in loc["rows"]}["pkg"] == 2
