"""One upstream commit through Diff -> Plan -> Translate -> Validate -> port commit.

Every intermediate artifact is written to the commit's artifact directory as JSON (the
review page and ``ferry report`` read them back); the outcome is a ``CommitProgress``
value, a failed gate or translation included.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ferry.fsutil import write_text_atomic
from harness.errors import HarnessError
from harness.sync import gitops
from harness.sync.decisions import hold_reason, nothing_to_translate, plan_counts
from harness.sync.hooks import checkpoint
from harness.sync.state import CommitProgress
from harness.validate.config import ValidateConfig, plan_selection
from harness.validate.gates import GateContext
from harness.validate.verdict import run_gates
from translator.backends.factory import make_backend
from translator.cache import AnswerCache
from translator.config import TranslateConfig
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
    return "\n".join(lines) + "\n"


def _failed(progress: CommitProgress, reason: str, **extra: object) -> CommitProgress:
    return progress.model_copy(update={"status": "failed", "reason": reason, **extra})


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
            return _failed(progress, f"plan: {exc}")
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
                ctx.backend, ctx.translate, ctx.base_dir, commit=progress.sha, files=files
            )
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
        )
        try:
            run = translator.run(plan)
        except TranslateError as exc:
            return _failed(progress, f"translate: {exc}")
    write_model(art / "translate.json", run)
    progress = progress.model_copy(
        update={
            "merged_units": sum(u.outcome == "merged" for u in run.units),
            "input_tokens": run.input_tokens,
            "output_tokens": run.output_tokens,
            "cost_usd": run.cost_usd,
        }
    )
    checkpoint(f"after-translate:{index}")
    if not run.ok:
        errors = "; ".join(f"{u.unit}: {u.error}" for u in run.units if u.outcome == "failed")
        return _failed(progress, f"translate: {errors}")
    try:
        tests, modules = plan_selection(art / "plan.json", ctx.project_dir)
    except HarnessError as exc:
        return _failed(progress, f"validate: {exc}")
    verdict = run_gates(GateContext(ctx.project_dir, ctx.validate, tests, modules))
    write_model(art / "verdict.json", verdict)
    progress = progress.model_copy(update={"gates": {g.name: g.passed for g in verdict.gates}})
    if not verdict.passed:
        failing = [g for g in verdict.gates if not g.passed]
        detail = "; ".join(
            f"{g.name} gate failed: {(g.output.strip().splitlines() or ['(no output)'])[-1]}"
            for g in failing
        )
        return _failed(progress, f"validate: {detail}")
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
