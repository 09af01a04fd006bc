"""JSON Schema definitions -> :mod:`translator.mechanical.ir` declarations.

Used where a newer binary's wire shape differs from the pinned Rust declaration: the
schema (schemars output) decides the shape — property names, required sets, types,
tags, variants — and the pinned declaration, when there is one, lends what a schema
does not carry: its qualified path, Python field and variant names, docs and serde's
``skip_serializing_if`` (whether ``None`` is sent as ``null`` or left out). The result
is an ordinary :class:`RustDecl`, so the one :class:`~translator.mechanical.emit.Emitter`
turns both kinds into Python.

Types named by ``$ref`` become :class:`TypeExpr` paths under :data:`SCHEMA_PATH`, which
the registry resolves through the bundle's own table (not by Rust name lookup).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from translator.mechanical.ir import Attrs, AttrValue, RustDecl, RustField, RustVariant, TypeExpr
from translator.mechanical.naming import rename_field, rename_variant
from translator.mechanical.schema_bundle import ref_name

#: the pseudo crate of types named by a schema ``$ref``.
SCHEMA_PATH = "ferry_schema"

_SCALARS = {"string": "String", "integer": "i64", "number": "f64", "boolean": "bool"}


def schema_type(name: str) -> TypeExpr:
    """A reference to bundle definition ``name``."""
    return TypeExpr(name, path=f"{SCHEMA_PATH}::{name}")


def literal_type(value: str) -> TypeExpr:
    """A field that always holds ``value`` (a tag kept beside other fields)."""
    return TypeExpr("Literal", path=json.dumps(value))


def pascal(text: str) -> str:
    """``account/login/completed`` or ``otlp-http`` -> ``AccountLoginCompleted`` / ``OtlpHttp``."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Value"


def snake(text: str) -> str:
    """``agentNickname`` -> ``agent_nickname`` (``otlp-http`` -> ``otlp_http``)."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", text)
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return text.lower().strip("_") or "value"


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null" and len(schema) <= 2


def _single_string_enum(schema: Any) -> str | None:
    """The one value of ``{"type": "string", "enum": [v]}`` (or ``const``), else None."""
    if not isinstance(schema, Mapping):
        return None
    values = schema.get("enum")
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        return values[0]
    const = schema.get("const")
    return const if isinstance(const, str) else None


def _string_enum_values(schema: Any) -> list[str] | None:
    if not isinstance(schema, Mapping):
        return None
    values = schema.get("enum")
    if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
        return list(values)
    return None


def _external_key(member: Mapping[str, Any]) -> str | None:
    """``{"x": ...}`` with exactly one required property and no others: serde's external tag."""
    props = member.get("properties")
    required = member.get("required")
    if (
        isinstance(props, Mapping)
        and len(props) == 1
        and isinstance(required, list)
        and list(props) == required
        and member.get("additionalProperties") is False
    ):
        return str(next(iter(props)))
    return None


def split_null(schema: Any) -> tuple[Any, bool]:
    """``(inner, nullable)``: ``type: [T, "null"]`` and ``anyOf: [X, null]`` unwrapped."""
    if not isinstance(schema, Mapping):
        return schema, False
    types = schema.get("type")
    if isinstance(types, list) and "null" in types:
        rest = [t for t in types if t != "null"]
        inner = dict(schema)
        if not rest:
            return {"type": "null"}, True
        inner["type"] = rest[0] if len(rest) == 1 else rest
        return inner, True
    for key in ("anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and any(_is_null(m) for m in members):
            rest = [m for m in members if not _is_null(m)]
            outer = {k: v for k, v in schema.items() if k not in (key, "default", "description")}
            if len(rest) == 1 and not outer:
                return rest[0], True
            return {**outer, key: rest}, True
    return schema, False


@dataclass
class Synthesizer:
    """Builds declarations for bundle definitions, plus auxiliary ones for inline schemas."""

    default_crate: str
    default_module: str
    #: names already used (bundle definitions), so auxiliary names never collide with them
    taken: set[str] = field(default_factory=set)
    aux: dict[str, RustDecl] = field(default_factory=dict)
    #: finds the pinned declaration a Rust type names (to borrow a flattened enum's names)
    resolve_rust: Callable[[TypeExpr, RustDecl], RustDecl | None] | None = None

    # ------------------------------------------------------------------ names
    def _aux_name(self, wanted: str) -> str:
        name = wanted
        n = 2
        while name in self.taken or name in self.aux:
            name = f"{wanted}{n}"
            n += 1
        return name

    def _add_aux(self, wanted: str, build: Callable[[str], RustDecl]) -> TypeExpr:
        name = self._aux_name(wanted)
        self.taken.add(name)  # reserved before building: nested inline schemas name after it
        self.aux[name] = build(name)
        return schema_type(name)

    # ------------------------------------------------------------------ types
    def type_of(self, schema: Any, hint: str, owner: RustDecl | None) -> TypeExpr:
        """The Rust type for a (possibly nullable) schema; ``hint`` names auxiliary types."""
        inner, nullable = split_null(schema)
        base = TypeExpr("()", is_tuple=True) if _is_null(inner) else self._plain(inner, hint, owner)
        return TypeExpr("Option", args=(base,)) if nullable else base

    def _plain(self, schema: Any, hint: str, owner: RustDecl | None) -> TypeExpr:
        if schema is True or not isinstance(schema, Mapping) or not _has_type_info(schema):
            return TypeExpr("Value")
        if "$ref" in schema:
            return schema_type(ref_name(str(schema["$ref"])))
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self.type_of(all_of[0], hint, owner)
        if "oneOf" in schema or "anyOf" in schema or isinstance(schema.get("type"), list):
            return self._add_aux(hint, lambda name: self.decl(name, schema, None, owner))
        values = _string_enum_values(schema)
        if values is not None and len(values) == 1:
            return literal_type(values[0])
        if values is not None:
            return self._add_aux(hint, lambda name: self.decl(name, schema, None, owner))
        kind = schema.get("type")
        if kind in _SCALARS:
            return TypeExpr(_SCALARS[str(kind)])
        if kind == "array" or "items" in schema:
            items = schema.get("items", True)
            if isinstance(items, list):
                return TypeExpr(
                    "()",
                    args=tuple(self.type_of(s, f"{hint}{i}", owner) for i, s in enumerate(items)),
                    is_tuple=True,
                )
            return TypeExpr("Vec", args=(self.type_of(items, f"{hint}Item", owner),))
        if kind == "object" or "properties" in schema:
            props = schema.get("properties")
            extra = schema.get("additionalProperties")
            if not props and extra is None and "properties" not in schema:
                # a bare ``{"type": "object"}``: any object, described as one without fields
                return self._add_aux(hint, lambda name: self.decl(name, schema, None, owner))
            if not props:
                value = TypeExpr("Value") if extra in (None, True, {}) else None
                if value is None:
                    value = self.type_of(extra, f"{hint}Value", owner)
                return TypeExpr("HashMap", args=(TypeExpr("String"), value))
            return self._add_aux(hint, lambda name: self.decl(name, schema, None, owner))
        if kind == "null":
            return TypeExpr("()", is_tuple=True)
        return TypeExpr("Value")

    # ------------------------------------------------------------------ declarations
    def decl(
        self,
        name: str,
        schema: Mapping[str, Any],
        rust: RustDecl | None,
        owner: RustDecl | None = None,
    ) -> RustDecl:
        """The declaration of definition ``name``, shaped by ``schema``, named after ``rust``."""
        anchor = rust or owner
        base = RustDecl(
            "struct",
            name,
            crate=anchor.crate if anchor is not None else self.default_crate,
            module=anchor.module if anchor is not None else self.default_module,
            file=anchor.file if anchor is not None else "<schema>",
            attrs=Attrs(doc=str(schema.get("description") or (rust.attrs.doc if rust else ""))),
            text=_decl_text(rust, schema),
            derives=("ExperimentalApi",) if rust is None else rust.derives,
            macro=rust.macro if rust is not None else None,
            macro_braces=rust.macro_braces if rust is not None else False,
        )
        _, nullable = split_null(schema)
        if nullable:
            return replace(
                base, kind="type_alias", alias_of=self.type_of(schema, f"{name}Value", base)
            )
        members_key = "oneOf" if "oneOf" in schema else "anyOf" if "anyOf" in schema else None
        if members_key is not None:
            members = [m for m in schema[members_key] if not _is_null(m)]
            if schema.get("properties"):
                return self._struct_with_enum(base, schema, members, rust)
            return self._enum(base, members, rust)
        types = schema.get("type")
        if isinstance(types, list):
            return self._enum(base, [{"type": t} for t in types if t != "null"], rust)
        values = _string_enum_values(schema)
        if values is not None:
            return self._unit_enum(base, [(v, "") for v in values], rust)
        if schema.get("type") == "object" or "properties" in schema:
            props = schema.get("properties") or {}
            extra = schema.get("additionalProperties")
            if not props and extra not in (None, False):
                return replace(
                    base, kind="type_alias", alias_of=self._plain(schema, f"{name}Value", base)
                )
            return self._struct(base, schema, rust)
        return replace(base, kind="type_alias", alias_of=self._plain(schema, f"{name}Value", base))

    def _fields(
        self,
        schema: Mapping[str, Any],
        context: RustDecl,
        rust_fields: Mapping[str, RustField],
        skip: tuple[str, ...] = (),
    ) -> tuple[RustField, ...]:
        props: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        ordered = [w for w in rust_fields if w in props] + [
            w for w in props if w not in rust_fields
        ]
        out: list[RustField] = []
        for wire in ordered:
            if wire in skip:
                continue
            prop = props[wire]
            rust_field = rust_fields.get(wire)
            ftype = self.type_of(prop, f"{context.name}{pascal(wire)}", context)
            serde: list[tuple[str, AttrValue]] = [("rename", wire)]
            schemars: list[tuple[str, AttrValue]] = []
            nullable = ftype.name == "Option"
            if wire in required:
                if nullable:
                    schemars.append(("required", True))
            elif not nullable:
                if isinstance(prop, Mapping) and "default" in prop:
                    schemars.append(("default_json", json.dumps(prop["default"])))
                else:
                    serde.append(("default", True))
            doc = str(prop.get("description") or "") if isinstance(prop, Mapping) else ""
            if rust_field is not None:
                skip_if = rust_field.attrs.get("skip_serializing_if")
                if isinstance(skip_if, str):
                    serde.append(("skip_serializing_if", skip_if))
                doc = doc or rust_field.attrs.doc
            out.append(
                RustField(
                    rust_field.name if rust_field is not None else snake(wire),
                    ftype,
                    Attrs(serde=tuple(serde), schemars=tuple(schemars), doc=doc),
                )
            )
        if schema.get("additionalProperties") not in (None, False) and props:
            extra = schema["additionalProperties"]
            value = TypeExpr("Value") if extra in (True, {}) else self.type_of(extra, "X", context)
            out.append(
                RustField(
                    "extra",
                    TypeExpr("HashMap", args=(TypeExpr("String"), value)),
                    Attrs(serde=(("flatten", True),)),
                )
            )
        return tuple(out)

    def _struct(self, base: RustDecl, schema: Mapping[str, Any], rust: RustDecl | None) -> RustDecl:
        fields = self._fields(schema, base, _rust_fields_by_wire(rust))
        serde: tuple[tuple[str, AttrValue], ...] = ()
        if schema.get("additionalProperties") is False:
            serde = (("deny_unknown_fields", True),)
        return replace(
            base,
            kind="struct",
            shape="struct",
            fields=fields,
            attrs=replace(base.attrs, serde=serde),
        )

    def _unit_enum(
        self, base: RustDecl, values: list[tuple[str, str]], rust: RustDecl | None
    ) -> RustDecl:
        names = _rust_variants_by_wire(rust)
        variants = tuple(
            RustVariant(
                names[wire].name if wire in names else pascal(wire),
                "unit",
                (),
                Attrs(
                    serde=(("rename", wire),),
                    doc=doc or (names[wire].attrs.doc if wire in names else ""),
                ),
            )
            for wire, doc in values
        )
        return replace(base, kind="enum", variants=_unique_variants(variants))

    def _enum(
        self, base: RustDecl, members: Sequence[Mapping[str, Any]], rust: RustDecl | None
    ) -> RustDecl:
        members = _expand_flattened_alternatives(members, base.name)
        if members and all(_string_enum_values(m) is not None for m in members):
            values = [
                (v, str(m.get("description") or ""))
                for m in members
                for v in _string_enum_values(m) or []
            ]
            return self._unit_enum(base, values, rust)
        tag = _common_tag(members)
        if tag is not None:
            return self._tagged(base, members, tag, rust)
        if any(_external_key(m) is not None for m in members):
            return self._external(base, members, rust)
        return self._untagged(base, members, rust)

    def _tagged(
        self,
        base: RustDecl,
        members: Sequence[Mapping[str, Any]],
        tag: str,
        rust: RustDecl | None,
    ) -> RustDecl:
        names = _rust_variants_by_wire(rust)
        wires = [_single_string_enum(m["properties"][tag]) or "" for m in members]
        if len(set(wires)) != len(wires):
            return self._untagged_with_tags(base, members, tag, rust)
        variants: list[RustVariant] = []
        for member, wire in zip(members, wires, strict=True):
            known = names.get(wire)
            vname = known.name if known is not None else pascal(wire)
            context = replace(base, name=f"{base.name}{vname}")
            fields = self._fields(
                member, context, _variant_fields_by_wire(rust, known), skip=(tag,)
            )
            variants.append(
                RustVariant(
                    vname,
                    "struct",
                    fields,
                    Attrs(
                        serde=(("rename", wire),),
                        doc=str(member.get("description") or (known.attrs.doc if known else "")),
                    ),
                )
            )
        return replace(
            base,
            kind="enum",
            variants=_unique_variants(tuple(variants)),
            attrs=replace(base.attrs, serde=(("tag", tag),)),
        )

    def _untagged_with_tags(
        self,
        base: RustDecl,
        members: Sequence[Mapping[str, Any]],
        tag: str,
        rust: RustDecl | None,
    ) -> RustDecl:
        """A tagged ``oneOf`` where two members share a tag value (serde tells them apart by
        their other fields): an untagged union whose members each pin the tag."""
        names = _rust_variants_by_wire(rust)
        variants: list[RustVariant] = []
        for member in members:
            wire = _single_string_enum(member["properties"][tag]) or ""
            known = names.get(wire)
            vname = _variant_name_from_title(member, base.name, None, len(variants))
            if vname.startswith("Variant"):
                vname = known.name if known is not None else pascal(wire)
            context = replace(base, name=f"{base.name}{vname}")
            fields = self._fields(member, context, _variant_fields_by_wire(rust, known))
            variants.append(
                RustVariant(
                    vname,
                    "struct",
                    fields,
                    Attrs(doc=str(member.get("description") or (known.attrs.doc if known else ""))),
                )
            )
        return replace(
            base,
            kind="enum",
            variants=_unique_variants(tuple(variants)),
            attrs=replace(base.attrs, serde=(("untagged", True),)),
        )

    def _external(
        self, base: RustDecl, members: Sequence[Mapping[str, Any]], rust: RustDecl | None
    ) -> RustDecl:
        names = _rust_variants_by_wire(rust)
        variants: list[RustVariant] = []
        for index, member in enumerate(members):
            values = _string_enum_values(member)
            doc = str(member.get("description") or "")
            if values is not None:
                for wire in values:
                    known = names.get(wire)
                    variants.append(
                        RustVariant(
                            known.name if known is not None else pascal(wire),
                            "unit",
                            (),
                            Attrs(serde=(("rename", wire),), doc=doc),
                        )
                    )
                continue
            key = _external_key(member)
            if key is None:
                variants.append(self._untagged_variant(base, member, index, rust, untagged=True))
                continue
            known = names.get(key)
            vname = known.name if known is not None else pascal(key)
            payload = member["properties"][key]
            context = replace(base, name=f"{base.name}{vname}")
            if (
                isinstance(payload, Mapping)
                and payload.get("properties") is not None
                and "$ref" not in payload
            ):
                fields = self._fields(payload, context, _variant_fields_by_wire(rust, known))
                variants.append(
                    RustVariant(vname, "struct", fields, Attrs(serde=(("rename", key),), doc=doc))
                )
            else:
                ftype = self.type_of(payload, f"{base.name}{vname}", base)
                variants.append(
                    RustVariant(
                        vname,
                        "tuple",
                        (RustField("0", ftype),),
                        Attrs(serde=(("rename", key),), doc=doc),
                    )
                )
        return replace(base, kind="enum", variants=_unique_variants(tuple(variants)))

    def _untagged_variant(
        self,
        base: RustDecl,
        member: Mapping[str, Any],
        index: int,
        rust: RustDecl | None,
        *,
        untagged: bool,
    ) -> RustVariant:
        attrs = Attrs(
            serde=(("untagged", True),) if untagged else (),
            doc=str(member.get("description") or ""),
        )
        vname = _variant_name_from_title(member, base.name, rust, index)
        if _is_null(member):
            return RustVariant(vname, "unit", (), attrs)
        if member.get("properties") and "$ref" not in member:
            context = replace(base, name=f"{base.name}{vname}")
            return RustVariant(vname, "struct", self._fields(member, context, {}), attrs)
        ftype = self.type_of(member, f"{base.name}{vname}", base)
        return RustVariant(vname, "tuple", (RustField("0", ftype),), attrs)

    def _untagged(
        self, base: RustDecl, members: Sequence[Mapping[str, Any]], rust: RustDecl | None
    ) -> RustDecl:
        variants = tuple(
            self._untagged_variant(base, m, i, rust, untagged=False) for i, m in enumerate(members)
        )
        return replace(
            base,
            kind="enum",
            variants=_unique_variants(variants),
            attrs=replace(base.attrs, serde=(("untagged", True),)),
        )

    def _struct_with_enum(
        self,
        base: RustDecl,
        schema: Mapping[str, Any],
        members: Sequence[Mapping[str, Any]],
        rust: RustDecl | None,
    ) -> RustDecl:
        """Common properties beside a ``oneOf`` (a struct flattening an enum): on the wire,
        one object per variant carrying the common properties too."""
        common = schema.get("properties") or {}
        common_required = list(schema.get("required") or ())
        merged = [
            {
                **member,
                "properties": {**(member.get("properties") or {}), **common},
                "required": sorted({*member.get("required", ()), *common_required}),
            }
            for member in members
        ]
        return self._enum(base, merged, self._flattened_enum_of(rust))

    def _flattened_enum_of(self, rust: RustDecl | None) -> RustDecl | None:
        """The pinned enum whose variants the wire's ``oneOf`` lists: the declaration itself
        (it was an enum at the pin) or the enum a pinned struct flattens."""
        if rust is None:
            return None
        if rust.kind == "enum":
            return rust
        for fld in rust.fields:
            if fld.attrs.has("flatten") and self.resolve_rust is not None:
                target = self.resolve_rust(fld.type, rust)
                if target is not None and target.kind == "enum":
                    return target
        return None


# ---------------------------------------------------------------------- helpers


def _expand_flattened_alternatives(
    members: Sequence[Mapping[str, Any]], enum_name: str
) -> list[Mapping[str, Any]]:
    """A variant that flattens an untagged enum (properties beside an ``anyOf``) is, on the
    wire, one object shape per alternative: split it into one member each."""
    out: list[Mapping[str, Any]] = []
    for member in members:
        key = "anyOf" if "anyOf" in member else "oneOf" if "oneOf" in member else None
        alternatives = member.get(key) if key is not None else None
        if key is None or not isinstance(alternatives, list) or not member.get("properties"):
            out.append(member)
            continue
        outer = _title_stem(member, enum_name)
        for alt in alternatives:
            if not isinstance(alt, Mapping):
                continue
            merged = {k: v for k, v in member.items() if k != key}
            merged["properties"] = {**member["properties"], **(alt.get("properties") or {})}
            merged["required"] = sorted({*member.get("required", ()), *alt.get("required", ())})
            inner = _title_stem(alt, enum_name)
            merged["title"] = f"{outer}{inner}{enum_name}"
            out.append(merged)
    return out


def _title_stem(member: Mapping[str, Any], enum_name: str) -> str:
    title = member.get("title")
    if not isinstance(title, str):
        return ""
    stem = title.rsplit("::", 1)[-1]
    for suffix in (enum_name, "UserInput"):
        if stem.endswith(suffix) and stem != suffix:
            return stem[: -len(suffix)]
    return stem


def _has_type_info(schema: Mapping[str, Any]) -> bool:
    keys = {"$ref", "type", "enum", "const", "oneOf", "anyOf", "allOf", "properties", "items"}
    return any(k in schema for k in keys)


def _decl_text(rust: RustDecl | None, schema: Mapping[str, Any]) -> str:
    """What the provenance hash covers: the pinned Rust text and the schema it is brought to."""
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return f"{rust.text if rust is not None else ''}\n{canonical}"


def _common_tag(members: Sequence[Mapping[str, Any]]) -> str | None:
    """The property every member pins to one string: an internal tag (``type``, ``method``)."""
    if len(members) < 1 or not all(isinstance(m.get("properties"), Mapping) for m in members):
        return None
    first = members[0]["properties"]
    for key in first:
        if all(_single_string_enum(m["properties"].get(key)) is not None for m in members):
            if len(members) == 1 and _external_key(members[0]) is not None:
                return None
            return str(key)
    return None


def _rust_fields_by_wire(rust: RustDecl | None) -> dict[str, RustField]:
    if rust is None or rust.kind != "struct":
        return {}
    rule = rust.attrs.get("rename_all")
    return _fields_by_wire(rust.fields, rule if isinstance(rule, str) else None)


def _fields_by_wire(fields: tuple[RustField, ...], rule: str | None) -> dict[str, RustField]:
    out: dict[str, RustField] = {}
    for fld in fields:
        if fld.attrs.has("flatten"):
            continue
        renamed = fld.attrs.get("rename")
        wire = (
            renamed if isinstance(renamed, str) else rename_field(fld.name.removeprefix("r#"), rule)
        )
        out[wire] = fld
    return out


def _variant_wire(rust: RustDecl, variant: RustVariant) -> str:
    renamed = variant.attrs.get("rename")
    if isinstance(renamed, str):
        return renamed
    rule = rust.attrs.get("rename_all")
    return rename_variant(variant.name, rule if isinstance(rule, str) else None)


def _rust_variants_by_wire(rust: RustDecl | None) -> dict[str, RustVariant]:
    if rust is None or rust.kind != "enum":
        return {}
    return {_variant_wire(rust, v): v for v in rust.variants}


def _variant_fields_by_wire(
    rust: RustDecl | None, variant: RustVariant | None
) -> dict[str, RustField]:
    if rust is None or variant is None:
        return {}
    rule = variant.attrs.get("rename_all")
    if not isinstance(rule, str):
        fields_rule = rust.attrs.get("rename_all_fields")
        rule = fields_rule if isinstance(fields_rule, str) else None
    return _fields_by_wire(variant.fields, rule)


def _variant_name_from_title(
    member: Mapping[str, Any], enum_name: str, rust: RustDecl | None, index: int
) -> str:
    title = member.get("title")
    if isinstance(title, str) and title:
        stem = title.rsplit("::", 1)[-1]
        stem = stem[: -len(enum_name)] if stem.endswith(enum_name) and stem != enum_name else stem
        if stem and stem != enum_name:
            return pascal(stem)
    if rust is not None and rust.kind == "enum" and index < len(rust.variants):
        return rust.variants[index].name
    kind = member.get("type")
    if isinstance(kind, str):
        return pascal(kind)
    if "$ref" in member:
        return ref_name(str(member["$ref"]))
    return f"Variant{index}"


def _unique_variants(variants: tuple[RustVariant, ...]) -> tuple[RustVariant, ...]:
    seen: set[str] = set()
    out: list[RustVariant] = []
    for variant in variants:
        name = variant.name
        n = 2
        while name in seen:
            name = f"{variant.name}{n}"
            n += 1
        seen.add(name)
        out.append(variant if name == variant.name else replace(variant, name=name))
    return tuple(out)
