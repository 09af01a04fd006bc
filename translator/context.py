"""What a translator (model or agent) is told about a unit: the context an engineer would want.

:class:`ContextBuilder` gathers, for one translation unit:

* the Rust change as focused diff hunks of each item (the whole item when it is short),
* the upstream commit message(s),
* the current Python counterpart (from provenance) and the target module's imports and
  neighbouring definitions,
* the Python signatures of the port symbols the Rust code calls (provenance links first,
  then same-named port definitions),
* the port's tests that exercise the counterpart,
* the port's conventions, read from the port itself (sync or async, exception types,
  HTTP client, value types),

and fits them into a size budget in a fixed priority order (:data:`PRIORITY`): what does
not fit is cut or dropped, and the prompt says so.
"""

from __future__ import annotations

import ast
import difflib
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import libcst as cst

from translator.cst.symbols import is_import
from translator.plan import PlannedItem
from translator.provenance import ProvenanceIndex

#: sections in the order they are kept when the prompt is over budget (first = kept longest)
PRIORITY = (
    "rust",
    "current",
    "conventions",
    "commit",
    "callees",
    "imports",
    "tests",
    "neighbours",
)
DEFAULT_BUDGET_CHARS = 24_000
SHORT_ITEM_LINES = 40
_DECL = re.compile(
    r"^\s*(pub(\([^)]*\))?\s+)?((async|const|unsafe|extern \"C\")\s+)*(fn|struct|enum|trait|impl|type|static|mod)\b"
)
_CALL = re.compile(r"(?:\b([A-Z][A-Za-z0-9_]*)::)?\b([a-z_][a-z0-9_]*)\s*(?:::<[^>]*>)?\(")
_METHOD = re.compile(r"\.([a-z_][a-z0-9_]*)\s*(?:::<[^>]*>)?\(")
#: std/iterator methods that say nothing about the port
_STD = frozenset(
    [
        "new",
        "default",
        "clone",
        "to_string",
        "to_owned",
        "into",
        "iter",
        "map",
        "collect",
        "unwrap",
        "unwrap_or",
        "expect",
        "ok",
        "err",
        "is_some",
        "is_none",
        "is_empty",
        "len",
        "push",
        "insert",
        "get",
        "contains",
        "as_ref",
        "as_str",
        "as_deref",
        "and_then",
        "filter",
        "take",
        "rev",
        "cloned",
        "some",
        "format",
        "write",
        "display",
        "join",
        "split",
        "trim",
        "starts_with",
        "ends_with",
        "lock",
        "await",
        "send",
        "recv",
        "spawn",
        "from",
        "try_from",
        "borrow",
        "borrow_mut",
        "extend",
        "first",
        "last",
        "any",
        "all",
        "find",
        "unwrap_or_default",
        "unwrap_or_else",
        "map_err",
        "ok_or",
        "ok_or_else",
        "iter_mut",
        "into_iter",
        "with_capacity",
        "replace",
        "remove",
        "drain",
        "sort",
        "sort_by",
        "dedup",
        "retain",
        "chain",
        "zip",
        "enumerate",
        "count",
        "sum",
        "max",
        "min",
        "to_vec",
        "copied",
        "flatten",
        "fold",
        "keys",
        "values",
        "entry",
        "or_insert",
        "or_default",
        "parse",
    ]
)


@dataclass(frozen=True)
class PromptContext:
    """The sections of a unit's user prompt (empty = not available) and what the budget cut."""

    rust: str
    commit: str = ""
    current: str = ""
    imports: str = ""
    neighbours: str = ""
    callees: str = ""
    tests: str = ""
    conventions: str = ""
    omitted: tuple[str, ...] = ()

    def sections(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in PRIORITY}


def focused_diff(item: PlannedItem) -> str:
    """The item's change as a unified diff: all of it when short, else hunks plus its head."""
    old, new = item.old_text or "", item.new_text or ""
    if not old:
        return new
    if not new:
        return "\n".join(f"-{line}" for line in old.splitlines())
    old_lines, new_lines = old.splitlines(), new.splitlines()
    short = max(len(old_lines), len(new_lines)) <= SHORT_ITEM_LINES
    context = max(len(old_lines), len(new_lines)) if short else 6
    lines = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=context))[2:]
    head = next((line for line in new_lines if _DECL.match(line)), new_lines[0])
    if lines and not short and not any(line[1:] == head for line in lines):
        lines.insert(0, f" {head}")
    return "\n".join(lines)


def _upstream_messages(git_dir: Path | None, commit: str, base: str = "") -> str:
    if git_dir is None or not commit:
        return ""
    if not (git_dir / "HEAD").exists() and not (git_dir / ".git").exists():
        return ""
    spec = [f"{base}..{commit}"] if base else ["-1", commit]
    proc = subprocess.run(
        ["git", "-C", str(git_dir), "log", "--format=commit %h%n%B%x00", "-5", *spec],
        capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        return ""
    return "\n".join(m.strip() for m in proc.stdout.split("\x00") if m.strip())


@dataclass
class _PortSymbol:
    module: str
    symbol: str
    signature: str
    path: Path


@dataclass
class ContextBuilder:
    """Builds :class:`PromptContext` from the port tree, the upstream and the provenance."""

    target_root: Path  # the directory holding the port's packages (``port``)
    upstream_git_dir: Path | None = None
    provenance: ProvenanceIndex | None = None
    test_roots: Sequence[Path] = ()
    budget_chars: int = DEFAULT_BUDGET_CHARS
    packages: Sequence[str] = field(default_factory=tuple)

    # ------------------------------------------------------------------ the port, read once
    def _package_files(self) -> Iterable[tuple[str, Path]]:
        packages = self.packages or [
            p.name for p in sorted(self.target_root.iterdir())
            if p.is_dir() and (p / "__init__.py").is_file() and p.name != "tests"
        ] if self.target_root.is_dir() else []  # fmt: skip
        for package in packages:
            for path in sorted((self.target_root / package).rglob("*.py")):
                if "__pycache__" in path.parts:
                    continue
                rel = path.relative_to(self.target_root).with_suffix("")
                parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
                yield ".".join(parts), path

    @cached_property
    def _trees(self) -> dict[str, tuple[Path, ast.Module]]:
        out: dict[str, tuple[Path, ast.Module]] = {}
        for module, path in self._package_files():
            try:
                out[module] = (path, ast.parse(path.read_text(encoding="utf-8")))
            except (SyntaxError, OSError, UnicodeDecodeError):
                continue
        return out

    @cached_property
    def _symbols(self) -> dict[str, list[_PortSymbol]]:
        """Port definitions by bare name (functions, classes, methods ``Class.name``)."""
        table: dict[str, list[_PortSymbol]] = {}
        for module, (path, tree) in self._trees.items():
            for node in tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    table.setdefault(node.name, []).append(
                        _PortSymbol(module, node.name, _signature(node), path)
                    )
                if isinstance(node, ast.ClassDef):
                    for inner in node.body:
                        if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                            table.setdefault(inner.name, []).append(
                                _PortSymbol(module, f"{node.name}.{inner.name}",
                                            _signature(inner, node.name), path)
                            )  # fmt: skip
        return table

    @cached_property
    def conventions(self) -> str:
        """House rules of the port, measured on the port (not assumed)."""
        funcs = asyncs = dataclasses = models = 0
        exceptions: list[str] = []
        httpx_sync = httpx_async = 0
        session_methods: tuple[str, int, int] | None = None
        for module, (path, tree) in self._trees.items():
            text = path.read_text(encoding="utf-8", errors="replace")
            httpx_sync += text.count("httpx.Client(")
            httpx_async += text.count("httpx.AsyncClient(")
            for node in ast.walk(tree):
                if isinstance(node, ast.AsyncFunctionDef):
                    asyncs += 1
                elif isinstance(node, ast.FunctionDef):
                    funcs += 1
                elif isinstance(node, ast.ClassDef):
                    bases = {ast.unparse(b) for b in node.bases}
                    decos = {ast.unparse(d) for d in node.decorator_list}
                    if any("dataclass" in d for d in decos):
                        dataclasses += 1
                    if any(b.endswith("BaseModel") for b in bases):
                        models += 1
                    public = not node.name.startswith("_") and not any(
                        part.startswith("_") for part in module.split(".")
                    )
                    if public and any(b.endswith(("Error", "Exception")) for b in bases):
                        exceptions.append(f"{module}.{node.name}")
                    if node.name == "Session" and session_methods is None:
                        methods = [
                            n
                            for n in node.body
                            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                        ]
                        n_async = sum(isinstance(n, ast.AsyncFunctionDef) for n in methods)
                        session_methods = (module, len(methods), n_async)
        if not funcs and not asyncs:
            return ""
        lines = []
        if asyncs * 20 <= funcs:
            where = ""
            if session_methods is not None:
                mod, n, n_async = session_methods
                where = f" `{mod}.Session` has {n} methods, {n_async} async."
            lines.append(
                f"- The port is synchronous: {funcs} functions, {asyncs} `async def`.{where} Translate "
                "`async fn`/`.await` into plain functions and tokio tasks or `select!` into threads "
                "(`concurrent.futures`) or subprocesses; do not introduce asyncio."
            )
        else:
            lines.append(
                f"- The port uses asyncio: {asyncs} of {funcs + asyncs} functions are `async def`."
            )
        if exceptions:
            exceptions.sort(key=lambda name: (name.count("."), ".errors." not in name, name))
            lines.append(
                "- Errors: raise the port's exception types, e.g. "
                + ", ".join(exceptions[:8])
                + "."
            )
        if httpx_sync or httpx_async:
            kind = (
                "httpx.Client (synchronous)" if httpx_sync >= httpx_async else "httpx.AsyncClient"
            )
            lines.append(f"- HTTP goes through {kind}.")
        if models:
            lines.append(
                f"- Values: {dataclasses} dataclasses and {models} pydantic models in the port; plain "
                "values are frozen dataclasses, wire types pydantic models."
            )
        else:
            lines.append(
                f"- Values: {dataclasses} dataclasses and no pydantic model in the port: values and "
                "wire types are dataclasses converted to and from JSON dicts explicitly."
            )
        deps = self.runtime_dependencies
        if deps:
            lines.append(
                f"- Runtime dependencies of the port: {', '.join(deps)} and the standard library; "
                "add no other import."
            )
        lines.append(
            "- Names: snake_case functions and modules, PascalCase classes, UPPER_CASE constants; "
            "keep upstream's names (`codex_core::session::Session::run_turn` -> "
            "`pycodex.core.session.Session.run_turn`). Messages, formats and defaults byte for byte."
        )
        return "\n".join(lines)

    @cached_property
    def runtime_dependencies(self) -> list[str]:
        """``[project].dependencies`` of the port's ``pyproject.toml``, by name."""
        import tomllib

        try:
            data = tomllib.loads((self.target_root / "pyproject.toml").read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return []
        deps = data.get("project", {}).get("dependencies", [])
        return [re.split(r"[<>=!~\[ ;]", str(d), maxsplit=1)[0] for d in deps if isinstance(d, str)]

    # ------------------------------------------------------------------ per unit
    def callees(self, items: Sequence[PlannedItem], exclude: Iterable[str] = ()) -> str:
        """Signatures of the port symbols the Rust code calls (at most 12)."""
        skip = set(exclude)
        names: dict[str, str | None] = {}
        for item in items:
            text = item.new_text or ""
            for owner, name in _CALL.findall(text):
                if name not in _STD:
                    names.setdefault(name, owner or None)
            for name in _METHOD.findall(text):
                if name not in _STD:
                    names.setdefault(name, None)
        found: list[str] = []
        by_link = self._linked()
        for name, owner in names.items():
            candidates = by_link.get(f"{owner}::{name}" if owner else name, [])
            if not candidates:
                candidates = [
                    s for s in self._symbols.get(name, [])
                    if owner is None or s.symbol == f"{owner}.{name}"
                ]  # fmt: skip
            if not candidates or len(candidates) > 3:
                continue
            for sym in candidates:
                key = f"{sym.module}.{sym.symbol}"
                if key in skip or any(key in f for f in found):
                    continue
                found.append(f"{key}{sym.signature}")
        return "\n".join(found[:12])

    def _linked(self) -> dict[str, list[_PortSymbol]]:
        """Provenance links by the Rust path's last one and two segments."""
        if self.provenance is None:
            return {}
        out: dict[str, list[_PortSymbol]] = {}
        for record in self.provenance.all():
            parts = record.rust_path.split("::")
            sym = next(
                (s for s in self._symbols.get(record.python_symbol.rsplit(".", 1)[-1], [])
                 if s.module == record.python_module and s.symbol == record.python_symbol),
                None,
            )  # fmt: skip
            if sym is None:
                continue
            for key in {parts[-1], "::".join(parts[-2:])}:
                out.setdefault(key, []).append(sym)
        return out

    def tests_for(self, module: str, symbols: Sequence[str]) -> str:
        """Port tests that import ``module`` (or a name from it) and mention one of ``symbols``."""
        leaves = {s.rsplit(".", 1)[-1] for s in symbols} | {s.split(".", 1)[0] for s in symbols}
        leaves = {leaf for leaf in leaves if leaf}
        hits: list[tuple[str, str]] = []
        for root in self.test_roots:
            for path in sorted(root.rglob("test_*.py")) if root.is_dir() else []:
                try:
                    text = path.read_text(encoding="utf-8")
                    tree = ast.parse(text)
                except (OSError, SyntaxError, UnicodeDecodeError):
                    continue
                if module not in text:
                    continue
                for node in tree.body:
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                        source = ast.get_source_segment(text, node) or ""
                        if any(re.search(rf"\b{re.escape(leaf)}\b", source) for leaf in leaves):
                            rel = (
                                path.relative_to(root.parent)
                                if root.parent in path.parents
                                else path
                            )
                            hits.append((f"{rel}::{node.name}", source))
        e2e = self._cli_tests()
        if not hits and not e2e:
            return ""
        text = ""
        if hits:
            listing = "\n".join(f"- {name}" for name, _ in hits[:15])
            shortest = min(hits, key=lambda h: len(h[1]))
            text = f"{listing}\n\nFor example, {shortest[0]}:\n```python\n{shortest[1]}\n```"
        if e2e:
            text += ("\n\n" if text else "") + (
                "End-to-end tests run the CLI in a subprocess and so exercise whatever it reaches: "
                + ", ".join(e2e[:8])
            )
        return text

    def _cli_tests(self) -> list[str]:
        """Test files that start the port's CLI (its ``_entry`` or console script)."""
        out: list[str] = []
        for root in self.test_roots:
            for path in sorted(root.rglob("test_*.py")) if root.is_dir() else []:
                text = path.read_text(encoding="utf-8", errors="replace")
                if "subprocess" in text and "._entry import main" in text:
                    out.append(str(path.relative_to(root.parent)))
        return out

    def build(
        self,
        *,
        python_module: str,
        items: Sequence[PlannedItem],
        target: cst.Module,
        current_python: str,
        commit: str = "",
        base: str = "",
        symbols: Sequence[str] = (),
    ) -> PromptContext:
        rust = "\n\n".join(
            f"### {i.qualified_path} ({i.item_kind}, {i.status}, {i.change_kind}) -> `{i.python_symbol}`\n"
            f"```diff\n{focused_diff(i)}\n```"
            for i in items
        )
        imports = "\n".join(
            target.code_for_node(s.with_changes(leading_lines=())).rstrip()
            for s in target.body
            if is_import(s)
        )
        from translator.cst.symbols import outline

        own = {f"{python_module}.{s}" for s in symbols}
        full = PromptContext(
            rust=rust,
            commit=_upstream_messages(self.upstream_git_dir, commit, base),
            current=current_python,
            imports=imports,
            neighbours=outline(target),
            callees=self.callees(items, exclude=own),
            tests=self.tests_for(python_module, symbols) if current_python else "",
            conventions=self.conventions,
        )
        return fit_budget(full, self.budget_chars)


def fit_budget(ctx: PromptContext, budget: int) -> PromptContext:
    """Keep sections in :data:`PRIORITY` order until ``budget`` characters are used."""
    left = budget
    kept: dict[str, str] = {}
    omitted: list[str] = []
    for name, text in ctx.sections().items():
        if not text:
            kept[name] = ""
            continue
        if len(text) <= left:
            kept[name] = text
            left -= len(text)
        elif name == "rust" or left >= 600:
            cut = max(left, 2000) if name == "rust" else left
            kept[name] = (
                text[: cut - 80].rstrip()
                + f"\n... ({len(text) - cut + 80} chars cut for the prompt budget)"
            )
            omitted.append(f"{name} (cut to {cut} of {len(text)} chars)")
            left = max(left - cut, 0)
        else:
            kept[name] = ""
            omitted.append(f"{name} ({len(text)} chars)")
    return PromptContext(**kept, omitted=tuple(omitted))


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, owner: str = "") -> str:
    if isinstance(node, ast.ClassDef):
        init = next(
            (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
        )
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        head = f" (class{'(' + bases + ')' if bases else ''})"
        return head + (f" __init__{_signature(init)}" if init is not None else "")
    prefix = "async " if isinstance(node, ast.AsyncFunctionDef) else ""
    returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    return f"{' ' + prefix if prefix else ''}({ast.unparse(node.args)}){returns}"


__all__ = ["PRIORITY", "ContextBuilder", "PromptContext", "fit_budget", "focused_diff"]
