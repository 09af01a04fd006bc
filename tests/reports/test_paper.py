"""The paper's figures file and ``ferry report --against-paper`` (ours beside theirs)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sync_workspace import Workspace

from ferry.cli import main
from reports.measure import runtime, subsystems
from reports.measure.common import write_artifact
from reports.paper import TABLE_KEYS, PaperError, default_path, load_paper


def test_the_packaged_figures_cover_every_table_and_say_where_each_comes_from() -> None:
    paper = load_paper()
    assert paper.paper.id == "arXiv:2604.11518v1"
    assert [t.key for t in paper.table] == list(TABLE_KEYS)
    assert "Not obtained" in paper.paper.obtained
    sources = {f.source for f in paper.figure}
    assert sources <= {"abstract", "text", "issue-3", "issue-18", "issue-19"}
    keyed = {(f.table, f.row, f.column): f for f in paper.figure}
    assert len(keyed) == len(paper.figure)  # one figure per (table, row, column)
    assert keyed[("XII", "A", "resolved")].value == 59
    assert keyed[("VI", "start-up time (ms)", "pycodex")].display() == "53.9 ± 2.1 (n=20)"
    assert keyed[("VII", "full shell pipeline", "pycodex in-process (us)")].display() == "< 3,500"
    assert keyed[("VI", "import time (ms)", "pycodex")].display() == "not obtained"
    shell = keyed[("VII", "shell execution", "pycodex in-process (us)")]
    assert (shell.verdict(2000), shell.verdict(5000), shell.verdict(9000)) == (
        "below",
        "within",
        "above",
    )


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "figures.toml"
    path.write_text(text)
    return path


PACKAGED = default_path().read_text()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace('format = "ferry.paper-figures/1"', 'format = "x/1"'),
            "format must be",
        ),
        (lambda t: t.replace('key = "XIII"', 'key = "XIV"'), "missing: ['XIII']"),
        (
            lambda t: t.replace("value = 53.9\n", "value = 53.9\nlow = 50\n", 1),
            "give value, or low/high",
        ),
        (lambda t: t.replace("value = 59\n", "value = 59\ncolour = 1\n", 1), "colour"),
        (lambda t: t.replace("low = 3000\nhigh = 7000", "low = 7000\nhigh = 3000"), "above high"),
        (lambda t: t + "\n[[figure\n", "not valid TOML"),
    ],
)
def test_a_bad_figures_file_is_refused_naming_the_entry(
    tmp_path: Path, monkeypatch: Any, edit: Any, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, edit(PACKAGED))
    with pytest.raises(PaperError) as info:
        load_paper(path)
    assert message in str(info.value) and str(path) in str(info.value)
    # and through the CLI: a clear error, no traceback
    result = CliRunner().invoke(
        main, ["report", "--against-paper", "--no-measure", "--paper", str(path),
               "-o", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_a_figure_entry_error_names_its_table_and_row(tmp_path: Path) -> None:
    text = PACKAGED.replace("value = 1385\n", "value = 1385\nn = 0\n", 1)
    with pytest.raises(PaperError, match=r"\[\[figure\]\] #\d+ \(table 'VIII', row 'total'\)\.n"):
        load_paper(_write(tmp_path, text))


def _stored_measurements(directory: Path) -> None:
    """Tables VI and VII as make bench stores them (the rows the report reads)."""
    row = {"pycodex sd": 1.0, "codex sd": 0.5, "n": 20, "note": ""}
    write_artifact(
        directory / "table-vi.json",
        runtime.FORMAT,
        {},
        [
            {
                "row": "start-up time (ms)",
                "pycodex": 107.8,
                "codex (Rust)": 26.95,
                "pycodex/codex": 4.0,
                **row,
            },
            {
                "row": "peak memory (MiB)",
                "pycodex": 24.0,
                "codex (Rust)": None,
                "pycodex/codex": None,
                **row,
                "note": "Rust codex not installed (test)",
            },
        ],
        ["stored by the test"],
    )
    write_artifact(
        directory / "table-vii.json",
        subsystems.FORMAT,
        {},
        [
            {
                "row": "shell execution",
                subsystems.IN_PROCESS: 9000.0,
                "calls x rounds": "1 x 1",
                subsystems.PY_CLI: None,
                subsystems.RUST_CLI: None,
                "pycodex/codex (per process)": None,
                "note": "no CLI",
            },
            {
                "row": "patch parsing",
                subsystems.IN_PROCESS: 5.0,
                "calls x rounds": "1 x 1",
                subsystems.PY_CLI: 80.0,
                subsystems.RUST_CLI: 20.0,
                "pycodex/codex (per process)": 4.0,
                "note": "",
            },
        ],
        [],
    )


def test_against_paper_prints_ours_beside_theirs_with_the_ratio(
    synced: Workspace, tmp_path: Path
) -> None:
    measurements = tmp_path / "bench"
    _stored_measurements(measurements)
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        ["report", "--config", str(synced.config), "--upstream", str(synced.upstream),
         "--against-paper", "--no-measure", "--measurements", str(measurements), "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("table "))
    assert re.split(r"\s{2,}", header)[:7] == [
        "table", "row", "column", "ours", "paper", "ours/paper", "where",
    ]  # fmt: skip

    def printed(table: str, row: str, column: str) -> list[str]:
        for line in lines:
            cells = re.split(r"\s{2,}", line)
            if cells[:3] == [table, row, column]:
                return cells
        raise AssertionError(f"no line for {table} {row} {column}:\n{result.stdout}")

    # a plain figure: the ratio is ours / theirs
    assert printed("VI", "start-up time (ms)", "pycodex")[3:6] == [
        "107.8",
        "53.9 ± 2.1 (n=20)",
        "2",
    ]
    # a range: the ratio against its middle, and where ours falls
    assert printed("VI", "start-up time (ms)", "pycodex/codex")[3:7] == ["4", "3-5", "1", "within"]
    assert printed("VII", "shell execution", "pycodex in-process (us)")[3:7] == [
        "9,000", "3,000-7,000", "1.8", "above",
    ]  # fmt: skip
    # a row we could not measure says why
    missing = printed("VI", "peak memory (MiB)", "codex (Rust)")
    assert missing[3] == "n/a" and "Rust codex not installed (test)" in missing[-1]
    swe = printed("XII", "A", "accuracy")
    assert "no SWE-bench run of pycodex and codex" in swe[-1]
    assert re.search(
        r"\d+ of \d+ published figures have a counterpart measured here", result.stdout
    )

    report = json.loads((out / "report.json").read_text())
    comparison = {(c["table"], c["row"], c["column"]): c for c in report["comparison"]}
    assert comparison[("VII", "patch parsing", "pycodex in-process (us)")]["ours/paper"] == 2.0
    assert comparison[("IV", "total", "rust_files")]["ours"] == 2
    md = (out / "report.md").read_text()
    assert md.count("**Against the paper** (arXiv:2604.11518v1):") >= 10
    html = (out / "report.html").read_text()
    assert '<div class="paper">' in html
    assert (out / "table-vi.png").read_bytes()[:4] == b"\x89PNG"


def test_a_stored_measurement_of_another_format_is_reported_not_used(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    bench = tmp_path / "bench"
    write_artifact(bench / "table-vi.json", "ferry.something-else/1", {}, [], [])
    (bench / "table-vii.json").write_text("{not json")
    (bench / "table-x.json").write_bytes(b'{"format": "\xff\xfe"}')  # not UTF-8
    result = CliRunner().invoke(
        main, ["report", "--no-measure", "--measurements", str(bench), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    notes = {s["key"]: s["note"] for s in report["sections"]}
    assert "format 'ferry.something-else/1', expected 'ferry.measure.runtime/1'" in notes["VI"]
    assert "not JSON (line 1" in notes["VII"]
    assert "table-x.json: not UTF-8 text" in notes["X"]
