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
    """``stmt`` with new leading lines (every libcst statement node carries them)."""
    if hasattr(stmt, "leading_lines"):
        return stmt.with_changes(leading_lines=tuple(lines))
    return stmt


def _leading(stmt: cst.BaseStatement) -> tuple[cst.EmptyLine, ...]:
    return tuple(getattr(stmt, "leading_lines", ()))


def _marker_path(comment: str) -> str | None:
    """The Rust path of a link marker (None for port-only or malformed markers)."""
    body = comment[len(MARKER_PREFIX) :].strip()
    path, at, _ = body.partition(" -- ")[0].rpartition(" @ ")
    return path.strip() if at else None


def _superseded(line: cst.EmptyLine, marker: str | None) -> bool:
    """Whether a comment line is a marker the new ``marker`` replaces."""
    if line.comment is None or not line.comment.value.startswith(MARKER_PREFIX):
        return False
    replaced = _marker_path(marker) if marker else None
    return replaced is None or _marker_path(line.comment.value) in (None, replaced)


def _replacement(
    old: cst.BaseStatement, new: cst.BaseStatement, marker: str | None
) -> cst.BaseStatement:
    """``new`` with ``old``'s comments; its markers give way to ``marker``.

    Links to *other* Rust items stay (the symbol still renders them); the link to the same
    item and any port-only mark are replaced by the new marker.
    """
    kept = [line for line in _leading(old) if not _superseded(line, marker)]
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
        header = updated_node.header
        if updated_node.body:
            first_names = statement_names(updated_node.body[0])
            upsert_first = next((n for n in first_names if n in self.plan.top_upserts), None)
            if upsert_first is not None or any(n in self.plan.top_removals for n in first_names):
                # the first statement's comments live in the module header: drop its stale marker
                marker = (
                    self.plan.top_upserts[upsert_first].marker if upsert_first is not None else None
                )
                header = tuple(line for line in header if not _superseded(line, marker))
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
            if last_import >= 0:
                at = last_import + 1
            else:
                at = _after_docstring(body)
                if at:  # keep a blank line between the docstring and the new import block
                    others[0] = others[0].with_changes(leading_lines=(_blank(),))
            body[at:at] = others
        if future:
            at = _after_docstring(body)
            if at and last_import < 0:
                future[0] = future[0].with_changes(leading_lines=(_blank(),))
            body[at:at] = future
        order = {name: i for i, name in enumerate(self.candidate_top)}
        pending = sorted(self.plan.top_upserts.items(), key=lambda kv: order.get(kv[0], len(order)))
        for name, change in pending:
            if name in seen:
                continue
            candidate = self.candidate_top[name]
            if any(id(candidate) == id(s) for s in body):
                continue
            blank = 2 if isinstance(candidate, cst.FunctionDef | cst.ClassDef) else 1
            body.append(_addition(candidate, change.marker, blank if body else 0))
            self.added.append(name)
        return updated_node.with_changes(body=body, header=header)


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


def _imported(module: cst.Module, stmt: cst.SimpleStatementLine) -> list[tuple[str, str, str]]:
    """(from-module, name, as-name) for each name an import statement binds."""
    out: list[tuple[str, str, str]] = []
    for small in stmt.body:
        if isinstance(small, cst.Import):
            for alias in small.names:
                asname = alias.asname.name if alias.asname is not None else None
                out.append(
                    (
                        "",
                        module.code_for_node(alias.name),
                        module.code_for_node(asname) if asname else "",
                    )
                )
        elif isinstance(small, cst.ImportFrom):
            source = "." * len(small.relative) + (
                module.code_for_node(small.module) if small.module else ""
            )
            if isinstance(small.names, cst.ImportStar):
                out.append((source, "*", ""))
                continue
            for alias in small.names:
                asname = alias.asname.name if alias.asname is not None else None
                out.append(
                    (
                        source,
                        module.code_for_node(alias.name),
                        module.code_for_node(asname) if asname else "",
                    )
                )
    return out


def _import_statement(names: Sequence[tuple[str, str, str]]) -> cst.SimpleStatementLine:
    """One statement importing ``names`` (all from the same source, as in the candidate)."""
    source = names[0][0]
    parts = [f"{name} as {asname}" if asname else name for _, name, asname in names]
    code = (
        f"import {', '.join(parts)}\n"
        if not source
        else f"from {source} import {', '.join(parts)}\n"
    )
    statement = cst.parse_statement(code)
    if not isinstance(statement, cst.SimpleStatementLine):
        raise MergeError(f"could not rebuild the import {code.strip()!r}")
    return statement


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
    existing: set[tuple[str, str, str]] = set()
    for stmt in target_module.body:
        if is_import(stmt) and isinstance(stmt, cst.SimpleStatementLine):
            existing.update(_imported(target_module, stmt))
    target_has_imports = bool(existing)
    new_imports: list[cst.SimpleStatementLine] = []
    for stmt in candidate_module.body:
        if not (is_import(stmt) and isinstance(stmt, cst.SimpleStatementLine)):
            continue
        missing = [k for k in _imported(candidate_module, stmt) if k not in existing]
        if not missing:
            continue
        existing.update(missing)
        for source in dict.fromkeys(k[0] for k in missing):
            rebuilt = _import_statement([k for k in missing if k[0] == source])
            if not target_has_imports and new_imports:
                # a module without imports takes the candidate's grouping (blank lines) as is
                rebuilt = rebuilt.with_changes(leading_lines=stmt.leading_lines)
            new_imports.append(rebuilt)
    merger = SymbolMerger(plan, candidate_top, candidate_methods, new_imports)
    merged = target_module.visit(merger)
    return MergeResult(
        text=merged.code,
        replaced=tuple(merger.replaced),
        added=tuple(merger.added),
        removed=tuple(merger.removed),
        imports_added=tuple(_import_key(cst.Module(body=[]), s) for s in new_imports),
    )
