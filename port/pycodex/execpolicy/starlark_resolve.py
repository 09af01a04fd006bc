"""Static name resolution: Starlark reports an unknown name before running anything.

Names bound anywhere at module level are module variables; a function sees its
parameters, the names it binds, module variables and builtins; comprehension and
lambda variables are local to them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Set


def _bound_names(statements: Iterable[ast.stmt]) -> set[str]:
    """Names a block binds (not descending into nested functions or comprehensions)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
            continue
        if isinstance(
            node, ast.Lambda | ast.ListComp | ast.DictComp | ast.SetComp | ast.GeneratorExp
        ):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _params(args: ast.arguments) -> set[str]:
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    return names


# ferry: port-only -- reimplements the starlark crate's static name resolution (a Rust dependency, not codex-rs)
def first_unresolved(tree: ast.Module, builtins: Set[str]) -> ast.Name | None:
    """The first (in source order) name that no scope defines, or ``None``."""
    module = _bound_names(tree.body) | set(builtins)
    unresolved: list[ast.Name] = []

    def visit(node: ast.AST, scope: Set[str]) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in scope:
                unresolved.append(node)
            return
        if isinstance(node, ast.FunctionDef):
            for default in node.args.defaults:
                visit(default, scope)
            inner = scope | _params(node.args) | _bound_names(node.body)
            for stmt in node.body:
                visit(stmt, inner)
            return
        if isinstance(node, ast.Lambda):
            for default in node.args.defaults:
                visit(default, scope)
            visit(node.body, scope | _params(node.args))
            return
        if isinstance(node, ast.ListComp | ast.DictComp | ast.SetComp | ast.GeneratorExp):
            inner = set(scope)
            for generator in node.generators:
                visit(generator.iter, inner)
                inner |= _bound_names([ast.Expr(generator.target)])
                for condition in generator.ifs:
                    visit(condition, inner)
            for part in (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,):
                visit(part, inner)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    for stmt in tree.body:
        visit(stmt, module)
    if not unresolved:
        return None
    return min(unresolved, key=lambda n: (n.lineno, n.col_offset))


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# ferry: port-only -- reimplements the starlark crate's did-you-mean hint (a Rust dependency, not codex-rs)
def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate within half the name's length (rounded up), as Starlark suggests.

    Ties go to the earliest candidate, so pass module names in definition order first.
    """
    limit = (len(name) + 1) // 2
    best: tuple[int, str] | None = None
    for candidate in candidates:
        if candidate == name:
            continue
        distance = _distance(name, candidate)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return None if best is None else best[1]


# ferry: port-only -- reimplements the starlark crate's static name resolution (a Rust dependency, not codex-rs)
def module_names(tree: ast.Module) -> list[str]:
    """Names bound at module level, in the order they are first bound."""
    positions: dict[str, tuple[int, int]] = {}
    for stmt in tree.body:
        for name in _bound_names([stmt]):
            positions.setdefault(name, (stmt.lineno, stmt.col_offset))
    return sorted(positions, key=lambda n: positions[n])
