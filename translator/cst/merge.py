"""Merge a checked candidate into its target module, touching only the changed symbols.

Symbols are top-level names (``ExecParams``) or methods (``ExecParams.run``). An upsert
replaces the statement that defines the symbol — keeping the blank lines and comments above
it, swapping any old provenance marker for the new one — or appends it when absent; a
removal deletes it. Every other byte of the module is left as it was: libcst reproduces
unchanged nodes exactly. Imports the candidate needs and the target lacks are added after
the target's last top-level import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from translator.cst.symbols import is_import, statement_names
from translator.errors import MergeError

MARKER_PREFIX = "# ferry:"


@dataclass(frozen=True)
class SymbolChange:
    """One symbol to upsert or remove; ``marker`` is the provenance comment to attach."""

    symbol: str
    action: Literal["upsert", "remove"] = "upsert"
    marker: str | None = None

    @property
    def owner(self) -> str | None:
        return self.symbol.split(".", 1)[0] if "." in self.symbol else None

    @property
    def leaf(self) -> str:
        return self.symbol.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class MergeResult:
    text: str
    replaced: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    imports_added: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.replaced or self.added or self.removed or self.imports_added)


def _marker_line(marker: str) -> cst.EmptyLine:
    return cst.EmptyLine(
        indent=True, whitespace=cst.SimpleWhitespace(""), comment=cst.Comment(marker)
    )


def _blank() -> cst.EmptyLine:
    return cst.EmptyLine(indent=False, whitespace=cst.SimpleWhitespace(""), comment=None)


def _with_leading(stmt: cst.BaseStatement, lines: Sequence[cst.EmptyLine]) -> cst.BaseStatement:
    if isinstance(stmt, cst.FunctionDef | cst.ClassDef | cst.SimpleStatementLine):
        return stmt.with_changes(leading_lines=tuple(lines))
    if hasattr(stmt, "leading_lines"):
        return stmt.with_changes(leading_lines=tuple(lines))
    return stmt


def _leading(stmt: cst.BaseStatement) -> tuple[cst.EmptyLine, ...]:
    return tuple(getattr(stmt, "leading_lines", ()))


def _replacement(
    old: cst.BaseStatement, new: cst.BaseStatement, marker: str | None
) -> cst.BaseStatement:
    kept = [
        line
        for line in _leading(old)
        if not (line.comment is not None and line.comment.value.startswith(MARKER_PREFIX))
    ]
    if marker:
        kept.append(_marker_line(marker))
    return _with_leading(new, kept)


def _addition(new: cst.BaseStatement, marker: str | None, blank_lines: int) -> cst.BaseStatement:
    lines = [_blank() for _ in range(blank_lines)]
    if marker:
        lines.append(_marker_line(marker))
    return _with_leading(new, lines)


@dataclass
class _Plan:
    top_upserts: dict[str, SymbolChange] = field(default_factory=dict)
    top_removals: set[str] = field(default_factory=set)
    method_changes: dict[str, dict[str, SymbolChange]] = field(default_factory=dict)


class SymbolMerger(cst.CSTTransformer):
    """Replace/add/remove exactly the planned symbols in a target module."""

    def __init__(
        self,
        plan: _Plan,
        candidate_top: dict[str, cst.BaseStatement],
        candidate_methods: dict[str, dict[str, cst.BaseStatement]],
        new_imports: Sequence[cst.SimpleStatementLine],
    ) -> None:
        super().__init__()
        self.plan = plan
        self.candidate_top = candidate_top
        self.candidate_methods = candidate_methods
        self.new_imports = list(new_imports)
        self.replaced: list[str] = []
        self.added: list[str] = []
        self.removed: list[str] = []
        self._depth = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._depth += 1
        return self._depth == 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self._depth -= 1
        if self._depth != 0:
            return updated_node
        changes = self.plan.method_changes.get(updated_node.name.value)
        if not changes or updated_node.name.value in self.plan.top_upserts:
            return updated_node
        body = updated_node.body
        if not isinstance(body, cst.IndentedBlock):
            raise MergeError(
                f"class {updated_node.name.value} has a one-line body; cannot merge methods into it"
            )
        new_body: list[cst.BaseStatement] = []
        seen: set[str] = set()
        for stmt in body.body:
            names = statement_names(stmt)
            hit = next((n for n in names if n in changes), None)
            if hit is None:
                new_body.append(stmt)
                continue
            seen.add(hit)
            change = changes[hit]
            symbol = f"{updated_node.name.value}.{hit}"
            if change.action == "remove":
                self.removed.append(symbol)
                continue
            new_body.append(
                _replacement(
                    stmt, self.candidate_methods[updated_node.name.value][hit], change.marker
                )
            )
            self.replaced.append(symbol)
        for name, change in changes.items():
            if name in seen or change.action == "remove":
                continue
            new_body.append(
                _addition(self.candidate_methods[updated_node.name.value][name], change.marker, 1)
            )
            self.added.append(f"{updated_node.name.value}.{name}")
        if not new_body:
            new_body.append(cst.SimpleStatementLine(body=[cst.Pass()]))
        return updated_node.with_changes(body=body.with_changes(body=new_body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body: list[cst.BaseStatement] = []
        seen: set[str] = set()
        last_import = -1
        for stmt in updated_node.body:
            names = statement_names(stmt)
            upsert = next((n for n in names if n in self.plan.top_upserts), None)
            removal = next((n for n in names if n in self.plan.top_removals), None)
            if upsert is not None:
                seen.update(n for n in names if n in self.plan.top_upserts)
                candidate = self.candidate_top[upsert]
                if any(id(candidate) == id(s) for s in body):
                    continue
                body.append(_replacement(stmt, candidate, self.plan.top_upserts[upsert].marker))
                self.replaced.append(upsert)
                continue
            if removal is not None:
                self.removed.append(removal)
                continue
            body.append(stmt)
            if is_import(stmt):
                last_import = len(body) - 1
        future = [s for s in self.new_imports if _is_future(s)]
        others = [s for s in self.new_imports if not _is_future(s)]
        if others:
            at = last_import + 1 if last_import >= 0 else _after_docstring(body)
            body[at:at] = others
        if future:
            at = _after_docstring(body)
            body[at:at] = future
        for name, change in self.plan.top_upserts.items():
            if name in seen:
                continue
            candidate = self.candidate_top[name]
            if any(id(candidate) == id(s) for s in body):
                continue
            blank = 2 if isinstance(candidate, cst.FunctionDef | cst.ClassDef) else 1
            body.append(_addition(candidate, change.marker, blank if body else 0))
            self.added.append(name)
        return updated_node.with_changes(body=body)


def _is_future(stmt: cst.SimpleStatementLine) -> bool:
    return any(
        isinstance(s, cst.ImportFrom)
        and isinstance(s.module, cst.Name)
        and s.module.value == "__future__"
        for s in stmt.body
    )


def _after_docstring(body: Sequence[cst.BaseStatement]) -> int:
    if (
        body
        and isinstance(body[0], cst.SimpleStatementLine)
        and isinstance(body[0].body[0], cst.Expr)
        and isinstance(body[0].body[0].value, cst.SimpleString)
    ):
        return 1
    return 0


def _import_key(module: cst.Module, stmt: cst.BaseStatement) -> str:
    return " ".join(module.code_for_node(stmt).split())


def merge_candidate(target: str, candidate: str, changes: Sequence[SymbolChange]) -> MergeResult:
    """Merge ``candidate`` into ``target`` applying exactly ``changes``."""
    try:
        target_module = cst.parse_module(target)
    except cst.ParserSyntaxError as exc:
        raise MergeError(
            f"target module does not parse: {exc.message} (line {exc.raw_line})"
        ) from exc
    try:
        candidate_module = (
            cst.parse_module(candidate) if candidate.strip() else cst.parse_module("")
        )
    except cst.ParserSyntaxError as exc:
        raise MergeError(f"candidate does not parse: {exc.message} (line {exc.raw_line})") from exc
    candidate_top: dict[str, cst.BaseStatement] = {}
    candidate_methods: dict[str, dict[str, cst.BaseStatement]] = {}
    for stmt in candidate_module.body:
        for name in statement_names(stmt):
            candidate_top[name] = stmt
        if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            methods = candidate_methods.setdefault(stmt.name.value, {})
            for inner in stmt.body.body:
                for name in statement_names(inner):
                    methods[name] = inner
    plan = _Plan()
    for change in changes:
        owner = change.owner
        if owner is None:
            if change.action == "remove":
                plan.top_removals.add(change.leaf)
            elif change.leaf not in candidate_top:
                raise MergeError(f"candidate does not define {change.symbol}")
            else:
                plan.top_upserts[change.leaf] = change
        else:
            if change.action == "upsert" and change.leaf not in candidate_methods.get(owner, {}):
                raise MergeError(
                    f"candidate does not define {change.symbol} (class {owner} with that method)"
                )
            plan.method_changes.setdefault(owner, {})[change.leaf] = change
    target_classes = {s.name.value for s in target_module.body if isinstance(s, cst.ClassDef)}
    for owner in plan.method_changes:
        if owner not in target_classes and owner not in plan.top_upserts:
            raise MergeError(f"target module has no class {owner} to merge methods into")
    existing = {_import_key(target_module, s) for s in target_module.body if is_import(s)}
    new_imports: list[cst.SimpleStatementLine] = []
    for stmt in candidate_module.body:
        if is_import(stmt) and isinstance(stmt, cst.SimpleStatementLine):
            key = _import_key(candidate_module, stmt)
            if key not in existing:
                existing.add(key)
                new_imports.append(stmt.with_changes(leading_lines=()))
    merger = SymbolMerger(plan, candidate_top, candidate_methods, new_imports)
    merged = target_module.visit(merger)
    return MergeResult(
        text=merged.code,
        replaced=tuple(merger.replaced),
        added=tuple(merger.added),
        removed=tuple(merger.removed),
        imports_added=tuple(_import_key(candidate_module, s) for s in new_imports),
    )
