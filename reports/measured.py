"""Tables VI, VII and X from the measurements ``make bench`` or ``ferry report --measure``
stored (``<measurements>/table-vi.json``, ``table-vii.json``, ``table-x.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reports.measure import agent_tasks, runtime, subsystems
from reports.measure.common import MeasureError, read_artifact
from reports.sections import Chart, Section, frame_measures, no_data

VI_FILE = "table-vi.json"
VII_FILE = "table-vii.json"
X_FILE = "table-x.json"


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    file: str
    fmt: str
    bench: str  # the make bench script that writes it


SPECS = {
    "VI": Spec(
        "VI",
        "Runtime: start-up time, peak memory, import time, importable modules",
        VI_FILE,
        runtime.FORMAT,
        "benchmarks/bench_paper_runtime.py",
    ),
    "VII": Spec(
        "VII",
        "Subsystem operations (pycodex in-process; both CLIs per process)",
        VII_FILE,
        subsystems.FORMAT,
        "benchmarks/bench_paper_subsystems.py",
    ),
    "X": Spec(
        "X",
        "End-to-end agent tasks: pycodex exec vs codex exec",
        X_FILE,
        agent_tasks.FORMAT,
        "benchmarks/bench_paper_agent_tasks.py",
    ),
}


def _load(spec: Spec, directory: Path) -> tuple[dict[str, Any] | None, str]:
    path = directory / spec.file
    if not path.is_file():
        return None, (
            f"not measured yet: no {path}; run `make bench` ({spec.bench}) or "
            "`ferry report --measure`"
        )
    try:
        return read_artifact(path, spec.fmt), ""
    except MeasureError as exc:
        return None, str(exc)


def _provenance(data: dict[str, Any]) -> str:
    machine = data.get("machine") or {}
    load = machine.get("load_average") or []
    notes = " ".join(str(n) for n in data.get("notes") or [])
    return (
        f"Measured {data.get('created_at', '?')} on {machine.get('cpus', '?')} cores "
        f"(load {', '.join(str(x) for x in load) or '?'}), Python {machine.get('python', '?')}. "
        f"{notes}"
    ).strip()


def _reasons(table: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """Rows with an empty measured column: their note says why."""
    out = {}
    for record in table.to_dict(orient="records"):
        if any(record.get(c) is None or pd.isna(record.get(c)) for c in columns):
            out[str(record["row"])] = str(record.get("note") or "")
    return out


def measured_section(key: str, directory: Path) -> Section:
    spec = SPECS[key]
    data, why = _load(spec, directory)
    if data is None:
        return no_data(key, spec.title, why)
    table = pd.DataFrame(data["rows"])
    if table.empty or "row" not in table.columns:
        return no_data(key, spec.title, f"{directory / spec.file} holds no rows; re-run it")
    note = _provenance(data)
    if key == "VI":
        chart = Chart(
            table.set_index("row")[["pycodex", "codex (Rust)"]].astype(float),
            "Table VI: pycodex vs the Rust codex (units in the row names)",
            "ms / MiB / modules",
            kind="barh",
        )
        reasons = _reasons(table, ["codex (Rust)"])
    elif key == "VII":
        ms = pd.DataFrame(
            {
                "pycodex in-process": table[subsystems.IN_PROCESS].astype(float) / 1000.0,
                "pycodex per process": table[subsystems.PY_CLI].astype(float),
                "codex per process": table[subsystems.RUST_CLI].astype(float),
            }
        )
        ms.index = table["row"]
        chart = Chart(ms, "Table VII: time per operation (log scale)", "milliseconds", kind="barh")
        reasons = _reasons(table, [subsystems.RUST_CLI])
        note = (
            f"{note} In-process: median of rounds of back-to-back calls, in microseconds; per "
            "process: median wall time of a fresh CLI process, in milliseconds."
        )
    else:
        chart = Chart(
            table.set_index("row")[["pycodex median (s)", "codex median (s)"]].astype(float),
            "Table X: median wall time per task",
            "seconds",
            kind="barh",
        )
        reasons = _reasons(table, ["codex median (s)"])
    measures = frame_measures(table, "row")
    return Section(key, spec.title, table, note, measures=measures, reasons=reasons, chart=chart)
