"""Upstream's heredoc extraction, run with the real tree-sitter-bash grammar (tests only).

The exact query of ``extract_apply_patch_from_bash`` in upstream's
``invocation.rs``; used to cross-check the hand-written recogniser in
``pycodex.apply_patch.invocation`` (the port itself does not depend on
tree-sitter).
"""

from __future__ import annotations

from typing import Any

QUERY = r"""
(
  program
    . (redirected_statement
        body: (command
                name: (command_name (word) @apply_name) .)
        (#any-of? @apply_name "apply_patch" "applypatch")
        redirect: (heredoc_redirect
                    . (heredoc_start)
                    . (heredoc_body) @heredoc
                    . (heredoc_end)
                    .))
    .)

(
  program
    . (redirected_statement
        body: (list
                . (command
                    name: (command_name (word) @cd_name) .
                    argument: [
                      (word) @cd_path
                      (string (string_content) @cd_path)
                      (raw_string) @cd_raw_string
                    ] .)
                "&&"
                . (command
                    name: (command_name (word) @apply_name))
                .)
        (#eq? @cd_name "cd")
        (#any-of? @apply_name "apply_patch" "applypatch")
        redirect: (heredoc_redirect
                    . (heredoc_start)
                    . (heredoc_body) @heredoc
                    . (heredoc_end)
                    .))
    .)
"""

_STATE: dict[str, Any] = {}


def _setup() -> tuple[Any, Any]:
    if not _STATE:
        import tree_sitter
        import tree_sitter_bash

        language = tree_sitter.Language(tree_sitter_bash.language())
        _STATE["parser"] = tree_sitter.Parser(language)
        _STATE["query"] = tree_sitter.Query(language, QUERY)
    return _STATE["parser"], _STATE["query"]


def reference_extract(script: str) -> tuple[str, str | None] | None:
    """``Ok((heredoc, cd_path))`` as upstream computes it, or ``None`` for no match."""
    import tree_sitter

    parser, query = _setup()
    src = script.encode()
    tree = parser.parse(src)
    cursor = tree_sitter.QueryCursor(query)
    for _pattern, captures in cursor.matches(tree.root_node):
        heredoc: str | None = None
        cd_path: str | None = None
        # Upstream iterates captures in node order; the last cd capture wins.
        flat: list[tuple[int, str, Any]] = []
        for name, nodes in captures.items():
            for node in nodes:
                flat.append((node.start_byte, name, node))
        flat.sort(key=lambda item: item[0])
        for _start, name, node in flat:
            text = src[node.start_byte : node.end_byte].decode()
            if name == "heredoc":
                heredoc = text.rstrip("\n")
            elif name == "cd_path":
                cd_path = text
            elif name == "cd_raw_string":
                cd_path = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text
        if heredoc is not None:
            return heredoc, cd_path
    return None
