"""Table III: the paper's Rust-to-Python idiom mapping, with how often each side occurs.

The paper's table is qualitative (pattern -> Python equivalent). Ours keeps its fourteen
rows and counts the Rust pattern in codex-rs and its Python equivalent in the port, so a
reader sees how much of each idiom the translation had to carry (and, for locks, how much
of the Rust pattern survives in Python).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reports.metrics import count_word
from reports.sections import Chart, Section, no_data


@dataclass(frozen=True)
class Idiom:
    rust: str
    python: str  # the paper's equivalent
    rust_counted: str
    python_counted: str


IDIOMS = (
    Idiom(
        "Result<T, E>",
        "exceptions (raise / try)",
        "Result< uses",
        "raise statements and try blocks",
    ),
    Idiom("Option<T>", "Optional[T]", "Option< uses", "Optional[...] / X | None annotations"),
    Idiom(
        "algebraic enum",
        "@dataclass + Union[...]",
        "enums with data variants",
        "union type aliases",
    ),
    Idiom("simple enum", "enum.Enum", "enums without data", "Enum subclasses"),
    Idiom("struct", "@dataclass(frozen=True)", "struct definitions", "dataclasses"),
    Idiom("impl Trait", "Protocol / ABC", "trait definitions", "Protocol / ABC classes"),
    Idiom("async/await (Tokio)", "async/await (asyncio)", "async fn", "async def"),
    Idiom(
        "Arc<Mutex<T>>",
        "plain objects (GIL)",
        "Arc<Mutex|RwLock< uses",
        "threading locks still used",
    ),
    Idiom(
        "serde (Serialize/Deserialize)", "Pydantic BaseModel", "serde derives", "BaseModel classes"
    ),
    Idiom("reqwest (HTTP)", "httpx", "files using reqwest", "modules importing httpx"),
    Idiom("ratatui (TUI)", "Textual", "files using ratatui", "modules importing textual"),
    Idiom("clap (CLI)", "Click", "files using clap", "modules importing click"),
    Idiom(
        "sqlx (SQL)", "sqlite3 (standard library)", "files using sqlx", "modules importing sqlite3"
    ),
    Idiom(
        "Cargo workspace", "single pyproject.toml", "Cargo.toml manifests", "pyproject.toml files"
    ),
)

_ENUM = re.compile(r"\benum\s+[A-Za-z_]\w*[^{;]*\{")


def _enum_bodies(text: str) -> Iterable[str]:
    for match in _ENUM.finditer(text):
        depth, start = 0, match.end() - 1
        for pos in range(start, len(text)):
            ch = text[pos]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    yield text[start + 1 : pos]
                    break


def _has_data(body: str) -> bool:
    depth = 0
    for ch in body:
        if ch in "{(":
            if depth == 0:
                return True
            depth += 1
        elif ch in "})":
            depth -= 1
    return False


_USES = {
    "reqwest (HTTP)": "reqwest",
    "ratatui (TUI)": "ratatui",
    "clap (CLI)": "clap",
    "sqlx (SQL)": "sqlx",
}


def rust_counts(files: Iterable[tuple[str, str]], manifests: int | None) -> Counter[str]:
    c: Counter[str] = Counter()
    for _path, text in files:
        code = re.sub(r"//[^\n]*", "", text) if "//" in text else text
        c["Result<T, E>"] += count_word(code, "Result<")
        c["Option<T>"] += count_word(code, "Option<")
        if "enum " in code:
            for body in _enum_bodies(code):
                c["algebraic enum" if _has_data(body) else "simple enum"] += 1
        c["struct"] += count_word(code, "struct ")
        c["impl Trait"] += count_word(code, "trait ")
        c["async/await (Tokio)"] += count_word(code, "async fn")
        c["Arc<Mutex<T>>"] += sum(
            count_word(code, f"Arc<{prefix}{lock}<")
            for prefix in ("", "tokio::sync::", "std::sync::")
            for lock in ("Mutex", "RwLock")
        )
        if "derive(" in code:
            c["serde (Serialize/Deserialize)"] += len(
                re.findall(r"#\[derive\([^)]*(?:Serialize|Deserialize)", code)
            )
        for name, crate in _USES.items():
            c[name] += f"{crate}::" in code or f"use {crate}" in code
    if manifests is not None:
        c["Cargo workspace"] = manifests
    return c


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def _decorators(node: ast.ClassDef) -> list[str]:
    out = []
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Name):
            out.append(target.id)
        elif isinstance(target, ast.Attribute):
            out.append(target.attr)
    return out


def _is_union(node: ast.expr) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return True
    if isinstance(node, ast.Subscript):
        target = node.value
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
        if name == "Union":
            return True
        if name == "Annotated" and isinstance(node.slice, ast.Tuple) and node.slice.elts:
            return _is_union(node.slice.elts[0])
    return False


_IMPORTS = {
    "reqwest (HTTP)": "httpx",
    "ratatui (TUI)": "textual",
    "clap (CLI)": "click",
    "sqlx (SQL)": "sqlite3",
}
_OPTIONAL = re.compile(r"Optional\[|\|\s*None\b|\bNone\s*\|")


def python_counts(package_root: Path) -> Counter[str]:
    c: Counter[str] = Counter()
    for path in sorted(package_root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise | ast.Try):
                c["Result<T, E>"] += 1
            elif isinstance(node, ast.AsyncFunctionDef):
                c["async/await (Tokio)"] += 1
            elif isinstance(node, ast.ClassDef):
                bases, decorators = _base_names(node), _decorators(node)
                if bases & {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"}:
                    c["simple enum"] += 1
                if "dataclass" in decorators:
                    c["struct"] += 1
                if bases & {"Protocol", "ABC"}:
                    c["impl Trait"] += 1
                if "BaseModel" in bases:
                    c["serde (Serialize/Deserialize)"] += 1
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                if _is_union(node.value):
                    c["algebraic enum"] += 1
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("Lock", "RLock", "Condition"):
                    c["Arc<Mutex<T>>"] += 1
            elif isinstance(node, ast.Import):
                imported.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
        for key, module in _IMPORTS.items():
            c[key] += module in imported
        c["Option<T>"] += len(_OPTIONAL.findall(text))
    c["Cargo workspace"] = len(list(package_root.parent.glob("pyproject.toml")))
    return c


def idioms_section(
    rust_files: list[tuple[str, str]] | None,
    manifests: int | None,
    package_root: Path,
    counter: Callable[[Path], Counter[str]] = python_counts,
) -> Section:
    title = "Rust-to-Python idiom mapping"
    if not package_root.is_dir():
        return no_data("III", title, f"the port package {package_root} does not exist")
    rust = rust_counts(rust_files or [], manifests)
    python = counter(package_root)
    rows = []
    for idiom in IDIOMS:
        rows.append(
            {
                "Rust pattern": idiom.rust,
                "Python equivalent (paper)": idiom.python,
                "Rust counted": idiom.rust_counted,
                "Rust": rust.get(idiom.rust, 0) if rust_files else None,
                "pycodex counted": idiom.python_counted,
                "pycodex": python.get(idiom.rust, 0),
            }
        )
    table = pd.DataFrame(rows)
    chart = Chart(
        table.set_index("Rust pattern")[["Rust", "pycodex"]].fillna(0),
        "Table III: occurrences of each idiom (Rust pattern vs its Python equivalent)",
        "occurrences",
        kind="barh",
    )
    note = "The paper's table is qualitative (no figures to compare)."
    if not rust_files:
        note += " No Rust files were read (pass --upstream), so the Rust column is empty."
    return Section("III", title, table, note, chart=chart)
