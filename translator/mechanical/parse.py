"""tree-sitter-rust -> :mod:`translator.mechanical.ir` for the declarations serde shapes.

Only what decides the JSON form is read: struct/enum/type/const items, their doc comments,
``#[derive]``, ``#[serde]``, ``#[schemars]``, ``#[ts]`` and ``#[experimental]`` attributes,
plus ``use`` declarations so names can be resolved across modules and crates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

import tree_sitter
import tree_sitter_rust

from translator.mechanical.ir import Attrs, AttrValue, RustDecl, RustField, RustVariant, TypeExpr

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_:]*|[=,()]|\S')
_ENUM_FROM = re.compile(r"\bpub\s+enum\s+(\w+)\s+from\s+[\w:<>]+")


@cache
def rust_parser() -> tree_sitter.Parser:
    """The shared tree-sitter parser for Rust (building it costs a few milliseconds)."""
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language()))


@dataclass
class ParsedFile:
    """The declarations of one file and the names its ``use`` items bring into scope."""

    decls: list[RustDecl] = field(default_factory=list)
    uses: dict[str, str] = field(default_factory=dict)  # local name -> full path
    fns: dict[str, str] = field(default_factory=dict)  # parameterless fn name -> body expression
    crate: str = ""


def parse_attr_args(text: str) -> tuple[tuple[str, AttrValue], ...]:
    """``(tag = "type", default, with = "x")`` -> ``(("tag","type"), ("default", True), ...)``."""
    tokens = _TOKEN.findall(text.strip())
    if tokens and tokens[0] == "(" and tokens[-1] == ")":
        tokens = tokens[1:-1]
    out: list[tuple[str, AttrValue]] = []
    i, depth = 0, 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif depth == 0 and tok != "," and re.match(r"[A-Za-z_]", tok):
            if i + 2 < len(tokens) + 1 and i + 1 < len(tokens) and tokens[i + 1] == "=":
                value = tokens[i + 2] if i + 2 < len(tokens) else ""
                out.append((tok, value[1:-1] if value.startswith('"') else value))
                i += 3
                continue
            out.append((tok, True))
        i += 1
    return tuple(out)


def _text(node: tree_sitter.Node) -> str:
    raw = node.text
    return raw.decode("utf-8") if raw is not None else ""


class _AttrCollector:
    """Accumulates the attributes and doc comments that precede an item, field or variant."""

    def __init__(self) -> None:
        self.serde: list[tuple[str, AttrValue]] = []
        self.schemars: list[tuple[str, AttrValue]] = []
        self.ts: list[tuple[str, AttrValue]] = []
        self.experimental: str | None = None
        self.doc: list[str] = []
        self.derives: list[str] = []
        self.cfg_test = False
        self.texts: list[str] = []
        self.flags: list[str] = []

    def feed(self, node: tree_sitter.Node) -> bool:
        """Consume ``node`` if it is an attribute or comment; return whether it was."""
        if node.type == "attribute_item":
            self.texts.append(_text(node))
            attr = node.named_children[0] if node.named_children else None
            if attr is None:
                return True
            name_node = attr.named_children[0] if attr.named_children else None
            name = _text(name_node) if name_node is not None else ""
            args_node = attr.child_by_field_name("arguments")
            args = _text(args_node) if args_node is not None else ""
            if name == "serde":
                self.serde.extend(parse_attr_args(args))
            elif name == "schemars":
                self.schemars.extend(parse_attr_args(args))
            elif name == "ts":
                self.ts.extend(parse_attr_args(args))
            elif name == "experimental":
                stripped = args.strip()[1:-1].strip()
                self.experimental = stripped.strip('"') if stripped.startswith('"') else stripped
            elif name == "derive":
                self.derives.extend(re.findall(r"[A-Za-z_][\w:]*", args))
            elif name == "cfg" and "test" in args:
                self.cfg_test = True
            elif name == "default" and not args:
                self.flags.append("default")
            return True
        if node.type in ("line_comment", "block_comment"):
            text = _text(node)
            if text.startswith("///") and not text.startswith("////"):
                self.texts.append(text.rstrip("\n"))
                self.doc.append(text[3:].strip())
            return True
        return False

    def attrs(self) -> Attrs:
        return Attrs(
            serde=tuple(self.serde),
            schemars=tuple(self.schemars),
            ts=tuple(self.ts),
            experimental=self.experimental,
            doc="\n".join(self.doc).strip(),
            flags=tuple(self.flags),
        )


def parse_type(node: tree_sitter.Node) -> TypeExpr:
    """Turn a tree-sitter type node into a :class:`TypeExpr` (references and lifetimes dropped)."""
    kind = node.type
    if kind in ("reference_type", "pointer_type"):
        inner = node.child_by_field_name("type")
        return parse_type(inner) if inner is not None else TypeExpr("()")
    if kind == "tuple_type":
        args = tuple(parse_type(c) for c in node.named_children)
        return TypeExpr("()", args=args, is_tuple=True)
    if kind == "unit_type":
        return TypeExpr("()", is_tuple=True)
    if kind == "array_type":
        element = node.child_by_field_name("element")
        return TypeExpr("[]", args=(parse_type(element),) if element is not None else ())
    if kind == "generic_type":
        head = node.child_by_field_name("type")
        path = _text(head) if head is not None else ""
        targs = node.child_by_field_name("type_arguments")
        generic_args: tuple[TypeExpr, ...] = ()
        if targs is not None:
            generic_args = tuple(
                parse_type(c)
                for c in targs.named_children
                if c.type not in ("lifetime", "line_comment", "block_comment")
            )
        return TypeExpr(path.rsplit("::", 1)[-1], path=path, args=generic_args)
    if kind in ("dynamic_type", "abstract_type", "bounded_type", "function_type"):
        return TypeExpr("dyn", path=_text(node))
    path = _text(node)
    return TypeExpr(path.rsplit("::", 1)[-1], path=path)


def _fields(node: tree_sitter.Node) -> tuple[RustField, ...]:
    out: list[RustField] = []
    collector = _AttrCollector()
    position = 0
    for child in node.named_children:
        if collector.feed(child):
            continue
        if child.type == "field_declaration":
            name_node = child.child_by_field_name("name")
            type_node = child.child_by_field_name("type")
            if name_node is not None and type_node is not None:
                out.append(RustField(_text(name_node), parse_type(type_node), collector.attrs()))
        elif child.type != "visibility_modifier":
            # a positional field of a tuple struct / variant
            out.append(RustField(str(position), parse_type(child), collector.attrs()))
            position += 1
        else:
            continue
        collector = _AttrCollector()
    return tuple(out)


def _variants(body: tree_sitter.Node) -> tuple[RustVariant, ...]:
    out: list[RustVariant] = []
    collector = _AttrCollector()
    for child in body.named_children:
        if collector.feed(child):
            continue
        if child.type != "enum_variant":
            continue
        name_node = child.child_by_field_name("name")
        vbody = child.child_by_field_name("body")
        name = _text(name_node) if name_node is not None else "?"
        if vbody is None:
            out.append(RustVariant(name, "unit", (), collector.attrs()))
        elif vbody.type == "field_declaration_list":
            out.append(RustVariant(name, "struct", _fields(vbody), collector.attrs()))
        else:
            out.append(RustVariant(name, "tuple", _fields(vbody), collector.attrs()))
        collector = _AttrCollector()
    return tuple(out)


def _expand_uses(prefix: str, node: tree_sitter.Node, out: dict[str, str]) -> None:
    kind = node.type
    if kind in ("scoped_identifier", "identifier", "crate", "self", "super"):
        path = f"{prefix}::{_text(node)}" if prefix else _text(node)
        out[path.rsplit("::", 1)[-1]] = path
    elif kind == "use_as_clause":
        path_node = node.child_by_field_name("path")
        alias_node = node.child_by_field_name("alias")
        if path_node is not None and alias_node is not None:
            path = f"{prefix}::{_text(path_node)}" if prefix else _text(path_node)
            out[_text(alias_node)] = path
    elif kind == "scoped_use_list":
        path_node = node.child_by_field_name("path")
        list_node = node.child_by_field_name("list")
        base = _text(path_node) if path_node is not None else ""
        new_prefix = f"{prefix}::{base}" if prefix and base else (base or prefix)
        if list_node is not None:
            _expand_uses(new_prefix, list_node, out)
    elif kind == "use_list":
        for child in node.named_children:
            _expand_uses(prefix, child, out)


def parse_source(source: str, *, file: str, crate: str, module: str) -> ParsedFile:
    """Parse one Rust file's top level (and inline non-test ``mod`` blocks)."""
    tree = rust_parser().parse(source.encode("utf-8"))
    result = ParsedFile(crate=crate)
    _walk(tree.root_node, result, file=file, crate=crate, module=module)
    return result


def _walk(
    root: tree_sitter.Node, result: ParsedFile, *, file: str, crate: str, module: str
) -> None:
    collector = _AttrCollector()
    for node in root.named_children:
        if collector.feed(node):
            continue
        attrs = collector.attrs()
        derives = tuple(collector.derives)
        skip = collector.cfg_test
        prefix_text = "\n".join(collector.texts)
        collector = _AttrCollector()
        if skip:
            continue
        text = (prefix_text + "\n" + _text(node)).strip("\n") if prefix_text else _text(node)
        kind = node.type
        name_node = node.child_by_field_name("name")
        name = _text(name_node) if name_node is not None else ""
        base = RustDecl(
            "struct",
            name,
            crate=crate,
            module=module,
            file=file,
            attrs=attrs,
            text=text,
            derives=derives,
        )
        if kind == "struct_item":
            body = node.child_by_field_name("body")
            if body is None:
                result.decls.append(replace(base, shape="unit"))
            elif body.type == "field_declaration_list":
                result.decls.append(replace(base, shape="struct", fields=_fields(body)))
            else:
                result.decls.append(replace(base, shape="tuple", fields=_fields(body)))
        elif kind == "enum_item":
            body = node.child_by_field_name("body")
            variants = _variants(body) if body is not None else ()
            result.decls.append(replace(base, kind="enum", variants=variants))
        elif kind == "type_item":
            type_node = node.child_by_field_name("type")
            if type_node is not None:
                result.decls.append(
                    replace(base, kind="type_alias", alias_of=parse_type(type_node))
                )
        elif kind == "const_item":
            type_node = node.child_by_field_name("type")
            value_node = node.child_by_field_name("value")
            result.decls.append(
                replace(
                    base,
                    kind="const",
                    alias_of=parse_type(type_node) if type_node is not None else None,
                    const_value=_text(value_node) if value_node is not None else None,
                )
            )
        elif kind == "function_item":
            params = node.child_by_field_name("parameters")
            body = node.child_by_field_name("body")
            if params is not None and not params.named_children and body is not None:
                result.fns[name] = _text(body).strip()[1:-1].strip()
        elif kind == "use_declaration":
            arg = node.child_by_field_name("argument")
            if arg is not None:
                _expand_uses("", arg, result.uses)
        elif kind == "mod_item":
            body = node.child_by_field_name("body")
            if body is not None and name != "tests":
                _walk(body, result, file=file, crate=crate, module=f"{module}::{name}")
        elif kind in ("macro_invocation", "expression_statement"):
            _expand_enum_macro(node, result, file=file, crate=crate, module=module)


def _expand_enum_macro(
    node: tree_sitter.Node, result: ParsedFile, *, file: str, crate: str, module: str
) -> None:
    """Expand upstream's ``v2_enum_from_core!`` style macros: ``pub enum X from Core {..}``.

    Such macros declare a camelCase enum mirroring a core enum; the declaration text is
    recovered by dropping the ``from <Path>`` clause and adding the rename the macro adds.
    """
    text = _text(node)
    match = _ENUM_FROM.search(text)
    if match is None:
        return
    bang = text.find("!")
    starts = [i for i in (text.find("(", bang), text.find("{", bang)) if i >= 0]
    if bang < 0 or not starts:
        return
    open_at = min(starts)
    close_at = text.rfind(")" if text[open_at] == "(" else "}")
    if close_at <= open_at:
        return
    inner = text[open_at + 1 : close_at]
    inner = _ENUM_FROM.sub(
        lambda m: f'#[serde(rename_all = "camelCase")]\npub enum {m.group(1)}', inner
    )
    macro = text[:bang].replace(" ", "").rsplit("::", 1)[-1]
    sub = parse_source(inner, file=file, crate=crate, module=module)
    for decl in sub.decls:
        if decl.kind == "enum":
            result.decls.append(replace(decl, macro=macro, macro_braces=text[open_at] == "{"))
