"""Upstream's word-only script check, run on the real tree-sitter-bash grammar (tests only).

Used to cross-check the hand-written scanner in ``pycodex.execpolicy.shell``: the
same node-kind allow-list and word extraction as upstream's ``bash.rs``.
"""

from __future__ import annotations

from typing import Any

_ALLOWED_KINDS = frozenset(
    (
        "program",
        "list",
        "pipeline",
        "command",
        "command_name",
        "word",
        "string",
        "string_content",
        "raw_string",
        "number",
        "concatenation",
    )
)
_ALLOWED_PUNCT = frozenset(("&&", "||", ";", "|", '"', "'"))


def make_parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def _text(node: Any, src: bytes) -> str:
    return str(src[node.start_byte : node.end_byte].decode("utf-8"))


def _double_quoted(node: Any, src: bytes) -> str | None:
    if any(child.type != "string_content" for child in node.named_children):
        return None
    raw = _text(node, src)
    if len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
        return None
    return raw[1:-1]


def _raw_string(node: Any, src: bytes) -> str | None:
    raw = _text(node, src)
    if len(raw) < 2 or not (raw.startswith("'") and raw.endswith("'")):
        return None
    return raw[1:-1]


def _command_words(cmd: Any, src: bytes) -> list[str] | None:
    words: list[str] = []
    for child in cmd.named_children:
        kind = child.type
        if kind == "command_name":
            inner = child.named_children[0] if child.named_children else None
            if inner is None or inner.type != "word":
                return None
            words.append(_text(inner, src))
        elif kind in ("word", "number"):
            words.append(_text(child, src))
        elif kind == "string":
            value = _double_quoted(child, src)
            if value is None:
                return None
            words.append(value)
        elif kind == "raw_string":
            value = _raw_string(child, src)
            if value is None:
                return None
            words.append(value)
        elif kind == "concatenation":
            parts: list[str] = []
            for part in child.named_children:
                if part.type in ("word", "number"):
                    parts.append(_text(part, src))
                elif part.type == "string":
                    value = _double_quoted(part, src)
                    if value is None:
                        return None
                    parts.append(value)
                elif part.type == "raw_string":
                    value = _raw_string(part, src)
                    if value is None:
                        return None
                    parts.append(value)
                else:
                    return None
            joined = "".join(parts)
            if not joined:
                return None
            words.append(joined)
        else:
            return None
    return words


def reference_split(parser: Any, script: str) -> list[list[str]] | None:
    src = script.encode("utf-8")
    tree = parser.parse(src)
    root = tree.root_node
    if root.has_error:
        return None
    stack = [root]
    commands: list[Any] = []
    while stack:
        node = stack.pop()
        kind = node.type
        if node.is_named:
            if kind not in _ALLOWED_KINDS:
                return None
            if kind == "command":
                commands.append(node)
        else:
            if any(c in "&;|" for c in kind) and kind not in _ALLOWED_PUNCT:
                return None
            if not (kind in _ALLOWED_PUNCT or not kind.strip()):
                return None
        stack.extend(node.children)
    commands.sort(key=lambda n: n.start_byte)
    out: list[list[str]] = []
    for cmd in commands:
        words = _command_words(cmd, src)
        if words is None:
            return None
        out.append(words)
    return out


_HEREDOC_ATTACHMENTS = frozenset(
    (
        "heredoc_body",
        "simple_heredoc_body",
        "heredoc_redirect",
        "herestring_redirect",
        "file_redirect",
        "redirected_statement",
        "variable_assignment",
        "comment",
    )
)


def _literal(node: Any) -> bool:
    return node.type in ("word", "number") and not node.named_children


def reference_heredoc_prefix(parser: Any, script: str) -> list[str] | None:
    """Upstream's ``parse_shell_lc_single_command_prefix`` on the script alone."""
    src = script.encode("utf-8")
    root = parser.parse(src).root_node
    if root.has_error:
        return None
    stack = [root]
    saw_heredoc = False
    commands = []
    while stack:
        node = stack.pop()
        if node.type == "heredoc_redirect":
            saw_heredoc = True
        if node.type == "command":
            commands.append(node)
        stack.extend(node.named_children)
    if not saw_heredoc or len(commands) != 1:
        return None
    words: list[str] = []
    for child in commands[0].named_children:
        if child.type == "command_name":
            inner = child.named_children[0] if child.named_children else None
            if inner is None or not _literal(inner):
                return None
            words.append(_text(inner, src))
        elif child.type in ("word", "number"):
            if not _literal(child):
                return None
            words.append(_text(child, src))
        elif child.type in _HEREDOC_ATTACHMENTS:
            continue
        else:
            return None
    return words or None
