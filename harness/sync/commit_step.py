"""One upstream commit through Diff -> Plan -> Translate -> Validate -> port commit.

Every intermediate artifact is written to the commit's artifact directory as JSON (the
review page and ``ferry report`` read them back); the outcome is a ``CommitProgress``
value, a failed gate or translation included.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from ferry.fsutil import write_text_atomic
from harness.sync import gitops
from harness.sync.decisions import hold_reason, nothing_to_translate, plan_counts
from harness.sync.hooks import checkpoint
from harness.sync.state import CommitProgress
from harness.validate.config import ValidateConfig
from harness.validate.exercise import SymbolSpan, symbol_spans
from harness.validate.gates import GateContext
from harness.validate.isolation import prepare_gate_env
from harness.validate.verdict import Verdict, run_gates
from translator.backends.factory import make_backend
from translator.cache import AnswerCache
from translator.config import TranslateConfig
from translator.context import ContextBuilder
from translator.diff.engine import diff_range
from translator.errors import TranslateError
from translator.gates import CompileGate
from translator.jsonio import write_model
from translator.plan import Plan, build_plan
from translator.provenance import ProvenanceIndex
from translator.translate import RunResult, Translator


@dataclass(frozen=True)
class StepContext:
    """What every commit of a run shares."""

    run_id: str
    backend: str
    upstream_repo: Path  # the upstream checkout (git -C works on it)
    subtree: str
    translate: TranslateConfig  # target_root, state_dir, upstream_git_dir made absolute
    base_dir: Path  # the main project directory (replay recordings, cache live here)
    worktree: Path  # the port worktree (git toplevel)
    project_dir: Path  # the project directory inside the worktree (gates run here)
    validate: ValidateConfig
    artifacts_root: Path
    gate_env_root: Path | None = None  # gate environments (default: <project_dir>/.ferry)
    allow_untested: bool = False  # merge translations nothing exercises, flagged
    #: why the pin may move past pending items of covered crates (None: hold the commit)
    accept_pending: str | None = None

    @property
    def target_root(self) -> Path:
        return Path(self.translate.target_root)


def reindex(index: ProvenanceIndex, target_root: Path) -> int:
    """Fill the provenance index from the ``# ferry:`` markers of the target tree.

    The index is rebuilt per commit from the worktree itself, so a killed attempt that
    recorded provenance for a discarded translation leaves nothing behind.
    """
    count = 0
    for path in sorted(target_root.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "# ferry: " not in text:
            continue
        rel = path.relative_to(target_root).with_suffix("")
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        count += index.scan_module(".".join(parts), text)
    return count


def commit_message(
    progress: CommitProgress,
    plan: Plan,
    run: RunResult,
    backend: str,
    members: tuple[CommitProgress, ...] = (),
) -> str:
    """The port commit's message: what was translated from where, with provenance trailers.

    ``members`` are the earlier upstream commits of a batch ending at ``progress``.
    """
    if members:
        title = (
            f"ferry sync: {len(members) + 1} upstream commits "
            f"({members[0].sha[:12]}..{progress.sha[:12]})"
        )
    else:
        title = (
            f"ferry sync: {progress.subject or 'upstream commit'} (upstream {progress.sha[:12]})"
        )
    lines = [title, ""]
    lines += [f"- {c.sha[:12]} {c.subject}" for c in (*members, progress) if members]
    if members:
        lines.append("")
    lines += [
        f"Translated {sum(len(u.items) for u in plan.units)} Rust item(s) in "
        f"{len(plan.units)} unit(s) with the {backend} backend; "
        f"{run.input_tokens}+{run.output_tokens} tokens, ${run.cost_usd:.4f}.",
        "",
    ]
    for unit in plan.units:
        for item in unit.items:
            verb = "removed" if item.action == "remove" else item.status
            lines.append(
                f"Ferry-Provenance: {unit.python_module}.{item.python_symbol} <- "
                f"{item.qualified_path} ({verb})"
            )
    lines += [f"Ferry-Upstream: {c.sha}" for c in (*members, progress)]
    lines.append(f"Ferry-Backend: {backend}")
    lines += [f"Ferry-Untested: {symbol}" for symbol in progress.untested]
    return "\n".join(lines) + "\n"


def _failed(progress: CommitProgress, reason: str, **extra: object) -> CommitProgress:
    return progress.model_copy(update={"status": "failed", "reason": reason, **extra})


def gate_commands(ctx: StepContext) -> list[str]:
    """The commands an agent runs to check its work: the gates, in the worktree's gate env."""
    env = prepare_gate_env(
        ctx.project_dir,
        ctx.validate.source_roots,
        ctx.gate_env_root or ctx.project_dir / ".ferry" / "gate-env",
    )
    python = shlex.quote(str(env.python))
    out = []
    if "pytest" in ctx.validate.gates:
        out.append(
            " ".join([python, "-m", "pytest", *ctx.validate.pytest_args, *ctx.validate.tests])
        )
    if "mypy" in ctx.validate.gates:
        out.append(
            " ".join(
                [
                    python,
                    "-m",
                    "mypy",
                    *ctx.validate.mypy_args,
                    *(str(env.search[0] / p) for p in env.judged if (env.search[0] / p).is_dir()),
                ]
            )
        )
    return out


def changed_files(ctx: StepContext) -> list[str]:
    """Every file the translation changed in the worktree, relative to the project directory."""
    status = gitops.git(
        ctx.worktree, "status", "--porcelain", "--untracked-files=all", "--no-renames"
    )
    out: list[str] = []
    for line in status.splitlines():
        path = (ctx.worktree / line[3:].strip().strip('"')).resolve()
        if path.is_relative_to(ctx.project_dir.resolve()):
            out.append(str(path.relative_to(ctx.project_dir.resolve())))
    return out


def translated_spans(run: RunResult) -> list[SymbolSpan]:
    """The symbols a run merged (replaced or added), located in their modules."""
    spans: list[SymbolSpan] = []
    for unit in run.units:
        if unit.outcome != "merged":
            continue
        spans += symbol_spans(
            unit.python_module, Path(unit.target_path), [*unit.replaced, *unit.added]
        )
    return spans


def rejection(verdict: Verdict) -> tuple[str, str]:
    """(what rejected the candidate, why) for the commit's reason and the review page."""
    failing = verdict.failing()
    first = failing[0] if failing else None
    name = first.name if first is not None else "validate"
    detail = "; ".join(f"{g.name} gate failed: {g.summary()}" for g in failing)
    return name, f"validate: {detail}"


def _translate_and_validate(
    ctx: StepContext,
    translator: Translator,
    plan: Plan,
    art: Path,
    index: int,
    progress: CommitProgress,
) -> tuple[CommitProgress, RunResult] | CommitProgress:
    """Translate, then validate; a failed verdict goes back to the translator (bounded)."""
    feedback: str | None = None
    last: Verdict | None = None
    rounds = 0
    spent = (0, 0, 0.0)
    while True:
        rounds += 1
        if feedback is not None and not getattr(translator.backend, "works_in_tree", False):
            gitops.reset_worktree(
                ctx.worktree, gitops.current_branch(ctx.worktree), gitops.head(ctx.worktree)
            )
        try:
            run = translator.run(plan, feedback=feedback)
        except TranslateError as exc:
            return _failed(progress, f"translate: {exc}", rejected_by="translate", rounds=rounds)
        spent = (spent[0] + run.input_tokens, spent[1] + run.output_tokens, spent[2] + run.cost_usd)
        write_model(art / "translate.json", run)
        progress = progress.model_copy(
            update={
                "merged_units": sum(u.outcome == "merged" for u in run.units),
                "input_tokens": spent[0],
                "output_tokens": spent[1],
                "cost_usd": round(spent[2], 6),
                "rounds": rounds,
            }
        )
        checkpoint(f"after-translate:{index}")
        if not run.ok:
            failed = [u for u in run.units if u.outcome == "failed"]
            errors = "; ".join(f"{u.unit}: {u.error}" for u in failed)
            stage = next((u.stage for u in failed if u.stage), "")
            if last is not None:  # the repair round failed: the gates' verdict stands
                rejected_by, reason = rejection(last)
                return _failed(
                    progress, f"{reason} (repair round {rounds}: {errors})", rejected_by=rejected_by
                )
            return _failed(
                progress,
                f"translate: {errors}",
                rejected_by=f"translate:{stage}" if stage else "translate",
            )
        changed = changed_files(ctx)
        verdict = run_gates(
            GateContext(
                ctx.project_dir,
                ctx.validate,
                modules=[c for c in changed if c.endswith(".py")],
                changed=changed,
                env_root=ctx.gate_env_root,
                baseline_root=ctx.base_dir,
            ),
            symbols=translated_spans(run),
        )
        write_model(art / "verdict.json", verdict)
        progress = progress.model_copy(update={"gates": {g.name: g.passed for g in verdict.gates}})
        if verdict.passed:
            break
        rejected_by, reason = rejection(verdict)
        repairable = getattr(translator.backend, "accepts_feedback", False)
        if rejected_by == "isolation" or not repairable or rounds >= ctx.translate.max_attempts:
            return _failed(progress, reason, rejected_by=rejected_by)
        feedback, last = verdict.feedback(), verdict
    translator.commit_cache()
    if verdict.unexercised:
        untested = tuple(verdict.unexercised)
        if not ctx.allow_untested:
            return _failed(
                progress,
                f"untested: no test or parity scenario runs {', '.join(untested)}; add one, or "
                "rerun with --allow-untested to merge it flagged",
                rejected_by="untested",
                untested=untested,
            )
        progress = progress.model_copy(update={"untested": untested})
    return progress, run


def run_commit(
    ctx: StepContext,
    index: int,
    progress: CommitProgress,
    previous_upstream: str,
    members: tuple[CommitProgress, ...] = (),
) -> CommitProgress:
    """Translate and validate one upstream commit (or a batch ending at it: ``members`` are
    the batch's earlier commits, diffed together from ``previous_upstream``) on top of the
    worktree's current state."""
    art = ctx.artifacts_root / f"{index:03d}-{progress.sha[:12]}"
    if art.exists():
        shutil.rmtree(art)
    art.mkdir(parents=True)
    progress = progress.model_copy(update={"artifacts": str(art)})
    try:
        changeset = diff_range(ctx.upstream_repo, previous_upstream, progress.sha, ctx.subtree)
    except TranslateError as exc:
        return _failed(progress, f"diff: {exc}")
    write_model(art / "changeset.json", changeset)
    with ProvenanceIndex(art / "provenance.sqlite") as provenance:
        try:
            reindex(provenance, ctx.target_root)
            plan = build_plan(changeset, ctx.translate, provenance, target_root=ctx.target_root)
        except TranslateError as exc:
            return _failed(progress, f"plan: {exc}", rejected_by="plan")
        write_model(art / "plan.json", plan)
        progress = progress.model_copy(update=plan_counts(plan))
        held = hold_reason(plan, ctx.accept_pending)
        if held is not None:
            return progress.model_copy(update={"status": "held", "reason": held})
        if not plan.units:
            return progress.model_copy(
                update={"status": "skipped", "reason": nothing_to_translate(changeset, plan)}
            )
        files = [item.file for unit in plan.units for item in unit.items]
        try:
            backend = make_backend(
                ctx.backend, ctx.translate, ctx.base_dir, commit=progress.sha, files=files,
                workdir=ctx.project_dir, gate_commands=gate_commands(ctx) if ctx.backend == "agent" else (),
                run_id=f"{ctx.run_id}-{index:03d}",
            )  # fmt: skip
        except TranslateError as exc:
            return _failed(progress, f"backend: {exc}")
        state_dir = Path(ctx.translate.state_dir)
        translator = Translator(
            backend,
            ctx.translate,
            base_dir=ctx.base_dir,
            state_dir=state_dir,
            provenance=provenance,
            gates=[CompileGate()],
            cache=AnswerCache(state_dir / "cache"),
            run_id=f"{ctx.run_id}-{index:03d}",
            defer_cache=True,
            context=ContextBuilder(
                target_root=ctx.target_root,
                upstream_git_dir=Path(ctx.translate.upstream_git_dir),
                provenance=provenance,
                test_roots=[ctx.project_dir / t for t in ctx.validate.tests],
            ),
        )
        outcome = _translate_and_validate(ctx, translator, plan, art, index, progress)
    if isinstance(outcome, CommitProgress):
        return outcome
    progress, run = outcome
    before = gitops.head(ctx.worktree)
    target_spec = str(ctx.target_root.relative_to(ctx.worktree))
    port_commit = gitops.commit_all(
        ctx.worktree, [target_spec], commit_message(progress, plan, run, backend.name, members)
    )
    checkpoint(f"after-commit:{index}")
    if port_commit is None:
        return progress.model_copy(
            update={"status": "skipped", "reason": "translation left the port unchanged"}
        )
    write_text_atomic(
        art / "python.diff", gitops.diff_text(ctx.worktree, before, port_commit) + "\n"
    )
    return progress.model_copy(update={"status": "committed", "port_commit": port_commit})
