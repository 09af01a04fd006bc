"""``ferry track`` and ``ferry ledger``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ferry import __version__
from upstream.config import Project, load_project
from upstream.errors import TrackError
from upstream.ledger import STATUSES, Ledger
from upstream.lock import read_lock, write_lock
from upstream.repo import Upstream
from upstream.track import TrackReport, build_range, report

_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="ferry.toml to use (default: the nearest one above the working directory).",
)


def _project(config_file: Path | None) -> Project:
    try:
        return load_project(config_file)
    except TrackError as exc:
        raise click.ClickException(str(exc)) from exc


def run_track(project: Project, *, fetch: bool, pin: str | None) -> TrackReport:
    """Fetch, optionally re-pin, and report the new commits (recording them in the ledger)."""
    upstream = Upstream(project)
    if fetch:
        upstream.fetch()
    else:
        upstream.repo(clone=False)
    if pin is not None:
        write_lock(
            project.lock_file, upstream.config.url, upstream.config.branch, upstream.rev(pin)
        )
    lock = read_lock(project.lock_file)
    commit_range = build_range(upstream, lock, upstream.sync_target())
    result = report(commit_range)
    with Ledger(project.ledger_file) as ledger:
        recorded = ledger.record_new((c.sha, c.subject, c.authored) for c in commit_range.commits)
        counts = ledger.counts()
        backlog = ledger.backlog_by_crate()
    return result.model_copy(
        update={"newly_recorded": recorded, "ledger": counts, "backlog": backlog}
    )


def _backlog_table(backlog: dict[str, dict[str, int]]) -> Table:
    codes = sorted({code for counts in backlog.values() for code in counts} - {"blocking"})
    table = Table(title="backlog: pending items by crate (ferry ledger backlog --crate NAME)")
    for column in ("crate", "pending", "holding the pin", *codes):
        table.add_column(column, justify="left" if column == "crate" else "right")
    for crate, counts in sorted(backlog.items()):
        total = sum(n for code, n in counts.items() if code != "blocking")
        table.add_row(
            crate,
            str(total),
            str(counts.get("blocking", 0)),
            *(str(counts.get(code, 0)) for code in codes),
        )
    return table


def _print_report(result: TrackReport, console: Console) -> None:
    r = result.range
    base = r.base[:12] if r.base else "(no pin: whole history)"
    target = r.head[:12] + (
        f" (merge-base of {r.tag} and {r.branch})" if r.tag else f" ({r.branch})"
    )
    console.print(f"[bold]upstream[/bold] {r.url}  subtree [cyan]{r.subtree}[/cyan]")
    console.print(f"pin {base} -> target {target}")
    console.print(
        f"[bold]{len(r.commits)}[/bold] new commits touching {r.subtree}; "
        f"test-only {result.test_only_share:.0%}, doc-only {result.doc_only_share:.0%}; "
        f"{result.newly_recorded} newly recorded in the ledger"
    )
    if result.backlog:
        console.print(_backlog_table(result.backlog))
    if not result.crates:
        return
    table = Table(title="by crate")
    for column in ("crate", "commits", "files", "+lines", "-lines", "test-only", "doc-only"):
        table.add_column(column, justify="left" if column == "crate" else "right")
    for s in result.crates:
        table.add_row(
            s.crate,
            str(s.commits),
            str(s.files),
            str(s.insertions),
            str(s.deletions),
            f"{s.test_only_share:.0%}",
            f"{s.doc_only_share:.0%}",
        )
    console.print(table)


@click.command()
@_config_option
@click.option("--no-fetch", is_flag=True, help="Use the checkout as it is (offline).")
@click.option("--pin", metavar="REV", default=None, help="Pin REV in ferry.lock before reporting.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def track(config_file: Path | None, no_fetch: bool, pin: str | None, as_json: bool) -> None:
    """Fetch upstream and report the commits since the pin, grouped by crate."""
    project = _project(config_file)
    try:
        result = run_track(project, fetch=not no_fetch, pin=pin)
    except TrackError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        _print_report(result, Console())


@click.group()
def ledger() -> None:
    """Inspect and update the commit ledger (new / ported / skipped / failed)."""


@ledger.command("list")
@_config_option
@click.option("--status", type=click.Choice(STATUSES), default=None)
@click.option("--json", "as_json", is_flag=True)
def ledger_list(config_file: Path | None, status: str | None, as_json: bool) -> None:
    """List recorded commits."""
    project = _project(config_file)
    try:
        with Ledger(project.ledger_file) as book:
            entries = book.entries(status)
    except TrackError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([e.model_dump() for e in entries], indent=2))
        return
    table = Table()
    for column in ("sha", "status", "reason", "subject"):
        table.add_column(column)
    for e in entries:
        table.add_row(e.sha[:12], e.status, e.reason, e.subject)
    Console().print(table)


@ledger.command("mark")
@_config_option
@click.argument("sha")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--reason", default="", help="Why (shown in reports).")
def ledger_mark(config_file: Path | None, sha: str, status: str, reason: str) -> None:
    """Set the status of a recorded commit."""
    project = _project(config_file)
    try:
        with Ledger(project.ledger_file) as book:
            entry = book.mark(sha, status, reason)
    except TrackError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{entry.sha[:12]} {entry.status} {entry.reason}".rstrip())


@ledger.command("backlog")
@_config_option
@click.option("--crate", default=None, help="List the pending items of one crate.")
@click.option("--json", "as_json", is_flag=True)
def ledger_backlog(config_file: Path | None, crate: str | None, as_json: bool) -> None:
    """Pending items (no counterpart yet, new module, needs the llm backend, ...) by crate."""
    project = _project(config_file)
    try:
        with Ledger(project.ledger_file) as book:
            items = book.backlog(crate)
            by_crate = book.backlog_by_crate()
    except TrackError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(
            json.dumps(
                {
                    "format": "ferry.backlog/1",
                    "ferry_version": __version__,
                    "config": {"ledger": str(project.ledger_file), "crate": crate},
                    "by_crate": by_crate,
                    "items": [i.model_dump() for i in items],
                },
                indent=2,
            )
        )
        return
    console = Console()
    if crate is None:
        if not by_crate:
            console.print("backlog: empty (no pending items recorded)")
            return
        console.print(_backlog_table(by_crate))
        return
    click.echo(f"pending items of {crate}: {len(items)}")
    for item in items:
        pin = "holds the pin" if item.blocking and not item.deferred else ""
        if item.deferred:
            pin = f"pin moved past: {item.deferred}"
        click.echo(f"  {item.qualified_path}  [{item.code}]  {item.sha[:12]}  {pin}".rstrip())
        click.echo(f"      {item.reason}")


@ledger.command("counts")
@_config_option
@click.option("--json", "as_json", is_flag=True)
def ledger_counts(config_file: Path | None, as_json: bool) -> None:
    """How many commits are in each state."""
    project = _project(config_file)
    try:
        with Ledger(project.ledger_file) as book:
            counts = book.counts()
    except TrackError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo("  ".join(f"{k} {v}" for k, v in counts.items()))
