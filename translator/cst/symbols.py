"""Which top-level (and class-level) symbols a Python module defines, read with libcst."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


def statement_names(stmt: cst.CSTNode) -> list[str]:
    """Names a module- or class-level statement binds (defs, classes, assignments)."""
    if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
        return [stmt.name.value]
    if isinstance(stmt, cst.SimpleStatementLine):
        names: list[str] = []
        for small in stmt.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                names.append(small.target.value)
            elif isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        names.append(target.target.value)
            elif isinstance(small, cst.TypeAlias):
                names.append(small.name.value)
        return names
    if isinstance(stmt, cst.TypeAlias):
        return [stmt.name.value]
    return []


def is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body
    )


def defined_names(module: cst.Module) -> list[str]:
    """Top-level names in definition order (imports excluded)."""
    out: list[str] = []
    for stmt in module.body:
        out.extend(statement_names(stmt))
    return out


def method_names(cls: cst.ClassDef) -> list[str]:
    body = cls.body
    if not isinstance(body, cst.IndentedBlock):
        return []
    out: list[str] = []
    for stmt in body.body:
        out.extend(statement_names(stmt))
    return out


def provenance_markers(module: cst.Module, prefix: str = "# ferry:") -> dict[str, str]:
    """Top-level (and method) symbol -> the provenance marker comment right above it."""
    out: dict[str, str] = {}

    def scan(stmts: Sequence[cst.BaseStatement], owner: str | None) -> None:
        for stmt in stmts:
            marker = next(
                (
                    line.comment.value
                    for line in reversed(tuple(getattr(stmt, "leading_lines", ())))
                    if line.comment is not None and line.comment.value.startswith(prefix)
                ),
                None,
            )
            for name in statement_names(stmt):
                if marker is not None:
                    out[f"{owner}.{name}" if owner else name] = marker
            if (
                owner is None
                and isinstance(stmt, cst.ClassDef)
                and isinstance(stmt.body, cst.IndentedBlock)
            ):
                scan(stmt.body.body, stmt.name.value)

    scan(module.body, None)
    # libcst keeps the comments above the first statement in the module header
    if module.body:
        header_marker = next(
            (
                line.comment.value
                for line in reversed(module.header)
                if line.comment is not None and line.comment.value.startswith(prefix)
            ),
            None,
        )
        first_names = statement_names(module.body[0])
        if header_marker is not None:
            for name in first_names:
                out.setdefault(name, header_marker)
    return out


def symbol_source(module: cst.Module, symbol: str) -> str | None:
    """The source text of ``Name`` or ``Class.method`` in ``module`` (None when absent)."""
    owner, _, leaf = symbol.rpartition(".")
    stmts: Sequence[cst.BaseStatement] = module.body
    if owner:
        cls = next(
            (s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == owner), None
        )
        if cls is None or not isinstance(cls.body, cst.IndentedBlock):
            return None
        stmts = cls.body.body
    for stmt in stmts:
        if leaf in statement_names(stmt):
            return module.code_for_node(stmt.with_changes(leading_lines=()))
    return None


def outline(module: cst.Module, limit_chars: int = 3000) -> str:
    """First lines of every top-level definition: the neighbours a translator should know."""
    lines: list[str] = []
    for stmt in module.body:
        if is_import(stmt):
            continue
        if isinstance(stmt, cst.ClassDef | cst.FunctionDef):
            head = module.code_for_node(stmt.with_changes(leading_lines=())).splitlines()[0]
            lines.append(head)
            if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
                for inner in stmt.body.body:
                    if isinstance(inner, cst.FunctionDef):
                        text = module.code_for_node(inner.with_changes(leading_lines=()))
                        lines.append("    " + text.strip().splitlines()[0])
        elif statement_names(stmt):
            lines.append(
                module.code_for_node(stmt.with_changes(leading_lines=())).splitlines()[0][:160]
            )
    text = "\n".join(lines)
    return text if len(text) <= limit_chars else text[:limit_chars] + "\n# ... (truncated)"
