"""``ferry sync``: Track -> Diff -> Plan -> Translate -> Validate -> merge, resumably.

The port is changed only on a branch in its own git worktree; each upstream commit that
passes becomes one port commit there, and the checkpoint (``state.json``) is rewritten
after every step. When the run ends, the checked-out branch is fast-forwarded to the last
passing port commit and only then the pin (``ferry.lock``) moves to its upstream commit.
A run killed anywhere is continued by the next ``ferry sync``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.sync import gitops
from harness.sync.commit_step import StepContext, run_commit
from harness.sync.config import SyncConfig, load_sync_config
from harness.sync.decisions import item_decisions, read_plan
from harness.sync.errors import SyncConfigError, SyncError
from harness.sync.hooks import checkpoint
from harness.sync.runlock import RunLock
from harness.sync.state import (
    CommitProgress,
    Outcome,
    SyncState,
    SyncSummary,
    discard_state,
    read_state,
    write_state,
)
from harness.validate.config import load_validate_config
from translator.config import TranslateConfig, load_config
from translator.errors import TranslateError
from translator.jsonio import write_model
from upstream.cli import run_track
from upstream.config import Project, load_project
from upstream.errors import TrackError
from upstream.ledger import Ledger
from upstream.lock import read_lock, write_lock
from upstream.repo import Upstream

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_BUSY = 3
EXIT_HELD = 4


@dataclass(frozen=True)
class SyncOptions:
    config_file: Path
    fetch: bool = True
    backend: str | None = None
    gates: tuple[str, ...] = ()
    merge: bool | None = None
    max_commits: int | None = None
    restart: bool = False
    batch: int | None = None
    allow_untested: bool | None = None
    #: the recorded decision to move the pin past pending items of covered crates
    accept_pending: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SyncRun:
    """One invocation of ``ferry sync`` (call :meth:`run` while holding the run lock)."""

    def __init__(self, options: SyncOptions) -> None:
        self.options = options
        self.config_file = options.config_file.resolve()
        self.root = self.config_file.parent
        try:
            self.project: Project = load_project(self.config_file)
            self.translate, _ = load_config(self.config_file)
            self.sync: SyncConfig = load_sync_config(self.config_file)
            self.validate = load_validate_config(self.config_file)
        except (TrackError, TranslateError, HarnessError) as exc:
            raise SyncConfigError(str(exc)) from exc
        gates = list(options.gates) or self.sync.gates
        if gates is not None:
            try:
                self.validate = self.validate.model_validate(
                    {**self.validate.model_dump(), "gates": gates}
                )
            except ValueError as exc:
                raise SyncConfigError(f"{self.config_file}: [sync].gates: {exc}") from exc
        self.state_dir = self._path(self.sync.state_dir)
        self.state_file = self.state_dir / "state.json"
        self.repo = gitops.toplevel(self.root)
        self.worktree = self._path(self.sync.worktree)
        self.project_dir = self.worktree / self.root.relative_to(self.repo)

    def _path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.root / path

    # ------------------------------------------------------------------ entry
    def lock(self) -> RunLock:
        return RunLock(self.state_dir / "sync.lock")

    def run(self) -> SyncSummary:
        started = _now()
        if self.options.restart:  # never parse what is being discarded: it may be damaged
            gitops.remove_worktree(self.repo, self.worktree)
            discard_state(self.state_file)
        state = read_state(self.state_file)
        resumed = state is not None and state.phase != "done"
        if not resumed:
            new = self._start()
            if isinstance(new, SyncSummary):
                return new
            state = new
        assert state is not None
        state = self._translate_all(state)
        return self._finish(state, resumed=resumed, started=started)

    # ------------------------------------------------------------------ start
    def _start(self) -> SyncState | SyncSummary:
        report = run_track(self.project, fetch=self.options.fetch, pin=None)
        pin = read_lock(self.project.lock_file)
        if pin is None:
            raise SyncError(
                f"no pin in {self.project.lock_file}: pin the upstream commit the port matches "
                "with `ferry track --pin <commit>` before the first sync"
            )
        commits = list(report.range.commits)
        limit = self.options.max_commits
        if limit is None:
            limit = self.sync.max_commits
        if limit:
            commits = commits[:limit]
        main_branch = gitops.current_branch(self.repo)
        port = gitops.head(self.repo)
        backend = self.options.backend or self.sync.backend or self.translate.backend
        if not commits:
            return SyncSummary(
                run_id=None,
                outcome="nothing-to-do",
                exit_code=EXIT_OK,
                reasons=(
                    f"upstream has no new commits under {report.range.subtree} since the pin",
                ),
                backend=backend,
                branch=self.sync.branch,
                pin_before=pin.commit,
                pin_after=pin.commit,
                port_before=port,
                port_after=port,
                target=report.range.head,
                config=self._config_snapshot(backend),
                started_at=_now(),
                finished_at=_now(),
            )
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        merge = self.options.merge if self.options.merge is not None else self.sync.merge
        state = SyncState(
            run_id=run_id,
            backend=backend,
            branch=self.sync.branch,
            worktree=str(self.worktree),
            main_branch=main_branch,
            start_port_commit=port,
            port_head=port,
            base_pin=pin.commit,
            upstream_head=pin.commit,
            target=commits[-1].sha,
            commits=tuple(
                CommitProgress(sha=c.sha, subject=c.subject, author=c.author) for c in commits
            ),
            merge=merge,
            batch=self.options.batch or self.sync.batch,
            accept_pending=self.options.accept_pending,
            config=self._config_snapshot(backend),
            started_at=_now(),
        )
        write_state(self.state_file, state)
        checkpoint("after-start")
        return state

    def _config_snapshot(self, backend: str) -> dict[str, Any]:
        return {
            "config_file": str(self.config_file),
            "upstream": self.project.upstream.model_dump(mode="json"),
            "sync": self.sync.model_dump(mode="json"),
            "translate": self.translate.model_dump(mode="json"),
            "validate": self.validate.model_dump(mode="json"),
            "backend": backend,
        }

    # ------------------------------------------------------------------ translate
    def _step_context(self, state: SyncState) -> StepContext:
        upstream = Upstream(self.project)
        git_dir = upstream.git_dir
        translate: TranslateConfig = self.translate.model_copy(
            update={
                "target_root": str(self.project_dir / self.translate.target_root),
                "state_dir": str(self.translate.resolve(self.root, self.translate.state_dir)),
                "upstream_git_dir": str(git_dir),
                "backend": state.backend,
            }
        )
        return StepContext(
            run_id=state.run_id,
            backend=state.backend,
            upstream_repo=self.project.checkout,
            subtree=self.project.upstream.subtree,
            translate=translate,
            base_dir=self.root,
            worktree=self.worktree,
            project_dir=self.project_dir,
            validate=self.validate,
            artifacts_root=self.run_dir(state.run_id) / "commits",
            gate_env_root=self.state_dir / "gate-env",
            allow_untested=bool(
                self.options.allow_untested
                if self.options.allow_untested is not None
                else self.sync.allow_untested
            ),
            accept_pending=state.accept_pending,
        )

    def run_dir(self, run_id: str) -> Path:
        return self.state_dir / "runs" / run_id

    def _translate_all(self, state: SyncState) -> SyncState:
        if state.phase != "translating":
            return state
        gitops.ensure_worktree(self.repo, self.worktree, state.branch, state.port_head)
        checkpoint("after-worktree")
        ctx = self._step_context(state)
        pending = [i for i, c in enumerate(state.commits) if c.status == "pending"]
        while pending:
            group, pending = pending[: state.batch], pending[state.batch :]
            index = group[-1]
            members = tuple(state.commits[i] for i in group[:-1])
            gitops.reset_worktree(self.worktree, state.branch, state.port_head)
            done = run_commit(ctx, index, state.commits[index], state.upstream_head, members)
            update: dict[str, Any] = {}
            if done.status == "committed":
                update = {"port_commit": done.port_commit}
                state = state.model_copy(
                    update={"port_head": done.port_commit, "upstream_head": done.sha}
                )
            elif done.status == "skipped":
                state = state.model_copy(update={"upstream_head": done.sha})
            for i in group[:-1]:
                member = state.commits[i].model_copy(
                    update={
                        **update,
                        "status": done.status,
                        "reason": f"batched with {done.sha[:12]}"
                        + (f": {done.reason}" if done.reason else ""),
                        "batch_head": done.sha,
                        "artifacts": done.artifacts,
                    }
                )
                state = state.with_commit(i, member)
            state = state.with_commit(index, done)
            write_state(self.state_file, state)
            checkpoint(f"after-checkpoint:{index}")
            if done.status in ("failed", "held"):
                gitops.reset_worktree(self.worktree, state.branch, state.port_head)
                break
        state = state.model_copy(update={"phase": "merging"})
        write_state(self.state_file, state)
        checkpoint("before-merge")
        return state

    # ------------------------------------------------------------------ finish
    def _finish(self, state: SyncState, *, resumed: bool, started: str) -> SyncSummary:
        failed = [c for c in state.commits if c.status == "failed"]
        held = [c for c in state.commits if c.status == "held"]
        moved = state.upstream_head != state.base_pin
        if state.phase == "merging" and state.merge and moved:
            gitops.fast_forward(self.repo, state.port_head)
            checkpoint("after-merge")
            write_lock(
                self.project.lock_file,
                self.project.upstream.url,
                self.project.upstream.branch,
                state.upstream_head,
            )
            checkpoint("after-pin")
        if state.phase == "merging":
            self._mark_ledger(state)
            state = state.model_copy(update={"phase": "done"})
            write_state(self.state_file, state)
        pin = read_lock(self.project.lock_file)
        reasons = tuple(f"{c.sha[:12]} {c.subject}: {c.reason}" for c in (*failed, *held))
        outcome: Outcome
        if failed:
            outcome, code = "failed", EXIT_FAILED
        elif held:
            outcome, code = "held", EXIT_HELD
        elif state.merge:
            outcome, code = "merged", EXIT_OK
        else:
            outcome, code = "ready", EXIT_OK
            reasons = (
                f"not merged (--no-merge): review branch {state.branch} at {state.port_head[:12]}",
            )
        summary = SyncSummary(
            run_id=state.run_id,
            outcome=outcome,
            exit_code=code,
            reasons=reasons,
            backend=state.backend,
            branch=state.branch,
            pin_before=state.base_pin,
            pin_after=pin.commit if pin is not None else None,
            port_before=state.start_port_commit,
            port_after=gitops.head(self.repo),
            target=state.target,
            commits=state.commits,
            resumed=resumed,
            input_tokens=sum(c.input_tokens for c in state.commits),
            output_tokens=sum(c.output_tokens for c in state.commits),
            cost_usd=round(sum(c.cost_usd for c in state.commits), 6),
            config=state.config,
            started_at=state.started_at or started,
            finished_at=_now(),
            review=str(self.run_dir(state.run_id) / "review.html"),
        )
        summary_path = self.run_dir(state.run_id) / "summary.json"
        write_model(summary_path, summary)
        self._write_review(summary, summary_path)
        return summary

    @staticmethod
    def _write_review(summary: SyncSummary, summary_path: Path) -> None:
        """The run's review page beside its summary (``ferry review`` rewrites it on demand)."""
        from reports.review_data import ReviewData, load_commit
        from reports.review_page import write_review

        assert summary.review is not None
        data = ReviewData(summary, summary_path, [load_commit(c) for c in summary.commits])
        write_review(data, Path(summary.review))

    def _mark_ledger(self, state: SyncState) -> None:
        """Commit states, and every item decision: ported, pending (the backlog), declined.

        A held commit stays ``new`` (the pin did not pass it) but its pending items are
        recorded, so ``ferry ledger backlog`` shows what holds the pin.
        """
        with Ledger(self.project.ledger_file) as ledger:
            for c in state.commits:
                if ledger.get(c.sha) is None:
                    ledger.record_new([(c.sha, c.subject, "")])
                passed = state.merge and c.status in ("committed", "skipped")
                if (passed or c.status == "held") and c.batch_head is None:
                    plan = read_plan(c.artifacts)
                    if plan is not None:
                        ledger.record_items(
                            c.sha,
                            item_decisions(
                                plan,
                                ported=passed and c.status == "committed",
                                accept_pending=state.accept_pending,
                            ),
                        )
                deferred = (
                    f"; pin moved past {c.blocking_items} pending item(s): {state.accept_pending}"
                    if state.accept_pending and c.blocking_items
                    else ""
                )
                if c.status == "failed":
                    ledger.mark(c.sha, "failed", c.reason)
                elif not state.merge:
                    continue
                elif c.status == "committed":
                    ledger.mark(c.sha, "ported", f"port commit {c.port_commit}{deferred}")
                elif c.status == "skipped":
                    ledger.mark(c.sha, "skipped", c.reason + deferred)
