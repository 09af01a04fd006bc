"""Tables IV (LOC), V (tests), VIII (API surface) and the complexity distribution.

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

from reports.metrics import FileMetrics, python_complexity, python_metrics, rust_metrics
from reports.sections import Section, no_data
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
    files, total = acc.get(group, (0, FileMetrics(0, 0, 0)))
    acc[group] = (
        files + 1,
        FileMetrics(
            total.code_lines + m.code_lines, total.tests + m.tests, total.public_api + m.public_api
        ),
    )


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
        rf, r = m.rust.get(g, (0, FileMetrics(0, 0, 0)))
        pf, p = m.python.get(g, (0, FileMetrics(0, 0, 0)))
        rows.append(
            {
                "module": g,
                "rust_files": rf,
                "rust_loc": r.code_lines,
                "rust_tests": r.tests,
                "rust_api": r.public_api,
                "python_files": pf,
                "python_loc": p.code_lines,
                "python_tests": m.python_tests.get(g, 0),
                "python_api": p.public_api,
            }
        )
    return pd.DataFrame(rows)


def _with_total(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    total = {c: df[c].sum() for c in columns}
    return pd.concat([df, pd.DataFrame([{"module": "total", **total}])], ignore_index=True)


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
    tests = _with_total(
        df[["module", "rust_tests", "python_tests"]], ["rust_tests", "python_tests"]
    )
    tests["python/rust"] = _ratio(tests["python_tests"], tests["rust_tests"])
    api = _with_total(df[["module", "rust_api", "python_api"]], ["rust_api", "python_api"])
    api["python/rust"] = _ratio(api["python_api"], api["rust_api"])
    return [
        Section(
            "IV",
            "Lines of code by module, Rust vs Python",
            loc,
            f"Code lines (non-blank, non-comment; Python SLOC by radon). {rust_note}",
        ),
        Section(
            "V",
            "Tests by module",
            tests,
            "Rust: #[test]/#[tokio::test] functions; Python: test functions in the port's tests, "
            "grouped by their directory under the tests root.",
        ),
        Section(
            "VIII",
            "API surface by module",
            api,
            "Rust: pub fn/struct/enum/trait/type/const/static items (pub(crate) excluded); "
            "Python: public top-level functions and classes.",
        ),
    ]


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
    note = (
        f"{len(blocks)} functions/methods/classes; mean {blocks['complexity'].mean():.2f}, "
        f"median {blocks['complexity'].median():.0f}, max {blocks['complexity'].max()} "
        f"({', '.join(f'{r.file}:{r.name}={r.complexity}' for r in worst.itertuples())})."
    )
    return Section("CC", title, table, note)
