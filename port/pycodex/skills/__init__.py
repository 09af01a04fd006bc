"""Skills: ``SKILL.md`` instruction files the model is told about and can be handed.

Discovery follows codex 0.169.0: the project's ``.codex/skills``, ``$CODEX_HOME/skills``,
the project's ``.agents/skills``, ``$HOME/.agents/skills``, the system skills under
``$CODEX_HOME/skills/.system`` (``[skills.bundled] enabled``) and ``/etc/codex/skills``.
Every ``SKILL.md`` below a root (recursively) with a front matter is a skill; its name
defaults to its directory. The opening developer message lists them in a
``<skills_instructions>`` fragment (``skills.include_instructions = false`` drops it), and
a ``$name`` mention in a prompt hands the model that skill's file as a ``<skill>`` message.

pycodex ships no system skills of its own: codex installs OpenAI's there, and pycodex
lists them when they are present in ``$CODEX_HOME``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pycodex.config.model import Config

JsonObject = dict[str, Any]

_MENTION = re.compile(r"\$([A-Za-z0-9][A-Za-z0-9_\-:.]*)")


# ferry: codex_core_skills::model::SkillMetadata @ 1d092cb66
@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    path: Path
    root: Path


def _front_matter(text: str) -> dict[str, str] | None:
    """``key: value`` pairs of a leading ``---`` block (``None`` without one)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    values: dict[str, str] = {}
    for line in lines[1:]:
        if line.strip() == "---":
            return values
        key, sep, value = line.partition(":")
        if sep and key and not key.startswith((" ", "\t")):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[key.strip()] = value
    return None


# ferry: codex_core_skills::loader::parse_skill_file @ 1d092cb66
def parse_skill(path: Path, root: Path) -> Skill | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    meta = _front_matter(text)
    if meta is None:
        return None
    name = meta.get("name") or path.parent.name
    description = meta.get("description", "")
    return Skill(name=name, description=description, path=path, root=root)


def _walk(root: Path, skip_hidden: bool = True) -> Iterator[Path]:
    """``SKILL.md`` files below ``root``; a skill's own directory is not searched further."""
    try:
        children = sorted(root.iterdir())
    except OSError:
        return
    candidate = root / "SKILL.md"
    if candidate.is_file():
        yield candidate
        return
    for child in children:
        if child.is_dir() and not (skip_hidden and child.name.startswith(".")):
            yield from _walk(child, skip_hidden)


def _project_dirs(cwd: Path, markers: tuple[str, ...]) -> list[Path]:
    """The project root down to cwd (just cwd outside a project)."""
    for candidate in (cwd, *cwd.parents):
        if any((candidate / marker).exists() for marker in markers):
            chain = [candidate]
            chain.extend(p for p in reversed(cwd.parents) if candidate in p.parents)
            if cwd != candidate:
                chain.append(cwd)
            return chain
    return [cwd]


def _bundled_enabled(table: Mapping[str, Any]) -> bool:
    bundled = table.get("bundled")
    if isinstance(bundled, Mapping):
        return bundled.get("enabled", True) is not False
    return True


# ferry: codex_core_skills::loader::skill_roots @ 1d092cb66 -- 0.169.0: root order seen in <skills_instructions>
def skill_roots(config: Config) -> list[Path]:
    project = _project_dirs(config.cwd, config.project_root_markers)
    roots = [d / ".codex" / "skills" for d in project]
    roots.append(config.codex_home / "skills")
    roots.extend(d / ".agents" / "skills" for d in project)
    home = os.environ.get("HOME")
    if home:
        roots.append(Path(home) / ".agents" / "skills")
    if _bundled_enabled(config.skills):
        roots.append(config.codex_home / "skills" / ".system")
    roots.append(Path("/etc/codex/skills"))
    unique: list[Path] = []
    for root in roots:
        if root not in unique:
            unique.append(root)
    return unique


def _disabled(config: Config) -> tuple[set[str], set[Path]]:
    names: set[str] = set()
    paths: set[Path] = set()
    entries = config.skills.get("config")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or entry.get("enabled", True) is not False:
            continue
        if isinstance(entry.get("name"), str):
            names.add(entry["name"])
        if isinstance(entry.get("path"), str):
            paths.add(Path(entry["path"]).expanduser())
    return names, paths


@cache
def _text(name: str) -> str:
    return resources.files("pycodex.skills").joinpath(name).read_text(encoding="utf-8")


# ferry: codex_core_skills::manager::SkillsManager @ 1d092cb66
@dataclass
class Skills:
    """The skills of one session, and whether the model is told about them."""

    skills: list[Skill] = field(default_factory=list)
    include_instructions: bool = True

    # ferry: codex_core::context::available_skills_instructions::AvailableSkillsInstructions @ 1d092cb66 -- 0.169.0: skill roots table
    def instructions(self) -> str | None:
        """The ``<skills_instructions>`` fragment (``None`` when nothing is listed)."""
        if not self.include_instructions or not self.skills:
            return None
        roots: list[Path] = []
        for skill in self.skills:
            if skill.root not in roots:
                roots.append(skill.root)
        roots.sort(key=self._root_rank)
        lines = ["### Skill roots"]
        lines.extend(f"- `r{i}` = `{root}`" for i, root in enumerate(roots))
        lines.append("### Available skills")
        for skill in self.skills:
            short = f"r{roots.index(skill.root)}/{skill.path.relative_to(skill.root).as_posix()}"
            lines.append(f"- {skill.name}: {skill.description} (file: {short})")
        body = "\n".join(lines) + "\n"
        return _text("instructions_head.md") + body + _text("instructions_tail.md")

    _order: list[Path] = field(default_factory=list)

    def _root_rank(self, root: Path) -> int:
        return self._order.index(root) if root in self._order else len(self._order)

    # ferry: codex_core_skills::injection::build_skill_injections @ 1d092cb66
    def mentioned(self, prompt: str) -> list[JsonObject]:
        """One ``<skill>`` user message per skill named as ``$name`` in ``prompt``."""
        wanted = set(_MENTION.findall(prompt))
        messages = []
        for skill in self.skills:
            if skill.name not in wanted:
                continue
            try:
                contents = skill.path.read_text(encoding="utf-8")
            except OSError:
                continue
            text = (
                f"<skill>\n<name>{skill.name}</name>\n<path>{skill.path}</path>\n"
                f"{contents}\n</skill>"
            )
            messages.append(
                {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": text}],
                }
            )
        return messages


# ferry: codex_core_skills::loader::load_skills_from_roots @ 1d092cb66
def load_skills(config: Config) -> Skills:
    """Every enabled skill, sorted by name (the first root to define a name wins)."""
    disabled_names, disabled_paths = _disabled(config)
    roots = skill_roots(config)
    found: dict[str, Skill] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in _walk(root, skip_hidden=True):
            skill = parse_skill(path, root)
            if skill is None or skill.name in found:
                continue
            if skill.name in disabled_names or path in disabled_paths:
                continue
            found[skill.name] = skill
    include = config.skills.get("include_instructions", True) is not False
    return Skills(sorted(found.values(), key=lambda s: s.name), include, roots)
