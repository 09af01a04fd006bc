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
@click.option("--pair", nargs=2, default=None, metavar="A B",
              help="The two agents of Tables II, XI and XII: agent names, run ids or results.json "
                   "paths (default: [report].pair, pycodex codex).")  # fmt: skip
@click.option("--against-paper", is_flag=True,
              help="Print ours beside the paper's published figures (reports/paper/figures.toml) "
                   "with the ratio, in the terminal and in every table.")  # fmt: skip
@click.option("--paper", "paper_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Another figures file in the same format.")  # fmt: skip
@click.option("--measure/--no-measure", default=None,
              help="Measure Tables VI, VII and X afresh, pycodex beside the Rust binary "
                   "(default: with --against-paper; otherwise read what make bench stored).")  # fmt: skip
@click.option("--measurements", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where Tables VI, VII and X are stored (default: [report].measurements, .ferry/bench).")  # fmt: skip
@click.option("--runs", type=click.IntRange(2, 1000), default=20, show_default=True,
              help="Repetitions of each start-up measurement when measuring (fewer elsewhere).")  # fmt: skip
def report(config_file: Path | None, upstream: Path | None, rev: str | None,
           results: tuple[Path, ...], verdicts: tuple[Path, ...], output: Path | None,
           pair: tuple[str, str] | None, against_paper: bool, paper_file: Path | None,
           measure: bool | None, measurements: Path | None, runs: int) -> None:  # fmt: skip
    """Regenerate the paper's Tables I-XIII (plus complexity, loop, sync and bench runs) as MD/HTML/PNG."""
    from reports.compare import summary, text_table
    from reports.config import ReportConfigError
    from reports.measure.common import MeasureError
    from reports.paper import PaperError, load_paper
    from reports.report import build_report, inputs_from_config
    from translator.config import find_config

    path = config_file if config_file is not None else find_config()
    try:
        inputs = inputs_from_config(
            path, upstream=upstream, rev=rev, results=results, verdicts=verdicts, output=output,
            measurements=measurements, pair=pair, against_paper=against_paper, paper=paper_file,
        )  # fmt: skip
        if against_paper:
            load_paper(paper_file)  # a bad figures file stops here, before any measuring
        if measure if measure is not None else against_paper:
            measure_all(inputs.measurement_dir, runs)
        files = build_report(inputs)
    except (ReportConfigError, PaperError, MeasureError) as exc:
        raise click.ClickException(str(exc)) from exc
    for section in files.sections:
        state = "ok" if section.has_data else "no data"
        click.echo(f"table {section.key:5} {state:8} {section.title}", err=True)
    if files.skipped:
        from reports.render import skipped_summary

        counts = "; ".join(f"{n} {reason}" for reason, n in skipped_summary(files.skipped))
        click.echo(f"skipped inputs: {counts} (details in report.json)", err=True)
    if files.comparison is not None:
        click.echo(text_table(files.comparison))
        click.echo(summary(files.comparison))
    click.echo(str(files.markdown))
    click.echo(str(files.html))
    click.echo(str(files.json))


def measure_all(directory: Path, runs: int) -> None:
    """Tables VI, VII and X afresh into ``directory`` (progress on stderr)."""
    from reports.measure import agent_tasks, runtime, subsystems
    from reports.measure.common import find_binaries

    binaries = find_binaries()
    click.echo(f"measuring Table VI (start-up, memory, imports; {runs} runs) ...", err=True)
    runtime.run_and_store(
        binaries, directory / "table-vi.json", runs=runs, exec_runs=max(3, runs // 5)
    )
    click.echo("measuring Table VII (subsystem operations) ...", err=True)
    subsystems.run_and_store(
        binaries,
        directory / "table-vii.json",
        runs=max(3, runs // 2),
        calls=1000 * runs,
        slow_calls=max(3, runs),
    )
    click.echo("measuring Table X (eight agent tasks through both exec CLIs) ...", err=True)
    agent_tasks.run_and_store(binaries, directory / "table-x.json", runs=max(1, runs // 10))
