"""``ferry plan`` and ``ferry translate``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from translator.changeset import CHANGESET_FORMAT, ChangeSet
from translator.config import load_config
from translator.errors import TranslateError
from translator.jsonio import read_model, write_model
from translator.plan import PLAN_FORMAT, Plan, build_plan, check_plan_targets
from translator.provenance import ProvenanceIndex

_console = Console(stderr=True)


def _fail(exc: TranslateError) -> None:
    raise click.ClickException(str(exc)) from exc


def _reindex(index: ProvenanceIndex, target_root: Path) -> int:
    return index.rebuild(target_root)


@click.command("plan")
@click.argument(
    "changeset_path",
    metavar="CHANGESET.json",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--history",
    type=click.IntRange(min=1),
    default=None,
    help="Instead of a ChangeSet: plan each of the newest N upstream commits and summarise "
    "where their items end up.",
)
@click.option(
    "--upstream",
    type=click.Path(path_type=Path),
    default=None,
    help="With --history: upstream git directory (default [translate].upstream_git_dir).",
)
@click.option("--rev", default="HEAD", show_default=True, help="With --history: newest commit.")
@click.option(
    "--subtree", default="codex-rs", show_default=True, help="With --history: ported subtree."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Plan JSON here (default: stdout).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="ferry.toml to read.",
)
@click.option(
    "--reindex/--no-reindex",
    default=True,
    show_default=True,
    help="Rebuild the provenance index from the target tree's markers first.",
)
@click.option(
    "--backend",
    type=click.Choice(["mechanical", "llm", "replay", "agent"]),
    help="The backend that will translate (default [translate].backend): items it cannot "
    "translate are pending.",
)
def plan(
    changeset_path: Path | None,
    history: int | None,
    upstream: Path | None,
    rev: str,
    subtree: str,
    output: Path | None,
    config_path: Path | None,
    reindex: bool,
    backend: str | None,
) -> None:
    """Turn a ChangeSet into ordered translation units (foundation -> core -> presentation).

    Every changed item ends in a unit, pending (with a reason) or declined (with a rule).
    """
    if history is not None:
        _plan_history(history, upstream, rev, subtree, output, config_path, backend)
        return
    if changeset_path is None:
        raise click.UsageError("give CHANGESET.json (from `ferry diff`) or --history N")
    try:
        config, base = load_config(config_path)
        changeset = read_model(changeset_path, ChangeSet, expected_format=CHANGESET_FORMAT)
        target_root = config.resolve(base, config.target_root)
        with ProvenanceIndex(config.resolve(base, config.state_dir) / "provenance.sqlite") as index:
            if reindex:
                _console.print(
                    f"provenance: {_reindex(index, target_root)} symbols indexed from {target_root}"
                )
            result = build_plan(changeset, config, index, target_root=target_root, backend=backend)
    except TranslateError as exc:
        _fail(exc)
        return
    if output is not None:
        write_model(output, result)
    else:
        click.echo(result.model_dump_json(indent=2))
    table = Table(title=f"plan {changeset.base[:12]}..{changeset.head[:12]}")
    for column in ("#", "layer", "module", "items", "in tok", "out tok", "est $"):
        table.add_column(column)
    for unit in result.units:
        table.add_row(
            str(unit.order),
            unit.layer,
            unit.python_module,
            str(len(unit.items)),
            str(unit.est_input_tokens),
            str(unit.est_output_tokens),
            f"{unit.est_cost_usd:.4f}",
        )
    _console.print(table)
    planned = sum(len(u.items) for u in result.units)
    _console.print(
        f"{len(result.units)} units ({planned} items), {len(result.pending)} pending "
        f"({len(result.blocking())} in covered crates), {len(result.declined)} declined; "
        f"estimated {result.est_input_tokens}+{result.est_output_tokens} tokens, ${result.est_cost_usd:.4f}"
    )
    for pending in result.pending:
        mark = "pending!" if pending.blocking else "pending "
        _console.print(
            f"  {mark} [{pending.code}] {pending.qualified_path}: {pending.reason}",
            markup=False,
            highlight=False,
        )
    rules: dict[str, int] = {}
    for declined in result.declined:
        rules[declined.rule] = rules.get(declined.rule, 0) + 1
    if rules:
        _console.print(
            "  declined: " + ", ".join(f"{n} {rule}" for rule, n in sorted(rules.items())),
            markup=False,
        )


def _plan_history(
    count: int,
    upstream: Path | None,
    rev: str,
    subtree: str,
    output: Path | None,
    config_path: Path | None,
    backend: str | None,
) -> None:
    from translator.plan_history import last_commits, plan_history

    try:
        config, base = load_config(config_path)
        repo = upstream or config.resolve(base, config.upstream_git_dir)
        target_root = config.resolve(base, config.target_root)
        commits = last_commits(repo, count, subtree, rev)
        with ProvenanceIndex(config.resolve(base, config.state_dir) / "provenance.sqlite") as index:
            index.rebuild(target_root)
            report = plan_history(
                repo,
                commits,
                subtree,
                config,
                index,
                target_root=target_root,
                backend=backend or config.backend,
            )
    except TranslateError as exc:
        _fail(exc)
        return
    except Exception as exc:  # git failures from the diff engine
        raise click.ClickException(f"cannot plan the history of {upstream}: {exc}") from exc
    if output is not None:
        write_model(output, report)
    table = Table(title=f"plans of the last {len(report.commits)} commits ({report.backend})")
    for column in (
        "commit",
        "items",
        "on counterpart",
        "new in module",
        "pending",
        "holding",
        "declined",
    ):
        table.add_column(column, justify="left" if column == "commit" else "right")
    for c in report.commits:
        table.add_row(
            c.commit[:10],
            str(c.items),
            str(c.on_counterpart),
            str(c.new_in_module),
            str(sum(c.pending.values())),
            str(c.blocking),
            str(sum(c.declined.values())),
        )
    _console.print(table)
    pending = ", ".join(f"{n} {k}" for k, n in sorted(report.pending_by_code().items()))
    declined = ", ".join(f"{n} {k}" for k, n in sorted(report.declined_by_rule().items()))
    click.echo(
        f"{report.total('items')} changed items in {report.total('units')} units: "
        f"{report.total('on_counterpart')} on an existing "
        f"counterpart, {report.total('new_in_module')} new in an existing module, "
        f"{sum(report.pending_by_code().values())} pending ({pending or 'none'}), "
        f"{sum(report.declined_by_rule().values())} declined ({declined or 'none'}); "
        f"covered crates: {report.total('covered_items')} items, "
        f"{report.total('covered_on_counterpart')} on a counterpart, "
        f"{report.total('blocking')} holding the pin; undecided {report.undecided}, "
        f"new modules {report.total('new_modules')}"
    )
    if report.undecided or report.total("new_modules"):
        raise SystemExit(1)


@click.command("translate")
@click.argument(
    "plan_path",
    metavar="PLAN.json",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--backend",
    type=click.Choice(["mechanical", "llm", "replay", "agent"]),
    help="Override [translate].backend.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="ferry.toml to read.",
)
@click.option("--unit", "units", multiple=True, help="Translate only these unit ids (repeatable).")
@click.option(
    "--gate",
    "gate_commands",
    multiple=True,
    help="Shell command run after each merge, {path} = the module (repeatable).",
)
@click.option(
    "--record/--no-record",
    default=None,
    help="replay backend: record answers from the llm backend.",
)
@click.option("--no-cache", is_flag=True, help="Ignore the answer cache.")
@click.option(
    "--check-schemas",
    "schema_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Instead of a plan: translate the protocol types mechanically and compare with these JSON Schemas.",
)
@click.option(
    "--commit", default="HEAD", show_default=True, help="Upstream commit for --check-schemas."
)
@click.option(
    "--write-module",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --check-schemas: write the generated module here.",
)
@click.option(
    "--min-ratio",
    default=0.95,
    show_default=True,
    help="With --check-schemas: fail below this match ratio.",
)
@click.option(
    "--protocol",
    type=click.Choice(["app-server"]),
    help="Instead of a plan: (re)generate pycodex's protocol package from the pinned upstream.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --protocol: the package directory (default: <target_root>/pycodex/app_server/protocol).",
)
@click.option(
    "--schema-bundle",
    type=click.Path(exists=True, path_type=Path),
    help="With --protocol: the binary's schema bundle (file or `generate-json-schema --experimental` output dir).",
)
@click.option(
    "--codex",
    "codex_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --protocol: ask this codex binary for its schemas (default: the pinned oracle).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="With --protocol: write nothing; exit 1 if regenerating would change a file.",
)
def translate(
    plan_path: Path | None,
    backend: str | None,
    config_path: Path | None,
    units: tuple[str, ...],
    gate_commands: tuple[str, ...],
    record: bool | None,
    no_cache: bool,
    schema_dir: Path | None,
    commit: str,
    write_module: Path | None,
    min_ratio: float,
    protocol: str | None,
    out_dir: Path | None,
    schema_bundle: Path | None,
    codex_path: Path | None,
    check_only: bool,
) -> None:
    """Translate a Plan's units with a backend and merge them into the target tree."""
    try:
        config, base = load_config(config_path)
        if protocol is not None:
            if backend not in (None, "mechanical"):
                raise click.UsageError("--protocol is generated by the mechanical backend only")
            _generate_protocol(
                config.resolve(base, config.upstream_git_dir),
                out_dir
                or config.resolve(base, config.target_root) / "pycodex" / "app_server" / "protocol",
                commit,
                schema_bundle,
                codex_path,
                check_only,
            )
            return
        if schema_dir is not None:
            _check_schemas(
                config.resolve(base, config.upstream_git_dir),
                schema_dir,
                commit,
                write_module,
                min_ratio,
            )
            return
        if plan_path is None:
            raise click.UsageError("give PLAN.json (from `ferry plan`) or --check-schemas DIR")
        _run_plan(
            plan_path,
            backend or config.backend,
            config_path,
            units,
            gate_commands,
            record,
            no_cache,
        )
    except TranslateError as exc:
        _fail(exc)


def _generate_protocol(
    git_dir: Path,
    out_dir: Path,
    commit: str,
    schema_bundle: Path | None,
    codex_path: Path | None,
    check_only: bool,
) -> None:
    from ferry.fsutil import write_text_atomic
    from translator.mechanical.protocol_gen import generate_app_server_protocol
    from translator.mechanical.schema_bundle import bundle_from_binary, load_bundle

    if schema_bundle is not None:
        bundle = load_bundle(schema_bundle)
    else:
        if codex_path is None:
            from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

            try:
                codex_path = codex_binary()
            except OracleUnavailable as exc:
                raise click.ClickException(
                    f"{exc}; pass --schema-bundle FILE or --codex PATH instead"
                ) from exc
        bundle = bundle_from_binary(codex_path)
    generated = generate_app_server_protocol(git_dir, bundle, commit=commit)
    overlay = generated.overlay
    _console.print(
        f"{len(overlay.from_rust)} types translated from Rust as they are, "
        f"{len(overlay.overlaid)} brought to {bundle.source}'s schema, "
        f"{len(overlay.schema_only)} only in its schema"
    )
    if overlay.unresolved:
        _console.print(f"unresolved: {', '.join(overlay.unresolved)}")
    stale: list[str] = []
    for name, text in generated.files.items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(str(path))
        if not check_only:
            write_text_atomic(path, text)
            path.chmod(0o644)  # package source, readable like the rest of the tree
    if check_only and stale:
        raise click.ClickException(
            f"regenerating changes {', '.join(stale)}; run "
            "`ferry translate --backend mechanical --protocol app-server` and commit the result"
        )
    click.echo(
        ("up to date: " if not stale else "wrote: ")
        + ", ".join(stale or [str(out_dir / n) for n in generated.files])
    )


def _check_schemas(
    git_dir: Path, schema_dir: Path, commit: str, write_module: Path | None, min_ratio: float
) -> None:
    from ferry.fsutil import write_text_atomic
    from translator.mechanical.schema_check import (
        compare_schemas,
        generate_for_schema_dir,
        load_module,
    )

    generated = generate_for_schema_dir(git_dir, schema_dir, commit=commit)
    if write_module is not None:
        write_text_atomic(write_module, generated.text)
    report = compare_schemas(load_module(generated.text), schema_dir, generated.python_names)
    for result in report.results:
        if not result.matched:
            _console.print(
                f"[red]mismatch[/red] {result.name}: {'; '.join(result.differences[:3])}"
            )
    if generated.unresolved:
        _console.print(f"Rust types mapped to Any: {', '.join(generated.unresolved)}")
    click.echo(f"schemas matched: {report.matched}/{report.total} = {report.ratio:.1%}")
    if report.ratio < min_ratio:
        raise click.ClickException(f"match ratio {report.ratio:.1%} is below {min_ratio:.0%}")


def _run_plan(
    plan_path: Path,
    backend_name: str,
    config_path: Path | None,
    units: tuple[str, ...],
    gate_commands: tuple[str, ...],
    record: bool | None,
    no_cache: bool,
) -> None:
    from translator.backends.factory import make_backend
    from translator.cache import AnswerCache
    from translator.context import ContextBuilder
    from translator.gates import CommandGate, CompileGate, Gate
    from translator.translate import Translator

    config, base = load_config(config_path)
    the_plan = read_model(plan_path, Plan, expected_format=PLAN_FORMAT)
    check_plan_targets(the_plan, config.resolve(base, config.target_root))
    files = [item.file for unit in the_plan.units for item in unit.items]
    backend = make_backend(
        backend_name, config, base, commit=the_plan.head, files=files, record=record
    )
    state_dir = config.resolve(base, config.state_dir)
    gates: list[Gate] = [CompileGate(), *(CommandGate(cmd, base) for cmd in gate_commands)]
    with ProvenanceIndex(state_dir / "provenance.sqlite") as index:
        translator = Translator(
            backend,
            config,
            base_dir=base,
            state_dir=state_dir,
            provenance=index,
            gates=gates,
            cache=None if no_cache else AnswerCache(state_dir / "cache"),
            context=ContextBuilder(
                target_root=config.resolve(base, config.target_root),
                upstream_git_dir=config.resolve(base, config.upstream_git_dir),
                provenance=index,
                test_roots=[config.resolve(base, config.target_root) / "tests"],
            ),
        )
        result = translator.run(the_plan, only=units)
    table = Table(title=f"translate ({backend.name}, {backend.model})")
    for column in ("unit", "outcome", "attempts", "cache", "in tok", "out tok", "$", "error"):
        table.add_column(column)
    for unit in result.units:
        table.add_row(
            unit.unit,
            unit.outcome,
            str(unit.attempts),
            str(unit.cache_hits),
            str(unit.input_tokens),
            str(unit.output_tokens),
            f"{unit.cost_usd:.4f}",
            unit.error[:80],
        )
    _console.print(table)
    click.echo(
        f"run {result.run_id}: {sum(u.outcome != 'failed' for u in result.units)}/{len(result.units)} units ok, "
        f"{result.calls} calls, {result.cache_hits} cache hits, {result.input_tokens}+{result.output_tokens} tokens, "
        f"${result.cost_usd:.4f} of ${result.budget_usd:.2f}; attempts in {translator.attempts_dir}"
    )
    if not result.ok:
        raise SystemExit(1)
