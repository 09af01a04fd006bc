"""Tables I (overview), IV (LOC), V (tests), VIII (API surface) and the complexity distribution.

Rust files are grouped by the Python module the ``[translate.module_map]`` sends them to
(its first two components, ``pycodex.exec``); a file no rule maps is grouped by its
crate's ``src/lib.rs`` mapping, else counted in one "(not ported)" row. Python files are
grouped by their top-level subpackage of the port.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from reports.metrics import ZERO, FileMetrics, python_complexity, python_metrics, rust_metrics
from reports.sections import Chart, Section, frame_measures, no_data
from translator.module_map import ModuleMap

NOT_PORTED = "(not ported)"


def _ratio(python: pd.Series, rust: pd.Series) -> pd.Series:
    return (python / rust.where(rust > 0)).round(2)


def _group(module: str, depth: int = 2) -> str:
    return ".".join(module.split(".")[:depth])


def rust_group(path: str, module_map: ModuleMap) -> str:
    module = module_map.module_for(path)
    if module is None:
        parts = PurePosixPath(path).parts
        if "src" in parts:
            crate_dir = "/".join(parts[: parts.index("src")])
        elif "tests" in parts:
            crate_dir = "/".join(parts[: parts.index("tests")])
        else:
            crate_dir = "/".join(parts[:-1])
        module = module_map.module_for(f"{crate_dir}/src/lib.rs")
    return NOT_PORTED if module is None else _group(module)


def python_group(package_root: Path, path: Path) -> str:
    rel = path.relative_to(package_root)
    name = package_root.name
    if len(rel.parts) == 1:
        stem = rel.stem
        return name if stem == "__init__" else f"{name}.{stem}"
    return f"{name}.{rel.parts[0]}"


def test_group(package: str, tests_root: Path, path: Path) -> str:
    rel = path.relative_to(tests_root)
    return package if len(rel.parts) == 1 else f"{package}.{rel.parts[0]}"


@dataclass(frozen=True)
class CodeMeasure:
    """Summed metrics per group, for Rust and Python."""

    rust: dict[str, tuple[int, FileMetrics]]  # group -> (files, summed metrics)
    python: dict[str, tuple[int, FileMetrics]]
    python_tests: dict[str, int]


def _add(acc: dict[str, tuple[int, FileMetrics]], group: str, m: FileMetrics) -> None:
    files, total = acc.get(group, (0, ZERO))
    acc[group] = (files + 1, total + m)


def measure(
    rust_files: Iterable[tuple[str, str]],
    module_map: ModuleMap,
    package_root: Path,
    tests_root: Path | None,
) -> CodeMeasure:
    rust: dict[str, tuple[int, FileMetrics]] = {}
    for rust_path, rust_text in rust_files:
        _add(rust, rust_group(rust_path, module_map), rust_metrics(rust_text))
    python: dict[str, tuple[int, FileMetrics]] = {}
    for path in sorted(package_root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        _add(python, python_group(package_root, path), python_metrics(text, str(path)))
    tests: dict[str, int] = defaultdict(int)
    if tests_root is not None and tests_root.is_dir():
        for path in sorted(tests_root.rglob("test*.py")):
            text = path.read_text(encoding="utf-8", errors="replace")
            group = test_group(package_root.name, tests_root, path)
            tests[group] += python_metrics(text, str(path)).tests
    return CodeMeasure(rust, python, dict(tests))


def _frame(m: CodeMeasure) -> pd.DataFrame:
    groups = sorted(
        set(m.rust) | set(m.python) | set(m.python_tests), key=lambda g: (g == NOT_PORTED, g)
    )
    rows = []
    for g in groups:
        rf, r = m.rust.get(g, (0, ZERO))
        pf, p = m.python.get(g, (0, ZERO))
        rows.append(
            {
                "module": g,
                "rust_files": rf,
                "rust_loc": r.code_lines,
                "rust_tests": r.tests,
                "rust_api": r.public_api,
                "rust_struct_enum": r.types,
                "rust_fn": r.functions,
                "python_files": pf,
                "python_loc": p.code_lines,
                "python_tests": m.python_tests.get(g, 0),
                "python_api": p.public_api,
                "python_classes": p.types,
                "python_functions": p.functions,
                "python_async": p.async_functions,
            }
        )
    return pd.DataFrame(rows)


def _with_total(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    total = {c: df[c].sum() for c in columns}
    return pd.concat([df, pd.DataFrame([{"module": "total", **total}])], ignore_index=True)


def _per(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.Series:
    return (numerator * scale / denominator.where(denominator > 0)).round(1)


def _module_chart(df: pd.DataFrame, columns: list[str], title: str, label: str) -> Chart:
    data = df[df["module"] != "total"].set_index("module")[columns]
    return Chart(data[(data > 0).any(axis=1)], title, label, kind="barh")


def code_sections(m: CodeMeasure, rust_note: str) -> list[Section]:
    """Tables IV, V and VIII from one measurement."""
    df = _frame(m)
    if df.empty:
        return [
            no_data("IV", "Lines of code by module, Rust vs Python", "no source files found"),
            no_data("V", "Tests by module", "no source files found"),
            no_data("VIII", "API surface by module", "no source files found"),
        ]
    loc = _with_total(
        df[["module", "rust_files", "rust_loc", "python_files", "python_loc"]],
        ["rust_files", "rust_loc", "python_files", "python_loc"],
    )
    loc["python/rust"] = _ratio(loc["python_loc"], loc["rust_loc"])
    loc["rust/python"] = _ratio(loc["rust_loc"], loc["python_loc"]).round(1)
    loc["rust_loc_per_file"] = _per(loc["rust_loc"], loc["rust_files"])
    loc["python_loc_per_file"] = _per(loc["python_loc"], loc["python_files"])
    tests = _with_total(
        df[["module", "rust_tests", "python_tests", "python_loc"]],
        ["rust_tests", "python_tests", "python_loc"],
    )
    tests["python/rust"] = _ratio(tests["python_tests"], tests["rust_tests"])
    tests["python_tests_per_kloc"] = _per(tests["python_tests"], tests["python_loc"], 1000.0)
    tests = tests.drop(columns=["python_loc"])
    api_columns = [
        "rust_api", "python_api", "rust_struct_enum", "rust_fn",
        "python_classes", "python_functions", "python_async",
    ]  # fmt: skip
    api = _with_total(df[["module", *api_columns]], api_columns)
    api.insert(3, "python/rust", _ratio(api["python_api"], api["rust_api"]))
    return [
        Section(
            "IV",
            "Lines of code by module, Rust vs Python",
            loc,
            f"Code lines (non-blank, non-comment; Python SLOC by radon); rust/python is the "
            f"reduction factor, *_loc_per_file the code density. {rust_note}",
            measures=frame_measures(loc, "module"),
            chart=_module_chart(
                loc, ["rust_loc", "python_loc"], "Table IV: code lines by module", "code lines"
            ),
        ),
        Section(
            "V",
            "Tests by module",
            tests,
            "Rust: #[test]/#[tokio::test] functions; Python: test functions in the port's tests, "
            "grouped by their directory under the tests root; python_tests_per_kloc uses the "
            "module's code lines from Table IV.",
            measures=frame_measures(tests, "module"),
            chart=_module_chart(
                tests,
                ["rust_tests", "python_tests"],
                "Table V: test functions by module",
                "test functions",
            ),
        ),
        Section(
            "VIII",
            "API surface by module",
            api,
            "rust_api/python_api: public items (Rust pub fn/struct/enum/trait/type/const/static, "
            "pub(crate) excluded; Python public top-level functions and classes). The paper's "
            "counts: every struct/enum and fn in Rust, every class, function and method (and the "
            "async ones) in Python.",
            measures=frame_measures(api, "module"),
            chart=_module_chart(
                api,
                ["rust_fn", "python_functions"],
                "Table VIII: functions and methods by module",
                "functions and methods",
            ),
        ),
    ]


def overview_section(
    m: CodeMeasure, crates: int | None, crates_note: str, python_tests: int
) -> Section:
    """Table I: the two codebases side by side (the abstract's headline figures)."""
    title = "Codebase overview: Rust original vs Python port"
    rust_total = FileMetrics(0, 0, 0)
    for _files, metrics in m.rust.values():
        rust_total = rust_total + metrics
    py_total = FileMetrics(0, 0, 0)
    for _files, metrics in m.python.values():
        py_total = py_total + metrics
    rust_files = sum(f for f, _ in m.rust.values())
    py_files = sum(f for f, _ in m.python.values())
    modules = len([g for g in m.python if "." in g])
    rows = [
        ("crates / top-level modules", crates, modules),
        ("files", rust_files, py_files),
        ("code lines", rust_total.code_lines, py_total.code_lines),
        ("test functions", rust_total.tests, python_tests),
        ("public API items", rust_total.public_api, py_total.public_api),
    ]
    table = pd.DataFrame(
        [
            {
                "measure": name,
                "Rust": rust,
                "Python": py,
                "Rust/Python": round(rust / py, 1) if rust and py else None,
            }
            for name, rust, py in rows
        ]
    )
    reasons = {} if crates is not None else {"crates / top-level modules": crates_note}
    chart = Chart(
        table.set_index("measure")[["Rust", "Python"]].fillna(0),
        "Table I: Rust original vs Python port",
        "count",
        kind="barh",
    )
    note = (
        f"Crates: {crates_note}. Top-level modules: subpackages and modules directly under the "
        "port package. Code lines and tests as in Tables IV and V."
    )
    return Section(
        "I",
        title,
        table,
        note,
        measures=frame_measures(table, "measure"),
        reasons=reasons,
        chart=chart,
    )


RANKS = ("A", "B", "C", "D", "E", "F")


def complexity_frame(package_root: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(package_root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        group = python_group(package_root, path)
        for block in python_complexity(path.read_text(encoding="utf-8", errors="replace")):
            rows.append(
                {
                    "module": group,
                    "file": str(path.relative_to(package_root)),
                    "name": block.name,
                    "complexity": block.complexity,
                    "rank": block.rank,
                }
            )
    return pd.DataFrame(rows, columns=["module", "file", "name", "complexity", "rank"])


def complexity_section(blocks: pd.DataFrame) -> Section:
    title = "Cyclomatic complexity distribution (Python, radon)"
    if blocks.empty:
        return no_data("CC", title, "no Python functions found in the port")
    counts = blocks["rank"].value_counts().reindex(list(RANKS), fill_value=0)
    table = pd.DataFrame(
        {
            "rank": list(RANKS),
            "blocks": counts.to_numpy(),
            "share": (counts / counts.sum()).round(3).to_numpy(),
        }
    )
    worst = blocks.sort_values("complexity", ascending=False).head(5)
    mean = float(blocks["complexity"].mean())
    note = (
        f"{len(blocks)} functions/methods/classes; mean {mean:.2f}, "
        f"median {blocks['complexity'].median():.0f}, max {blocks['complexity'].max()} "
        f"({', '.join(f'{r.file}:{r.name}={r.complexity}' for r in worst.itertuples())})."
    )
    measures = frame_measures(table, "rank")
    measures[("all", "blocks")] = float(len(blocks))
    measures[("all", "mean complexity")] = round(mean, 2)
    chart = Chart(
        table.set_index("rank")[["blocks"]],
        "Cyclomatic complexity: blocks per radon rank (A = 1-5 ... F = 41+)",
        "functions / methods / classes",
        kind="bar",
    )
    return Section("CC", title, table, note, measures=measures, chart=chart)
