"""Which tests a gate runs: the whole suite, or the tests a change can reach.

The impacted mode works on the import graph of the candidate tree. Importing ``a.b.c``
executes ``a``, ``a.b`` and ``a.b.c``, so a file depends on every prefix of every name it
imports, and every module depends on its parent packages. A change to module ``M`` (a new,
edited or deleted file, or a package that now shadows a module of the same name) impacts
``M``, every module that depends on it, transitively, and every test file that depends
on one of those or sits under an impacted ``conftest.py``.

What static imports cannot see is always selected: tests (or helpers they import) that
start processes or import by string (``subprocess``, ``importlib``, ``runpy``, ...), the
configured CLI end-to-end tests, and everything when a change touches anything but a
Python module of a judged package (configuration, data files, conftest outside the tests).
The granularity is the module, never the symbol, so the selection is a superset of the
tests a change can break.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: a test file using any of these can exercise code no import names (a CLI subprocess)
_OPAQUE = re.compile(
    r"\b(subprocess|importlib|__import__|runpy|os\.system|os\.exec|os\.spawn|pexpect|multiprocessing|exec\()"
)


@dataclass(frozen=True)
class Selection:
    """The tests to run and why; ``everything`` means the whole configured suite."""

    tests: tuple[str, ...]
    everything: bool
    reasons: tuple[str, ...] = ()
    impacted_modules: tuple[str, ...] = ()


@dataclass
class _File:
    path: Path
    module: str  # dotted name (test helpers: their stem)
    imports: set[str] = field(default_factory=set)
    opaque: bool = False


def module_name(path: Path, roots: Sequence[Path]) -> str | None:
    """``<root>/pycodex/core/session.py`` -> ``pycodex.core.session`` for the first root holding it."""
    for root in roots:
        if not path.is_relative_to(root):
            continue
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and all(p.isidentifier() for p in parts):
            return ".".join(parts)
    return None


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _read_imports(path: Path, module: str, is_package: bool) -> tuple[set[str], bool]:
    text = path.read_text(encoding="utf-8", errors="replace")
    opaque = bool(_OPAQUE.search(text))
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError:
        return set(), True  # unreadable: treat as depending on everything it could
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".") if package else []
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, *([base] if base else [])])
            if base:
                names.add(base)
            for alias in node.names:
                if alias.name != "*":
                    names.add(f"{base}.{alias.name}" if base else alias.name)
    deps: set[str] = set()
    for name in names:
        deps.update(_prefixes(name))
    deps.update(_prefixes(module)[:-1])  # importing a module runs its parent packages
    return deps, opaque


def _python_files(directory: Path) -> Iterable[Path]:
    if directory.is_file() and directory.suffix == ".py":
        yield directory
        return
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*.py")):
        if "__pycache__" not in path.parts and not any(p.startswith(".") for p in path.parts[len(directory.parts):]):  # fmt: skip
            yield path


@dataclass
class ImportGraph:
    """Modules of the judged packages and the test files, with what each imports."""

    modules: dict[str, list[_File]]
    tests: list[_File]
    helpers: list[_File]  # conftest.py and test helper modules

    @classmethod
    def build(
        cls, root: Path, source_roots: Sequence[Path], packages: Sequence[str], test_paths: Sequence[Path]
    ) -> ImportGraph:  # fmt: skip
        modules: dict[str, list[_File]] = {}
        test_files: list[Path] = []
        for tp in test_paths:
            test_files.extend(_python_files(tp))
        test_set = set(test_files)
        for src in source_roots:
            for pkg in packages:
                for path in _python_files(src / pkg):
                    if path in test_set:
                        continue
                    name = module_name(path, [src])
                    if name is None:
                        continue
                    deps, opaque = _read_imports(path, name, path.name == "__init__.py")
                    modules.setdefault(name, []).append(_File(path, name, deps, opaque))
        tests: list[_File] = []
        helpers: list[_File] = []
        for path in test_files:
            stem = path.stem if path.name != "__init__.py" else path.parent.name
            deps, opaque = _read_imports(path, stem, path.name == "__init__.py")
            entry = _File(path, stem, deps, opaque)
            is_test = path.name.startswith("test_") or path.name.endswith("_test.py")
            (tests if is_test else helpers).append(entry)
        return cls(modules, tests, helpers)

    def impacted(self, changed: Iterable[str]) -> set[str]:
        """Every module name reached from ``changed`` through reverse dependencies."""
        hit = set(changed)
        grew = True
        while grew:
            grew = False
            for name, files in self.modules.items():
                if name in hit:
                    continue
                if any(f.imports & hit for f in files):
                    hit.add(name)
                    grew = True
        return hit

    def helper_closure(self, hit: set[str]) -> tuple[set[Path], set[str]]:
        """Test helpers (conftest, shared modules) impacted or opaque, by path and by name."""
        names: set[str] = set()
        paths: set[Path] = set()
        grew = True
        while grew:
            grew = False
            for helper in self.helpers:
                if helper.path in paths:
                    continue
                if helper.opaque or helper.imports & (hit | names):
                    paths.add(helper.path)
                    names.add(helper.module)
                    grew = True
        return paths, names


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def select_tests(
    root: Path,
    *,
    test_paths: Sequence[str],
    source_roots: Sequence[str],
    packages: Sequence[str],
    changed: Sequence[str] | None,
    mode: str = "all",
    e2e: Sequence[str] = (),
) -> Selection:
    """The tests to run for a change of the files ``changed`` (relative to ``root``)."""
    suite = tuple(test_paths)
    if mode == "all":
        return Selection(suite, True, ("selection = all: the whole suite",))
    if changed is None:
        return Selection(suite, True, ("no list of changed files: the whole suite",))
    roots = [(root / s).resolve() for s in source_roots]
    tests_abs = [(root / t).resolve() for t in test_paths]
    changed_modules: set[str] = set()
    for rel in changed:
        path = (root / rel).resolve()
        in_tests = any(path == t or path.is_relative_to(t) for t in tests_abs)
        if in_tests and path.suffix == ".py" and path.name != "conftest.py":
            continue  # an edited test is selected below by its own path
        name = module_name(path, roots) if path.suffix == ".py" else None
        if in_tests or name is None or name.split(".")[0] not in packages:
            return Selection(
                suite, True, (f"{rel} is not a module of {', '.join(packages)}: the whole suite",)
            )
        changed_modules.add(name)
    graph = ImportGraph.build(root, roots, packages, tests_abs)
    hit = graph.impacted(changed_modules)
    helper_paths, helper_names = graph.helper_closure(hit)
    conftests = {p.parent for p in helper_paths if p.name == "conftest.py"}
    changed_paths = {(root / c).resolve() for c in changed}
    chosen: list[str] = []
    reasons: list[str] = []
    for test in graph.tests:
        rel = _rel(test.path, root)
        why = ""
        if test.path in changed_paths:
            why = "changed"
        elif any(fnmatch.fnmatch(rel, g) or rel.startswith(g.rstrip("/") + "/") for g in e2e):
            why = "end-to-end"
        elif test.opaque:
            why = "starts processes or imports by name"
        elif test.imports & hit:
            why = "imports " + ", ".join(sorted(test.imports & hit)[:3])
        elif test.imports & helper_names:
            why = "uses helper " + ", ".join(sorted(test.imports & helper_names)[:3])
        elif any(test.path.is_relative_to(d) for d in conftests):
            why = "under an impacted conftest.py"
        if why:
            chosen.append(rel)
            reasons.append(f"{rel}: {why}")
    return Selection(tuple(chosen), False, tuple(reasons), tuple(sorted(hit)))


def impacted_module_files(
    root: Path, source_roots: Sequence[str], packages: Sequence[str], changed_files: Sequence[str]
) -> list[str]:
    """The changed module files and every module file importing them (for mypy)."""
    roots = [(root / s).resolve() for s in source_roots]
    names = {
        n
        for rel in changed_files
        if (n := module_name((root / rel).resolve(), roots)) is not None
        and n.split(".")[0] in packages
    }
    graph = ImportGraph.build(root, roots, packages, [])
    hit = graph.impacted(names)
    files = [_rel(f.path, root) for name in sorted(hit) for f in graph.modules.get(name, [])]
    return list(dict.fromkeys(files))
