"""Extract the items of one Rust source file with tree-sitter-rust.

An *item* is a named declaration the port cares about (fn, struct, enum, union,
trait, impl and its methods, const/static, type alias, macro_rules, mod, test fn)
or a macro invocation at item level (``name!{}``) with the entries of its
brace-delimited body (the app-server RPC tables, ``lazy_static!`` statics).
Each item records its byte and line span including the doc comments and
attributes attached to it, so a changed line can be attributed to the innermost
item that covers it. Anything outside items (``use``, plain comments, inner
attributes, blank lines inside containers) is file glue.

Items keep byte spans, not syntax nodes, so the items of a blob can be stored
(``to_record``/``from_record``) and compared without parsing it again.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, pairwise
from typing import Any

import tree_sitter_rust
from tree_sitter import Language, Node, Parser, Tree

from translator.changeset import ItemKindName
from translator.diff.normalize import blank_comments, digest, doc_comments, normalize

#: tree-sitter node type -> item kind (functions are refined to method/test_fn).
_ITEM_NODES: dict[str, ItemKindName] = {
    "function_item": "fn",
    "function_signature_item": "fn",
    "struct_item": "struct",
    "enum_item": "enum",
    "union_item": "union",
    "trait_item": "trait",
    "impl_item": "impl",
    "const_item": "const",
    "static_item": "static",
    "type_item": "type_alias",
    "associated_type": "type_alias",
    "macro_definition": "macro_rules",
    "mod_item": "mod",
}
_CONTAINERS = frozenset({"impl_item", "trait_item", "mod_item"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
_TEST_ATTRS = ("test", "tokio::test", "test_case", "rstest", "test_log::test", "sqlx::test")
#: macros whose entries declare module-level statics (``static ref NAME: T = ...;``)
_STATIC_MACROS = frozenset({"lazy_static", "thread_local"})
#: words skipped when naming a macro entry (``pub static ref NAME``)
_ENTRY_KEYWORDS = frozenset(
    {"pub", "crate", "static", "ref", "mut", "const", "let", "fn", "type", "struct", "enum", "in"}
)
_SEPARATORS = frozenset({",", ";"})

Span = tuple[int, int]


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_rust.language()))


def parse(source: bytes) -> Tree:
    """Parse Rust source; never raises (syntax errors become ERROR nodes)."""
    return _parser().parse(source)


def _line_offsets(source: bytes) -> list[int]:
    """Byte offset where each line starts (index 0 -> line 1); C-level for speed."""
    ends = accumulate(map(len, source.split(b"\n")), initial=0)
    return [offset + index for index, offset in enumerate(ends)][:-1]


def reparse(
    old_tree: Tree,
    old_source: bytes,
    new_source: bytes,
    hunks: list[tuple[int, int, int, int]],
) -> Tree:
    """Parse ``new_source`` incrementally from the tree of the old version.

    ``hunks`` are git's ``-U0`` hunk headers (old start, old count, new start,
    new count); the edits are applied bottom-up so earlier offsets stay valid.
    """
    tree = old_tree.copy()
    old_offsets = _line_offsets(old_source)
    new_offsets = _line_offsets(new_source)

    def at(offsets: list[int], index: int, size: int) -> int:
        return offsets[index] if index < len(offsets) else size

    for a, b, c, d in reversed(hunks):
        old_index = a if b == 0 else a - 1
        new_index = c if d == 0 else c - 1
        start = at(old_offsets, old_index, len(old_source))
        old_end = at(old_offsets, old_index + b, len(old_source))
        new_len = at(new_offsets, new_index + d, len(new_source)) - at(
            new_offsets, new_index, len(new_source)
        )
        tree.edit(
            start_byte=start,
            old_end_byte=old_end,
            new_end_byte=start + new_len,
            start_point=(old_index, 0),
            old_end_point=(old_index + b, 0),
            new_end_point=(old_index + d, 0),
        )
    return _parser().parse(new_source, tree)


@dataclass(eq=False, slots=True)
class Item:
    """One extracted item; spans include attached docs and attributes."""

    kind: ItemKindName
    name: str  # the simple name used for rename/move matching (``Type::method`` for methods)
    path: str  # fully qualified path
    key: str  # path made unique within the file by an occurrence suffix
    start_byte: int  # first attached doc/attribute, else the item itself
    node_start: int  # the item's own first byte (after attached docs/attributes)
    end_byte: int
    start_line: int  # 1-based, inclusive
    end_line: int
    is_test: bool
    container: bool  # children are items of their own (impl, trait, mod, ``name!{}``)
    attrs: tuple[Span, ...] = ()  # attached attributes
    docs: tuple[Span, ...] = ()  # attached doc comments
    name_span: Span | None = None
    body_start: int | None = None  # where the body/value begins (None: no body)
    glue: tuple[Span, ...] = ()  # glue inside a container (comments, ``use``, ...)
    parent: Item | None = None
    children: list[Item] = field(default_factory=list)

    @property
    def is_container(self) -> bool:
        return self.container

    def text(self, source: bytes) -> str:
        return source[self.start_byte : self.end_byte].decode("utf-8", "replace")


@dataclass(slots=True)
class ParsedFile:
    """The items of one file plus where its syntax errors are (``tree`` when just parsed)."""

    source: bytes
    tree: Tree | None
    items: list[Item]
    parse_error: str | None
    _keys: dict[str, Item] | None = None

    def walk(self) -> Iterator[Item]:
        stack = list(reversed(self.items))
        while stack:
            item = stack.pop()
            yield item
            stack.extend(reversed(item.children))

    def by_key(self) -> dict[str, Item]:
        """Items by key (computed once: a version is compared as new, then as old)."""
        if self._keys is None:
            self._keys = {item.key: item for item in self.walk()}
        return self._keys


# ---------------------------------------------------------------------------- records

#: bump when extraction changes: stored records of older versions are not reused
RECORD_VERSION = 3


def to_record(parsed: ParsedFile) -> tuple[Any, ...]:
    """A marshal-friendly tuple of the file's items (parent by index, walk order)."""
    index: dict[int, int] = {}
    rows = []
    for n, item in enumerate(parsed.walk()):
        index[id(item)] = n
        rows.append(
            (
                item.kind, item.name, item.path, item.key, item.start_byte, item.node_start,
                item.end_byte, item.start_line, item.end_line, item.is_test, item.container,
                item.attrs, item.docs, item.name_span, item.body_start, item.glue,
                -1 if item.parent is None else index[id(item.parent)],
            )
        )  # fmt: skip
    return (RECORD_VERSION, parsed.parse_error, tuple(rows))


def from_record(record: tuple[Any, ...], source: bytes) -> ParsedFile:
    """The inverse of :func:`to_record` (``source`` is the blob the record describes)."""
    version, parse_error, rows = record
    if version != RECORD_VERSION:
        raise ValueError(f"item record version {version}, expected {RECORD_VERSION}")
    items: list[Item] = []
    roots: list[Item] = []
    for row in rows:
        (kind, name, path, key, start, node_start, end, first, last, is_test, container,
         attrs, docs, name_span, body_start, glue, parent) = row  # fmt: skip
        item = Item(
            kind, name, path, key, start, node_start, end, first, last, is_test, container,
            tuple(map(tuple, attrs)), tuple(map(tuple, docs)),
            tuple(name_span) if name_span is not None else None, body_start,
            tuple(map(tuple, glue)), items[parent] if parent >= 0 else None,
        )  # fmt: skip
        items.append(item)
        (roots if item.parent is None else item.parent.children).append(item)
    return ParsedFile(source=source, tree=None, items=roots, parse_error=parse_error)


# ---------------------------------------------------------------------------- extraction


def _line_span(start: Node, end: Node) -> tuple[int, int]:
    first = start.start_point.row + 1
    end_point = end.end_point
    last = end_point.row + 1
    if end_point.column == 0 and end_point.row > start.start_point.row:
        last -= 1  # a line comment's span ends at column 0 of the next line
    return first, last


def _is_doc_comment(node: Node) -> bool:
    if node.type not in _COMMENTS:
        return False
    text = node.text or b""
    if text.startswith(b"////") or text.startswith(b"/***"):
        return False
    return text.startswith(b"///") or text.startswith(b"/**")


def _attr_path(attr_item: Node) -> str:
    attr = next((c for c in attr_item.named_children if c.type == "attribute"), None)
    if attr is None:
        return ""
    head = attr.named_children[0] if attr.named_children else None
    return (head.text or b"").decode() if head is not None else ""


def _is_test_attr(path: str) -> bool:
    return path in _TEST_ATTRS or path.endswith("::test")


def _node_text(node: Node | None) -> str:
    if node is None:
        return ""
    return " ".join((node.text or b"").decode("utf-8", "replace").split())


def _strip_generics(type_text: str) -> str:
    depth = 0
    out = []
    for ch in type_text:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out).replace(" ", "")


def _first_error_line(tree: Tree) -> int | None:
    if not tree.root_node.has_error:
        return None
    cursor = tree.walk()
    while True:
        node = cursor.node
        if node is not None and (node.type == "ERROR" or node.is_missing):
            return node.start_point.row + 1
        if node is not None and node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return tree.root_node.start_point.row + 1


def _body_node(node: Node) -> Node | None:
    body = node.child_by_field_name("body") or node.child_by_field_name("value")
    if body is None and node.type == "type_item":
        body = node.child_by_field_name("type")
    return body


def _macro_of(node: Node) -> Node | None:
    """The macro invocation an item-level node is (bare, or as ``foo!(...);``)."""
    if node.type == "macro_invocation":
        return node
    if node.type == "expression_statement":
        inner = node.named_children[0] if node.named_child_count == 1 else None
        if inner is not None and inner.type == "macro_invocation":
            return inner
    return None


def _span(node: Node) -> Span:
    return (node.start_byte, node.end_byte)


class _Extractor:
    def __init__(self, module_path: str, file_is_test: bool) -> None:
        self.module_path = module_path
        self.file_is_test = file_is_test
        self.seen: dict[str, int] = {}

    def _key(self, path: str) -> str:
        count = self.seen.get(path, 0) + 1
        self.seen[path] = count
        return path if count == 1 else f"{path}#{count}"

    def collect(
        self,
        container: Node,
        prefix: str,
        parent: Item | None,
        in_test: bool,
        owner_type: str | None,
    ) -> tuple[list[Item], list[Node]]:
        """Items and glue nodes among the direct children of ``container``."""
        items: list[Item] = []
        glue: list[Node] = []
        pending: list[Node] = []
        for child in container.named_children:
            child_type = child.type
            kind = _ITEM_NODES.get(child_type)
            macro = (
                _macro_of(child)
                if kind is None and child_type in ("macro_invocation", "expression_statement")
                else None
            )
            if kind is not None or macro is not None:
                attached = tuple(pending)
                if macro is not None:
                    item = self._macro(child, macro, attached, prefix, parent, in_test)
                else:
                    assert kind is not None
                    item = self._make(child, kind, attached, prefix, parent, in_test, owner_type)
                items.append(item)
                pending = []
            elif child_type == "attribute_item" or (
                child_type in _COMMENTS and _is_doc_comment(child)
            ):
                pending.append(child)
            else:
                # a plain comment between an attribute and its item stays with the item
                if child_type in _COMMENTS and pending:
                    pending.append(child)
                    continue
                glue.extend(pending)
                pending = []
                glue.append(child)
        glue.extend(pending)
        return items, glue

    def _item(
        self,
        kind: ItemKindName,
        name: str,
        path: str,
        node: Node,
        attached: tuple[Node, ...],
        is_test: bool,
        parent: Item | None,
        *,
        name_span: Span | None,
        body_start: int | None,
        container: bool,
    ) -> Item:
        first = attached[0] if attached else node
        start_line, end_line = _line_span(first, node)
        attrs: tuple[Span, ...] = ()
        docs: tuple[Span, ...] = ()
        if attached:
            attrs = tuple(_span(a) for a in attached if a.type == "attribute_item")
            docs = tuple(_span(a) for a in attached if _is_doc_comment(a))
        return Item(
            kind=kind,
            name=name,
            path=path,
            key=self._key(path),
            start_byte=first.start_byte,
            node_start=node.start_byte,
            end_byte=node.end_byte,
            start_line=start_line,
            end_line=end_line,
            is_test=is_test,
            container=container,
            attrs=attrs,
            docs=docs,
            name_span=name_span,
            body_start=body_start,
            parent=parent,
        )

    def _make(
        self,
        node: Node,
        kind: ItemKindName,
        attached: tuple[Node, ...],
        prefix: str,
        parent: Item | None,
        in_test: bool,
        owner_type: str | None,
    ) -> Item:
        attrs = [a for a in attached if a.type == "attribute_item"] if attached else []
        is_test = (
            in_test
            or self.file_is_test
            or (
                bool(attrs)
                and any((a.text or b"").replace(b" ", b"").startswith(b"#[cfg(test") for a in attrs)
            )
        )
        name_node = node.child_by_field_name("name")
        # names are identifiers (no whitespace): decoding is enough
        name = (name_node.text or b"").decode("utf-8", "replace") if name_node is not None else ""
        if kind == "fn" and attrs and any(_is_test_attr(_attr_path(a)) for a in attrs):
            kind = "test_fn"
            is_test = True
        elif kind == "fn" and owner_type is not None:
            kind = "method"
        if kind == "impl":
            type_text = _node_text(node.child_by_field_name("type"))
            trait = node.child_by_field_name("trait")
            base = _strip_generics(type_text)
            if trait is not None:
                name = f"<{base} as {_node_text(trait).replace(' ', '')}>"
            else:
                name = f"<impl {type_text.replace(' ', '')}>"
            path = f"{prefix}::{name}" if prefix else name
        elif kind == "macro_rules":
            path = f"{prefix}::{name}!" if prefix else f"{name}!"
        else:
            path = f"{prefix}::{name}" if prefix else name
        simple = f"{owner_type}::{name}" if owner_type is not None and kind != "impl" else name
        body = _body_node(node)
        split = body.start_byte if body is not None else node.end_byte
        name_span = (
            _span(name_node)
            if name_node is not None
            and node.start_byte <= name_node.start_byte
            and name_node.end_byte <= split
            else None
        )
        is_container = body is not None and node.type in _CONTAINERS
        item = self._item(
            kind, simple, path, node, attached, is_test, parent,
            name_span=name_span, body_start=body.start_byte if body is not None else None,
            container=is_container,
        )  # fmt: skip
        if is_container:
            assert body is not None
            owner: str | None = None
            inner_prefix = path
            if kind == "impl":
                owner = name
                if node.child_by_field_name("trait") is None:
                    owner = _strip_generics(_node_text(node.child_by_field_name("type")))
                    inner_prefix = f"{prefix}::{owner}" if prefix else owner
            elif kind == "trait":
                owner = name
            item.children, glue = self.collect(body, inner_prefix, item, is_test, owner)
            item.glue = tuple(_span(g) for g in glue)
        return item

    def _macro(
        self,
        node: Node,
        macro: Node,
        attached: tuple[Node, ...],
        prefix: str,
        parent: Item | None,
        in_test: bool,
    ) -> Item:
        """``name!{...}`` at item level: an item whose ``{}`` body entries are items too."""
        head = macro.child_by_field_name("macro") or macro.named_children[0]
        name = _node_text(head).replace(" ", "").rsplit("::", 1)[-1]
        path = f"{prefix}::{name}!{{}}" if prefix else f"{name}!{{}}"
        body = next((c for c in macro.children if c.type == "token_tree"), None)
        braces = body is not None and body.child_count > 0 and body.children[0].type == "{"
        is_test = in_test or self.file_is_test
        item = self._item(
            "macro_call", f"{name}!{{}}", path, node, attached, is_test, parent,
            name_span=_span(head), body_start=body.start_byte if body is not None else None,
            container=braces,
        )  # fmt: skip
        if braces:
            assert body is not None
            declares_statics = name in _STATIC_MACROS
            entry_prefix = prefix if declares_statics else path
            item.children, glue = self._entries(
                body, entry_prefix, item, is_test, "static" if declares_statics else "macro_entry"
            )
            item.glue = tuple(_span(g) for g in glue)
        return item

    def _entries(
        self, body: Node, prefix: str, parent: Item, is_test: bool, kind: ItemKindName
    ) -> tuple[list[Item], list[Node]]:
        """Split a ``{}`` token tree at top-level ``,``/``;`` into named entries."""
        tokens = list(body.children)[1:-1]  # without the braces
        items: list[Item] = []
        glue: list[Node] = []
        current: list[Node] = []

        def close() -> None:
            entry = self._entry(current, prefix, parent, is_test, kind)
            if entry is None:
                glue.extend(current)
            else:
                items.append(entry)
            current.clear()

        for token in tokens:
            if not current and token.type in _COMMENTS and not _is_doc_comment(token):
                glue.append(token)  # a plain comment between entries
                continue
            current.append(token)
            if token.type in _SEPARATORS:
                close()
        if current:
            close()
        return items, glue

    def _entry(
        self, tokens: list[Node], prefix: str, parent: Item, is_test: bool, kind: ItemKindName
    ) -> Item | None:
        attached: list[Node] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if _is_doc_comment(token) or token.type in _COMMENTS:
                attached.append(token)
            elif (
                token.type == "#"
                and index + 1 < len(tokens)
                and tokens[index + 1].type == "token_tree"
            ):
                attached.extend(tokens[index : index + 2])
                index += 1
            else:
                break
            index += 1
        code = tokens[index:]
        name_node = next(
            (
                t
                for t in code
                if t.type == "identifier" and (t.text or b"").decode() not in _ENTRY_KEYWORDS
            ),
            None,
        )
        if name_node is None:
            return None
        name = (name_node.text or b"").decode()
        equals = next((t for t in code if t.type == "="), None)
        last = code[-2] if len(code) > 1 and code[-1].type in _SEPARATORS else code[-1]
        if equals is not None:
            body_start: int | None = equals.end_byte
        elif last.type == "token_tree" and last is not name_node:
            body_start = last.start_byte
        else:
            body_start = None
        first = attached[0] if attached else code[0]
        start_line, end_line = _line_span(first, code[-1])
        path = f"{prefix}::{name}"
        return Item(
            kind=kind,
            name=name,
            path=path,
            key=self._key(path),
            start_byte=first.start_byte,
            node_start=code[0].start_byte,
            end_byte=code[-1].end_byte,
            start_line=start_line,
            end_line=end_line,
            is_test=is_test,
            container=False,
            attrs=tuple((a.start_byte, b.end_byte) for a, b in pairwise(attached) if a.type == "#"),
            docs=tuple(_span(a) for a in attached if _is_doc_comment(a)),
            name_span=_span(name_node),
            body_start=body_start,
            parent=parent,
        )


def extract(
    source: bytes, module_path: str, *, file_is_test: bool = False, tree: Tree | None = None
) -> ParsedFile:
    """Parse ``source`` (unless its ``tree`` is given) and return its items under ``module_path``."""
    if tree is None:
        tree = parse(source)
    extractor = _Extractor(module_path, file_is_test)
    items, _glue = extractor.collect(tree.root_node, module_path, None, file_is_test, None)
    error_line = _first_error_line(tree)
    parse_error = f"syntax error near line {error_line}" if error_line is not None else None
    return ParsedFile(source=source, tree=tree, items=items, parse_error=parse_error)


# ---------------------------------------------------------------------------- comparison views


def _skip_spans(item: Item) -> list[Span]:
    spans = [(c.start_byte, c.end_byte) for c in item.children]
    spans += list(item.glue)
    return sorted(spans)


def _cut(source: bytes, start: int, end: int, spans: list[Span]) -> bytes:
    """``source[start:end]`` without the byte ``spans`` (children and glue of a container)."""
    pieces = []
    pos = start
    for s, e in spans:
        if e <= pos or s >= end:
            continue
        pieces.append(source[pos:s])
        pos = max(pos, e)
    pieces.append(source[pos:end])
    return b" ".join(pieces)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Normalized hashes of an item used to compare two versions of it.

    For containers (impl, trait, inline mod, ``name!{}``) every part covers the
    container's own text only: its children are items of their own and its glue is
    file glue. ``docs`` covers attached doc comments and those inside the item (on
    fields and variants: they become schema descriptions and doc strings).
    """

    full: str  # attributes + signature + body, comments and whitespace normalized
    anonymous: str  # the same with the item's own name blanked (rename detection)
    attrs: str
    docs: str
    signature: str  # text before the body
    body: str


_FINGERPRINTS: OrderedDict[bytes, Fingerprint] = OrderedDict()
_FINGERPRINTS_MAX = 50_000


def fingerprint(item: Item, source: bytes) -> Fingerprint:
    """The normalized hashes of ``item``, memoized by the raw pieces they are computed from.

    An item version is compared again whenever the item changes later, and a container
    whenever one of its members changes: normalizing is the costly part, slicing is not.
    """
    attrs_raw = [source[s:e] for s, e in item.attrs]
    docs_raw = [source[s:e] for s, e in item.docs]
    spans = _skip_spans(item) if item.container else []
    split = item.body_start if item.body_start is not None else item.end_byte
    sig_raw = source[item.node_start : split]
    if item.name_span is not None and item.node_start <= item.name_span[0] < split:
        s, e = item.name_span
        anon_raw = source[item.node_start : s] + b" $ " + source[e:split]
    else:
        anon_raw = sig_raw
    body_raw = _cut(source, split, item.end_byte, spans) if item.body_start is not None else None
    key = hashlib.blake2b(
        b"\x00\x01".join(
            [*attrs_raw, b"\x02", *docs_raw, b"\x02", sig_raw, anon_raw, body_raw or b"\x03"]
        ),
        digest_size=20,
    ).digest()
    known = _FINGERPRINTS.get(key)
    if known is not None:
        _FINGERPRINTS.move_to_end(key)
        return known
    attrs = b"".join(normalize(a) for a in attrs_raw)
    inner_docs = [doc_comments(sig_raw), doc_comments(body_raw or b"")]
    docs = b"\n".join(b" ".join(d.split()) for d in docs_raw) + b"\n".join(
        d for d in inner_docs if d
    )
    signature = normalize(sig_raw)
    anon_sig = normalize(anon_raw) if anon_raw is not sig_raw else signature
    own_body = normalize(body_raw) if body_raw is not None else b""
    result = Fingerprint(
        full=digest(attrs, signature, own_body),
        anonymous=digest(attrs, anon_sig, own_body),
        attrs=digest(attrs),
        docs=digest(docs),
        signature=digest(signature),
        body=digest(own_body),
    )
    _FINGERPRINTS[key] = result
    if len(_FINGERPRINTS) > _FINGERPRINTS_MAX:
        _FINGERPRINTS.popitem(last=False)
    return result


def own_token_rows(item: Item, source: bytes) -> set[int]:
    """0-based rows holding a container's own text (header, braces, docs, attributes).

    Only the container's own pieces are looked at (its attached docs/attributes, then the
    gaps between its children and glue, comments blanked), never the members' text, so
    a large ``impl`` costs what its braces and separators cost.
    """
    rows: set[int] = set()
    row = item.start_line - 1

    def mark(start: int, text: bytes) -> None:
        for offset, line in enumerate(text.split(b"\n")):
            if line.strip():
                rows.add(start + offset)

    mark(row, source[item.start_byte : item.node_start])  # attached docs/attributes: all own
    row += source.count(b"\n", item.start_byte, item.node_start)
    pos = item.node_start
    for s, e in _skip_spans(item):
        if e <= pos or s >= item.end_byte:
            continue
        if s > pos:
            mark(row, blank_comments(source[pos:s]))
            row += source.count(b"\n", pos, s)
        row += source.count(b"\n", max(s, pos), e)
        pos = max(pos, e)
    if pos < item.end_byte:
        mark(row, blank_comments(source[pos : item.end_byte]))
    return rows
