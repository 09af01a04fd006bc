"""Per-file measurements: code lines, tests, public API and (Python) cyclomatic complexity.

Rust is measured with line patterns (code = non-blank lines that are not ``//`` comments;
tests = ``#[test]``-style attributes; API = ``pub`` items, ``pub(crate)`` excluded).
Python uses radon (SLOC, complexity) and ``ast`` (test functions, public top-level names).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from radon.complexity import cc_rank, cc_visit
from radon.raw import analyze

_RUST_TEST = re.compile(r"^\s*#\[(?:tokio::|async_std::)?test\b", re.M)
_RUST_PUB = re.compile(
    r"^\s*pub\s+(?:(?:async|const|unsafe|extern\s+\"[^\"]*\")\s+)*(fn|struct|enum|trait|type|const|static|union|mod)\s+[A-Za-z_]",
    re.M,
)


@dataclass(frozen=True)
class FileMetrics:
    code_lines: int
    tests: int
    public_api: int


def rust_metrics(text: str) -> FileMetrics:
    code = 0
    in_block = False
    for raw in text.splitlines():
        line = raw.strip()
        if in_block:
            if "*/" in line:
                in_block = False
            continue
        if not line or line.startswith("//"):
            continue
        if line.startswith("/*"):
            in_block = "*/" not in line
            continue
        code += 1
    public = sum(1 for m in _RUST_PUB.finditer(text) if m.group(1) != "mod")
    return FileMetrics(code, len(_RUST_TEST.findall(text)), public)


def python_metrics(text: str, path: str) -> FileMetrics:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError:
        return FileMetrics(analyze(text).sloc if text else 0, 0, 0)
    tests = sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    )
    public = 0
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            public += not node.name.startswith("_")
    return FileMetrics(analyze(text).sloc, tests, public)


@dataclass(frozen=True)
class Complexity:
    name: str
    complexity: int
    rank: str


def python_complexity(text: str) -> list[Complexity]:
    """Every function, method and class of a module with radon's complexity and rank (A-F)."""
    try:
        blocks = cc_visit(text)
    except SyntaxError:
        return []
    return [Complexity(b.fullname, int(b.complexity), str(cc_rank(b.complexity))) for b in blocks]
