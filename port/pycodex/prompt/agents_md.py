"""AGENTS.md discovery: the global file in CODEX_HOME plus project files from the root to cwd.

Per directory the first existing of ``AGENTS.override.md``, ``AGENTS.md`` and the
configured fallback names is used. Project files are read from the project root
(the nearest ancestor holding a root marker, ``.git`` by default) down to cwd and
capped in total at ``project_doc_max_bytes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

PROJECT_DOC_SEPARATOR = "\n\n--- project-doc ---\n\n"
OVERRIDE_NAME = "AGENTS.override.md"


def _pick(directory: Path, names: Sequence[str]) -> Path | None:
    for name in (OVERRIDE_NAME, *names):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


# ferry: codex_core::agents_md::AgentsMdManager::agents_md_paths @ 1d092cb66 -- the project root it searches from
def project_root(cwd: Path, markers: Sequence[str]) -> Path | None:
    for candidate in (cwd, *cwd.parents):
        if any((candidate / m).exists() for m in markers):
            return candidate
    return None


# ferry: codex_core::agents_md::AgentsMdManager::agents_md_paths @ 1d092cb66
def project_doc_paths(cwd: Path, names: Sequence[str], markers: Sequence[str]) -> list[Path]:
    root = project_root(cwd, markers)
    dirs = (
        [cwd]
        if root is None
        else [root, *[p for p in reversed(cwd.parents) if root in p.parents], cwd]
    )
    seen: list[Path] = []
    for directory in dirs:
        if directory in [p.parent for p in seen]:
            continue
        found = _pick(directory, names)
        if found is not None and found not in seen:
            seen.append(found)
    return seen


# ferry: codex_core::agents_md::AgentsMdManager::read_agents_md @ 1d092cb66
def read_project_docs(
    cwd: Path, names: Sequence[str], markers: Sequence[str], max_bytes: int
) -> str | None:
    if max_bytes == 0:
        return None
    parts: list[str] = []
    remaining = max_bytes
    for path in project_doc_paths(cwd, names, markers):
        if remaining <= 0:
            break
        data = path.read_bytes()[:remaining]
        remaining -= len(data)
        text = data.decode("utf-8", "replace")
        if text.strip():
            parts.append(text)
    return "\n\n".join(parts) if parts else None


# ferry: codex_core::agents_md::AgentsMdManager::read_agents_md @ 1d092cb66 -- nearest item; 0.169.0 budget warning -- 0.169.0 wording
def project_doc_warnings(
    cwd: Path, names: Sequence[str], markers: Sequence[str], max_bytes: int
) -> list[str]:
    """One warning per project doc cut short by the ``project_doc_max_bytes`` budget."""
    if max_bytes == 0:
        return []
    warnings: list[str] = []
    remaining = max_bytes
    for path in project_doc_paths(cwd, names, markers):
        if remaining <= 0:
            break
        size = path.stat().st_size
        loaded = min(size, remaining)
        remaining -= loaded
        if loaded < size:
            warnings.append(
                f"Loaded only {loaded} of {size} bytes from `{path}` in environment `local` "
                f"under the {max_bytes}-byte project instruction budget. Trim your project "
                "instructions to fit the budget. If you need to keep them all, increase "
                "`project_doc_max_bytes`."
            )
    return warnings


# ferry: codex_core::agents_md::AgentsMdManager::user_instructions @ 1d092cb66
# ferry: codex_core::agents_md::AgentsMdManager::load_global_instructions @ 1d092cb66
def user_instructions(
    codex_home: Path, cwd: Path, names: Sequence[str], markers: Sequence[str], max_bytes: int
) -> str | None:
    """The combined AGENTS.md text (global first), or ``None`` when there is none."""
    global_file = _pick(codex_home, ["AGENTS.md"])
    global_text = (
        global_file.read_text(encoding="utf-8", errors="replace").strip() if global_file else ""
    )
    project = read_project_docs(cwd, names, markers, max_bytes)
    if global_text and project:
        return f"{global_text}{PROJECT_DOC_SEPARATOR}{project}"
    return global_text or project


# ferry: codex_core::context::user_instructions::UserInstructions::body @ 1d092cb66
def user_instructions_text(cwd: Path, text: str) -> str:
    return f"# AGENTS.md instructions for {cwd}\n\n<INSTRUCTIONS>\n{text}\n</INSTRUCTIONS>"
