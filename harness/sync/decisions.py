"""The sync's item decisions: when a commit holds the pin, and what the ledger records.

A commit whose plan has pending items in crates the port covers is *held*: the pin stops
before it until the items are decided (linked, declined by a ``[[translate.decline]]`` rule,
ported) or the run is told to go on with ``--accept-pending REASON``, which the ledger
records beside each such item.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness.sync.errors import SyncError
from translator.changeset import ChangeSet
from translator.errors import InputError
from translator.jsonio import read_model
from translator.plan import PLAN_FORMAT, Plan
from upstream.ledger import ItemDecision


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "units": len(plan.units),
        "skipped_items": len(plan.declined),
        "pending_items": len(plan.pending),
        "blocking_items": len(plan.blocking()),
    }


def _codes(items: list[str]) -> str:
    return ", ".join(f"{n} {code}" for code, n in sorted(Counter(items).items()))


def hold_reason(plan: Plan, accept_pending: str | None) -> str | None:
    """Why the commit holds the pin (None: it may pass)."""
    blocking = plan.blocking()
    if not blocking or accept_pending:
        return None
    crates = sorted({p.crate for p in blocking})
    return (
        f"{len(blocking)} pending item(s) in covered crate(s) {', '.join(crates)} "
        f"({_codes([p.code for p in blocking])}); decide them (link, decline in ferry.toml, "
        "port) or run `ferry sync --accept-pending REASON`; see `ferry ledger backlog`"
    )


def nothing_to_translate(changeset: ChangeSet, plan: Plan) -> str:
    parts = [f"{len(plan.declined)} declined ({_codes([d.rule for d in plan.declined])})"]
    if plan.pending:
        parts.append(f"{len(plan.pending)} pending ({_codes([p.code for p in plan.pending])})")
    return f"nothing to translate ({len(changeset.items)} changed item(s): {'; '.join(parts)})"


def item_decisions(plan: Plan, *, ported: bool, accept_pending: str | None) -> list[ItemDecision]:
    """Ledger rows for every item of ``plan``; unit items count as ported once merged."""
    out: list[ItemDecision] = []
    if ported:
        for unit in plan.units:
            for item in unit.items:
                out.append(
                    ItemDecision(
                        qualified_path=item.qualified_path,
                        crate=item.qualified_path.split("::", 1)[0],
                        decision="ported",
                        file=item.file,
                        code="removed" if item.action == "remove" else item.status,
                        reason=f"{unit.python_module}.{item.python_symbol}",
                    )
                )
    for p in plan.pending:
        out.append(
            ItemDecision(
                qualified_path=p.qualified_path,
                crate=p.crate,
                decision="pending",
                file=p.file,
                code=p.code,
                reason=p.reason,
                blocking=p.blocking,
                deferred=(accept_pending or "") if p.blocking else "",
            )
        )
    for d in plan.declined:
        out.append(
            ItemDecision(
                qualified_path=d.qualified_path,
                crate=d.crate,
                decision="declined",
                file=d.file,
                code=d.rule,
                reason=d.reason,
            )
        )
    return out


def read_plan(artifacts: str | None) -> Plan | None:
    """The plan a commit step stored (None when the step stopped before planning)."""
    if artifacts is None:
        return None
    path = Path(artifacts) / "plan.json"
    if not path.is_file():
        return None
    try:
        return read_model(path, Plan, expected_format=PLAN_FORMAT)
    except InputError as exc:
        raise SyncError(f"cannot record the item decisions: {exc}") from exc
