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


def derived_module(index: ProvenanceIndex, qualified_path: str, file_module: str) -> str | None:
    """The Python module holding the linked siblings of a Rust item (None when none are linked).

    Looks from the narrowest enclosing path outwards (``crate::m::Type`` for a method, then
    ``crate::m``), never above ``file_module`` — the Rust module of the item's file — so
    an item is not placed by links of an unrelated file. The module holding most of the
    siblings wins; ties go to the alphabetically first.
    """
    segments = split_rust_path(canonical_rust_path(qualified_path))
    floor = len(split_rust_path(file_module)) if file_module else 1
    for cut in range(len(segments) - 1, max(floor, 1) - 1, -1):
        records = index.under_rust_prefix("::".join(segments[:cut]))
        if records:
            counts: dict[str, int] = {}
            for record in records:
                counts[record.python_module] = counts.get(record.python_module, 0) + 1
            return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return None
