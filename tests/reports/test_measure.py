"""Fresh measurements (Tables VI, VII, X): the task files, the success check, the RSS
method, and the whole ``ferry report --against-paper`` with pycodex beside the Rust binary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sync_workspace import Workspace

from ferry.cli import main
from reports.measure.agent_tasks import (
    AgentTask,
    Expect,
    load_task,
    load_tasks,
    measure_agent_tasks,
)
from reports.measure.common import (
    Binaries,
    MeasureError,
    find_binaries,
    gnu_time,
    require_ok,
    run_child,
)
from reports.measure.runtime import measure_runtime


def pycodex_only() -> Binaries:
    found = find_binaries()
    return Binaries(found.pycodex, None, "Rust codex left out by the test")


def with_codex() -> Binaries:
    found = find_binaries()
    if found.codex is None:
        pytest.skip(f"the Rust codex is not installed: {found.codex_note}")
    return found


def test_the_eight_task_files_load_with_distinct_kinds() -> None:
    tasks = load_tasks()
    assert len(tasks) == 8 and len({t.kind for t in tasks}) == 8
    for task in tasks:
        assert task.expect.files or task.expect.contains or task.expect.final_message
        assert task.scenario.turns, task.name


def test_a_bad_task_file_names_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "9_bad.yaml"
    bad.write_text(
        "kind: k\ntitle: t\nexpect: {files: {a: 1}, colour: red}\nscenario: {prompt: p}\n"
    )
    with pytest.raises(MeasureError) as info:
        load_task(bad)
    text = str(info.value)
    assert str(bad) in text and "expect.colour" in text and "scenario" in text
    (tmp_path / "10_worse.yaml").write_text("- a list\n")
    with pytest.raises(MeasureError, match="a task is a mapping"):
        load_task(tmp_path / "10_worse.yaml")


def test_a_task_succeeds_through_pycodex_exec_and_a_wrong_outcome_is_a_failure() -> None:
    [edit] = [t for t in load_tasks() if t.kind == "edit a file"]
    rows, notes = measure_agent_tasks(pycodex_only(), runs=1, tasks=[edit])
    [row] = rows
    assert notes == ["Rust side: Rust codex left out by the test"]
    assert (row["pycodex succeeded"], row["codex succeeded"]) == ("1/1", None)
    assert row["pycodex median (s)"] > 0 and "left out by the test" in row["note"]
    wrong = AgentTask(
        name=edit.name,
        kind=edit.kind,
        title=edit.title,
        expect=Expect(files={"config.py": "RETRIES = 7\n"}, final_message="something else"),
        scenario=edit.scenario,
    )
    [row] = measure_agent_tasks(pycodex_only(), runs=1, tasks=[wrong])[0]
    assert row["pycodex succeeded"] == "0/1" and row["pycodex median (s)"] is None
    assert "config.py: content differs" in row["note"]
    assert "final message 'raised RETRIES to 5'" in row["note"]


def test_peak_rss_is_the_commands_own_not_the_measuring_process() -> None:
    if gnu_time() is None:
        pytest.skip("GNU time is not installed (scripts/ensure-system-deps.sh installs it)")
    ballast = bytearray(200 * 1024 * 1024)  # this process is now at least 200 MiB
    ballast[::4096] = b"x" * len(ballast[::4096])
    run = require_ok(run_child(["true"]), ["true"])
    assert run.peak_rss_mib < 50, run
    with pytest.raises(MeasureError, match="false exited 1"):
        require_ok(run_child(["false"]), ["false"])
    del ballast


def test_runtime_rows_without_the_rust_binary_say_why() -> None:
    rows, _notes = measure_runtime(pycodex_only(), runs=2, exec_runs=1)
    table = {r["row"]: r for r in rows}
    assert table["start-up time (ms)"]["pycodex"] > 0
    assert table["start-up time (ms)"]["codex (Rust)"] is None
    assert table["start-up time (ms)"]["note"] == "Rust codex left out by the test"
    modules = table["importable modules"]
    assert modules["pycodex"] == modules["n"] > 50  # every module of the port imports
    assert table["import time (ms)"]["note"].startswith("a compiled binary has no import phase")


@pytest.mark.oracle
@pytest.mark.nightly
def test_report_against_paper_measures_vi_vii_x_beside_the_rust_binary(
    synced: Workspace, tmp_path: Path
) -> None:
    """The whole measurement (about 3 minutes on a loaded 2-core machine): nightly, like
    ``make bench``; ``make test`` covers its parts with one task and two runs above."""
    with_codex()
    bench = tmp_path / "bench"
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        ["report", "--config", str(synced.config), "--against-paper", "--runs", "2",
         "--measurements", str(bench), "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("table-vi.json", "table-vii.json", "table-x.json"):
        data = json.loads((bench / name).read_text())
        assert data["format"].startswith("ferry.measure.") and data["machine"]["cpus"]
    report = json.loads((out / "report.json").read_text())
    sections = {s["key"]: s for s in report["sections"]}
    vi = {r["row"]: r for r in sections["VI"]["rows"]}
    for row in ("start-up time (ms)", "peak memory (MiB)", "exec round trip (ms)"):
        assert vi[row]["pycodex"] > 0 and vi[row]["codex (Rust)"] > 0, row
    vii = {r["row"]: r for r in sections["VII"]["rows"]}
    assert {"tool orchestration", "shell execution", "full shell pipeline", "patch parsing",
            "policy evaluation", "SQLite session I/O"} <= set(vii)  # fmt: skip
    for row in ("patch parsing", "policy evaluation"):
        assert vii[row]["codex per process (ms)"] > 0, row
    assert "no entry point" in vii["tool orchestration"]["note"]
    x = sections["X"]["rows"]
    assert len(x) == 8
    assert all(r["pycodex succeeded"] == "1/1" and r["codex succeeded"] == "1/1" for r in x), x
    assert re.search(r"VI\s+start-up time \(ms\)\s+pycodex\s+[\d,.]+\s+53\.9", result.stdout)
    for png in ("table-vi.png", "table-vii.png", "table-x.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
