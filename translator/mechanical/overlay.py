"""Translate a protocol from the pinned Rust sources, brought up to a newer binary's schemas.

Every definition of the binary's schema bundle becomes one Python type named like the
definition. Where the pinned Rust declaration already produces the binary's exact wire
shape (checked structurally, references included) it is translated as it is. Otherwise the
definition is *overlaid*: its shape comes from the schema and the pinned declaration lends
its path, names, docs and serialization rules (:mod:`translator.mechanical.schema_ir`);
its provenance marker says what the binary changed. Definitions the pinned sources lack
entirely are translated from the schema alone and marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from translator.mechanical.emit import Emitter, PyDef
from translator.mechanical.ir import RustDecl
from translator.mechanical.registry import Registry
from translator.mechanical.schema_bundle import SchemaBundle
from translator.mechanical.schema_check import pick_decl
from translator.mechanical.schema_compare import Canonicalizer
from translator.mechanical.schema_ir import (
    Synthesizer,
    _rust_fields_by_wire,
    _rust_variants_by_wire,
)

V2_CRATE = "codex_app_server_protocol"
V2_MODULE = "codex_app_server_protocol::protocol::v2"
COMMON_MODULE = "codex_app_server_protocol::protocol::common"
#: message enums upstream generates with a macro: the pinned sources declare no such enum,
#: the Diff extractor names the invocation (whose entries are the methods)
MESSAGE_MACROS = {
    "ClientRequest": "client_request_definitions",
    "ServerRequest": "server_request_definitions",
    "ServerNotification": "server_notification_definitions",
    "ClientNotification": "client_notification_definitions",
}


@dataclass(frozen=True)
class OverlayResult:
    """The definitions to render, and how each bundle definition was obtained."""

    defs: list[PyDef]
    notes: dict[int, str]  # id(source decl) -> marker note ("0.169.0: ...")
    from_rust: tuple[str, ...]  # bundle names translated from the pinned declaration as is
    overlaid: tuple[str, ...]  # pinned declaration brought to the schema's shape
    schema_only: tuple[str, ...]  # no pinned declaration: from the schema alone
    unresolved: tuple[str, ...]
    python_names: dict[str, str] = field(default_factory=dict)
    links: dict[int, str] = field(default_factory=dict)  # id(source decl) -> Rust path
    port_only: dict[int, str] = field(default_factory=dict)  # id(source decl) -> reason


def matching_rust_decls(
    registry: Registry, bundle: SchemaBundle, names: Sequence[str]
) -> dict[str, RustDecl]:
    """The pinned declarations whose translation has exactly the bundle's (deep) shape."""
    from translator.mechanical.module import render_module
    from translator.mechanical.schema_check import load_module, schema_of
    from translator.mechanical.schema_compare import schema_shape

    present = {n: d for n in names if (d := pick_decl(registry, n)) is not None}
    emitter = Emitter(registry, include_experimental=True)
    py_names = {n: emitter.name_for(d) for n, d in present.items()}
    defs = emitter.translate(list(present.values()))
    module = load_module(
        render_module(defs, commit="0" * 12, docstring="probe"), "ferry_overlay_probe"
    )
    canon = Canonicalizer(bundle.definitions)
    matched: dict[str, RustDecl] = {}
    for name, decl in present.items():
        try:
            actual = schema_shape(schema_of(getattr(module, py_names[name])))
        except Exception:  # a declaration pydantic cannot build is simply not a match
            continue
        if canon.shape(bundle.get(name), frozenset({name})) == actual:
            matched[name] = decl
    return matched


def overlay_protocol(registry: Registry, bundle: SchemaBundle, version: str) -> OverlayResult:
    """Every bundle definition as a Python type, from Rust where it still fits."""
    names = bundle.names()
    matched = matching_rust_decls(registry, bundle, names)
    synth = Synthesizer(V2_CRATE, V2_MODULE, taken=set(names), resolve_rust=registry.resolve)
    notes: dict[int, str] = {}
    links: dict[int, str] = {}
    port_only: dict[int, str] = {}
    overlaid: list[str] = []
    schema_only: list[str] = []
    for name in names:
        if name in matched:
            registry.schema_defs[name] = matched[name]
            continue
        rust = pick_decl(registry, name)
        decl = synth.decl(name, bundle.get(name), rust)
        registry.schema_defs[name] = decl
        (overlaid if rust is not None else schema_only).append(name)
        if rust is not None:
            notes[id(decl)] = f"{version}: {describe_change(rust, bundle.get(name))}"
        elif name in MESSAGE_MACROS:
            links[id(decl)] = f"{COMMON_MODULE}::{MESSAGE_MACROS[name]}!{{}}"
            notes[id(decl)] = (
                f"{version}: the enum `{MESSAGE_MACROS[name]}!` generates, "
                "from the binary's JSON Schema"
            )
        else:
            port_only[id(decl)] = schema_only_reason(version, decl.qualified_path)
    for name, decl in synth.aux.items():
        registry.schema_defs[name] = decl
        port_only[id(decl)] = (
            f"generated from codex {version}'s JSON Schema, where {name} is an inline type "
            "(no Rust declaration of its own)"
        )
    emitter = Emitter(registry, include_experimental=True)
    python_names = {n: emitter.name_for(registry.schema_defs[n]) for n in names}
    defs = emitter.translate([registry.schema_defs[n] for n in names])
    return OverlayResult(
        defs=defs,
        notes=notes,
        from_rust=tuple(sorted(matched)),
        overlaid=tuple(overlaid),
        schema_only=tuple(schema_only),
        unresolved=tuple(sorted(emitter.unresolved)),
        python_names=python_names,
        links=links,
        port_only=port_only,
    )


def schema_only_reason(version: str, rust_path: str) -> str:
    """The port-only reason of a type the pinned sources lack (keeps its would-be path)."""
    return (
        f"generated from codex {version}'s JSON Schema; newer than the pinned sources "
        f"(would be {rust_path})"
    )


def describe_change(rust: RustDecl | None, schema: object) -> str:
    """What the binary changed relative to the pinned declaration, for the marker note."""
    if rust is None:
        return "not in the pinned sources; from the binary's JSON Schema"
    if not isinstance(schema, dict):
        return "shape from the binary's JSON Schema"
    if (
        rust.kind == "struct"
        and isinstance(schema.get("properties"), dict)
        and not (schema.get("oneOf") or schema.get("anyOf"))
    ):
        before = set(_rust_fields_by_wire(rust))
        after = set(schema["properties"])
        changes = [f"+{n}" for n in sorted(after - before)] + [
            f"-{n}" for n in sorted(before - after)
        ]
        if changes:
            return "fields " + " ".join(_cap(changes))
        return "field types changed (JSON Schema overlay)"
    if rust.kind == "enum":
        before = set(_rust_variants_by_wire(rust))
        after = _schema_variant_wires(schema)
        if after:
            changes = [f"+{n}" for n in sorted(after - before)] + [
                f"-{n}" for n in sorted(before - after)
            ]
            if changes:
                return "variants " + " ".join(_cap(changes))
        return "variant shapes changed (JSON Schema overlay)"
    return "shape from the binary's JSON Schema"


def _cap(items: list[str], limit: int = 8) -> list[str]:
    return items if len(items) <= limit else [*items[:limit], f"(+{len(items) - limit} more)"]


def _schema_variant_wires(schema: dict[str, object]) -> set[str]:
    from translator.mechanical.schema_ir import _common_tag, _external_key, _single_string_enum

    members = schema.get("oneOf") or schema.get("anyOf") or []
    if not isinstance(members, list):
        return set()
    dicts = [m for m in members if isinstance(m, dict)]
    out: set[str] = set()
    tag = _common_tag(dicts)
    for member in dicts:
        values = member.get("enum")
        if isinstance(values, list):
            out.update(str(v) for v in values)
        elif tag is not None:
            props = member.get("properties")
            if isinstance(props, dict):
                wire = _single_string_enum(props.get(tag))
                if wire is not None:
                    out.add(wire)
        else:
            key = _external_key(member)
            if key is not None:
                out.add(key)
    values = schema.get("enum")
    if isinstance(values, list):
        out.update(str(v) for v in values)
    return out
