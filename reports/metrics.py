"""Per-file measurements: code lines, tests, API surface and (Python) cyclomatic complexity.

Rust is measured with line patterns (code = non-blank lines that are not ``//`` comments;
tests = ``#[test]``-style attributes; public API = ``pub`` items, ``pub(crate)`` excluded;
every ``struct``/``enum`` and every ``fn``, as the paper's Table VIII counts them).
Python uses radon (SLOC, complexity) and ``ast`` (test functions, public top-level names,
every class, function and method, and the ``async`` ones).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, fields

from radon.complexity import cc_rank, cc_visit
from radon.raw import analyze

_RUST_TEST = re.compile(r"^\s*#\[(?:tokio::|async_std::)?test\b", re.M)
_RUST_PUB = re.compile(
    r"^\s*pub\s+(?:(?:async|const|unsafe|extern\s+\"[^\"]*\")\s+)*(fn|struct|enum|trait|type|const|static|union|mod)\s+[A-Za-z_]",
    re.M,
)


def count_word(text: str, token: str) -> int:
    """Occurrences of ``token`` not preceded by an identifier character (fast: str.find)."""
    n, pos = 0, text.find(token)
    while pos != -1:
        if pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_"):
            n += 1
        pos = text.find(token, pos + len(token))
    return n


@dataclass(frozen=True)
class FileMetrics:
    code_lines: int
    tests: int
    public_api: int
    types: int = 0  # Rust struct/enum definitions; Python classes
    functions: int = 0  # Rust fn items (functions and methods); Python functions and methods
    async_functions: int = 0

    def __add__(self, other: FileMetrics) -> FileMetrics:
        return FileMetrics(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(FileMetrics))
        )


ZERO = FileMetrics(0, 0, 0)


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
    return FileMetrics(
        code,
        len(_RUST_TEST.findall(text)),
        public,
        types=count_word(text, "struct ") + count_word(text, "enum "),
        functions=count_word(text, "fn "),
        async_functions=count_word(text, "async fn "),
    )


def python_metrics(text: str, path: str) -> FileMetrics:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError:
        return FileMetrics(analyze(text).sloc if text else 0, 0, 0)
    functions = [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    tests = sum(1 for node in functions if node.name.startswith("test"))
    public = 0
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            public += not node.name.startswith("_")
    return FileMetrics(
        analyze(text).sloc,
        tests,
        public,
        types=sum(1 for node in ast.walk(tree) if isinstance(node, ast.ClassDef)),
        functions=len(functions),
        async_functions=sum(1 for node in functions if isinstance(node, ast.AsyncFunctionDef)),
    )


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
