"""``ferry provenance``: check, coverage, suggest and index the port's provenance markers."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ferry import __version__
from translator.decisions import DeclineRules
from translator.errors import TranslateError
from translator.module_map import ModuleMap
from translator.port_scan import PortSymbol, scan_tree
from translator.provenance import Link, Marker, ProvenanceIndex
from translator.provenance_check import run_check
from translator.provenance_config import ProvenanceSettings, load_settings
from translator.provenance_coverage import (
    CoverageReport,
    CrateCoverage,
    crate_coverage,
    most_common_rev,
    package_coverage,
)
from translator.provenance_suggest import Suggester, suggest, write_markers
from translator.rust_inventory import is_git_repo, load_inventory

CHECK_FORMAT = "ferry.provenance-check/1"

_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="ferry.toml to read (default: the nearest one).",
)
_upstream_option = click.option(
    "--upstream",
    type=click.Path(path_type=Path),
    default=None,
    help="Upstream git directory (default: [provenance].upstream or [translate].upstream_git_dir).",
)


def _settings(config_path: Path | None, upstream: Path | None) -> ProvenanceSettings:
    try:
        return load_settings(config_path, upstream)
    except TranslateError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def provenance() -> None:
    """Provenance markers: which Rust item each public Python symbol renders."""


@provenance.command("check")
@_config_option
@_upstream_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--no-orphans", is_flag=True, help="Do not look for modules nothing imports.")
def check(config_path: Path | None, upstream: Path | None, as_json: bool, no_orphans: bool) -> None:
    """Fail on a public symbol without a link or port-only mark, a malformed or stray marker,
    a link to a Rust item missing at its revision, or an orphan module.

    Exit status: 0 clean, 1 problems found, 2 bad configuration.
    """
    settings = _settings(config_path, upstream)
    try:
        report = run_check(
            settings.target_root,
            settings.provenance.packages,
            settings.upstream,
            settings.subtree,
            settings.cache_dir,
            orphans=not no_orphans,
        )
    except TranslateError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(
            json.dumps(
                {
                    "format": CHECK_FORMAT,
                    "ferry_version": __version__,
                    "config": settings.config,
                    "ok": report.ok,
                    "modules": report.modules,
                    "public": report.public,
                    "linked": report.linked,
                    "port_only": report.port_only,
                    "links": report.links,
                    "links_verified": report.links_verified,
                    "upstream_note": report.upstream_note,
                    "problems": [
                        {
                            "path": str(p.path),
                            "line": p.line,
                            "code": p.code,
                            "symbol": p.symbol,
                            "message": p.message,
                        }
                        for p in report.problems
                    ],
                },
                indent=2,
            )
        )
    else:
        for p in report.problems:
            where = _relative(p.path, settings.base)
            click.echo(f"{where}:{p.line}: {p.code}: {p.message}")
        if report.upstream_note:
            click.echo(f"note: {report.upstream_note}", err=True)
        verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
        click.echo(
            f"provenance check: {verdict}; {report.public} public symbols in "
            f"{report.modules} modules: {report.linked} linked, {report.port_only} port-only; "
            f"{report.links} links, {report.links_verified} verified against upstream",
            err=True,
        )
    if not report.ok:
        raise SystemExit(1)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


@provenance.command("coverage")
@_config_option
@_upstream_option
@click.option("--rev", default=None, help="Upstream revision (default: the one most links name).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def coverage(
    config_path: Path | None, upstream: Path | None, rev: str | None, as_json: bool
) -> None:
    """Per covered crate: Rust items with a counterpart / declined / undecided;
    per package: public symbols linked / port-only / unmarked."""
    settings = _settings(config_path, upstream)
    try:
        scans = scan_tree(settings.target_root, settings.provenance.packages)
        rev = rev or most_common_rev(scans)
        crates: list[CrateCoverage] = []
        note: str | None = None
        dangling = 0
        if not is_git_repo(settings.upstream):
            note = f"upstream not available at {settings.upstream}: no per-crate figures"
        elif rev is None:
            note = "no links yet and no --rev: no per-crate figures"
        else:
            inventory = load_inventory(settings.upstream, rev, settings.subtree, settings.cache_dir)
            crates, dangling = crate_coverage(
                scans,
                inventory,
                DeclineRules.of(settings.translate.decline),
                set(settings.translate.covered_crates),
            )
    except TranslateError as exc:
        raise click.ClickException(str(exc)) from exc
    report = CoverageReport(
        config=settings.config,
        rev=rev,
        upstream_note=note,
        crates=tuple(crates),
        packages=tuple(package_coverage(scans)),
        dangling_links=dangling,
    )
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    console = Console()
    if report.crates:
        table = Table(title=f"Rust items of covered crates at {rev}")
        for column in ("crate", "items", "linked", "declined", "undecided", "linked %"):
            table.add_column(column, justify="left" if column == "crate" else "right")
        for c in report.crates:
            table.add_row(
                c.crate,
                str(c.items),
                str(c.linked),
                str(c.declined),
                str(c.undecided),
                f"{c.linked_share:.1%}",
            )
        console.print(table)
    if note:
        console.print(f"note: {note}")
    table = Table(title="port symbols by package")
    for column in ("package", "public", "linked", "port-only", "unmarked", "links"):
        table.add_column(column, justify="left" if column == "package" else "right")
    for p in report.packages:
        table.add_row(
            p.package, str(p.public), str(p.linked), str(p.port_only), str(p.unmarked), str(p.links)
        )
    total = [
        sum(getattr(p, f) for p in report.packages)
        for f in ("public", "linked", "port_only", "unmarked", "links")
    ]
    table.add_row("total", *(str(n) for n in total), style="bold")
    console.print(table)
    if dangling:
        console.print(f"{dangling} link(s) name nothing at {rev}: run `ferry provenance check`")


@provenance.command("suggest")
@_config_option
@_upstream_option
@click.option(
    "--rev",
    default=None,
    help="Upstream revision to link to (default: the one most links name, else HEAD).",
)
@click.option(
    "--module", "modules", multiple=True, help="Only these Python modules (prefixes; repeatable)."
)
@click.option(
    "--all", "include_marked", is_flag=True, help="Also symbols that already carry a marker."
)
@click.option(
    "--min-score",
    default=6.0,
    show_default=True,
    help="With --write: accept the best candidate from this score.",
)
@click.option("--write", is_flag=True, help="Insert the accepted links above their symbols.")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions as JSON.")
def suggest_command(
    config_path: Path | None,
    upstream: Path | None,
    rev: str | None,
    modules: tuple[str, ...],
    include_marked: bool,
    min_score: float,
    write: bool,
    as_json: bool,
) -> None:
    """Candidate Rust counterparts for unmarked public symbols, from names, the module map,
    shared string literals and signatures; `--write` inserts the accepted ones."""  # fmt: skip
    settings = _settings(config_path, upstream)
    if not is_git_repo(settings.upstream):
        raise click.ClickException(
            f"upstream not available at {settings.upstream}: suggestions need the Rust source "
            "(give --upstream)"
        )
    try:
        scans = scan_tree(settings.target_root, settings.provenance.packages)
        rev = rev or most_common_rev(scans) or "HEAD"
        inventory = load_inventory(settings.upstream, rev, settings.subtree, settings.cache_dir)
        module_map = ModuleMap.from_config(
            settings.translate.module_map, settings.translate.overrides
        )
        suggester = Suggester(inventory, module_map, scans)
        chosen = [
            s
            for s in scans
            if not modules or any(s.module == m or s.module.startswith(m + ".") for m in modules)
        ]
        suggestions = suggest(suggester, chosen, include_marked=include_marked)
    except TranslateError as exc:
        raise click.ClickException(str(exc)) from exc
    short_rev = rev if len(rev) < 40 else rev[:9]
    if rev == "HEAD":
        short_rev = inventory.rev[:9]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "format": "ferry.provenance-suggest/1",
                    "ferry_version": __version__,
                    "config": settings.config,
                    "rev": inventory.rev,
                    "suggestions": [
                        {
                            "symbol": s.symbol.qualified,
                            "path": str(s.symbol.path),
                            "line": s.symbol.line,
                            "candidates": [
                                {
                                    "rust_path": c.rust_path,
                                    "kind": c.kind,
                                    "file": c.file,
                                    "line": c.line,
                                    "score": c.score,
                                    "evidence": list(c.evidence),
                                }
                                for c in s.candidates
                            ],
                        }
                        for s in suggestions
                    ],
                },
                indent=2,
            )
        )
    else:
        for s in suggestions:
            click.echo(
                f"{_relative(s.symbol.path, settings.base)}:{s.symbol.line}: {s.symbol.qualified}"
            )
            if not s.candidates:
                click.echo("    (no candidate: port-only?)")
            for c in s.candidates:
                click.echo(
                    f"    {c.score:5.2f}  {c.rust_path}  ({c.file}:{c.line}; {'; '.join(c.evidence)})"
                )
    if write:
        accepted: list[tuple[PortSymbol, Marker]] = [
            (s.symbol, Link(s.candidates[0].rust_path, short_rev))
            for s in suggestions
            if s.candidates and s.candidates[0].score >= min_score and not s.symbol.markers
        ]
        written = write_markers(accepted)
        click.echo(
            f"wrote {sum(written.values())} marker(s) into {len(written)} file(s); review them with git diff",
            err=True,
        )


@provenance.command("index")
@_config_option
def index(config_path: Path | None) -> None:
    """Rebuild the SQLite index (.ferry/provenance.sqlite) from the markers."""
    settings = _settings(config_path, None)
    try:
        with ProvenanceIndex(settings.index_path) as idx:
            count = idx.rebuild(settings.target_root, settings.provenance.packages)
    except TranslateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{count} link(s) indexed into {settings.index_path}")
