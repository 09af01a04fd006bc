"""All declarations of a set of crates, and name resolution between them.

Resolution follows the file's ``use`` items first, then the declaring module, then the
crate, then a unique name anywhere — enough for protocol crates, which re-export little.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field

from translator.mechanical.ir import RustDecl, TypeExpr
from translator.mechanical.parse import ParsedFile, parse_source
from translator.sources import GitTree, SourceTree


def module_path(crate: str, rel: str) -> str:
    """``src/protocol/v2.rs`` in crate ``x`` -> ``x::protocol::v2``."""
    parts = rel.removeprefix("src/").removesuffix(".rs").split("/")
    if parts[-1] in ("lib", "main", "mod"):
        parts = parts[:-1]
    return "::".join([crate, *[p for p in parts if p]])


def crate_name(cargo_toml: str, fallback: str) -> str:
    """The crate's Rust identifier from its ``Cargo.toml`` (``[lib] name`` wins)."""
    try:
        data = tomllib.loads(cargo_toml)
    except tomllib.TOMLDecodeError:
        return fallback.replace("-", "_")
    lib = data.get("lib", {})
    name = lib.get("name") if isinstance(lib, dict) else None
    if not isinstance(name, str):
        package = data.get("package", {})
        name = package.get("name") if isinstance(package, dict) else None
    return (name if isinstance(name, str) else fallback).replace("-", "_")


@dataclass
class Registry:
    decls: list[RustDecl] = field(default_factory=list)
    uses_by_file: dict[str, dict[str, str]] = field(default_factory=dict)
    default_fns: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (crate, fn) -> expression
    _by_name: dict[str, list[RustDecl]] = field(default_factory=lambda: defaultdict(list))
    #: declarations of a schema bundle by definition name (``ferry_schema::Name`` types)
    schema_defs: dict[str, RustDecl] = field(default_factory=dict)

    def add_file(self, parsed: ParsedFile, file: str) -> None:
        self.uses_by_file[file] = parsed.uses
        for name, expr in parsed.fns.items():
            self.default_fns.setdefault((parsed.crate, name), expr)
        for decl in parsed.decls:
            self.decls.append(decl)
            self._by_name[decl.name].append(decl)

    def by_name(self, name: str) -> list[RustDecl]:
        return list(self._by_name.get(name, ()))

    def find(self, qualified_path: str) -> RustDecl | None:
        """The declaration with exactly this ``crate::module::Name`` path."""
        name = qualified_path.rsplit("::", 1)[-1]
        for decl in self._by_name.get(name, ()):
            if decl.qualified_path == qualified_path:
                return decl
        return None

    def resolve(self, texpr: TypeExpr, context: RustDecl) -> RustDecl | None:
        """The declaration a type name used inside ``context`` refers to, if known."""
        path = texpr.path or texpr.name
        if path.startswith("ferry_schema::"):
            return self.schema_defs.get(texpr.name)
        segments = [s for s in re.split(r"::", path) if s]
        if not segments:
            return None
        name = segments[-1]
        candidates = self._by_name.get(name, [])
        uses = self.uses_by_file.get(context.file, {})
        target_crate: str | None = None
        if len(segments) == 1 and name in uses:
            full = uses[name].split("::")
            name = full[-1]
            candidates = self._by_name.get(name, [])
            target_crate = full[0]
        elif len(segments) > 1:
            target_crate = uses.get(segments[0], segments[0]).split("::")[0]
        if target_crate in ("crate", "super", "self"):
            target_crate = context.crate
        if not candidates:
            return None
        if target_crate is not None:
            in_crate = [d for d in candidates if d.crate == target_crate]
            if in_crate:
                candidates = in_crate
        same_module = [d for d in candidates if d.module == context.module]
        if same_module:
            return same_module[0]
        same_crate = [d for d in candidates if d.crate == context.crate]
        if same_crate:
            return same_crate[0]
        return candidates[0]


def load_crates(tree: SourceTree, crate_dirs: list[str]) -> Registry:
    """Parse every non-test ``.rs`` file under ``<crate_dir>/src`` for each crate dir."""
    registry = Registry()
    for crate_dir in crate_dirs:
        base = crate_dir.rstrip("/")
        paths = [
            p for p in tree.list_files(f"{base}/src") if p.endswith(".rs") and "/tests/" not in p
        ]
        wanted = [f"{base}/Cargo.toml", *paths]
        if isinstance(tree, GitTree):
            texts = tree.read_many(wanted)
        else:
            texts = {p: tree.read(p) for p in wanted}
        crate = crate_name(texts.get(f"{base}/Cargo.toml", ""), base.rsplit("/", 1)[-1])
        for path in paths:
            if path not in texts:
                continue
            rel = path[len(base) + 1 :]
            if rel.endswith("_tests.rs") or rel.endswith("/tests.rs"):
                continue
            parsed = parse_source(
                texts[path], file=path, crate=crate, module=module_path(crate, rel)
            )
            registry.add_file(parsed, path)
    return registry
