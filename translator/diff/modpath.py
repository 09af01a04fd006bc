"""Map a Rust file path to its crate and module path.

The crate directory is the part of the path before the first ``src``, ``tests``,
``benches`` or ``examples`` component (or the file's directory for ``build.rs``),
unless a deeper directory has its own ``Cargo.toml`` (a nested crate such as
``core/tests/common``, package ``core_test_support``: the engine checks that);
the crate name comes from that directory's ``Cargo.toml`` (``[lib] name``, else
``[package] name``, with ``-`` turned into ``_``). Integration tests, benches and
examples are placed under ``<crate>::tests``, ``<crate>::benches`` and
``<crate>::examples`` so their paths never collide with library items.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

_TARGET_DIRS = ("src", "tests", "benches", "examples")


@dataclass(frozen=True, slots=True)
class CrateLocation:
    """Where a file sits: its crate directory and the path inside it."""

    crate_dir: str  # "" when the crate is the repository root
    relative: tuple[str, ...]  # path components below crate_dir


@lru_cache(maxsize=1 << 16)
def locate(path: str) -> CrateLocation:
    """Split ``path`` into crate directory and crate-relative components."""
    parts = tuple(p for p in path.split("/") if p)
    for index, part in enumerate(parts[:-1]):
        if part in _TARGET_DIRS:
            return CrateLocation("/".join(parts[:index]), tuple(parts[index:]))
    return CrateLocation("/".join(parts[:-1]), tuple(parts[-1:]))


_SECTION = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(?:#.*)?$")
_NAME = re.compile(r"""^\s*name\s*=\s*["']([^"']+)["']\s*(?:#.*)?$""")


def _simple_names(text: str) -> dict[str, str]:
    """``name`` of the ``[lib]`` and ``[package]`` tables, read line by line (no TOML parse)."""
    names: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        if line.lstrip().startswith("["):  # any table header, ``[[bin]]`` included
            header = _SECTION.match(line)
            section = header.group(1) if header is not None else ""
            continue
        if section in ("lib", "package") and section not in names:
            found = _NAME.match(line)
            if found is not None:
                names[section] = found.group(1)
    return names


def crate_name_from_manifest(text: str | None, crate_dir: str) -> str:
    """The crate's Rust name from a ``Cargo.toml``; the directory name when unusable.

    The common layout (``name = "..."`` under ``[package]``/``[lib]``) is read without
    parsing the whole manifest; anything else goes through ``tomllib``.
    """
    name: object = None
    simple = _simple_names(text) if text is not None else {}
    if simple:
        name = simple.get("lib") or simple.get("package")
        text = None
    if text is not None:
        try:
            manifest = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            manifest = {}
        lib = manifest.get("lib")
        package = manifest.get("package")
        if isinstance(lib, dict) and isinstance(lib.get("name"), str):
            name = lib["name"]
        elif isinstance(package, dict) and isinstance(package.get("name"), str):
            name = package["name"]
    if not isinstance(name, str) or not name:
        name = PurePosixPath(crate_dir).name or "crate"
    return name.replace("-", "_")


def _strip_rs(component: str) -> str:
    return component[:-3] if component.endswith(".rs") else component


def module_path(crate: str, location: CrateLocation) -> str:
    """The qualified module path of the file, e.g. ``codex_core::tools::spec``."""
    rel = list(location.relative)
    if not rel:
        return crate
    segments: list[str]
    if rel[0] == "src":
        rel = rel[1:]
        if len(rel) >= 2 and rel[0] == "bin":
            # src/bin/name.rs or src/bin/name/main.rs is its own binary crate
            binary = _strip_rs(rel[1]).replace("-", "_")
            rest = [_strip_rs(p) for p in rel[2:]]
            if rest and rest[-1] in ("main", "mod"):
                rest = rest[:-1]
            return "::".join([binary, *rest])
        segments = [_strip_rs(p) for p in rel]
        if segments and segments[-1] in ("lib", "main") and len(segments) == 1:
            segments = []
        elif segments and segments[-1] == "mod":
            segments = segments[:-1]
    elif rel[0] in _TARGET_DIRS:
        segments = [rel[0], *(_strip_rs(p) for p in rel[1:])]
        if segments[-1] in ("mod", "main") and len(segments) > 2:
            segments = segments[:-1]
    else:
        # a crate whose sources sit beside its Cargo.toml (``[lib] path = "lib.rs"``, as the
        # test-support crates under ``tests/common`` do)
        segments = [_strip_rs(p) for p in rel]
        if segments in (["lib"], ["main"]):
            segments = []
        elif len(segments) > 1 and segments[-1] == "mod":
            segments = segments[:-1]
    segments = [s.replace("-", "_") for s in segments]
    return "::".join([crate, *segments])


@lru_cache(maxsize=1 << 16)
def is_test_path(path: str) -> bool:
    """Files that only hold tests: integration tests, ``tests.rs``, ``*_tests.rs``."""
    location = locate(path)
    if location.relative and location.relative[0] == "tests":
        return True
    stem = PurePosixPath(path).stem
    return stem == "tests" or stem.endswith("_tests") or stem.endswith("_test")


_TEST_SUFFIXES = ("_tests", "_test")


@lru_cache(maxsize=1 << 16)
def path_attribute_parents(path: str) -> tuple[str, ...]:
    """Files that may declare ``path`` through ``#[path = "..."] mod name;``.

    Upstream keeps unit tests beside the code (``foo.rs`` declares
    ``#[path = "foo_tests.rs"] mod tests;``), so for a ``*_tests.rs`` file the
    candidates are ``foo.rs`` and the directory's ``mod.rs``/``lib.rs``/``main.rs``.
    """
    p = PurePosixPath(path)
    stem = p.stem
    suffix = next((s for s in _TEST_SUFFIXES if stem.endswith(s)), None)
    if suffix is None or stem == suffix.lstrip("_"):
        return ()
    base = stem[: -len(suffix)]
    names = [f"{base}.rs"] if base and base not in ("mod", "lib", "main") else []
    names += ["mod.rs", "lib.rs", "main.rs"]
    return tuple(str(p.parent / name) if str(p.parent) != "." else name for name in names)


def declared_module(parent_source: bytes, file_name: str) -> str | None:
    """The name of the ``mod`` that ``parent_source`` loads from ``file_name`` via ``#[path]``."""
    pattern = re.compile(
        rb'#\[path\s*=\s*"' + re.escape(file_name.encode()) + rb'"\s*\]'
        rb"\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;"
    )
    match = pattern.search(parent_source)
    return match.group(1).decode() if match is not None else None
