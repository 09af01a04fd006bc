"""Generate pydantic models for upstream's protocol types and score them against its schemas.

This is the mechanical backend's acceptance test: for every ``<Type>.json`` in a schema
directory the Rust declaration ``Type`` is translated (with everything it references),
pydantic's JSON Schema of the result is reduced to a canonical shape and compared with the
shape of upstream's schema.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from translator.errors import InputError
from translator.mechanical.emit import Emitter
from translator.mechanical.ir import RustDecl
from translator.mechanical.module import render_module
from translator.mechanical.registry import Registry
from translator.mechanical.schema_compare import describe_difference, schema_shape

DEFAULT_CRATES = ("codex-rs/app-server-protocol", "codex-rs/protocol")
V2_MODULE = "codex_app_server_protocol::protocol::v2"


@dataclass(frozen=True)
class GeneratedModule:
    text: str
    python_names: dict[str, str]  # root Rust type name -> Python name
    missing: tuple[str, ...]  # requested roots with no Rust declaration
    unresolved: tuple[str, ...]  # Rust types mapped to Any


@dataclass(frozen=True)
class SchemaResult:
    name: str
    matched: bool
    differences: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchemaReport:
    results: tuple[SchemaResult, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def matched(self) -> int:
        return sum(r.matched for r in self.results)

    @property
    def ratio(self) -> float:
        return self.matched / self.total if self.total else 0.0


def pick_decl(registry: Registry, name: str, prefer_module: str = V2_MODULE) -> RustDecl | None:
    """The declaration a schema file named ``name`` describes (v2 module first)."""
    candidates = [d for d in registry.by_name(name) if d.kind != "const"]
    for decl in candidates:
        if decl.module == prefer_module:
            return decl
    crate = prefer_module.split("::", 1)[0]
    for decl in candidates:
        if decl.crate == crate:
            return decl
    return candidates[0] if candidates else None


def generate_module(
    registry: Registry, roots: Sequence[str], *, commit: str, include_experimental: bool = False
) -> GeneratedModule:
    """Translate the named roots (and their dependencies) into one module's text."""
    emitter = Emitter(registry, include_experimental=include_experimental)
    decls: list[RustDecl] = []
    missing: list[str] = []
    for name in sorted(roots):
        decl = pick_decl(registry, name)
        if decl is None:
            missing.append(name)
        else:
            decls.append(decl)
    names = {decl.name: emitter.name_for(decl) for decl in decls}
    defs = emitter.translate(decls)
    text = render_module(
        defs,
        commit=commit,
        docstring="pydantic models of the app-server protocol v2 types, translated from upstream's Rust.",
    )
    return GeneratedModule(text, names, tuple(missing), tuple(sorted(emitter.unresolved)))


def load_module(text: str, name: str = "ferry_generated_protocol") -> types.ModuleType:
    """Import generated source as a real module (pydantic resolves names through it)."""
    spec = importlib.util.spec_from_loader(name, loader=None)
    if spec is None:
        raise InputError(f"cannot create module spec for {name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    exec(compile(text, f"<{name}>", "exec"), module.__dict__)
    return module


def schema_of(obj: Any) -> dict[str, Any]:
    """pydantic's validation-mode JSON Schema of a model, enum or type alias."""
    schema = TypeAdapter(obj).json_schema(by_alias=True)
    return dict(schema)


def compare_schemas(
    module: types.ModuleType, schema_dir: Path, python_names: dict[str, str]
) -> SchemaReport:
    """Compare every ``*.json`` schema in ``schema_dir`` with the generated counterpart."""
    results: list[SchemaResult] = []
    for path in sorted(schema_dir.glob("*.json")):
        name = path.stem
        expected = json.loads(path.read_text(encoding="utf-8"))
        py_name = python_names.get(name)
        if py_name is None or not hasattr(module, py_name):
            results.append(
                SchemaResult(name, False, ("no Rust declaration translated for this schema",))
            )
            continue
        try:
            actual = schema_of(getattr(module, py_name))
        except Exception as exc:  # pydantic raises many types when a model cannot be built
            results.append(
                SchemaResult(name, False, (f"pydantic could not build a schema: {exc}",))
            )
            continue
        a, b = schema_shape(expected), schema_shape(actual)
        results.append(
            SchemaResult(name, a == b, tuple(describe_difference(a, b)) if a != b else ())
        )
    return SchemaReport(tuple(results))


def generate_for_schema_dir(
    git_dir: Path, schema_dir: Path, *, commit: str = "HEAD", crates: Sequence[str] = DEFAULT_CRATES
) -> GeneratedModule:
    """Translate, from the upstream mirror at ``commit``, every type ``schema_dir`` has a schema for."""
    from translator.mechanical.registry import load_crates
    from translator.sources import GitTree

    tree = GitTree(git_dir, commit)
    registry = load_crates(tree, list(crates))
    roots = [p.stem for p in sorted(schema_dir.glob("*.json"))]
    return generate_module(registry, roots, commit=tree.commit)


def recorded_commit(module_text: str) -> str | None:
    """The upstream commit a generated module's provenance markers name (first marker)."""
    for line in module_text.splitlines():
        if line.startswith("# ferry: ") and " @ " in line:
            return line.split(" @ ", 1)[1].split()[0]
    return None
