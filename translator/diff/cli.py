"""``ferry diff``: the item-level ChangeSet of an upstream range."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from translator.changeset import ChangeSet
from translator.diff.engine import diff_range, parse_range
from translator.diff.errors import DiffError
from translator.diff.store import default_cache_dir


def _defaults(
    config_file: Path | None, need_range: bool
) -> tuple[Path | None, str | None, str | None]:
    """(checkout, subtree, default range) from ferry.toml and ferry.lock, when present.

    Without any ferry.toml the caller needs ``--repo``; a ferry.toml, checkout or lock that
    is there but damaged is an error (never silently ignored).
    """
    from upstream.config import find_config, load_project
    from upstream.errors import ConfigError
    from upstream.lock import read_lock
    from upstream.repo import Upstream

    try:
        path = config_file if config_file is not None else find_config()
    except ConfigError:
        return None, None, None
    project = load_project(path)
    if not project.checkout.exists():
        return None, project.upstream.subtree, None
    upstream = Upstream(project)
    upstream.repo(clone=False)
    default_range = None
    if need_range:
        lock = read_lock(project.lock_file)
        if lock is not None:
            upstream.require_pin(lock.commit)
            default_range = f"{lock.commit}..{upstream.sync_target().commit}"
    return project.checkout, project.upstream.subtree, default_range


def _print(changeset: ChangeSet, console: Console) -> None:
    table = Table(title=f"{changeset.base[:12]}..{changeset.head[:12]}")
    for column in ("status", "kind", "item", "path", "file"):
        table.add_column(column)
    for item in changeset.items:
        if item.status == "shifted":
            continue
        table.add_row(item.status, item.change_kind, item.item_kind, item.qualified_path, item.file)
    console.print(table)
    kinds = Counter(f.file_kind for f in changeset.files)
    console.print("files: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    for f in changeset.files:
        if f.parse_error:
            console.print(f"[red]parse error[/red] {f.path}: {f.parse_error}")
    console.print(
        f"{len(changeset.commits)} commits, {len(changeset.items)} items, "
        f"{changeset.changed_lines()} changed .rs lines, "
        f"attribution coverage {changeset.coverage():.2%}"
    )


@click.command()
@click.argument("range_spec", metavar="[RANGE]", required=False)
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Upstream git repository (default: upstream.checkout from ferry.toml).",
)
@click.option(
    "--subtree", default=None, help="Limit to this directory (default: upstream.subtree)."
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the ChangeSet as JSON.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON here."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Do not use the on-disk Diff cache ($FERRY_DIFF_CACHE, default ~/.cache/ferry/diff).",
)
def diff(
    range_spec: str | None,
    repo: Path | None,
    subtree: str | None,
    config_file: Path | None,
    as_json: bool,
    output: Path | None,
    no_cache: bool,
) -> None:
    """Item-level diff of RANGE (A..B, A...B or one commit; default: pin..sync target)."""
    from ferry.fsutil import write_text_atomic
    from upstream.errors import TrackError

    try:
        if repo is not None and config_file is None:
            checkout, configured_subtree, default_range = None, None, None
        else:
            checkout, configured_subtree, default_range = _defaults(
                config_file, need_range=range_spec is None
            )
    except TrackError as exc:
        raise click.ClickException(str(exc)) from exc
    repo = repo or checkout
    if repo is None:
        raise click.ClickException(
            "no repository: pass --repo or set upstream.checkout in ferry.toml"
        )
    spec = range_spec or default_range
    if spec is None:
        raise click.ClickException(
            "no RANGE given and no pin in ferry.lock; pass a range such as A..B or a commit"
        )
    try:
        base, head = parse_range(repo, spec)
        changeset = diff_range(
            repo,
            base,
            head,
            subtree if subtree is not None else configured_subtree or "",
            cache_dir=None if no_cache else default_cache_dir(),
        )
    except DiffError as exc:
        raise click.ClickException(str(exc)) from exc
    text = changeset.model_dump_json(indent=2)
    if output is not None:
        write_text_atomic(output, text + "\n")
    if as_json:
        click.echo(text)
    elif output is None:
        _print(changeset, Console())
