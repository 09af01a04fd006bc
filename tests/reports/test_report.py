"""``ferry report``: every table regenerated from stored artifacts, or labelled "no data"."""

from __future__ import annotations

import ast
import json
import subprocess
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


def tb_run(
    directory: Path,
    agent: str,
    seconds: list[float],
    solved: set[str],
    *,
    name: str | None = None,
    unscored: set[str] = frozenset(),  # type: ignore[assignment]
) -> Path:
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
                # the verifier reached a verdict, except on an environment error
                scored=task not in unscored,
                stamp=stamp(TB_RESULTS_FORMAT, {"agent": agent}),
            )
        )  # fmt: skip
    results = BenchmarkResults.from_trials(
        agent, trials, stamp(TB_RESULTS_FORMAT, {"agent": agent})
    )
    data = json.loads(results.model_dump_json())
    path = directory / (name or agent) / "results.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data, indent=2))
    return path


def code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def section(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in report["sections"] if s["key"] == key)


def rows(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    found = section(report, key)
    assert found["rows"] is not None, found["note"]
    return list(found["rows"])


def by(rows_: list[dict[str, Any]], column: str) -> dict[str, dict[str, Any]]:
    return {str(r[column]): r for r in rows_}


def test_report_tables_from_a_sync_bench_results_and_both_trees(
    synced: Workspace, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    tb_run(runs, "oracle", [2.0, 4.0, 6.0], {"task-0", "task-1", "task-2"})
    tb_run(runs, "codex", [3.0, 3.0, 3.0], {"task-0", "task-2"})
    tb_run(runs, "pycodex", [10.0, 20.0, 30.0], {"task-1", "task-2"}, unscored={"task-0"})
    trial = runs / "pycodex" / "task-1" / "results.json"  # a per-trial record beside its run
    trial.parent.mkdir()
    trial.write_text(
        json.dumps({"task_id": "task-1", "stamp": {"format": "ferry.bench.tb.trial/1"}})
    )
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
         "--results", str(runs), "--verdicts", str(tmp_path / "verdict.json"), "-o", str(out),
         "--measurements", str(tmp_path / "none")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["format"] == "ferry.report/2" and report["config"]["package"].endswith(
        "port/pydemo"
    )
    assert report["config"]["pair"] == ["pycodex", "codex"]
    # Rust is read at the pin (the last merged commit), Python from the synced port
    assert report["config"]["rev"] == synced.shas[5]
    assert [s["key"] for s in report["sections"]][:13] == [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
    ]  # fmt: skip

    rust = HEADER + CONST + MODE + SETTINGS_WITH_MODE + TESTS
    python = (synced.project / "port/pydemo/types.py").read_text()
    tree = ast.parse(python)
    loc = by(rows(report, "IV"), "module")
    assert loc["pydemo.types"]["rust_loc"] == code_lines(rust)
    assert loc["pydemo.types"]["python_loc"] == analyze(python).sloc
    assert loc["pydemo.types"]["python/rust"] == round(analyze(python).sloc / code_lines(rust), 2)
    assert loc["pydemo"]["rust_loc"] == code_lines(LIB)
    assert loc["total"]["rust_files"] == 2
    assert loc["total"]["rust_loc_per_file"] == round((code_lines(rust) + code_lines(LIB)) / 2, 1)

    tests = by(rows(report, "V"), "module")
    assert (tests["pydemo.types"]["rust_tests"], tests["pydemo.types"]["python_tests"]) == (1, 1)
    api = by(rows(report, "VIII"), "module")
    # const + enum + struct in Rust; the public top-level classes and functions in Python
    public = [
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_")
    ]
    assert {"Settings", "Mode"} <= set(public)
    assert (api["pydemo.types"]["rust_api"], api["pydemo.types"]["python_api"]) == (3, len(public))
    # the paper's counts: every struct/enum and fn in Rust, every class and function in Python
    classes = sum(isinstance(n, ast.ClassDef) for n in ast.walk(tree))
    assert (api["pydemo.types"]["rust_struct_enum"], api["pydemo.types"]["rust_fn"]) == (2, 1)
    assert api["pydemo.types"]["python_classes"] == classes

    overview = by(rows(report, "I"), "measure")
    assert overview["crates / top-level modules"]["Rust"] == 1  # crates/demo/Cargo.toml
    assert overview["code lines"]["Rust"] == loc["total"]["rust_loc"]
    assert overview["code lines"]["Python"] == loc["total"]["python_loc"]
    idioms = by(rows(report, "III"), "Rust pattern")
    models = sum(
        isinstance(n, ast.ClassDef) and any(getattr(b, "id", "") == "BaseModel" for b in n.bases)
        for n in ast.walk(tree)
    )
    assert idioms["serde (Serialize/Deserialize)"]["Rust"] == 2
    assert idioms["serde (Serialize/Deserialize)"]["pycodex"] == models >= 1
    assert (idioms["simple enum"]["Rust"], idioms["struct"]["Rust"]) == (1, 1)
    assert idioms["Cargo workspace"]["Rust"] == 1

    ranks = {r["rank"]: r["blocks"] for r in rows(report, "CC")}
    blocks = cc_visit(python) + cc_visit((synced.project / "port/pydemo/__init__.py").read_text())
    assert ranks["A"] == sum(ranks.values()) == len(blocks) >= 2  # plain declarations: rank A

    [sync_run] = rows(report, "SYNC")
    counts = tuple(sync_run[k] for k in ("committed", "skipped", "failed", "held"))
    assert counts == (3, 1, 0, 1)
    assert sync_run["outcome"] == "held" and sync_run["gates_passed"] == 3
    assert sync_run["attempts"] == 3  # one per unit; the held commit is not translated
    loop = rows(report, "LOOP")
    assert loop[0]["kind"] == "sync" and (loop[0]["passed"], loop[0]["total"]) == (4, 5)
    assert {(r["kind"], r["passed"], r["total"]) for r in loop[1:]} == {
        ("validate", 1, 2), ("bench tb", 3, 3), ("bench tb", 2, 3), ("bench tb", 2, 2),
    }  # fmt: skip

    # Table II: v0 is the newest run of B (codex), then A's (pycodex) runs in time order;
    # accuracy leaves out the unscored trial
    iterations = rows(report, "II")
    assert [(r["iteration"], r["run"], r["accuracy"]) for r in iterations] == [
        ("v0", "codex", round(2 / 3, 3)),
        ("v1", "pycodex", 1.0),
    ]
    # Table XI: the chosen pair on their common tasks
    h2h = {r["outcome"]: r["tasks"] for r in rows(report, "XI")}
    assert h2h == {
        "both solved": 1,  # task-2
        "only A": 1,  # task-1
        "only B": 0,
        "neither": 0,
        "not scored in A or B": 1,  # task-0: pycodex's trial was an environment error
        "common tasks": 3,
    }
    agents = by(section(report, "XI")["subtables"]["per agent"], "side")
    assert (agents["A"]["agent"], agents["B"]["agent"]) == ("pycodex", "codex")
    assert agents["A"]["input_tokens"] == 6000 and agents["B"]["cost_usd"] == 0.06
    assert section(report, "XII")["rows"] is None
    assert "no SWE-bench run of pycodex and codex" in section(report, "XII")["note"]
    bench = by(rows(report, "RUNS"), "agent")
    assert set(bench) == {"oracle", "codex", "pycodex"}
    assert bench["oracle"]["accuracy"] == 1.0 and bench["pycodex"]["scored"] == 2
    assert bench["pycodex"]["median_agent_s"] == 20.0

    # Table IX from the project's git history and the sync's ledger
    effort = by(rows(report, "IX"), "row")
    commits = git_out(synced.project, "rev-list", "--count", "HEAD")
    assert effort["repository commits"]["value"] == int(commits)
    assert effort["lines translated: mechanical"]["value"] > 0
    assert effort["lines translated: hand-written (no Ferry-Backend trailer)"]["value"] >= 1
    assert effort["upstream commits tracked"]["value"] >= 5
    # measured tables without a measurement say how to get one; XIII needs a pycodex package
    for key in ("VI", "VII", "X"):
        assert "not measured yet" in section(report, key)["note"]
        assert "make bench" in section(report, key)["note"]
    assert "is not a pycodex package" in section(report, "XIII")["note"]

    # skipped inputs: counted by reason, details only in the JSON
    reasons = {s["reason"] for s in report["skipped"]}
    assert reasons == {"per-trial record (counted in its run)", "not a ferry bench results.json"}
    assert str(trial) in {s["path"] for s in report["skipped"]}
    md = (out / "report.md").read_text()
    [line] = [x for x in md.splitlines() if x.startswith("Skipped inputs")]
    assert line.startswith("Skipped inputs (details in report.json): ")
    assert "1 per-trial record (counted in its run)" in line
    assert "1 not a ferry bench results.json" in line
    assert str(trial) not in md
    assert "## Table IV: Lines of code by module, Rust vs Python" in md
    assert "| pydemo.types |" in md
    html = (out / "report.html").read_text()
    assert '<section id="table-XII">' in html and "table-iv.png" in html
    for key in ("i", "ii", "iii", "iv", "v", "viii", "ix", "xi", "cc", "loop", "sync", "runs"):
        assert (out / f"table-{key}.png").read_bytes()[:4] == b"\x89PNG", key
    assert not (out / "table-vi.png").exists()  # no numbers, no chart


def git_out(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_missing_inputs_give_labelled_no_data_sections(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    empty = {s["key"]: s["note"] for s in report["sections"] if s["rows"] is None}
    assert set(empty) == set(KEYS)  # every table says why it is empty
    for key in ("I", "III", "IV", "V", "VIII", "CC"):
        assert empty[key].startswith("no data: the port package"), key
    assert "not a git work tree" in empty["IX"]
    assert "not measured yet" in empty["VI"] and "no ferry bench results.json" in empty["RUNS"]
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.count("*no data: ") == len(KEYS)
    assert not list((tmp_path / "out").glob("*.png"))


KEYS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
        "CC", "LOOP", "SYNC", "RUNS")  # fmt: skip


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


def test_pair_chooses_the_two_runs_of_tables_xi_and_ii(tmp_path: Path, monkeypatch: Any) -> None:
    """``--pair A B`` compares exactly those two agents (not every run with every other);
    a name without a run leaves the table empty and says which runs exist."""
    monkeypatch.chdir(tmp_path)
    runs = tmp_path / "runs"
    tb_run(runs, "oracle", [2.0, 4.0, 6.0], {"task-0", "task-1", "task-2"})
    tb_run(runs, "codex", [3.0, 3.0, 3.0], {"task-0", "task-2"})
    tb_run(runs, "pycodex", [10.0, 20.0, 30.0], {"task-1", "task-2"})

    def report_for(*pair: str) -> dict[str, Any]:
        out = tmp_path / "-".join(pair)
        result = CliRunner().invoke(
            main,
            ["report", "--results", str(runs), "--no-measure", "--pair", *pair,
             "--measurements", str(tmp_path / "none"), "-o", str(out)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads((out / "report.json").read_text())
        return data

    report = report_for("oracle", "codex")
    assert report["config"]["pair"] == ["oracle", "codex"]
    assert section(report, "XI")["title"].endswith("oracle (A) vs codex (B)")
    h2h = {r["outcome"]: r["tasks"] for r in rows(report, "XI")}
    assert (h2h["both solved"], h2h["only A"], h2h["only B"], h2h["neither"]) == (2, 1, 0, 0)
    agents = by(section(report, "XI")["subtables"]["per agent"], "side")
    assert (agents["A"]["agent"], agents["B"]["agent"]) == ("oracle", "codex")
    assert {r["run"] for r in rows(report, "II")} == {"oracle", "codex"}

    swapped = {r["outcome"]: r["tasks"] for r in rows(report_for("pycodex", "oracle"), "XI")}
    assert (swapped["both solved"], swapped["only A"], swapped["only B"]) == (2, 0, 1)

    missing = section(report_for("pycodex", "nobody"), "XI")
    assert missing["rows"] is None
    assert "no Terminal-Bench run of nobody" in missing["note"]
    assert "codex, oracle, pycodex" in missing["note"]
