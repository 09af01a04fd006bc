"""A small model of Rust declarations: just what serde/schemars need to shape JSON.

Values are frozen so a parsed crate can be cached and shared between translations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AttrValue = str | bool


@dataclass(frozen=True)
class TypeExpr:
    """A Rust type: ``name`` is the last path segment (``Option``), ``path`` the full text."""

    name: str
    path: str = ""
    args: tuple[TypeExpr, ...] = ()
    is_tuple: bool = False

    def render(self) -> str:
        if self.is_tuple:
            return "(" + ", ".join(a.render() for a in self.args) + ")"
        head = self.path or self.name
        if not self.args:
            return head
        return f"{head}<{', '.join(a.render() for a in self.args)}>"


@dataclass(frozen=True)
class Attrs:
    """Attributes that matter for the JSON shape, parsed from ``#[serde]``/``#[schemars]``/``#[ts]``."""

    serde: tuple[tuple[str, AttrValue], ...] = ()
    schemars: tuple[tuple[str, AttrValue], ...] = ()
    ts: tuple[tuple[str, AttrValue], ...] = ()
    experimental: str | None = None
    doc: str = ""
    flags: tuple[str, ...] = ()  # bare marker attributes such as ``#[default]``

    def get(self, key: str, *, family: str = "serde") -> AttrValue | None:
        pairs = {"serde": self.serde, "schemars": self.schemars, "ts": self.ts}[family]
        found: AttrValue | None = None
        for k, v in pairs:
            if k == key:
                found = v
        return found

    def has(self, key: str, *, family: str = "serde") -> bool:
        return self.get(key, family=family) is not None


@dataclass(frozen=True)
class RustField:
    name: str  # field identifier, or the position ("0") in a tuple struct/variant
    type: TypeExpr
    attrs: Attrs = field(default_factory=Attrs)


@dataclass(frozen=True)
class RustVariant:
    name: str
    shape: Literal["unit", "tuple", "struct"]
    fields: tuple[RustField, ...] = ()
    attrs: Attrs = field(default_factory=Attrs)


@dataclass(frozen=True)
class RustDecl:
    """One top-level declaration: struct, enum, type alias or const."""

    kind: Literal["struct", "enum", "type_alias", "const"]
    name: str
    crate: str
    module: str  # ``codex_protocol::config_types``
    file: str
    attrs: Attrs = field(default_factory=Attrs)
    shape: Literal["unit", "tuple", "struct", "none"] = "none"  # structs only
    fields: tuple[RustField, ...] = ()
    variants: tuple[RustVariant, ...] = ()
    alias_of: TypeExpr | None = None  # type aliases and consts (the const's type)
    const_value: str | None = None
    text: str = ""
    derives: tuple[str, ...] = ()
    #: the item-level macro whose invocation declares it (``v2_enum_from_core``), if any
    macro: str | None = None
    macro_braces: bool = False  # invoked as ``name! { ... }`` (else ``name!(...);``)

    @property
    def qualified_path(self) -> str:
        return f"{self.module}::{self.name}"

    @property
    def link_path(self) -> str:
        """The Rust path a provenance link names: the Diff extractor's name for the item.

        A declaration inside ``name! { ... }`` is the macro entry ``module::name!{}::Item``;
        inside ``name!(...);`` the extractor sees only the invocation, ``module::name!{}``.
        """
        if self.macro is None:
            return self.qualified_path
        if self.macro_braces:
            return f"{self.module}::{self.macro}!{{}}::{self.name}"
        return f"{self.module}::{self.macro}!{{}}"

    @property
    def link_note(self) -> str | None:
        """What a marker must add when the link names a macro invocation, not the item."""
        if self.macro is None or self.macro_braces:
            return None
        return (
            f"{self.name} is declared inside `{self.macro}!(...)`, "
            "which the Diff extractor names only as a whole"
        )
