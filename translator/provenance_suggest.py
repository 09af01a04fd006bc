"""``ferry provenance suggest``: candidate Rust counterparts for unmarked Python symbols.

Evidence, each worth points:

- **name**: the Rust item's name equals the symbol's (``parse_patch``/``parse_patch``,
  ``ExecPolicy``/``ExecPolicy``; case and underscores ignored), for a method also the type;
- **place**: the Rust file maps to the symbol's module (or package) through the module map
  or the links already made from that module;
- **literals**: string literals the two share (error messages, JSON keys, tool names);
- **signature**: parameter names they share.

Suggestions are for an engineer to accept: ``--write`` inserts the best candidate of each
symbol whose score reaches ``--min-score`` as a marker, and the diff is reviewed like code.
"""

from __future__ import annotations

import ast
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ferry.fsutil import write_text_atomic
from translator.module_map import ModuleMap
from translator.port_scan import ModuleScan, PortSymbol
from translator.provenance import Marker, canonical_rust_path, split_rust_path
from translator.rust_inventory import RustInventory, RustItem

NAME_POINTS = 3.0
OWNER_POINTS = 2.0
PLACE_POINTS = 2.0
PACKAGE_POINTS = 1.0
LITERAL_POINTS = 1.0
MAX_LITERAL_POINTS = 3.0
SIGNATURE_POINTS = 1.0


def norm(name: str) -> str:
    return name.replace("_", "").lower()


@dataclass(frozen=True)
class Candidate:
    rust_path: str
    kind: str
    file: str
    line: int
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    symbol: PortSymbol
    candidates: tuple[Candidate, ...]


def _literals(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if 6 <= len(text) <= 200 and not text.startswith(("\n", " ")) and "\n" not in text:
                out.add(text)
        elif isinstance(node, ast.JoinedStr):
            for part in node.values:
                if (
                    isinstance(part, ast.Constant)
                    and isinstance(part.value, str)
                    and len(part.value.strip()) >= 8
                ):
                    out.add(part.value.strip())
    return out


def _params(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    names = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
    return {n for n in names if n not in ("self", "cls")}


class Suggester:
    """Scores inventory items against Python symbols (indexes built once per run)."""

    def __init__(
        self,
        inventory: RustInventory,
        module_map: ModuleMap,
        scans: Iterable[ModuleScan],
    ) -> None:
        self.inventory = inventory
        self.by_name: dict[str, list[RustItem]] = defaultdict(list)
        self.by_literal: dict[str, list[RustItem]] = defaultdict(list)
        for item in inventory.items:
            if item.is_test or item.kind in ("impl", "mod", "test_fn"):
                continue
            self.by_name[norm(item.name.rstrip("!"))].append(item)
            for literal in item.literals:
                self.by_literal[literal].append(item)
        self.file_module: dict[str, str] = {}
        for item in inventory.items:
            if item.file not in self.file_module:
                self.file_module[item.file] = module_map.module_for(item.file, item.path) or ""
        # Rust files whose items the port already links from each Python module
        self.linked_files: dict[str, Counter[str]] = defaultdict(Counter)
        for scan in scans:
            for sym in scan.symbols:
                for link in sym.links:
                    for found in inventory.resolve(link.rust_path):
                        self.linked_files[scan.module][found.file] += 1

    def _place(self, module: str, file: str) -> tuple[float, str | None]:
        if self.linked_files.get(module, Counter())[file]:
            return PLACE_POINTS, f"place: {module} links other items of {file}"
        mapped = self.file_module.get(file, "")
        if mapped and mapped == module:
            return PLACE_POINTS, f"place: module map sends {file} to {module}"
        package = module.rsplit(".", 1)[0]
        if mapped and (mapped == package or mapped.startswith(package + ".")):
            return PACKAGE_POINTS, f"place: module map sends {file} to {mapped}"
        return 0.0, None

    def candidates(self, sym: PortSymbol, limit: int = 3) -> tuple[Candidate, ...]:
        leaf = sym.symbol.rsplit(".", 1)[-1]
        owner = sym.symbol.split(".", 1)[0] if "." in sym.symbol else None
        literals = _literals(sym.source)
        params = _params(sym.source) if sym.kind in ("function", "method") else set()
        pool: dict[str, RustItem] = {}
        for item in self.by_name.get(norm(leaf), []):
            pool[item.path] = item
        for literal in literals:
            hits = self.by_literal.get(literal, [])
            if len(hits) <= 5:  # a literal used everywhere says nothing
                for item in hits:
                    pool[item.path] = item
        scored: list[Candidate] = []
        for item in pool.values():
            score = 0.0
            evidence: list[str] = []
            if norm(item.name.rstrip("!")) == norm(leaf):
                score += NAME_POINTS
                evidence.append(f"name: {item.name}")
                if owner is not None:
                    segments = split_rust_path(canonical_rust_path(item.path))
                    if len(segments) >= 2 and norm(segments[-2]) == norm(owner):
                        score += OWNER_POINTS
                        evidence.append(f"type: {segments[-2]}")
            points, why = self._place(sym.module, item.file)
            if why:
                score += points
                evidence.append(why)
            shared = literals & set(item.literals)
            if shared:
                score += min(MAX_LITERAL_POINTS, LITERAL_POINTS * len(shared))
                sample = sorted(shared, key=len, reverse=True)[0]
                evidence.append(f"literals: {len(shared)} shared, e.g. {sample[:40]!r}")
            rust_params = {p for p in item.params if p != "self"}
            if params and rust_params:
                overlap = len(params & rust_params) / len(params | rust_params)
                if overlap:
                    score += SIGNATURE_POINTS * overlap
                    evidence.append(f"signature: {sorted(params & rust_params)}")
            if score > 0:
                scored.append(
                    Candidate(
                        canonical_rust_path(item.path),
                        item.kind,
                        item.file,
                        item.line,
                        round(score, 2),
                        tuple(evidence),
                    )
                )
        scored.sort(key=lambda c: (-c.score, c.rust_path))
        unique: dict[str, Candidate] = {}
        for cand in scored:
            unique.setdefault(cand.rust_path, cand)
        return tuple(unique.values())[:limit]


def suggest(
    suggester: Suggester, scans: Iterable[ModuleScan], *, include_marked: bool = False
) -> list[Suggestion]:
    out: list[Suggestion] = []
    for scan in scans:
        for sym in scan.symbols:
            if not sym.needs_marker or (sym.markers and not include_marked):
                continue
            out.append(Suggestion(sym, suggester.candidates(sym)))
    return out


def write_markers(accepted: list[tuple[PortSymbol, Marker]]) -> dict[Path, int]:
    """Insert markers right above each symbol's decorators, in the given order
    (one atomic write per file)."""
    by_file: dict[Path, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for sym, marker in accepted:
        by_file[sym.path][sym.block_line].append(f"{sym.indent}{marker.render()}\n")
    written: dict[Path, int] = {}
    for path, blocks in by_file.items():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for line in sorted(blocks, reverse=True):
            lines[line - 1 : line - 1] = blocks[line]
        write_text_atomic(path, "".join(lines))
        written[path] = sum(len(b) for b in blocks.values())
    return written
