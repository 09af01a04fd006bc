"""Structural comparison of JSON Schemas: schemars' (upstream) against pydantic's.

Both sides are reduced to a canonical *shape* that keeps what decides which JSON values
are valid — property names, required sets, enum/const values, types, item and value
shapes — and drops presentation (titles, descriptions, defaults, formats, ``$defs`` vs
``definitions``, ``enum`` vs ``oneOf`` of ``const``). Two schemas match when their shapes
are equal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Shape = Any  # nested tuples / frozensets / strings; hashable

_ANY: Shape = "any"


def _const(value: Any) -> Shape:
    if value is None:
        return ("type", "null")
    return ("const", json.dumps(value, sort_keys=True))


def _union(members: list[Shape]) -> Shape:
    flat: set[Shape] = set()
    for m in members:
        if m == _ANY:
            return _ANY
        if isinstance(m, tuple) and m and m[0] == "union":
            flat.update(m[1])
        else:
            flat.add(m)
    if len(flat) == 1:
        return next(iter(flat))
    return ("union", frozenset(flat))


@dataclass
class Canonicalizer:
    """Turns schemas that share one ``definitions``/``$defs`` table into shapes."""

    defs: Mapping[str, Any]
    _memo: dict[str, Shape] = field(default_factory=dict)

    def ref(self, ref: str, stack: frozenset[str]) -> Shape:
        name = ref.rsplit("/", 1)[-1]
        if name in stack:
            return ("ref", name)
        if name not in self._memo:
            target = self.defs.get(name)
            self._memo[name] = (
                ("missing", name) if target is None else self.shape(target, frozenset({name}))
            )
        return self._memo[name]

    def shape(self, schema: Any, stack: frozenset[str] = frozenset()) -> Shape:
        if schema is True or schema == {}:
            return _ANY
        if schema is False:
            return ("never",)
        if not isinstance(schema, Mapping):
            return ("invalid", repr(schema))
        if "$ref" in schema:
            return self.ref(str(schema["$ref"]), stack)
        if "allOf" in schema:
            parts = [self.shape(s, stack) for s in schema["allOf"]]
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            if _has_structure(rest):
                parts.append(self.shape(rest, stack))
            return _merge_all(parts)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                base = {
                    k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "discriminator")
                }
                members = [self.shape(s, stack) for s in schema[key]]
                if _has_structure(base):
                    base_shape = self.shape(base, stack)
                    members = [_merge_all([base_shape, m]) for m in members]
                return _union(members)
        if "enum" in schema:
            return _union([_const(v) for v in schema["enum"]])
        if "const" in schema:
            return _const(schema["const"])
        types = schema.get("type")
        if isinstance(types, list):
            return _union([self.shape({**schema, "type": t}, stack) for t in types])
        if types is None:
            if "properties" in schema:
                types = "object"
            elif "items" in schema or "prefixItems" in schema:
                types = "array"
            else:
                return _ANY
        if types == "object":
            props = schema.get("properties")
            extra = schema.get("additionalProperties")
            if not props and isinstance(extra, Mapping) and extra != {}:
                return ("map", self.shape(extra, stack))
            if not props and (extra is True or extra == {}):
                return ("map", _ANY)
            required = set(schema.get("required", ()))
            return (
                "object",
                tuple(
                    sorted(
                        (name, self.shape(sub, stack), name in required)
                        for name, sub in (props or {}).items()
                    )
                ),
            )
        if types == "array":
            if "prefixItems" in schema:
                return ("tuple", tuple(self.shape(s, stack) for s in schema["prefixItems"]))
            items = schema.get("items", True)
            if isinstance(items, list):
                return ("tuple", tuple(self.shape(s, stack) for s in items))
            return ("array", self.shape(items, stack))
        return ("type", str(types))


def _has_structure(schema: Mapping[str, Any]) -> bool:
    return any(
        k in schema
        for k in ("type", "properties", "enum", "const", "items", "$ref", "oneOf", "anyOf")
    )


def _merge_all(parts: list[Shape]) -> Shape:
    objects = [p for p in parts if isinstance(p, tuple) and p and p[0] == "object"]
    unions = [p for p in parts if isinstance(p, tuple) and p and p[0] == "union"]
    if len(objects) == len(parts):
        merged: dict[str, tuple[Shape, bool]] = {}
        for obj in objects:
            for name, sub, req in obj[1]:
                merged[name] = (sub, req or merged.get(name, (None, False))[1])
        return ("object", tuple(sorted((n, s, r) for n, (s, r) in merged.items())))
    if len(unions) == 1 and len(objects) == len(parts) - 1:
        return _union([_merge_all([*objects, m]) for m in unions[0][1]])
    non_any = [p for p in parts if p != _ANY]
    if len(non_any) == 1:
        return non_any[0]
    return ("allOf", frozenset(parts))


def schema_shape(schema: Mapping[str, Any]) -> Shape:
    """The canonical shape of a self-contained schema (``definitions`` or ``$defs`` inside)."""
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    return Canonicalizer(defs).shape(schema)


def describe_difference(
    expected: Shape, actual: Shape, path: str = "$", limit: int = 5
) -> list[str]:
    """Human-readable places where two shapes differ (at most ``limit``)."""
    out: list[str] = []
    _diff(expected, actual, path, out, limit)
    return out


def _short(shape: Shape) -> str:
    text = repr(shape)
    return text if len(text) < 160 else text[:157] + "..."


def _diff(a: Shape, b: Shape, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit or a == b:
        return
    if isinstance(a, tuple) and isinstance(b, tuple) and a and b and a[0] == b[0] == "object":
        pa = {n: (s, r) for n, s, r in a[1]}
        pb = {n: (s, r) for n, s, r in b[1]}
        for name in sorted(set(pa) | set(pb)):
            if name not in pb:
                out.append(f"{path}.{name}: missing in generated")
            elif name not in pa:
                out.append(f"{path}.{name}: unexpected in generated")
            else:
                if pa[name][1] != pb[name][1]:
                    out.append(
                        f"{path}.{name}: required expected={pa[name][1]} generated={pb[name][1]}"
                    )
                _diff(pa[name][0], pb[name][0], f"{path}.{name}", out, limit)
            if len(out) >= limit:
                return
        return
    if isinstance(a, tuple) and isinstance(b, tuple) and a and b and a[0] == b[0] == "union":
        only_a = a[1] - b[1]
        only_b = b[1] - a[1]
        if len(only_a) == 1 and len(only_b) == 1:
            _diff(next(iter(only_a)), next(iter(only_b)), f"{path}|", out, limit)
            return
        out.append(
            f"{path}: union members only in schema {[_short(x) for x in only_a][:3]}, only generated {[_short(x) for x in only_b][:3]}"
        )
        return
    if (
        isinstance(a, tuple)
        and isinstance(b, tuple)
        and a
        and b
        and a[0] == b[0]
        and a[0] in ("array", "map")
    ):
        _diff(a[1], b[1], f"{path}[]", out, limit)
        return
    out.append(f"{path}: schema {_short(a)} != generated {_short(b)}")
