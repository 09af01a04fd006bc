"""``@`` file mentions: the token under the cursor and a fuzzy search over the project's files.

codex walks the tree with the ``ignore`` crate (``.gitignore`` honoured) and ranks with a
fuzzy matcher. pycodex asks git for the same file set where the directory is a work tree
(``git ls-files --cached --others --exclude-standard``) and walks the tree, skipping
hidden directories, elsewhere; ranking is a subsequence match that prefers contiguous
runs and hits in the file name.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: suggestions shown in the popup.
MAX_RESULTS = 8
#: files considered at most (a huge tree must not stall the UI).
MAX_FILES = 50_000
_SKIP_DIRS = {"node_modules", "__pycache__", "target", ".venv", "venv"}


# ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::current_at_token @ 1d092cb66
@dataclass(frozen=True)
class MentionToken:
    """An ``@query`` being typed: where it starts and ends in the line, and the query."""

    start: int
    end: int
    query: str


# ferry: codex_tui::bottom_pane::chat_composer::ChatComposer::current_at_token @ 1d092cb66
def token_at(line: str, column: int) -> MentionToken | None:
    """The ``@`` token the cursor is in or just after, if any (``@`` starts a word)."""
    start = column
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    end = column
    while end < len(line) and not line[end].isspace():
        end += 1
    word = line[start:end]
    if not word.startswith("@"):
        return None
    return MentionToken(start, end, word[1:])


# ferry: codex_file_search::run @ 1d092cb66 -- git ls-files instead of the ignore crate
def list_files(root: Path) -> list[str]:
    """Files under ``root`` as relative paths, ``.gitignore`` respected in a work tree."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        proc = None
    if proc is not None and proc.returncode == 0:
        names = [n for n in proc.stdout.decode("utf-8", "replace").split("\0") if n]
        return names[:MAX_FILES]
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        rel = Path(dirpath).relative_to(root)
        for name in sorted(filenames):
            found.append(str(rel / name) if str(rel) != "." else name)
            if len(found) >= MAX_FILES:
                return found
    return found


def _score(query: str, candidate: str) -> int | None:
    """Higher is better; ``None`` when ``query`` is not a subsequence of ``candidate``."""
    q = query.lower()
    c = candidate.lower()
    if not q:
        return 0
    base = c.rfind("/") + 1
    score = 0
    position = -1
    run = 0
    for ch in q:
        found = c.find(ch, position + 1)
        if found < 0:
            return None
        run = run + 1 if found == position + 1 else 0
        score += 10 + 5 * run + (8 if found >= base else 0) + (6 if found == base else 0)
        position = found
    if q in c[base:]:
        score += 40
    return score - len(candidate) // 4


# ferry: codex_file_search::FileSearchSession::update_query @ 1d092cb66 -- a simpler ranking than nucleo's
def search(files: list[str], query: str, limit: int = MAX_RESULTS) -> list[str]:
    """The best ``limit`` matches for ``query`` (shortest paths first on ties)."""
    scored: list[tuple[int, int, str]] = []
    for name in files:
        score = _score(query, name)
        if score is not None:
            scored.append((-score, len(name), name))
    scored.sort()
    return [name for _, _, name in scored[:limit]]
