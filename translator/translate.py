"""The translation loop: prompt -> backend -> libcst check -> merge -> gates, with repair.

For each unit of a Plan, the backend is asked for candidate Python; a candidate that fails
the static check, the merge or a gate is sent back with the failure text, up to
``max_attempts`` times. Every attempt is stored as JSON; accepted answers go into a
content-addressed cache (an unchanged prompt costs no call) and into the provenance index.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import libcst as cst
from pydantic import BaseModel, ConfigDict, Field

from ferry import __version__
from ferry.fsutil import write_text_atomic
from translator.backends.base import (
    BackendAnswer,
    Message,
    ModelBackend,
    TranslationRequest,
    Usage,
)
from translator.backends.prompt import prompt_hash, render_prompt, repair_messages
from translator.cache import AnswerCache, cache_key
from translator.config import TranslateConfig, config_snapshot
from translator.context import ContextBuilder
from translator.cost import CostMeter
from translator.cst.check import check_candidate, rust_has_logic, signature_problems
from translator.cst.merge import SymbolChange, merge_candidate
from translator.cst.symbols import defined_names, outline, symbol_source
from translator.errors import BackendError, BudgetExceeded, MergeError
from translator.gates import Gate
from translator.jsonio import write_model
from translator.mechanical.module import provenance_marker
from translator.plan import Plan, PlannedItem, TranslationUnit
from translator.provenance import (
    Link,
    PortOnly,
    ProvenanceIndex,
    ProvenanceRecord,
    parse_marker,
    text_hash,
)

ATTEMPT_FORMAT = "ferry.attempt/1"
RUN_FORMAT = "ferry.translate-run/1"


class AttemptRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = ATTEMPT_FORMAT
    ferry_version: str = __version__
    run_id: str
    unit: str
    attempt: int
    backend: str
    model: str
    prompt_hash: str
    cached: bool = False
    messages: list[dict[str, str]] = Field(default_factory=list)
    candidate: str = ""
    notes: str = ""
    outcome: Literal["accepted", "rejected", "error"]
    stage: Literal["backend", "check", "merge", "gate", "done"]
    feedback: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    started_at: str
    duration_s: float


class UnitResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    unit: str
    python_module: str
    target_path: str
    outcome: Literal["merged", "failed", "unchanged"]
    attempts: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    replaced: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    error: str = ""
    #: where a failed unit stopped: backend, check, merge, gate, shadow, attempts
    stage: str = ""


class RunResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = RUN_FORMAT
    ferry_version: str = __version__
    run_id: str
    backend: str
    model: str
    base: str
    head: str
    config: dict[str, Any] = Field(default_factory=dict)
    units: tuple[UnitResult, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    budget_usd: float = 0.0
    calls: int = 0
    cache_hits: int = 0

    @property
    def ok(self) -> bool:
        return all(u.outcome != "failed" for u in self.units)


@dataclass
class _UnitShape:
    """What a unit's candidate must define and which symbols the merge touches."""

    expected: list[str] = field(default_factory=list)
    methods: dict[str, list[str]] = field(default_factory=dict)
    removals: list[str] = field(default_factory=list)
    by_symbol: dict[str, PlannedItem] = field(default_factory=dict)
    target_names: tuple[str, ...] = ()  # top-level names the target module defines now

    def new_owners(self) -> list[str]:
        """Classes whose methods changed but which the target does not define yet."""
        return [o for o in self.methods if o not in self.by_symbol and o not in self.target_names]


def _shape(unit: TranslationUnit) -> _UnitShape:
    shape = _UnitShape()
    for item in unit.items:
        symbol = item.python_symbol
        if item.action == "remove":
            shape.removals.extend(
                cp.python_symbol
                for cp in item.counterparts
                if cp.python_module == unit.python_module
            )
            continue
        shape.by_symbol[symbol] = item
        if "." in symbol:
            owner, method = symbol.split(".", 1)
            shape.methods.setdefault(owner, []).append(method)
            if owner not in shape.expected:
                shape.expected.append(owner)
        elif symbol not in shape.expected:
            shape.expected.append(symbol)
    return shape


def _ensure_packages(target: Path, python_module: str) -> None:
    """Give every new package directory above a new module an ``__init__.py``.

    Only directories named like the module's packages are touched, so a target outside a
    package tree (a scratch path) gets nothing.
    """
    packages = python_module.split(".")
    if target.name != "__init__.py":
        packages = packages[:-1]
    directory = target.parent
    for package in reversed(packages):
        if directory.name != package:
            return
        init = directory / "__init__.py"
        if not init.exists():
            dotted = ".".join(packages[: packages.index(package) + 1])
            write_text_atomic(init, f'"""{dotted}: translated from upstream Rust by ferry."""\n')
        directory = directory.parent


def shadowing(target: Path, python_module: str) -> str | None:
    """Why writing ``target`` would create a module that shadows (or is shadowed by) another.

    ``pkg/session/turn.py`` next to an existing ``pkg/session.py`` makes ``pkg.session`` a
    package, and every ``from pkg.session import X`` breaks; ``pkg/x.py`` beside an existing
    ``pkg/x/__init__.py`` is never imported at all.
    """
    depth = len(python_module.split(".")) - (0 if target.name == "__init__.py" else 1)
    directory = target.parent
    for _ in range(max(depth, 0)):
        module_file = directory.with_suffix(".py")
        if module_file.is_file():
            return (
                f"{python_module} would live in the package directory {directory}/, which "
                f"shadows the existing module {module_file}; translate into {module_file} "
                "(its provenance counterpart) instead"
            )
        directory = directory.parent
    if target.name != "__init__.py" and (target.with_suffix("") / "__init__.py").is_file():
        return (
            f"{target} would be hidden by the existing package {target.with_suffix('')}/; "
            "translate into the package instead"
        )
    return None


@dataclass
class _Conversation:
    """A unit's last accepted exchange, continued when the gates send feedback."""

    messages: tuple[Message, ...]
    answer: BackendAnswer
    attempts: int
    key: str


def _content_address(shape: _UnitShape, current_python: str) -> str:
    """What decides a unit's translation: the Rust texts, the Python being updated, the names.

    Neighbouring definitions are left out on purpose: other units merging into the same
    module must not invalidate the answers of items that did not change.
    """
    payload = {
        "items": [[i.qualified_path, i.old_text, i.new_text] for i in shape.by_symbol.values()],
        "expected": shape.expected,
        "methods": shape.methods,
        "current": current_python,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Translator:
    """Runs a Plan's units through one backend, writing merged modules into the target tree."""

    def __init__(
        self,
        backend: ModelBackend,
        config: TranslateConfig,
        *,
        base_dir: Path,
        state_dir: Path,
        provenance: ProvenanceIndex | None = None,
        gates: Sequence[Gate] = (),
        cache: AnswerCache | None = None,
        run_id: str | None = None,
        defer_cache: bool = False,
        context: ContextBuilder | None = None,
    ) -> None:
        self.backend = backend
        self.config = config
        self.base_dir = base_dir
        self.state_dir = state_dir
        self.provenance = provenance
        self.gates = tuple(gates)
        self.cache = cache
        self.run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        self.meter = CostMeter(config.prices, config.budget_usd)
        self.cache_hits = 0
        # with defer_cache, accepted answers reach the cache only through commit_cache(),
        # once the gates passed: an answer the gates reject is never served again
        self.defer_cache = defer_cache
        self._pending_cache: dict[str, tuple[str, BackendAnswer]] = {}
        self._conversations: dict[str, _Conversation] = {}
        self.context = context  # reads the port and upstream for the prompts
        self._base = ""

    def commit_cache(self) -> int:
        """Store the answers accepted since the last call (after the gates passed)."""
        stored = 0
        if self.cache is not None:
            for key, answer in self._pending_cache.values():
                self.cache.put(key, answer)
                stored += 1
        self._pending_cache.clear()
        return stored

    @property
    def attempts_dir(self) -> Path:
        return self.state_dir / "attempts" / self.run_id

    def run(
        self, plan: Plan, *, only: Sequence[str] = (), feedback: str | None = None
    ) -> RunResult:
        """Translate every unit; with ``feedback`` (a failed verdict's text), continue each
        unit's last exchange with it instead of starting afresh (one attempt each)."""
        results: list[UnitResult] = []
        self._base = plan.base
        for unit in plan.units:
            if only and unit.id not in only:
                continue
            results.append(self.translate_unit(unit, commit=plan.head, feedback=feedback))
        run = RunResult(
            run_id=self.run_id,
            backend=self.backend.name,
            model=self.backend.model,
            base=plan.base,
            head=plan.head,
            config=config_snapshot(self.config),
            units=tuple(results),
            input_tokens=self.meter.usage.input_tokens,
            output_tokens=self.meter.usage.output_tokens,
            cost_usd=round(self.meter.spent_usd, 6),
            budget_usd=self.config.budget_usd,
            calls=self.meter.calls,
            cache_hits=self.cache_hits,
        )
        write_model(self.attempts_dir / "run.json", run)
        return run

    # ------------------------------------------------------------------ one unit
    def _target(self, unit: TranslationUnit) -> Path:
        path = Path(unit.target_path)
        return path if path.is_absolute() else self.base_dir / path

    def translate_unit(
        self, unit: TranslationUnit, *, commit: str, feedback: str | None = None
    ) -> UnitResult:
        target = self._target(unit)
        shadow = shadowing(target, unit.python_module)
        if shadow is not None:
            return self._failed(unit, f"refused: {shadow}", stage="shadow")
        original = (
            target.read_text(encoding="utf-8")
            if target.is_file()
            else (f'"""{unit.python_module}: translated from upstream Rust by ferry."""\n')
        )
        shape = _shape(unit)
        try:
            target_module = cst.parse_module(original)
        except cst.ParserSyntaxError as exc:
            return self._failed(
                unit, f"{target}: the target module does not parse ({exc.message}); fix it first"
            )
        target_names = tuple(defined_names(target_module))
        shape.target_names = target_names
        if not shape.expected:
            return self._merge_only(unit, target, original, shape)
        current = "\n\n".join(
            src
            for item in shape.by_symbol.values()
            for cp in item.counterparts
            if cp.python_module == unit.python_module
            and (src := symbol_source(target_module, cp.python_symbol)) is not None
        )
        context = (
            self.context.build(
                python_module=unit.python_module,
                items=list(shape.by_symbol.values()),
                target=target_module,
                current_python=current,
                commit=commit,
                base=self._base,
                symbols=list(shape.by_symbol),
            )
            if self.context is not None
            else None
        )
        messages = render_prompt(
            unit_id=unit.id,
            python_module=unit.python_module,
            items=list(shape.by_symbol.values()),
            expected_names=shape.expected,
            expected_methods=shape.methods,
            current_python=current,
            neighbours=outline(target_module),
            context=context,
        )
        key = cache_key(self.backend.name, self.backend.model, _content_address(shape, current))
        conversation = self._conversations.get(unit.id) if feedback else None
        first = 1
        if conversation is not None and feedback:
            answer_json = json.dumps(
                {"code": conversation.answer.code, "notes": conversation.answer.notes}
            )
            messages = repair_messages(
                conversation.messages, answer_json, feedback, conversation.attempts
            )
            first = conversation.attempts + 1
            self._pending_cache.pop(unit.id, None)
        if first > self.config.max_attempts:
            return self._failed(
                unit,
                f"no attempts left after {self.config.max_attempts} (max_attempts): {feedback}",
                self.config.max_attempts,
            )
        logic = {
            symbol: item.qualified_path
            for symbol, item in shape.by_symbol.items()
            if rust_has_logic(item.new_text)
        }
        kept_signatures = {
            symbol: (item.qualified_path, src)
            for symbol, item in shape.by_symbol.items()
            if item.change_kind == "body" and item.status == "modified"
            for cp in item.counterparts[:1]
            if cp.python_module == unit.python_module
            and (src := symbol_source(target_module, cp.python_symbol)) is not None
        }
        totals = Usage()
        cost = 0.0
        hits = 0
        feedback = ""
        last_stage = ""
        pristine = original  # the module before any backend touched it
        for attempt in range(first, self.config.max_attempts + 1):
            started = time.monotonic()
            started_at = _now()
            phash = prompt_hash(messages, self.backend.model)
            request = TranslationRequest(
                unit_id=unit.id,
                python_module=unit.python_module,
                items=tuple(shape.by_symbol.values()),
                expected_names=tuple(shape.expected),
                expected_methods={k: tuple(v) for k, v in shape.methods.items()},
                messages=messages,
                prompt_hash=phash,
                attempt=attempt,
                commit=commit,
                target_names=target_names,
                target_path=str(target),
            )
            cached = (
                self.cache.get(key)
                if (self.cache is not None and attempt == 1 and conversation is None)
                else None
            )
            answer: BackendAnswer
            if cached is not None:
                answer = cached
                hits += 1
                self.cache_hits += 1
                spent = 0.0
            else:
                estimate = Usage(sum(len(m.content) for m in messages) // 4, unit.est_output_tokens)
                try:
                    self.meter.ensure_affordable(self.backend.model, estimate, unit.id)
                    answer = self.backend.translate(request)
                except (BackendError, BudgetExceeded) as exc:
                    self._store(
                        request, None, "error", "backend", str(exc), 0.0, started, started_at, False
                    )
                    return self._failed(
                        unit, str(exc), attempt, totals, cost, hits, stage="backend"
                    )
                spent = self.meter.charge(unit.id, answer.model, answer.usage)
                totals = totals + answer.usage
                cost += spent
            if getattr(self.backend, "works_in_tree", False) and target.is_file():
                # the backend edited the worktree itself: merge into (and restore to) its text
                original = target.read_text(encoding="utf-8")
            stage, feedback, merged = self._evaluate(
                unit, shape, answer, original, commit, target, logic, kept_signatures
            )
            last_stage = stage
            accepted = stage == "done"
            self._store(
                request,
                answer,
                "accepted" if accepted else "rejected",
                stage,
                feedback,
                spent,
                started,
                started_at,
                cached is not None,
            )
            if accepted and merged is not None:
                self._conversations[unit.id] = _Conversation(messages, answer, attempt, key)
                if self.cache is not None and cached is None:
                    # keyed by the first prompt: a repaired answer also serves the next identical run
                    if self.defer_cache:
                        self._pending_cache[unit.id] = (key, answer)
                    else:
                        self.cache.put(key, answer)
                self._record_provenance(unit, shape, answer, merged.text, commit)
                return UnitResult(
                    unit=unit.id,
                    python_module=unit.python_module,
                    target_path=str(target),
                    outcome="merged" if merged.text != pristine else "unchanged",
                    attempts=attempt,
                    cache_hits=hits,
                    input_tokens=totals.input_tokens,
                    output_tokens=totals.output_tokens,
                    cost_usd=round(cost, 6),
                    replaced=merged.replaced,
                    added=merged.added,
                    removed=merged.removed,
                )
            answer_json = json.dumps({"code": answer.code, "notes": answer.notes})
            messages = repair_messages(messages, answer_json, feedback, attempt)
        return self._failed(
            unit,
            f"no acceptable candidate after {self.config.max_attempts} attempts: {feedback}",
            self.config.max_attempts,
            totals,
            cost,
            hits,
            stage=last_stage,
        )

    def _changes(
        self, unit: TranslationUnit, shape: _UnitShape, answer: BackendAnswer, commit: str
    ) -> list[SymbolChange]:
        changes: list[SymbolChange] = []
        first_item = next(iter(shape.by_symbol.values()), None)
        for name in [*shape.expected, *answer.extra_names]:
            if name in shape.methods and name not in shape.by_symbol:
                if name in shape.new_owners():
                    changes.append(SymbolChange(name, "upsert", None))  # the class arrives whole
                    continue
                for method in shape.methods[name]:
                    item = shape.by_symbol[f"{name}.{method}"]
                    changes.append(
                        SymbolChange(f"{name}.{method}", "upsert", self._marker(item, commit))
                    )
                continue
            found: PlannedItem | None = shape.by_symbol.get(name)
            if found is None and answer.sources and name not in answer.sources:
                # a helper not from Rust: public ones say so, as every public symbol must
                helper = (
                    None
                    if name.startswith("_")
                    else PortOnly(
                        f"helper the {self.backend.name} backend wrote for {unit.id}"
                    ).render()
                )
                changes.append(SymbolChange(name, "upsert", helper))
                continue
            if found is None:
                source = answer.sources.get(name)
                found = next(
                    (i for i in shape.by_symbol.values() if i.qualified_path == source), first_item
                )
            if found is None:
                continue
            changes.append(SymbolChange(name, "upsert", self._marker(found, commit)))
        changes.extend(SymbolChange(symbol, "remove") for symbol in shape.removals)
        # earlier translations of these items that the new candidate no longer defines
        # (a renamed item, a dropped enum variant) are stale: remove them. Only translated
        # counterparts (their markers carry the item's content hash) are; a hand-written
        # symbol linked to the item stays for an engineer to reconcile.
        produced = {c.symbol for c in changes}
        for item in shape.by_symbol.values():
            for cp in item.counterparts:
                if (
                    cp.rust_hash
                    and cp.python_module == unit.python_module
                    and cp.python_symbol not in produced
                ):
                    produced.add(cp.python_symbol)
                    changes.append(SymbolChange(cp.python_symbol, "remove"))
        return changes

    @staticmethod
    def _marker(item: PlannedItem, commit: str) -> str:
        marker = provenance_marker(item.qualified_path, commit, item.new_text or "")
        if item.new_hash:
            marker = marker.rsplit(" ", 1)[0] + " " + item.new_hash[:8]
        return marker

    def _evaluate(
        self,
        unit: TranslationUnit,
        shape: _UnitShape,
        answer: BackendAnswer,
        original: str,
        commit: str,
        target: Path,
        logic: dict[str, str] | None = None,
        kept_signatures: dict[str, tuple[str, str]] | None = None,
    ) -> tuple[Literal["check", "merge", "gate", "done"], str, Any]:
        if answer.problems:
            return (
                "check",
                "The edits failed the static checks:\n"
                + "\n".join(f"- {p}" for p in answer.problems),
                None,
            )
        expected = [*shape.expected, *answer.extra_names]
        report = check_candidate(
            answer.code,
            expected,
            methods={k: tuple(v) for k, v in shape.methods.items() if k not in shape.by_symbol},
            logic=logic,
        )
        if not report.ok:
            return "check", report.text(), None
        changed_signature = signature_problems(answer.code, kept_signatures or {})
        if changed_signature:
            return (
                "check",
                "The candidate failed the static checks:\n"
                + "\n".join(f"- {p}" for p in changed_signature),
                None,
            )
        try:
            merged = merge_candidate(
                original, answer.code, self._changes(unit, shape, answer, commit)
            )
            method_changes = [
                SymbolChange(
                    f"{owner}.{method}",
                    "upsert",
                    self._marker(shape.by_symbol[f"{owner}.{method}"], commit),
                )
                for owner in shape.new_owners()
                for method in shape.methods[owner]
            ]
            if method_changes:  # second pass: mark the methods of classes that were just added
                marked = merge_candidate(merged.text, answer.code, method_changes)
                merged = replace(
                    marked,
                    added=merged.added,
                    replaced=merged.replaced,
                    imports_added=merged.imports_added,
                )
        except MergeError as exc:
            return "merge", f"The candidate could not be merged: {exc}", None
        if not target.exists():
            _ensure_packages(target, unit.python_module)
        write_text_atomic(target, merged.text)
        for gate in self.gates:
            result = gate.check(target, merged.text)
            if not result.ok:
                if target.is_file() and original:
                    write_text_atomic(target, original)
                return (
                    "gate",
                    f"The merged module failed the {gate.name} gate:\n{result.text}",
                    None,
                )
        return "done", "", merged

    def _merge_only(
        self, unit: TranslationUnit, target: Path, original: str, shape: _UnitShape
    ) -> UnitResult:
        try:
            merged = merge_candidate(
                original, "", [SymbolChange(s, "remove") for s in shape.removals]
            )
        except MergeError as exc:
            return self._failed(unit, str(exc), stage="merge")
        if merged.text != original:
            write_text_atomic(target, merged.text)
        if self.provenance is not None:
            for symbol in merged.removed:
                self.provenance.remove(unit.python_module, symbol)
        return UnitResult(
            unit=unit.id,
            python_module=unit.python_module,
            target_path=str(target),
            outcome="merged" if merged.text != original else "unchanged",
            removed=merged.removed,
        )

    def _record_provenance(
        self,
        unit: TranslationUnit,
        shape: _UnitShape,
        answer: BackendAnswer,
        text: str,
        commit: str,
    ) -> None:
        if self.provenance is None:
            return
        module = cst.parse_module(text)
        records: list[ProvenanceRecord] = []
        changes = self._changes(unit, shape, answer, commit)
        changes += [
            SymbolChange(
                f"{owner}.{method}",
                "upsert",
                self._marker(shape.by_symbol[f"{owner}.{method}"], commit),
            )
            for owner in shape.new_owners()
            for method in shape.methods[owner]
        ]
        for change in changes:
            if change.action == "remove":
                self.provenance.remove(unit.python_module, change.symbol)
                continue
            link = parse_marker(change.marker) if change.marker else None
            if not isinstance(link, Link):
                continue  # a helper definition (e.g. a shared base class) has no Rust item
            rust_path, rust_hash = link.rust_path, link.content_hash
            source = symbol_source(module, change.symbol) or ""
            records.append(
                ProvenanceRecord(
                    unit.python_module,
                    change.symbol,
                    rust_path,
                    commit,
                    rust_hash,
                    text_hash(source),
                )
            )
        self.provenance.record(records)

    def _store(
        self,
        request: TranslationRequest,
        answer: BackendAnswer | None,
        outcome: Literal["accepted", "rejected", "error"],
        stage: Literal["backend", "check", "merge", "gate", "done"],
        feedback: str,
        cost: float,
        started: float,
        started_at: str,
        cached: bool,
    ) -> None:
        record = AttemptRecord(
            run_id=self.run_id,
            unit=request.unit_id,
            attempt=request.attempt,
            backend=self.backend.name,
            model=answer.model if answer is not None else self.backend.model,
            prompt_hash=request.prompt_hash,
            cached=cached,
            messages=[m.as_dict() for m in request.messages],
            candidate=answer.code if answer is not None else "",
            notes=answer.notes if answer is not None else "",
            outcome=outcome,
            stage=stage,
            feedback=feedback,
            input_tokens=answer.usage.input_tokens if answer is not None and not cached else 0,
            output_tokens=answer.usage.output_tokens if answer is not None and not cached else 0,
            cost_usd=round(cost, 6),
            started_at=started_at,
            duration_s=round(time.monotonic() - started, 4),
        )
        safe = request.unit_id.replace("/", "_")
        write_model(self.attempts_dir / safe / f"attempt-{request.attempt}.json", record)

    def _failed(
        self,
        unit: TranslationUnit,
        error: str,
        attempts: int = 0,
        usage: Usage | None = None,
        cost: float = 0.0,
        hits: int = 0,
        *,
        stage: str = "",
    ) -> UnitResult:
        usage = usage or Usage()
        return UnitResult(
            unit=unit.id,
            python_module=unit.python_module,
            target_path=str(self._target(unit)),
            outcome="failed",
            attempts=attempts,
            cache_hits=hits,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=round(cost, 6),
            error=error,
            stage=stage,
        )
