"""Read the port's Python files: public symbols and the provenance markers above them.

A marker belongs to the definition whose comment block it sits in: the run of comment-only
lines directly above the definition (above its decorators). A ``# ferry`` comment anywhere
else (after a blank line, at the end of a code line, inside a function) is *stray* and
reported, so a marker left behind by a refactor cannot silently describe the wrong code.

Public means: a top-level class or function, or a method of a public top-level class,
whose name does not start with ``_``. Assignments may carry markers (the mechanical
backend writes them above type aliases and constants) but do not need one.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from translator.provenance import (
    Link,
    Marker,
    MarkerSyntaxError,
    PortOnly,
    ProvenanceRecord,
    parse_marker,
    text_hash,
)

SymbolKind = Literal["class", "function", "method", "assignment"]
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class MarkerLine:
    """One ``# ferry`` comment: its line, text and what it parsed to (or why not)."""

    line: int
    text: str
    marker: Marker | None = None
    error: str | None = None


@dataclass(frozen=True)
class PortSymbol:
    """A definition in the port and the markers above it."""

    module: str
    symbol: str  # ``Name`` or ``Class.method``
    kind: SymbolKind
    path: Path
    line: int  # the ``def``/``class`` line
    block_line: int  # where a new marker goes: the first line of decorators (or the def)
    indent: str
    public: bool
    markers: tuple[MarkerLine, ...] = ()
    #: a later definition of an already defined name (``@overload``, a property setter):
    #: the first definition's markers describe it
    repeated: bool = False
    source: str = ""

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(m.marker for m in self.markers if isinstance(m.marker, Link))

    @property
    def port_only(self) -> tuple[PortOnly, ...]:
        return tuple(m.marker for m in self.markers if isinstance(m.marker, PortOnly))

    @property
    def needs_marker(self) -> bool:
        return self.public and not self.repeated and self.kind != "assignment"

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.symbol}"


@dataclass(frozen=True)
class ModuleScan:
    """Everything the provenance tools need to know about one Python file."""

    module: str
    path: Path
    symbols: tuple[PortSymbol, ...] = ()
    stray: tuple[MarkerLine, ...] = ()
    syntax_error: str | None = None
    imports: frozenset[str] = field(default_factory=frozenset)

    def records(self) -> Iterator[ProvenanceRecord]:
        """Index rows: one per (symbol, link)."""
        for sym in self.symbols:
            if sym.repeated:
                continue
            for link in sym.links:
                yield ProvenanceRecord(
                    self.module,
                    sym.symbol,
                    link.rust_path,
                    link.rev,
                    link.content_hash,
                    text_hash(sym.source),
                    note=link.note,
                )


def _comment_lines(source: str) -> dict[int, tuple[str, bool]]:
    """line -> (comment text, whether the comment is alone on its line)."""
    out: dict[int, tuple[str, bool]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return out
    last_code_line = 0
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = (tok.string, last_code_line != tok.start[0])
        elif tok.type not in (
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENCODING,
        ):
            last_code_line = tok.end[0]
    return out


def _marker_line(line: int, text: str) -> MarkerLine:
    try:
        marker = parse_marker(text)
    except MarkerSyntaxError as exc:
        return MarkerLine(line, text, None, str(exc))
    return MarkerLine(line, text, marker)


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _assigned_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    alias = getattr(ast, "TypeAlias", None)  # Python 3.12+
    if alias is not None and isinstance(node, alias) and isinstance(node.name, ast.Name):
        return [node.name.id]
    return []


def _imports(tree: ast.Module, module: str, is_package: bool) -> frozenset[str]:
    """Modules this module imports (absolute dotted names, relative ones resolved)."""
    out: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                up = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*up, base] if base else up)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(out)


def scan_source(
    source: str, *, python_module: str, path: Path, is_package: bool = False
) -> ModuleScan:
    """Symbols, markers and stray markers of one module's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return ModuleScan(python_module, path, syntax_error=f"line {exc.lineno}: {exc.msg}")
    lines = source.splitlines()
    comments = _comment_lines(source)
    attached: set[int] = set()
    symbols: list[PortSymbol] = []

    def block(first: int) -> tuple[MarkerLine, ...]:
        found: list[MarkerLine] = []
        line = first - 1
        while line >= 1 and line in comments and comments[line][1]:
            text = comments[line][0]
            if parse_loosely(text):
                found.append(_marker_line(line, text))
                attached.add(line)
            line -= 1
        return tuple(reversed(found))

    def visit(body: Iterable[ast.stmt], owner: str | None, owner_public: bool) -> None:
        seen: set[str] = set()
        for node in body:
            first = _first_line(node)
            indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip())]
            if isinstance(node, _DEFS):
                name = node.name
                kind: SymbolKind = (
                    "class"
                    if isinstance(node, ast.ClassDef)
                    else ("method" if owner else "function")
                )
                symbol = f"{owner}.{name}" if owner else name
                segment = ast.get_source_segment(source, node) or ""
                symbols.append(
                    PortSymbol(
                        python_module,
                        symbol,
                        kind,
                        path,
                        node.lineno,
                        first,
                        indent,
                        public=owner_public and not name.startswith("_"),
                        markers=block(first),
                        repeated=symbol in seen,
                        source=segment,
                    )
                )
                seen.add(symbol)
                if isinstance(node, ast.ClassDef) and owner is None:
                    visit(node.body, name, not name.startswith("_"))
                continue
            names = _assigned_names(node)
            markers = block(first)
            for name in names:
                symbol = f"{owner}.{name}" if owner else name
                symbols.append(
                    PortSymbol(
                        python_module,
                        symbol,
                        "assignment",
                        path,
                        node.lineno,
                        first,
                        indent,
                        public=owner_public and not name.startswith("_"),
                        markers=markers,
                        repeated=symbol in seen,
                    )
                )
                seen.add(symbol)

    visit(tree.body, None, True)
    stray = tuple(
        _marker_line(line, text)
        for line, (text, _alone) in sorted(comments.items())
        if line not in attached and parse_loosely(text)
    )
    return ModuleScan(
        python_module,
        path,
        tuple(symbols),
        stray,
        imports=_imports(tree, python_module, is_package),
    )


def parse_loosely(comment: str) -> bool:
    """Whether a comment is meant as a marker (valid or not)."""
    try:
        return parse_marker(comment) is not None
    except MarkerSyntaxError:
        return True


def module_name(target_root: Path, path: Path) -> str:
    """``<root>/pycodex/a/b.py`` -> ``pycodex.a.b``; a package's ``__init__`` is the package."""
    rel = path.relative_to(target_root).with_suffix("")
    parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
    return ".".join(parts)


def _importable(target_root: Path, path: Path) -> bool:
    """Whether every directory between ``target_root`` and ``path`` is a package."""
    rel = path.relative_to(target_root)
    return all(
        (target_root.joinpath(*rel.parts[:i]) / "__init__.py").is_file()
        for i in range(1, len(rel.parts))
    )


def python_files(target_root: Path, packages: Iterable[str] = ()) -> list[Path]:
    """The ``.py`` files of ``packages`` under ``target_root``; without packages, every
    importable module below it (build directories and loose scripts are not modules)."""
    names = list(packages)
    roots = [target_root.joinpath(*p.split(".")) for p in names] or [target_root]
    files: set[Path] = set()
    for root in roots:
        if root.is_dir():
            files.update(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
        elif root.with_suffix(".py").is_file():
            files.add(root.with_suffix(".py"))
    if not names:
        files = {f for f in files if _importable(target_root, f)}
    return sorted(files)


def scan_tree(
    target_root: Path, packages: Iterable[str] = (), *, marked_only: bool = False
) -> list[ModuleScan]:
    """Scan every Python file of ``packages`` below ``target_root``.

    ``marked_only`` skips files without any marker (enough to rebuild the index).
    """
    scans: list[ModuleScan] = []
    for path in python_files(target_root, packages):
        text = path.read_text(encoding="utf-8", errors="replace")
        if marked_only and "ferry" not in text:
            continue
        scans.append(
            scan_source(
                text,
                python_module=module_name(target_root, path),
                path=path,
                is_package=path.name == "__init__.py",
            )
        )
    return scans
