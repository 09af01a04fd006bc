"""``ferry report``: regenerate every table from stored artifacts and the two source trees.

Each table is built independently; an input that is missing or unreadable yields a section
labelled "no data" with the reason, never a crash. The result is ``report.md``,
``report.html``, ``report.json`` (format-tagged, with the config) and PNG plots.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ferry import __version__
from ferry.fsutil import read_text
from reports import render
from reports.bench_tables import (
    h2h_section,
    load_runs,
    runs_section,
    runtime_section,
    usage_section,
)
from reports.code_tables import (
    RANKS,
    code_sections,
    complexity_frame,
    complexity_section,
    measure,
)
from reports.iterations import iterations_section
from reports.sections import Section, no_data
from reports.sources import SourceError, iter_rust
from reports.sync_tables import sync_runs_section
from translator.module_map import ModuleMap
from upstream.errors import TrackError
from upstream.lock import read_lock

REPORT_FORMAT = "ferry.report/1"


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

    @property
    def measured_rev(self) -> str | None:
        return self.rev or self.pin

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
        }


def _code(inputs: ReportInputs) -> tuple[list[Section], pd.DataFrame]:
    module_map = ModuleMap.from_config(inputs.module_map, inputs.overrides)
    rust_note = "Rust: no upstream given."
    rust: list[tuple[str, str]] = []
    if inputs.upstream is not None:
        try:
            rev = inputs.measured_rev
            rust = list(iter_rust(inputs.upstream, inputs.subtree, rev))
            where = rev or ("work tree" if (inputs.upstream / inputs.subtree).is_dir() else "HEAD")
            rust_note = f"Rust: {len(rust)} .rs files under {inputs.subtree}/ of {inputs.upstream} ({where})."
        except SourceError as exc:
            rust_note = f"Rust side missing: {exc}"
    if not inputs.package.is_dir():
        reason = f"the port package {inputs.package} does not exist"
        titles = [
            ("IV", "Lines of code by module, Rust vs Python"),
            ("V", "Tests by module"),
            ("VIII", "API surface by module"),
        ]
        sections = [no_data(k, t, reason) for k, t in titles]
        return [
            *sections,
            no_data("CC", "Cyclomatic complexity distribution (Python, radon)", reason),
        ], pd.DataFrame()
    tests = inputs.tests if inputs.tests.is_dir() else None
    sections = code_sections(measure(rust, module_map, inputs.package, tests), rust_note)
    if not rust:
        sections = [
            Section(
                s.key, s.title, s.table, s.note + " No Rust files were read, so Rust columns are 0."
            )
            for s in sections
        ]
    blocks = complexity_frame(inputs.package)
    return [*sections, complexity_section(blocks)], blocks


def _plots(
    sections: dict[str, Section], blocks: pd.DataFrame, samples: dict[str, list[float]], out: Path
) -> dict[str, tuple[Path, ...]]:
    plots: dict[str, tuple[Path, ...]] = {}
    loc = sections["IV"]
    if loc.has_data and loc.table is not None:
        df = loc.table[loc.table["module"] != "total"].set_index("module")[
            ["rust_loc", "python_loc"]
        ]

        def draw_loc(ax: Any) -> None:
            df.plot.barh(ax=ax)
            ax.set_xlabel("code lines")
            ax.set_title("Table IV: code lines by module")

        plots["IV"] = (
            render.save_figure(
                out / "table-iv-loc.png", draw_loc, (8, max(3.0, 0.35 * len(df) + 1))
            ),
        )
    if not blocks.empty:
        counts = blocks["rank"].value_counts().reindex(list(RANKS), fill_value=0)

        def draw_cc(ax: Any) -> None:
            counts.plot.bar(ax=ax, color="#4c72b0")
            ax.set_xlabel("radon rank (A = complexity 1-5 ... F = 41+)")
            ax.set_ylabel("functions / methods / classes")
            ax.set_title("Cyclomatic complexity distribution")

        plots["CC"] = (render.save_figure(out / "complexity.png", draw_cc),)
    runs = sections["XI"]
    if runs.has_data and runs.table is not None:
        acc = runs.table.set_index("run")["accuracy"]

        def draw_acc(ax: Any) -> None:
            acc.plot.bar(ax=ax, color="#55a868")
            ax.set_ylim(0, 1)
            ax.set_ylabel("resolved share")
            ax.set_title("Table XI: resolution rate per run")

        plots["XI"] = (render.save_figure(out / "table-xi-accuracy.png", draw_acc),)
    if samples:

        def draw_rt(ax: Any) -> None:
            ax.boxplot(list(samples.values()))
            ax.set_xticks(range(1, len(samples) + 1), list(samples), rotation=20)
            ax.set_ylabel("agent seconds per task")
            ax.set_title("Table VI: runtime per task")

        plots["VI"] = (render.save_figure(out / "table-vi-runtime.png", draw_rt),)
    sync_runs = sections["SYNC"]
    if sync_runs.has_data and sync_runs.table is not None:
        it = sync_runs.table.set_index("run")[["committed", "skipped", "failed", "held"]]

        def draw_sync(ax: Any) -> None:
            it.plot.bar(ax=ax, stacked=True, color=["#55a868", "#8c8c8c", "#c44e52", "#dd8452"])
            ax.set_ylabel("upstream commits")
            ax.set_title("Sync runs: upstream commits by outcome")

        plots["SYNC"] = (render.save_figure(out / "sync-runs.png", draw_sync),)
    iterations = sections["II"]
    if iterations.has_data and iterations.table is not None:
        share = iterations.table.dropna(subset=["share"])

        def draw_it(ax: Any) -> None:
            for kind, group in share.groupby("kind"):
                ax.plot(group["iteration"], group["share"], marker="o", label=str(kind))
            ax.set_ylim(0, 1.05)
            ax.set_xlabel("iteration")
            ax.set_ylabel("passed / total")
            ax.set_title("Table II: iterations of the loop")
            ax.legend()

        plots["II"] = (render.save_figure(out / "table-ii-iterations.png", draw_it),)
    return plots


ORDER = ("II", "SYNC", "IV", "V", "VIII", "CC", "VI", "VII", "XI", "XII")


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    html: Path
    json: Path
    sections: tuple[Section, ...]


def build_report(inputs: ReportInputs) -> ReportFiles:
    out = inputs.output
    out.mkdir(parents=True, exist_ok=True)
    code, blocks = _code(inputs)
    runs, notes = load_runs(inputs.results)
    runtime, samples = runtime_section(runs)
    built = {
        s.key: s
        for s in [
            iterations_section(inputs.sync_state, inputs.verdicts, runs),
            sync_runs_section(inputs.sync_state),
            *code,
            runtime,
            usage_section(runs),
            runs_section(runs),
            h2h_section(runs),
        ]
    }
    if notes and "XI" in built:
        s = built["XI"]
        built["XI"] = Section(s.key, s.title, s.table, (s.note + " " + " ".join(notes)).strip())
    for key, paths in _plots(built, blocks, samples, out).items():
        s = built[key]
        built[key] = Section(s.key, s.title, s.table, s.note, paths)
    sections = tuple(built[k] for k in ORDER)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    meta = [
        f"generated {created} by ferry {__version__}",
        f"port: {inputs.package}",
        f"upstream: {inputs.upstream or 'not given'} ({inputs.measured_rev or 'work tree or HEAD'})",
        f"bench results: {', '.join(map(str, inputs.results)) or 'none'}",
    ]
    title = "ferry report: Rust upstream vs Python port"
    md = render.write_text(out / "report.md", render.markdown(title, meta, sections, out))
    page = render.write_text(out / "report.html", render.html(title, meta, sections, out))
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
            }
            for s in sections
        ],
    }
    data = render.write_text(out / "report.json", json.dumps(record, indent=2))
    return ReportFiles(md, page, data, sections)


def inputs_from_config(
    config_file: Path | None,
    *,
    upstream: Path | None = None,
    rev: str | None = None,
    results: tuple[Path, ...] = (),
    verdicts: tuple[Path, ...] = (),
    output: Path | None = None,
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
    )
