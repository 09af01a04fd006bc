"""``ferry provenance check``: every public symbol is linked or marked, every link is real.

Problems (each with file, line and what to do):

- ``missing``: a public class/function/method without a marker;
- ``malformed``: a ``# ferry`` comment that does not parse;
- ``stray``: a marker not directly above a definition;
- ``mixed``: a symbol both linked and marked port-only;
- ``unknown-revision`` / ``unknown-item``: a link to a commit the upstream does not have,
  or to a Rust item that does not exist at that commit (checked when an upstream checkout
  is available; without one the report says so and checks the rest);
- ``orphan``: a module nothing imports or names (entry points are named by their
  ``pyproject.toml``, launchers by the module that runs them).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from translator.errors import InputError
from translator.port_scan import ModuleScan, scan_tree
from translator.provenance import Link, canonical_rust_path, split_rust_path
from translator.rust_inventory import RustInventory, is_git_repo, load_inventory, resolve_rev

ProblemCode = Literal[
    "missing", "malformed", "stray", "mixed", "unknown-revision", "unknown-item", "orphan", "syntax"
]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    code: ProblemCode
    message: str
    symbol: str = ""


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    modules: int
    public: int
    linked: int
    port_only: int
    links: int
    links_verified: int
    upstream_note: str | None  # why links were not checked against the upstream

    @property
    def ok(self) -> bool:
        return not self.problems


def _symbol_problems(scan: ModuleScan) -> list[Problem]:
    out: list[Problem] = []
    if scan.syntax_error is not None:
        return [Problem(scan.path, 0, "syntax", f"cannot parse: {scan.syntax_error}")]
    for sym in scan.symbols:
        for mark in sym.markers:
            if mark.error is not None:
                out.append(Problem(scan.path, mark.line, "malformed", mark.error, sym.qualified))
        if sym.links and sym.port_only:
            out.append(
                Problem(
                    scan.path,
                    sym.line,
                    "mixed",
                    f"{sym.qualified} is both linked and marked port-only; keep one",
                    sym.qualified,
                )
            )
        if sym.needs_marker and not sym.markers:
            out.append(
                Problem(
                    scan.path,
                    sym.line,
                    "missing",
                    f"public {sym.kind} {sym.qualified} has no provenance marker: add "
                    "`# ferry: <crate>::<path>::<Item> @ <rev>` or "
                    "`# ferry: port-only -- <reason>` above it (`ferry provenance suggest`)",
                    sym.qualified,
                )
            )
    for mark in scan.stray:
        detail = f" ({mark.error})" if mark.error else ""
        out.append(
            Problem(
                scan.path,
                mark.line,
                "stray",
                "marker is not in the comment lines directly above a class, function, method "
                f"or assignment; move it there or delete it{detail}",
            )
        )
    return out


def _texts(target_root: Path) -> dict[Path, str]:
    """Every Python file's text under the target root, and its ``pyproject.toml``."""
    texts: dict[Path, str] = {}
    for path in sorted(target_root.rglob("*.py")):
        if "__pycache__" not in path.parts:
            texts[path] = path.read_text(encoding="utf-8", errors="replace")
    for name in ("pyproject.toml", "setup.cfg"):
        extra = target_root / name
        if extra.is_file():
            texts[extra] = extra.read_text(encoding="utf-8", errors="replace")
    return texts


def orphan_problems(scans: list[ModuleScan], target_root: Path) -> list[Problem]:
    """Modules no other file imports or names (packages' ``__init__`` excepted)."""
    texts = _texts(target_root)
    imported: set[str] = set()
    for scan in scans:
        imported |= scan.imports
    for path, text in texts.items():
        if path.suffix != ".py" or any(path == s.path for s in scans):
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
                imported.update(f"{node.module}.{a.name}" for a in node.names)
    out: list[Problem] = []
    for scan in scans:
        if scan.path.name == "__init__.py" or scan.module in imported:
            continue
        others = [t for p, t in texts.items() if p != scan.path]
        if any(scan.module in t for t in others):
            continue  # named in a string: a lazy import or a console script
        siblings = [t for p, t in texts.items() if p.parent == scan.path.parent and p != scan.path]
        if any(scan.path.name in t for t in siblings):
            continue  # run as a file by a sibling (a launcher)
        out.append(
            Problem(
                scan.path,
                1,
                "orphan",
                f"module {scan.module} is imported or named by nothing; wire it in or delete it",
            )
        )
    return out


def _did_you_mean(inventory: RustInventory, rust_path: str) -> list[str]:
    """Items of the same crate whose path ends like ``rust_path`` (re-exports, impl modules)."""
    segments = split_rust_path(canonical_rust_path(rust_path))
    crate = segments[0]
    tail = "::" + "::".join(segments[-2:] if len(segments) > 2 else segments[-1:])
    found = sorted(
        key for key in inventory.by_key if key.startswith(crate + "::") and key.endswith(tail)
    )
    if not found and len(segments) > 2:
        leaf = "::" + segments[-1]
        found = sorted(
            key for key in inventory.by_key if key.startswith(crate + "::") and key.endswith(leaf)
        )
    return found[:3]


def run_check(
    target_root: Path,
    packages: list[str],
    upstream: Path | None,
    subtree: str,
    cache_dir: Path | None,
    *,
    orphans: bool = True,
) -> CheckReport:
    scans = scan_tree(target_root, packages)
    if not scans:
        raise InputError(
            f"no Python files for packages {', '.join(packages)} under {target_root}; "
            "check [provenance].packages and [translate].target_root"
        )
    problems: list[Problem] = []
    for scan in scans:
        problems.extend(_symbol_problems(scan))
    if orphans:
        problems.extend(orphan_problems(scans, target_root))
    links: list[tuple[ModuleScan, int, str, Link]] = []
    public = linked = port_only = 0
    for scan in scans:
        for sym in scan.symbols:
            if sym.needs_marker:
                public += 1
                linked += bool(sym.links)
                port_only += bool(sym.port_only) and not sym.links
            for mark in sym.markers:
                if isinstance(mark.marker, Link):
                    links.append((scan, mark.line, sym.qualified, mark.marker))
    note: str | None = None
    verified = 0
    if upstream is None or not is_git_repo(upstream):
        note = (
            f"upstream not available at {upstream}: {len(links)} links were not checked "
            "against Rust items (give --upstream or [provenance].upstream)"
        )
    else:
        by_rev: dict[str, list[tuple[ModuleScan, int, str, Link]]] = defaultdict(list)
        for entry in links:
            by_rev[entry[3].rev].append(entry)
        for rev, entries in sorted(by_rev.items()):
            if resolve_rev(upstream, rev) is None:
                for scan, line, symbol, _link in entries:
                    problems.append(
                        Problem(
                            scan.path,
                            line,
                            "unknown-revision",
                            f"revision {rev} is not a commit of {upstream}",
                            symbol,
                        )
                    )
                continue
            inventory = load_inventory(upstream, rev, subtree, cache_dir)
            for scan, line, symbol, link in entries:
                if inventory.exists(link.rust_path):
                    verified += 1
                    continue
                hint = _did_you_mean(inventory, link.rust_path)
                problems.append(
                    Problem(
                        scan.path,
                        line,
                        "unknown-item",
                        f"{link.rust_path} does not exist at {rev} in {upstream}"
                        + (
                            f"; did you mean {' or '.join(hint)}?"
                            if hint
                            else " (crate names come from Cargo.toml; a path follows the file that "
                            "defines the item, a method the module of its impl block)"
                        ),
                        symbol,
                    )
                )
    problems.sort(key=lambda p: (str(p.path), p.line, p.code))
    return CheckReport(
        tuple(problems),
        len(scans),
        public,
        linked,
        port_only,
        len(links),
        verified,
        note,
    )
