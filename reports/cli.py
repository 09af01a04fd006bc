"""``ferry report`` (tables and plots from stored artifacts) and ``ferry review`` (a sync's page)."""

from __future__ import annotations

from pathlib import Path

import click


def _state_dir(config_file: Path | None) -> Path:
    """``[sync].state_dir`` of the project's ``ferry.toml`` (``.ferry/sync`` without one)."""
    from harness.sync.config import load_sync_config
    from translator.config import find_config

    path = config_file if config_file is not None else find_config()
    if path is None:
        return Path.cwd() / ".ferry" / "sync"
    state = Path(load_sync_config(path).state_dir).expanduser()
    return state if state.is_absolute() else path.resolve().parent / state


@click.command()
@click.argument(
    "summary", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="ferry.toml naming the sync state directory (default: the nearest one).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the page (default: review.html beside the run's summary.json).")  # fmt: skip
def review(summary: Path | None, config_file: Path | None, output: Path | None) -> None:
    """Write the static HTML review page of a sync run (default: the latest run)."""
    from harness.sync.errors import SyncError
    from reports.review_data import latest_summary, load_review
    from reports.review_page import write_review

    try:
        path = summary if summary is not None else latest_summary(_state_dir(config_file))
        data = load_review(path)
    except (FileNotFoundError, SyncError) as exc:
        raise click.ClickException(str(exc)) from exc
    target = output if output is not None else path.parent / "review.html"
    write_review(data, target)
    click.echo(str(target))


@click.command()
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="ferry.toml to read [report], [upstream], [translate] and [sync] from.")  # fmt: skip
@click.option("--upstream", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Upstream checkout or git directory for the Rust side (default: [report].upstream, "
                   "else [upstream].checkout).")  # fmt: skip
@click.option("--rev", default=None, help="Upstream revision to measure (default: the pin).")
@click.option("--results", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="ferry bench results.json file or a directory of them (repeatable).")  # fmt: skip
@click.option("--verdicts", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="ferry validate verdict JSON or a directory of verdict*.json (repeatable).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: [report].output, .ferry/report).")  # fmt: skip
def report(config_file: Path | None, upstream: Path | None, rev: str | None,
           results: tuple[Path, ...], verdicts: tuple[Path, ...], output: Path | None) -> None:  # fmt: skip
    """Regenerate the tables (II, IV-VIII, XI, XII, complexity, sync runs) as MD/HTML/PNG."""
    from reports.config import ReportConfigError
    from reports.report import build_report, inputs_from_config
    from translator.config import find_config

    path = config_file if config_file is not None else find_config()
    try:
        inputs = inputs_from_config(
            path, upstream=upstream, rev=rev, results=results, verdicts=verdicts, output=output
        )
        files = build_report(inputs)
    except ReportConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    for section in files.sections:
        state = "ok" if section.has_data else "no data"
        click.echo(f"table {section.key:5} {state:8} {section.title}", err=True)
    click.echo(str(files.markdown))
    click.echo(str(files.html))
    click.echo(str(files.json))
