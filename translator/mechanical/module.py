"""Assemble emitted definitions into one generated, importable Python module."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence

from translator.mechanical.emit import GENERATED_HEADER, PyDef, item_hash

_NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")

_TYPING_NAMES = ("Annotated", "Any", "Final", "Literal", "TypeAlias")
_PYDANTIC_NAMES = ("BaseModel", "ConfigDict", "Field", "TypeAdapter")

BASE_MODEL = '''

# ferry: port-only -- Python glue: pydantic base of the generated models (no Rust counterpart)
class FerryModel(BaseModel):
    """Base of generated models: accept Python names and wire aliases alike.

    Validators are built on first use (``defer_build``): a protocol has hundreds of types
    and a program touches few of them, so importing the module stays cheap.
    """

    model_config = ConfigDict(populate_by_name=True, protected_namespaces=(), defer_build=True)
'''


def provenance_marker(qualified_path: str, commit: str, text: str) -> str:
    """The comment that ties a translated symbol to its Rust item, commit and content hash."""
    return f"# ferry: {qualified_path} @ {commit[:12]} {item_hash(text)[:8]}"


def _sort_aliases(aliases: Sequence[PyDef]) -> list[PyDef]:
    """Order aliases so each is defined after the aliases its value mentions."""
    by_name = {d.name: d for d in aliases}
    done: set[str] = set()
    out: list[PyDef] = []

    def visit(d: PyDef, stack: set[str]) -> None:
        if d.name in done or d.name in stack:
            return
        stack.add(d.name)
        value = d.code.split("=", 1)[1] if "=" in d.code else ""
        for ref in _NAME.findall(value):
            if ref in by_name and ref != d.name:
                visit(by_name[ref], stack)
        stack.discard(d.name)
        done.add(d.name)
        out.append(d)

    for d in aliases:
        visit(d, set())
    return out


def render_module(
    defs: Sequence[PyDef],
    *,
    commit: str,
    docstring: str,
    notes: Mapping[int, str] | None = None,
    header: Sequence[str] = (),
    links: Mapping[int, str] | None = None,
    port_only: Mapping[int, str] | None = None,
) -> str:
    """The full text of a generated module: header, prelude, markers and definitions.

    Keyed by ``id`` of a definition's source declaration: ``notes`` end its marker with
    `` -- <note>``; ``links`` replace the Rust path it links to; ``port_only`` marks it
    ``port-only`` with that reason instead (no Rust item to link at the pinned commit).
    ``header`` lines follow the generated-by line.
    """
    enums = [d for d in defs if d.kind == "enum"]
    models = [d for d in defs if d.kind == "model"]
    consts = [d for d in defs if d.kind == "const"]
    aliases = _sort_aliases([d for d in defs if d.kind == "alias"])
    used = {
        node.id
        for node in ast.walk(ast.parse("".join(d.code for d in defs)))
        if isinstance(node, ast.Name)
    }
    body = "".join(d.code for d in defs)
    typing_names = [n for n in _TYPING_NAMES if n in used]
    imports = ["from __future__ import annotations\n\n"]
    if "(StrEnum)" in body:
        imports.append("from enum import StrEnum\n")
    if typing_names:
        imports.append(f"from typing import {', '.join(typing_names)}\n")
    pydantic_names = [
        "BaseModel",
        "ConfigDict",
        "Field",
        *(n for n in ("TypeAdapter",) if n in used),
    ]
    imports.append(f"\nfrom pydantic import {', '.join(pydantic_names)}\n")
    head = "".join(f"# {line}\n" if line else "#\n" for line in header)
    parts = [
        f'{GENERATED_HEADER}\n{head}# fmt: off\n"""{docstring}"""\n\n{"".join(imports)}{BASE_MODEL}'
    ]
    for group in (enums, models, consts, aliases):
        for d in group:
            marker = _marker(d, commit, notes or {}, links or {}, port_only or {})
            spacing = "\n\n" if d.kind in ("enum", "model") else "\n"
            parts.append(f"{spacing}{marker}\n{d.code}")
    return "".join(parts).rstrip("\n") + "\n"


def _marker(
    d: PyDef,
    commit: str,
    notes: Mapping[int, str],
    links: Mapping[int, str],
    port_only: Mapping[int, str],
) -> str:
    key = id(d.source)
    if key in port_only:
        return f"# ferry: port-only -- {port_only[key]}"
    path = links.get(key) or d.source.link_path
    marker = provenance_marker(path, commit, d.source.text)
    parts = [n for n in (notes.get(key), None if key in links else d.source.link_note) if n]
    return f"{marker} -- {'; '.join(parts)}" if parts else marker


def render_candidate(defs: Sequence[PyDef], *, include_base: bool) -> str:
    """Definitions plus the imports they need, ready for the checker and the merge."""
    enums = [d for d in defs if d.kind == "enum"]
    models = [d for d in defs if d.kind == "model"]
    consts = [d for d in defs if d.kind == "const"]
    aliases = _sort_aliases([d for d in defs if d.kind == "alias"])
    code = "".join(d.code for d in defs)
    used = {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
    lines = ["from __future__ import annotations\n\n"]
    if "(StrEnum)" in code:
        lines.append("from enum import StrEnum\n")
    typing_names = [n for n in _TYPING_NAMES if n in used]
    if typing_names:
        lines.append(f"from typing import {', '.join(typing_names)}\n")
    pydantic_names = [n for n in _PYDANTIC_NAMES if n in used or (include_base and n != "Field")]
    if pydantic_names:
        lines.append(f"\nfrom pydantic import {', '.join(pydantic_names)}\n")
    parts = ["".join(lines)]
    if include_base:
        parts.append(BASE_MODEL)
    for group in (enums, models, consts, aliases):
        for d in group:
            parts.append(("\n\n" if d.kind in ("enum", "model") else "\n") + d.code)
    return "".join(parts).rstrip("\n") + "\n"
