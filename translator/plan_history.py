"""Plan a run of real upstream commits one by one: where does every changed item end up?

Used by ``ferry plan --history N`` (and its test) to show on real history that every changed
item of the crates the port covers lands on an existing counterpart, or is recorded pending
or declined with a reason, and that no plan would create a module.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ferry import __version__
from translator.config import TranslateConfig, config_snapshot
from translator.diff.engine import iter_commit_changesets
from translator.diff.gitdiff import run_git
from translator.plan import build_plan, existing_modules
from translator.provenance import ProvenanceIndex

HISTORY_FORMAT = "ferry.plan-history/1"


class CommitPlanSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    commit: str
    items: int
    on_counterpart: int  # unit items updating a linked Python symbol
    new_in_module: int  # unit items added beside linked siblings / where the globs point
    pending: dict[str, int] = Field(default_factory=dict)  # reason code -> items
    declined: dict[str, int] = Field(default_factory=dict)  # rule -> items
    blocking: int = 0
    covered_items: int = 0  # items of crates the port covers
    covered_on_counterpart: int = 0
    units: int = 0
    new_modules: int = 0


class PlanHistoryReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = HISTORY_FORMAT
    ferry_version: str = __version__
    config: dict[str, Any] = Field(default_factory=dict)
    upstream: str
    backend: str
    commits: tuple[CommitPlanSummary, ...] = ()

    def total(self, field: str) -> int:
        return sum(int(getattr(c, field)) for c in self.commits)

    def pending_by_code(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for c in self.commits:
            out.update(c.pending)
        return out

    def declined_by_rule(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for c in self.commits:
            out.update(c.declined)
        return out

    @property
    def undecided(self) -> int:
        """Items neither in a unit nor pending nor declined (must be 0)."""
        return sum(
            c.items
            - c.on_counterpart
            - c.new_in_module
            - sum(c.pending.values())
            - sum(c.declined.values())
            for c in self.commits
        )


def last_commits(repo: Path, count: int, subtree: str, rev: str = "HEAD") -> list[str]:
    """The newest ``count`` commits of ``rev`` touching ``subtree``, oldest first."""
    out = run_git(repo, "rev-list", f"--max-count={count}", rev, "--", subtree or ".")
    return list(reversed(out.split()))


def plan_history(
    repo: Path,
    commits: list[str],
    subtree: str,
    config: TranslateConfig,
    index: ProvenanceIndex,
    *,
    target_root: Path,
    backend: str,
) -> PlanHistoryReport:
    covered = index.crates() | set(config.covered_crates)
    modules = existing_modules(target_root)
    summaries: list[CommitPlanSummary] = []
    for changeset in iter_commit_changesets(repo, commits, subtree):
        plan = build_plan(changeset, config, index, target_root=target_root, backend=backend)
        unit_items = [(u, i) for u in plan.units for i in u.items]
        on_counterpart = [i for _u, i in unit_items if i.counterparts]
        covered_items = [i for i in changeset.items if i.qualified_path.split("::")[0] in covered]
        summaries.append(
            CommitPlanSummary(
                commit=changeset.head,
                items=len(changeset.items),
                on_counterpart=len(on_counterpart),
                new_in_module=len(unit_items) - len(on_counterpart),
                pending=dict(Counter(p.code for p in plan.pending)),
                declined=dict(Counter(d.rule for d in plan.declined)),
                blocking=len(plan.blocking()),
                covered_items=len(covered_items),
                covered_on_counterpart=sum(
                    1 for i in on_counterpart if i.qualified_path.split("::")[0] in covered
                ),
                units=len(plan.units),
                new_modules=sum(1 for u in plan.units if u.python_module not in modules),
            )
        )
    return PlanHistoryReport(
        config=config_snapshot(config),
        upstream=str(repo),
        backend=backend,
        commits=tuple(summaries),
    )
