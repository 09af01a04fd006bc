"""``ferry parity``: differential runs of pycodex against the pinned Rust codex."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click
from pycodex.testing.rust_oracle import DEFAULT_CODEX_VERSION, OracleUnavailable
from rich.console import Console

from harness.parity.allowlist import DEFAULT_ALLOWLIST, load_allowlist
from harness.parity.errors import ParityError
from harness.parity.oracle import DEFAULT_SCENARIOS, run_parity
from harness.parity.report import (
    ScenarioResult,
    markdown_summary,
    render_table,
    render_top_divergences,
)
from harness.parity.runner import Binary
from harness.parity.scenario import read_subset

#: exit statuses: 0 parity (up to the allow-list), 1 divergence, 2 bad input, 3 no oracle.
EXIT_DIVERGED = 1
EXIT_BAD_INPUT = 2
EXIT_ORACLE_UNAVAILABLE = 3


class _BadInput(click.ClickException):
    exit_code = EXIT_BAD_INPUT


class _OracleUnavailable(click.ClickException):
    exit_code = EXIT_ORACLE_UNAVAILABLE


@click.group()
def parity() -> None:
    """Compare `pycodex exec` with the real Rust `codex exec` on scripted scenarios."""


@parity.command("run")
@click.option(
    "--scenarios",
    "scenarios_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_SCENARIOS,
    show_default=True,
    help="Directory of scenario *.yaml files.",
)
@click.option(
    "--codex-version",
    default=DEFAULT_CODEX_VERSION,
    show_default=True,
    help="@openai/codex version used as the oracle.",
)
@click.option(
    "--only", multiple=True, metavar="NAME", help="Run only these scenarios (repeatable)."
)
@click.option(
    "--subset",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Run the scenarios listed in this file (one name a line, # comments), e.g. "
    "harness/parity/ci_subset.txt.",
)
@click.option(
    "--json-report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the full report (every difference) here.",
)
@click.option(
    "--pycodex",
    "pycodex_cmd",
    metavar="CMD",
    help="Command for the port, e.g. '.venv/bin/pycodex' (default: the venv's pycodex).",
)
@click.option(
    "--allowlist",
    "allowlist_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_ALLOWLIST,
    show_default=True,
    help="Declared divergences.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Scenarios run in parallel.",
)
@click.option(
    "--codex",
    "codex_cmd",
    metavar="CMD",
    help="Use this command as the oracle instead of the npm-installed codex (e.g. a local build).",
)
@click.option(
    "--timeout-cap",
    type=click.FloatRange(min=1),
    help="Upper bound in seconds for every scenario's timeout.",
)
@click.option(
    "--markdown",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the verdict table and ratios as Markdown here.",
)
@click.option(
    "--transcripts",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write raw stdout/stderr/requests/files of both sides per scenario here.",
)
@click.option(
    "--keep",
    is_flag=True,
    help="Keep the run directories (workspaces, CODEX_HOMEs) for inspection.",
)
def run(
    scenarios_dir: Path,
    codex_version: str,
    only: tuple[str, ...],
    subset: Path | None,
    json_report: Path | None,
    pycodex_cmd: str | None,
    allowlist_path: Path,
    workers: int,
    codex_cmd: str | None,
    timeout_cap: float | None,
    markdown: Path | None,
    transcripts: Path | None,
    keep: bool,
) -> None:
    """Run the scenarios; exit 1 on any divergence not declared in the allow-list.

    Exit 2 means a scenario or allow-list file is invalid, 3 that the Rust binary could
    not be installed (npm missing or unreachable).
    """
    # Piped output (CI logs, files) gets a wide fixed width so JSON pointers are not folded.
    console = Console() if sys.stdout.isatty() else Console(width=160)

    def progress(result: ScenarioResult) -> None:
        console.print(f"  {result.scenario}: {result.verdict.value}", highlight=False)

    try:
        report = run_parity(
            scenarios_dir,
            codex_version,
            only=(*only, *(read_subset(subset) if subset else ())),
            pycodex=shlex.split(pycodex_cmd) if pycodex_cmd else None,
            allowlist=load_allowlist(allowlist_path),
            workers=workers,
            keep_dirs=keep,
            transcripts=transcripts,
            timeout_cap_s=timeout_cap,
            expected=Binary("codex", tuple(shlex.split(codex_cmd))) if codex_cmd else None,
            on_result=progress,
        )
    except OracleUnavailable as exc:
        raise _OracleUnavailable(f"the Rust oracle is unavailable: {exc}") from exc
    except ParityError as exc:
        raise _BadInput(str(exc)) from exc
    render_table(report, console)
    render_top_divergences(report, console)
    if json_report is not None:
        report.write_json(json_report)
        console.print(f"report written to {json_report}")
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(markdown_summary(report), encoding="utf-8")
    if not report.ok:
        raise SystemExit(EXIT_DIVERGED)
