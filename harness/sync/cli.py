"""The ``ferry sync`` command: one JSON summary on stdout, progress on stderr.

Exit status: 0 nothing to do or everything merged (or ready with ``--no-merge``),
1 an upstream commit failed to translate or validate (the reasons are in the summary),
2 bad configuration or input, 3 another sync is running, 4 a commit is held: it has
pending items in crates the port covers (the pin stops before it; the summary says which).
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.sync.errors import SyncBusy, SyncError


@click.command()
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="ferry.toml to use (default: the nearest one above the cwd).")  # fmt: skip
@click.option("--no-fetch", is_flag=True, help="Use the upstream checkout as it is (offline).")
@click.option("--backend", type=click.Choice(["mechanical", "llm", "replay", "agent"]), default=None,
              help="Override [sync].backend / [translate].backend.")  # fmt: skip
@click.option(
    "--gate", "gates", multiple=True, help="Run only these validation gates (repeatable)."
)
@click.option("--merge/--no-merge", default=None,
              help="Fast-forward the checked-out branch and move the pin when the run passes.")  # fmt: skip
@click.option("--max-commits", type=click.IntRange(min=0), default=None,
              help="Translate at most this many upstream commits in this run.")  # fmt: skip
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="Upstream commits per port commit (default: [sync].batch, 1).")  # fmt: skip
@click.option("--restart", is_flag=True, help="Discard an unfinished run and start again.")
@click.option("--allow-untested", is_flag=True, default=None,
              help="Merge translations no test or parity scenario exercises, flagged untested.")  # fmt: skip
@click.option("--accept-pending", metavar="REASON", default=None,
              help="Move the pin past pending items of covered crates; REASON is recorded in the "
                   "ledger beside each of them (they stay in the backlog).")  # fmt: skip
def sync(config_file: Path | None, no_fetch: bool, backend: str | None, gates: tuple[str, ...],
         merge: bool | None, max_commits: int | None, batch: int | None, restart: bool,
         allow_untested: bool | None, accept_pending: str | None) -> None:  # fmt: skip
    """Track, diff, plan, translate and validate upstream's new commits, then merge them."""
    from harness.sync.runner import EXIT_BUSY, EXIT_ERROR, SyncOptions, SyncRun

    if accept_pending is not None and not accept_pending.strip():
        raise click.BadParameter("give the reason to record", param_hint="--accept-pending")
    from upstream.config import find_config
    from upstream.errors import TrackError

    try:
        path = config_file if config_file is not None else find_config()
        run = SyncRun(
            SyncOptions(
                path,
                not no_fetch,
                backend,
                gates,
                merge,
                max_commits,
                restart,
                batch,
                allow_untested or None,
                accept_pending,
            )
        )
        with run.lock():
            summary = run.run()
    except SyncBusy as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_BUSY) from exc
    except (SyncError, TrackError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_ERROR) from exc
    click.echo(summary.model_dump_json(indent=2))
    for commit in summary.commits:
        line = f"{commit.sha[:12]} {commit.status:9} {commit.subject}"
        if commit.untested:
            line += f" [untested: {', '.join(commit.untested)}]"
        click.echo(line + (f" -- {commit.reason}" if commit.reason else ""), err=True)
    click.echo(f"sync: {summary.outcome} (exit {summary.exit_code})", err=True)
    for reason in summary.reasons:
        click.echo(f"  {reason}", err=True)
    raise SystemExit(summary.exit_code)
