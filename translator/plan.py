"""ChangeSet -> Plan: translation units per Python module, ordered foundation -> core -> presentation.

Each changed Rust item is routed to a Python module — the module that already holds its
counterpart (from the provenance index) or else the module map — and given a token/cost
estimate for the model call that will translate it. Items no rule maps are listed apart.
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
from translator.config import TranslateConfig, config_snapshot
from translator.cst.symbols import symbol_source
from translator.module_map import ModuleMap, layer_of
from translator.provenance import ProvenanceIndex

PLAN_FORMAT = "ferry.plan/1"
PROMPT_OVERHEAD_CHARS = (
    6000  # instructions + idiom table + neighbouring definitions, measured on the template
)
SKIP_KINDS = {"format-only", "position-only"}
SKIP_STATUS = {"shifted"}
UNTRANSLATED_ITEM_KINDS = {"macro_rules", "mod", "impl"}
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
    items: tuple[PlannedItem, ...]
    est_input_tokens: int
    est_output_tokens: int
    est_cost_usd: float


class SkippedItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    qualified_path: str
    file: str
    reason: str


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = PLAN_FORMAT
    ferry_version: str = __version__
    base: str
    head: str
    config: dict[str, Any] = Field(default_factory=dict)
    units: tuple[TranslationUnit, ...] = ()
    unmapped: tuple[SkippedItem, ...] = ()
    skipped: tuple[SkippedItem, ...] = ()
    est_input_tokens: int = 0
    est_output_tokens: int = 0
    est_cost_usd: float = 0.0


def python_symbol_for(item: ChangedItem) -> str:
    """The Python name a Rust item gets: ``Foo``, ``do_thing`` or ``Foo.method``."""
    segments = item.qualified_path.split("::")
    if item.item_kind == "method" and len(segments) >= 2:
        return f"{segments[-2]}.{segments[-1]}"
    return segments[-1]


def _primary_symbol(item: ChangedItem, counterparts: tuple[Counterpart, ...]) -> str:
    """The Python name to translate into: the counterpart named like the Rust item, unless renamed."""
    wanted = python_symbol_for(item)
    if item.status == "renamed" or not counterparts:
        return wanted
    old_leaf = (item.old_qualified_path or item.qualified_path).rsplit("::", 1)[-1]
    for cp in counterparts:
        if cp.python_symbol.rsplit(".", 1)[-1] == old_leaf:
            return cp.python_symbol
    return counterparts[0].python_symbol


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


def _skip_reason(item: ChangedItem) -> str | None:
    if item.is_test or item.item_kind == "test_fn" or item.change_kind == "test-only":
        return "test code: ported tests are written against the Python port, not translated"
    if item.status in SKIP_STATUS or item.change_kind in SKIP_KINDS:
        return f"{item.change_kind}: no semantic change"
    if item.item_kind in UNTRANSLATED_ITEM_KINDS:
        return f"{item.item_kind} items are covered by their members"
    return None


def build_plan(
    changeset: ChangeSet,
    config: TranslateConfig,
    provenance: ProvenanceIndex | None,
    *,
    target_root: Path,
) -> Plan:
    """Group the ChangeSet's items into ordered translation units."""
    module_map = ModuleMap.from_config(config.module_map, config.overrides)
    by_module: dict[str, list[PlannedItem]] = defaultdict(list)
    unmapped: list[SkippedItem] = []
    skipped: list[SkippedItem] = []
    for item in changeset.items:
        reason = _skip_reason(item)
        if reason is not None:
            skipped.append(
                SkippedItem(qualified_path=item.qualified_path, file=item.file, reason=reason)
            )
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
        module = (
            counterparts[0].python_module
            if counterparts
            else module_map.module_for(item.file, item.qualified_path)
        )
        if module is None:
            unmapped.append(
                SkippedItem(
                    qualified_path=item.qualified_path,
                    file=item.file,
                    reason="no [translate.module_map] glob or override matches this file",
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
                python_symbol=_primary_symbol(item, counterparts),
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
        units=tuple(units),
        unmapped=tuple(unmapped),
        skipped=tuple(skipped),
        est_input_tokens=total_in,
        est_output_tokens=total_out,
        est_cost_usd=round(cost_usd(total_in, total_out, config.llm.model, config), 6),
    )


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
