"""ChangeSet -> Plan: translation units per Python module, ordered foundation -> core -> presentation.

Every changed Rust item ends in exactly one place: a unit item (to be ported into the module
that holds its counterpart, or where its linked siblings live, or where the globs send it),
``pending`` with a reason code, or ``declined`` by a recorded rule. Units carry a token/cost
estimate for the model call that will translate them.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import libcst as cst
from pydantic import BaseModel, ConfigDict, Field

from ferry import __version__
from translator.changeset import ChangedItem, ChangeSet
from translator.config import DeclineRule, TranslateConfig, config_snapshot
from translator.cst.symbols import symbol_source
from translator.decisions import (
    NEVER_PORTED,
    DeclineRules,
    PendingCode,
    builtin_decline,
    crate_of,
)
from translator.diff.modpath import locate
from translator.diff.modpath import module_path as rust_module_path
from translator.errors import InputError
from translator.module_map import ModuleMap, Placement, derived_placement, layer_of
from translator.provenance import ProvenanceIndex, canonical_rust_path, split_rust_path

PLAN_FORMAT = "ferry.plan/2"
PROMPT_OVERHEAD_CHARS = (
    6000  # instructions + idiom table + neighbouring definitions, measured on the template
)
#: item kinds the mechanical backend translates; others are pending "needs-llm" with it
MECHANICAL_KINDS = {"struct", "enum", "type_alias", "const"}
_KIND_ORDER = {
    "const": 0,
    "static": 0,
    "type_alias": 1,
    "enum": 2,
    "struct": 3,
    "union": 3,
    "trait": 4,
}


class Counterpart(BaseModel):
    model_config = ConfigDict(frozen=True)

    python_module: str
    python_symbol: str
    commit: str
    rust_hash: str


class PlannedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    qualified_path: str
    item_kind: str
    status: str
    change_kind: str
    file: str
    action: Literal["translate", "remove"]
    python_symbol: str
    counterparts: tuple[Counterpart, ...] = ()
    old_text: str | None = None
    new_text: str | None = None
    new_hash: str | None = None
    est_input_tokens: int = 0
    est_output_tokens: int = 0


class TranslationUnit(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    python_module: str
    target_path: str
    layer: str
    order: int
    new_module: bool = False
    items: tuple[PlannedItem, ...]
    est_input_tokens: int
    est_output_tokens: int
    est_cost_usd: float


class PendingItem(BaseModel):
    """A changed item the loop could not port yet; ``code`` says why, ``blocking`` whether it
    holds the sync pin (its crate is one the port covers)."""

    model_config = ConfigDict(frozen=True)

    qualified_path: str
    file: str
    crate: str
    item_kind: str
    status: str
    change_kind: str
    code: PendingCode
    reason: str
    python_module: str | None = None
    blocking: bool = False


class DeclinedItem(BaseModel):
    """A changed item the port does not follow, by a recorded rule."""

    model_config = ConfigDict(frozen=True)

    qualified_path: str
    file: str
    crate: str
    item_kind: str
    status: str
    change_kind: str
    rule: str
    reason: str


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = PLAN_FORMAT
    ferry_version: str = __version__
    base: str
    head: str
    config: dict[str, Any] = Field(default_factory=dict)
    backend: str = ""
    covered_crates: tuple[str, ...] = ()
    units: tuple[TranslationUnit, ...] = ()
    pending: tuple[PendingItem, ...] = ()
    declined: tuple[DeclinedItem, ...] = ()
    est_input_tokens: int = 0
    est_output_tokens: int = 0
    est_cost_usd: float = 0.0

    def blocking(self) -> tuple[PendingItem, ...]:
        """Pending items of covered crates: the sync pin may not move past them."""
        return tuple(p for p in self.pending if p.blocking)

    def item_count(self) -> int:
        return sum(len(u.items) for u in self.units) + len(self.pending) + len(self.declined)


def python_symbol_for(item: ChangedItem, owner: str | None = None) -> str:
    """The Python name a Rust item gets: ``Foo``, ``do_thing`` or ``Foo.method``
    (``<Foo as Trait>::method`` -> ``Foo.method``; ``owner`` names the Python class)."""
    segments = split_rust_path(canonical_rust_path(item.qualified_path))
    if item.item_kind == "method" and len(segments) >= 2:
        return f"{owner or segments[-2]}.{segments[-1]}"
    return segments[-1]


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


def _primary(item: ChangedItem, counterparts: tuple[Counterpart, ...]) -> Counterpart | None:
    """The counterpart to update: the one named like the Rust item (before a rename), else the
    first. Its module is where the unit goes; other counterparts ride along for context."""
    if not counterparts:
        return None
    old_leaf = _norm((item.old_qualified_path or item.qualified_path).rsplit("::", 1)[-1])
    for cp in counterparts:
        if _norm(cp.python_symbol.rsplit(".", 1)[-1]) == old_leaf:
            return cp
    return counterparts[0]


def _primary_symbol(
    item: ChangedItem, primary: Counterpart | None, placement: Placement | None
) -> str:
    """The Python name to translate into: the counterpart's, or the Rust name when renamed
    (a new method joins the Python class its Rust type is linked to)."""
    if item.status == "renamed" or primary is None:
        return python_symbol_for(item, placement.owner if placement is not None else None)
    return primary.python_symbol


def module_path(target_root: Path, module: str) -> Path:
    """``pycodex.exec`` -> ``<root>/pycodex/exec.py`` (or its package ``__init__.py``)."""
    base = target_root.joinpath(*module.split("."))
    if base.is_dir():
        return base / "__init__.py"
    return base.with_suffix(".py")


def estimate_tokens(
    item: ChangedItem, counterpart_chars: int, config: TranslateConfig
) -> tuple[int, int]:
    chars = (
        PROMPT_OVERHEAD_CHARS
        + len(item.old_text or "")
        + len(item.new_text or "")
        + counterpart_chars
    )
    input_tokens = int(chars / config.chars_per_token)
    output_tokens = int(
        len(item.new_text or "") / config.chars_per_token * config.expected_output_ratio
    )
    return input_tokens, output_tokens


def cost_usd(input_tokens: int, output_tokens: int, model: str, config: TranslateConfig) -> float:
    price = config.prices.get(model)
    if price is None:
        return 0.0
    return (input_tokens * price.input + output_tokens * price.output) / 1_000_000


class PlanError(InputError):
    """A plan would put code where it does not belong (shadowing or duplicating a module)."""


def _file_module(item: ChangedItem) -> str:
    """The Rust module of the item's file (``codex_core::tools::spec``)."""
    crate = crate_of(item.qualified_path)
    return rust_module_path(crate, locate(item.file))


def existing_modules(target_root: Path) -> dict[str, Path]:
    """Every importable module and package below ``target_root`` (dotted name -> file).

    Only files whose every parent directory below the root is a package count, so build
    directories (``build/lib/pycodex``) and loose scripts are not taken for modules.
    """
    out: dict[str, Path] = {}
    if not target_root.is_dir():
        return out
    for path in sorted(target_root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(target_root).with_suffix("")
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        if not parts or not all(p.isidentifier() for p in parts):
            continue
        packages = [target_root.joinpath(*rel.parts[:i]) for i in range(1, len(rel.parts))]
        if all((directory / "__init__.py").is_file() for directory in packages):
            out[".".join(parts)] = path
    return out


def placement_problem(
    module: str,
    target_root: Path,
    modules: dict[str, Path],
    *,
    rust_module: str | None = None,
    provenance: ProvenanceIndex | None = None,
) -> str | None:
    """Why creating ``module`` under ``target_root`` would be wrong (None when it is fine).

    A new module may not turn an existing module file into a package (``core/session.py``
    beside a new ``core/session/__init__.py`` shadows it), nor sit beside a package or
    module of the same name elsewhere (``tools.apply_patch`` next to ``apply_patch``).
    """
    parts = module.split(".")
    for depth in range(1, len(parts)):
        ancestor = ".".join(parts[:depth])
        path = modules.get(ancestor)
        if path is not None and path.name != "__init__.py":
            return (
                f"{module} would turn the module {path} into a package "
                f"({ancestor.replace('.', '/')}/__init__.py), shadowing it"
            )
    base = target_root.joinpath(*parts)
    if base.with_suffix(".py").is_file() and base.is_dir():
        return f"{module} is both {base}.py and the package {base}/: one shadows the other"
    if provenance is None or not rust_module:
        return None
    # a package of the same name that already renders this Rust module's parent is where the
    # code belongs: a second one would duplicate it (tools.apply_patch beside apply_patch)
    leaf = parts[-1]
    segments = rust_module.split("::")
    parent = "::".join(segments[:-1]) if len(segments) > 1 else rust_module
    linked = {r.python_module for r in provenance.under_rust_prefix(parent)}
    for twin in sorted(modules):
        if twin == module or twin.rsplit(".", 1)[-1] != leaf:
            continue
        if modules[twin].name != "__init__.py":
            continue
        if any(m == twin or m.startswith(twin + ".") for m in linked):
            return (
                f"{module} would duplicate the existing package {twin}, which already holds "
                f"the port of {parent}"
            )
    return None


def _pending(
    item: ChangedItem, code: PendingCode, reason: str, covered: set[str], module: str | None = None
) -> PendingItem:
    crate = crate_of(item.qualified_path)
    return PendingItem(
        qualified_path=item.qualified_path,
        file=item.file,
        crate=crate,
        item_kind=item.item_kind,
        status=item.status,
        change_kind=item.change_kind,
        code=code,
        reason=reason,
        python_module=module,
        blocking=crate in covered,
    )


def _declined(item: ChangedItem, rule: DeclineRule) -> DeclinedItem:
    return DeclinedItem(
        qualified_path=item.qualified_path,
        file=item.file,
        crate=crate_of(item.qualified_path),
        item_kind=item.item_kind,
        status=item.status,
        change_kind=item.change_kind,
        rule=rule.rule,
        reason=rule.reason,
    )


def build_plan(
    changeset: ChangeSet,
    config: TranslateConfig,
    provenance: ProvenanceIndex | None,
    *,
    target_root: Path,
    backend: str | None = None,
) -> Plan:
    """Decide every changed item: a translation unit, pending (why) or declined (which rule).

    Placement: the linked counterpart; else where the item's linked relatives live; else the
    module-map globs. A new module that would shadow or duplicate an existing one is refused
    with :class:`PlanError`; any other new module is pending unless
    ``[translate].new_modules = "allow"``.
    """
    module_map = ModuleMap.from_config(config.module_map, config.overrides)
    rules = DeclineRules.of(config.decline)
    backend = backend or config.backend
    covered = set(config.covered_crates) | (
        provenance.crates() if provenance is not None else set()
    )
    modules = existing_modules(target_root)
    by_module: dict[str, list[PlannedItem]] = defaultdict(list)
    pending: list[PendingItem] = []
    declined: list[DeclinedItem] = []
    for item in changeset.items:
        rule = builtin_decline(item) or rules.match(item.file, item.qualified_path)
        if rule is not None:
            declined.append(_declined(item, rule))
            continue
        records = []
        if provenance is not None:
            records = provenance.for_rust(
                item.old_qualified_path or item.qualified_path
            ) or provenance.for_rust(item.qualified_path)
        counterparts = tuple(
            Counterpart(
                python_module=r.python_module,
                python_symbol=r.python_symbol,
                commit=r.commit,
                rust_hash=r.rust_hash,
            )
            for r in records
        )
        primary = _primary(item, counterparts)
        placement: Placement | None = None
        module: str | None
        if primary is not None:
            module = primary.python_module
            counterparts = (primary, *(cp for cp in counterparts if cp is not primary))
        else:
            if item.status == "removed":
                declined.append(_declined(item, NEVER_PORTED))
                continue
            placement = (
                derived_placement(provenance, item.qualified_path, _file_module(item))
                if provenance is not None
                else None
            )
            module = (
                placement.python_module
                if placement is not None
                else module_map.module_for(item.file, item.qualified_path)
            )
            if module is None:
                crate = crate_of(item.qualified_path)
                pending.append(
                    _pending(
                        item,
                        "unmapped-crate",
                        f"no provenance link and no [translate.module_map] glob places {item.file} "
                        f"(crate {crate}); map it, decline it with a [[translate.decline]] rule, "
                        "or port it by hand",
                        covered,
                    )
                )
                continue
            if item.item_kind == "method" and (placement is None or placement.owner is None):
                owner = "::".join(split_rust_path(canonical_rust_path(item.qualified_path))[:-1])
                pending.append(
                    _pending(
                        item,
                        "not-ported",
                        f"a method of {owner}, which has no Python class counterpart; port the "
                        "type and link it (the method then joins its class), or decline it",
                        covered,
                        module,
                    )
                )
                continue
            if item.status != "added":
                pending.append(
                    _pending(
                        item,
                        "not-ported",
                        f"changed upstream but the port has no counterpart for it (it would go "
                        f"to {module}); port it and link it, or decline it",
                        covered,
                        module,
                    )
                )
                continue
        if module not in modules:
            problem = placement_problem(
                module,
                target_root,
                modules,
                rust_module=_file_module(item),
                provenance=provenance,
            )
            if problem is not None:
                raise PlanError(
                    f"{item.qualified_path} ({item.file}): {problem}; fix [translate.module_map] "
                    "or [translate.overrides], or link the item's counterpart"
                )
            if config.new_modules != "allow":
                pending.append(
                    _pending(
                        item,
                        "new-module",
                        f"would create the new module {module}, which nothing imports yet; "
                        "create it (and its importer) by hand or map the item to an existing module",
                        covered,
                        module,
                    )
                )
                continue
        if (
            backend == "mechanical"
            and item.status != "removed"
            and item.item_kind not in MECHANICAL_KINDS
        ):
            pending.append(
                _pending(
                    item,
                    "needs-llm",
                    f"a {item.item_kind} needs the llm backend (the mechanical backend "
                    "translates declarations only)",
                    covered,
                    module,
                )
            )
            continue
        counterpart_chars = _counterpart_chars(target_root, counterparts)
        est_in, est_out = estimate_tokens(item, counterpart_chars, config)
        by_module[module].append(
            PlannedItem(
                qualified_path=item.qualified_path,
                item_kind=item.item_kind,
                status=item.status,
                change_kind=item.change_kind,
                file=item.file,
                action="remove" if item.status == "removed" else "translate",
                python_symbol=_primary_symbol(item, primary, placement),
                counterparts=counterparts,
                old_text=item.old_text,
                new_text=item.new_text,
                new_hash=item.new_hash,
                est_input_tokens=est_in if item.status != "removed" else 0,
                est_output_tokens=est_out if item.status != "removed" else 0,
            )
        )
    ranked = sorted(by_module, key=lambda m: (layer_of(m, config.layers)[0], m))
    units: list[TranslationUnit] = []
    for order, module in enumerate(ranked):
        items = tuple(
            sorted(
                by_module[module], key=lambda i: (_KIND_ORDER.get(i.item_kind, 9), i.qualified_path)
            )
        )
        est_in = sum(i.est_input_tokens for i in items)
        est_out = sum(i.est_output_tokens for i in items)
        target = module_path(target_root, module)
        units.append(
            TranslationUnit(
                id=module,
                python_module=module,
                target_path=str(target),
                layer=layer_of(module, config.layers)[1],
                order=order,
                new_module=module not in modules,
                items=items,
                est_input_tokens=est_in,
                est_output_tokens=est_out,
                est_cost_usd=round(cost_usd(est_in, est_out, config.llm.model, config), 6),
            )
        )
    total_in = sum(u.est_input_tokens for u in units)
    total_out = sum(u.est_output_tokens for u in units)
    return Plan(
        base=changeset.base,
        head=changeset.head,
        config=config_snapshot(config),
        backend=backend,
        covered_crates=tuple(sorted(covered)),
        units=tuple(units),
        pending=tuple(pending),
        declined=tuple(declined),
        est_input_tokens=total_in,
        est_output_tokens=total_out,
        est_cost_usd=round(cost_usd(total_in, total_out, config.llm.model, config), 6),
    )


def check_plan_targets(plan: Plan, target_root: Path) -> None:
    """Refuse a plan (e.g. an edited plan.json) whose units would create a module it was not
    allowed to, or one that shadows an existing module."""
    modules = existing_modules(target_root)
    for unit in plan.units:
        if unit.python_module in modules:
            continue
        allowed = plan.config.get("new_modules", "pending") == "allow"
        if not allowed:
            raise PlanError(
                f"unit {unit.id}: the module {unit.python_module} does not exist under "
                f'{target_root} and the plan was not made with new_modules = "allow"'
            )
        problem = placement_problem(unit.python_module, target_root, modules)
        if problem is not None:
            raise PlanError(f"unit {unit.id}: {problem}")


def _counterpart_chars(target_root: Path, counterparts: tuple[Counterpart, ...]) -> int:
    """Characters of the current Python counterparts (they go into the prompt)."""
    total = 0
    for cp in counterparts:
        path = module_path(target_root, cp.python_module)
        if not path.is_file():
            continue
        module = _parsed(path, path.stat().st_mtime_ns)
        if module is not None:
            total += len(symbol_source(module, cp.python_symbol) or "")
    return total


@lru_cache(maxsize=64)
def _parsed(path: Path, mtime_ns: int) -> cst.Module | None:
    try:
        return cst.parse_module(path.read_text(encoding="utf-8"))
    except (OSError, cst.ParserSyntaxError):
        return None
