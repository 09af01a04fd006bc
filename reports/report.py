"""``ferry report``: the paper's Tables I-XIII regenerated from stored artifacts, fresh
measurements and the two source trees, optionally beside the paper's published figures.

Each table is built independently; an input that is missing or unreadable yields a section
labelled "no data" with the reason (and a row without a number says why), never a crash.
The result is ``report.md``, ``report.html``, ``report.json`` (format-tagged, with the
config, every skipped input and the comparison) and one PNG chart per table with numbers.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from ferry import __version__
from ferry.fsutil import read_text
from reports import render
from reports.bench_tables import (
    Pair,
    head_to_head_section,
    iterations_section,
    load_runs,
    runs_section,
)
from reports.code_tables import (
    CodeMeasure,
    code_sections,
    complexity_frame,
    complexity_section,
    measure,
    overview_section,
)
from reports.compare import compare, for_table
from reports.effort import EffortInputs, effort_section
from reports.enhancements import enhancements_section
from reports.idioms import idioms_section
from reports.iterations import loop_section
from reports.measured import measured_section
from reports.paper import Paper, load_paper
from reports.sections import Section, Skipped, no_data
from reports.sources import SourceError, count_crates, git_dir_of, iter_rust
from reports.sync_tables import sync_runs_section
from translator.module_map import ModuleMap
from upstream.errors import TrackError
from upstream.lock import read_lock

REPORT_FORMAT = "ferry.report/2"
PAPER_ORDER = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")
ORDER = (*PAPER_ORDER, "CC", "LOOP", "SYNC", "RUNS")


@dataclass(frozen=True)
class ReportInputs:
    """Resolved inputs (absolute paths), recorded in ``report.json``."""

    upstream: Path | None
    rev: str | None  # explicit --rev / [report].rev
    pin: str | None  # the pin, measured when no rev is given
    subtree: str
    package: Path
    tests: Path
    results: tuple[Path, ...]
    sync_state: Path
    output: Path
    verdicts: tuple[Path, ...] = ()
    module_map: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    project: Path = field(default_factory=Path.cwd)
    ledger: Path | None = None
    measurements: Path | None = None
    pair: Pair = field(default_factory=Pair)
    against_paper: bool = False
    paper: Path | None = None  # the figures file (default: the packaged one)

    @property
    def measured_rev(self) -> str | None:
        return self.rev or self.pin

    @property
    def measurement_dir(self) -> Path:
        return self.measurements or self.project / ".ferry" / "bench"

    def snapshot(self) -> dict[str, Any]:
        return {
            "upstream": str(self.upstream) if self.upstream else None,
            "rev": self.measured_rev,
            "subtree": self.subtree,
            "package": str(self.package),
            "tests": str(self.tests),
            "results": [str(p) for p in self.results],
            "sync_state": str(self.sync_state),
            "verdicts": [str(p) for p in self.verdicts],
            "module_map": self.module_map,
            "overrides": self.overrides,
            "project": str(self.project),
            "ledger": str(self.ledger) if self.ledger else None,
            "measurements": str(self.measurement_dir),
            "pair": [self.pair.a, self.pair.b],
            "against_paper": self.against_paper,
            "paper": str(self.paper) if self.paper else None,
        }


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _code(inputs: ReportInputs) -> tuple[list[Section], pd.DataFrame]:
    module_map = ModuleMap.from_config(inputs.module_map, inputs.overrides)
    rust_note = "Rust: no upstream given."
    rust: list[tuple[str, str]] = []
    crates: int | None = None
    crates_note = "no upstream given (pass --upstream)"
    if inputs.upstream is not None:
        try:
            rev = inputs.measured_rev
            rust = list(iter_rust(inputs.upstream, inputs.subtree, rev))
            where = rev or ("work tree" if (inputs.upstream / inputs.subtree).is_dir() else "HEAD")
            rust_note = f"Rust: {len(rust)} .rs files under {inputs.subtree}/ of {inputs.upstream} ({where})."
            crates = count_crates(inputs.upstream, inputs.subtree, rev)
            crates_note = f"Cargo.toml files with a [package] under {inputs.subtree}/ ({where})"
        except SourceError as exc:
            rust_note = f"Rust side missing: {exc}"
            crates_note = str(exc)
    titles = [
        ("I", "Codebase overview: Rust original vs Python port"),
        ("III", "Rust-to-Python idiom mapping"),
        ("IV", "Lines of code by module, Rust vs Python"),
        ("V", "Tests by module"),
        ("VIII", "API surface by module"),
        ("CC", "Cyclomatic complexity distribution (Python, radon)"),
    ]
    if not inputs.package.is_dir():
        reason = f"the port package {inputs.package} does not exist"
        return [no_data(k, t, reason) for k, t in titles], pd.DataFrame()
    tests = inputs.tests if inputs.tests.is_dir() else None
    measured: CodeMeasure = measure(rust, module_map, inputs.package, tests)
    sections = code_sections(measured, rust_note)
    if not rust:
        sections = [
            Section(
                s.key,
                s.title,
                s.table,
                s.note + " No Rust files were read, so Rust columns are 0.",
                measures=s.measures,
                chart=s.chart,
            )
            for s in sections
        ]
    python_tests = sum(measured.python_tests.values())
    overview = overview_section(measured, crates, crates_note, python_tests)
    idioms = idioms_section(rust or None, crates, inputs.package)
    blocks = complexity_frame(inputs.package)
    return [overview, idioms, *sections, complexity_section(blocks)], blocks


def _effort(inputs: ReportInputs) -> Section:
    upstream_git = git_dir_of(inputs.upstream) if inputs.upstream is not None else None
    return effort_section(
        EffortInputs(
            project=inputs.project,
            port=_rel(inputs.package.parent, inputs.project),
            port_package=_rel(inputs.package, inputs.project),
            tests=(_rel(inputs.tests, inputs.project), "tests"),
            ledger=inputs.ledger or inputs.project / ".ferry" / "ledger.sqlite",
            sync_state=inputs.sync_state,
            upstream_git=upstream_git,
            upstream_rev=inputs.measured_rev,
            subtree=inputs.subtree,
        )
    )


#: Table VII's chart is in milliseconds under other column names; its figures are in us.
_MARKER_COLUMNS = {"VII": {"pycodex in-process (us)": ("pycodex in-process", 0.001)}}


def _with_references(section: Section, paper: Paper) -> Section:
    """The paper's comparable figures of this table as markers on its chart."""
    chart = section.chart
    if chart is None:
        return section
    mapping = _MARKER_COLUMNS.get(section.key, {})
    rows = {str(i) for i in chart.data.index}
    refs: dict[str, dict[str, float]] = {}
    for figure in paper.figures(section.key):
        column, scale = mapping.get(figure.column, (figure.column, 1.0))
        ref = figure.reference
        if (
            figure.compare
            and ref is not None
            and column in chart.data.columns
            and figure.row in rows
        ):
            refs.setdefault(column, {})[figure.row] = ref * scale
    if not refs:
        return section
    return _replace(section, chart=replace(chart, reference=refs))


def _replace(section: Section, **changes: Any) -> Section:
    return replace(section, **changes)


def _plots(sections: dict[str, Section], out: Path) -> dict[str, Section]:
    done = {}
    for key, section in sections.items():
        chart = section.chart
        if chart is None or chart.data.empty or not section.has_data:
            done[key] = section
            continue
        name = f"table-{key.lower()}.png"
        path = render.save_figure(
            out / name, partial(render.draw_chart, chart), render.chart_size(chart)
        )
        done[key] = _replace(section, plots=(path,))
    return done


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    html: Path
    json: Path
    sections: tuple[Section, ...]
    comparison: pd.DataFrame | None
    skipped: tuple[Skipped, ...]


def build_report(inputs: ReportInputs) -> ReportFiles:
    out = inputs.output
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("table-*.png"):
        stale.unlink()
    code, _blocks = _code(inputs)
    runs, skipped = load_runs(inputs.results)
    loop, loop_skipped = loop_section(inputs.sync_state, inputs.verdicts, runs)
    sync_runs, sync_skipped = sync_runs_section(inputs.sync_state)
    skipped = [*skipped, *loop_skipped, *sync_skipped]
    built: dict[str, Section] = {
        s.key: s
        for s in [
            *code,
            iterations_section(runs, inputs.pair),
            measured_section("VI", inputs.measurement_dir),
            measured_section("VII", inputs.measurement_dir),
            _effort(inputs),
            measured_section("X", inputs.measurement_dir),
            head_to_head_section("XI", "tb", runs, inputs.pair),
            head_to_head_section("XII", "swe", runs, inputs.pair),
            enhancements_section(inputs.package),
            loop,
            sync_runs,
            runs_section(runs),
        ]
    }
    paper: Paper | None = None
    comparison: pd.DataFrame | None = None
    per_table: dict[str, pd.DataFrame] = {}
    if inputs.against_paper:
        paper = load_paper(inputs.paper)
        comparison = compare(paper, built)
        built = {k: _with_references(s, paper) for k, s in built.items()}
        per_table = {k: for_table(comparison, k) for k in built}
    built = _plots(built, out)
    sections = tuple(built[k] for k in ORDER)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    meta = [
        f"generated {created} by ferry {__version__}",
        f"port: {inputs.package}",
        f"upstream: {inputs.upstream or 'not given'} ({inputs.measured_rev or 'work tree or HEAD'})",
        f"pair compared in II, XI, XII: A = {inputs.pair.a}, B = {inputs.pair.b}",
        f"measurements (VI, VII, X): {inputs.measurement_dir}",
        f"bench results: {', '.join(map(str, inputs.results)) or 'none'}",
    ]
    if paper is not None and comparison is not None:
        measured = int(comparison["ours"].notna().sum())
        meta.append(
            f"against the paper: {paper.paper.id} ({measured} of {len(comparison)} published "
            "figures have a counterpart measured here)"
        )
    title = "ferry report: the paper's tables, Rust upstream vs Python port"
    extras = render.Extras(per_table, skipped, paper.paper.id if paper else "")
    md = render.write_text(out / "report.md", render.markdown(title, meta, sections, out, extras))
    page = render.write_text(out / "report.html", render.html(title, meta, sections, out, extras))
    record = {
        "format": REPORT_FORMAT,
        "ferry_version": __version__,
        "created_at": created,
        "config": inputs.snapshot(),
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "note": s.note,
                "plots": [p.name for p in s.plots],
                "rows": json.loads(s.table.to_json(orient="records"))
                if s.table is not None
                else None,
                "subtables": {
                    name: json.loads(sub.to_json(orient="records")) for name, sub in s.subtables
                },
                "reasons": dict(s.reasons),
            }
            for s in sections
        ],
        "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail} for s in skipped],
        "comparison": json.loads(comparison.to_json(orient="records"))
        if comparison is not None
        else None,
    }
    data = render.write_text(out / "report.json", json.dumps(record, indent=2))
    return ReportFiles(md, page, data, sections, comparison, tuple(skipped))


def inputs_from_config(
    config_file: Path | None,
    *,
    upstream: Path | None = None,
    rev: str | None = None,
    results: tuple[Path, ...] = (),
    verdicts: tuple[Path, ...] = (),
    output: Path | None = None,
    measurements: Path | None = None,
    pair: tuple[str, str] | None = None,
    against_paper: bool = False,
    paper: Path | None = None,
) -> ReportInputs:
    """Resolve the inputs from ``ferry.toml`` (all sections optional) and the options."""
    from reports.config import ReportConfigError, load_report_config

    report = load_report_config(config_file)
    root = config_file.resolve().parent if config_file is not None else Path.cwd()
    data: dict[str, Any] = {}
    if config_file is not None:  # load_report_config has read and parsed it already
        data = tomllib.loads(read_text(config_file))

    def resolve(value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else root / p

    up = data.get("upstream", {}) if isinstance(data.get("upstream"), dict) else {}
    tr = data.get("translate", {}) if isinstance(data.get("translate"), dict) else {}
    sy = data.get("sync", {}) if isinstance(data.get("sync"), dict) else {}
    upstream_path = upstream or (resolve(report.upstream) if report.upstream else None)
    if upstream_path is None and isinstance(up.get("checkout"), str):
        candidate = resolve(up["checkout"])
        upstream_path = candidate if candidate.exists() else None
    pin: str | None = None
    if not (rev or report.rev):  # the pin is measured only when no revision is given
        try:
            lock = read_lock(resolve(str(up.get("lock", "ferry.lock"))))
        except TrackError as exc:
            raise ReportConfigError(f"{exc} (or pass --rev to measure another revision)") from exc
        pin = lock.commit if lock is not None else None
    chosen = pair or tuple(report.pair)
    return ReportInputs(
        upstream=upstream_path,
        rev=rev or report.rev,
        pin=pin,
        subtree=str(up.get("subtree", "codex-rs")),
        package=resolve(report.package),
        tests=resolve(report.tests),
        results=results or tuple(resolve(r) for r in report.results),
        sync_state=resolve(str(sy.get("state_dir", ".ferry/sync"))),
        output=output or resolve(report.output),
        verdicts=verdicts or tuple(resolve(v) for v in report.verdicts),
        module_map=dict(tr.get("module_map", {})),
        overrides=dict(tr.get("overrides", {})),
        project=root,
        ledger=resolve(str(up.get("ledger", ".ferry/ledger.sqlite"))),
        measurements=measurements or resolve(report.measurements),
        pair=Pair(chosen[0], chosen[1]),
        against_paper=against_paper,
        paper=paper,
    )
