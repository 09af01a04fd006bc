"""The module map: which Python module each Rust item is translated into.

Placement has one source of truth: the provenance. An item whose counterpart is linked goes
to that counterpart; a new item goes where the linked items of its type or Rust module
already live (:func:`derived_module`); only where nothing is linked do the globs decide.

Rules from ``[translate.module_map]`` map path globs (``codex-rs/exec/**``) to dotted
modules; the most specific matching glob wins (most literal characters). A module may use
``{path}`` (the file's module path below the glob's fixed prefix, ``tools/spec.rs`` ->
``tools.spec``; ``mod.rs``/``lib.rs`` stand for their directory), ``{stem}`` (its last part) and ``{crate}``. Overrides in
``[translate.overrides]`` map a Rust qualified path — or a ``prefix::*`` — directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import PurePosixPath

from translator.errors import ConfigError
from translator.provenance import ProvenanceIndex, canonical_rust_path, split_rust_path


def glob_regex(glob: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class ModuleMap:
    rules: tuple[tuple[str, str], ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_config(cls, rules: Mapping[str, str], overrides: Mapping[str, str]) -> ModuleMap:
        for glob, module in rules.items():
            if not re.fullmatch(r"[A-Za-z_{][\w{}.]*", module):
                raise ConfigError(
                    f"[translate.module_map] {glob!r} = {module!r}: not a dotted Python module name"
                )
        return cls(tuple(rules.items()), tuple(overrides.items()))

    @cached_property
    def _compiled(self) -> list[tuple[re.Pattern[str], int, str, str]]:
        out: list[tuple[re.Pattern[str], int, str, str]] = []
        for glob, module in self.rules:
            literal = re.split(r"[*?\[]", glob, maxsplit=1)[0]
            out.append(
                (
                    glob_regex(glob),
                    len(re.sub(r"[*?]", "", glob)),
                    module,
                    literal.rsplit("/", 1)[0],
                )
            )
        return out

    def module_for(self, file: str, qualified_path: str = "") -> str | None:
        """The Python module for an item declared in ``file`` (None when unmapped)."""
        best: tuple[int, str, str] | None = None
        for path_or_prefix, module in self.overrides:
            if qualified_path == path_or_prefix or (
                path_or_prefix.endswith("::*") and qualified_path.startswith(path_or_prefix[:-1])
            ):
                return module
        for regex, weight, module, prefix in self._compiled:
            if regex.match(file) and (best is None or weight > best[0]):
                best = (weight, module, prefix)
        if best is None:
            return None
        parts = PurePosixPath(file).parts
        crate = (
            parts[1] if len(parts) > 1 and parts[0] == "codex-rs" else (parts[0] if parts else "")
        )
        prefix = best[2]
        relative = file[len(prefix) + 1 :] if prefix and file.startswith(prefix + "/") else file
        inner = list(PurePosixPath(relative).parts)
        inner[-1] = PurePosixPath(inner[-1]).stem
        if inner[-1] in ("mod", "lib", "main"):
            inner.pop()
        stem = inner[-1] if inner else ""
        module = best[1].format(stem=stem, path=".".join(inner), crate=crate.replace("-", "_"))
        return re.sub(r"\.{2,}", ".", module).strip(".")


def layer_of(module: str, layers: Mapping[str, list[str]]) -> tuple[int, str]:
    """(rank, name) of the layer whose globs match ``module``; unlisted modules sit in the middle."""
    for rank, (name, globs) in enumerate(layers.items()):
        if any(fnmatchcase(module, g) for g in globs):
            return rank, name
    names = list(layers)
    middle = names.index("core") if "core" in names else len(names) // 2
    return middle, names[middle] if names else "core"


@dataclass(frozen=True)
class Placement:
    """Where provenance places a new item: a module, and the Python class of its Rust type."""

    python_module: str
    owner: str | None = None  # the class a new method joins (its Python name may differ)
    via: str = ""


def _is_type_segment(segment: str) -> bool:
    return segment[:1].isupper() or segment.startswith("<")


def derived_placement(
    index: ProvenanceIndex, qualified_path: str, file_module: str
) -> Placement | None:
    """Where the linked relatives of a new Rust item live (None when nothing is linked).

    1. A member of a Rust type whose type is linked to a Python class joins that class.
    2. Otherwise the item goes where the items linked *directly* from its Rust module live
       (free items of the module and members of its types; submodules do not count): the
       module holding most of them, ties to the alphabetically first.
    """
    segments = split_rust_path(canonical_rust_path(qualified_path))
    if len(segments) >= 3 and _is_type_segment(segments[-2]):
        owner_path = "::".join(segments[:-1])
        classes = [r for r in index.for_rust(owner_path) if "." not in r.python_symbol]
        if classes:
            first = sorted(classes, key=lambda r: (r.python_module, r.python_symbol))[0]
            return Placement(first.python_module, first.python_symbol, f"type {owner_path}")
    if not file_module:
        return None
    depth = len(split_rust_path(file_module))
    counts: dict[str, int] = {}
    for record in index.under_rust_prefix(file_module):
        rest = split_rust_path(canonical_rust_path(record.rust_path))[depth:]
        if len(rest) == 1 or (rest and _is_type_segment(rest[0])):
            counts[record.python_module] = counts.get(record.python_module, 0) + 1
    if not counts:
        return None
    module = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return Placement(module, None, f"module {file_module}")
