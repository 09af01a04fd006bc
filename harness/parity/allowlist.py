"""Declared divergences: differences that are known, explained and do not fail a run.

``allowlist.yaml`` holds a list of entries ``{scenario: <glob>, path: <glob>, reason: <text>}``.
``scenario`` matches scenario names and ``path`` matches difference pointers with
:func:`fnmatch.fnmatchcase` (``*`` also crosses ``/``). A reason is mandatory: an allowed
divergence nobody can explain is a bug waiting to be found.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.parity.errors import AllowlistError

DEFAULT_ALLOWLIST = Path(__file__).with_name("allowlist.yaml")


class AllowEntry(BaseModel):
    """One declared divergence: where (scenario and pointer globs), why, and who removes it.

    ``owner`` names the issue that will remove the entry (``"issue 16"``); an entry without
    an owner is permanent and its ``reason`` must say why it will still hold in a year.
    ``path`` may list several globs that share one reason.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str = "*"
    path: str | tuple[str, ...]
    reason: str = Field(min_length=3)
    owner: str | None = Field(default=None, pattern=r"^issue \d+$")

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if isinstance(self.path, str) else self.path

    @property
    def label(self) -> str:
        return f"{self.scenario}:{self.paths[0]}"

    def matches(self, scenario: str, pointer: str) -> bool:
        return fnmatchcase(scenario, self.scenario) and any(
            fnmatchcase(pointer, glob) for glob in self.paths
        )


class Allowlist(BaseModel):
    model_config = ConfigDict(frozen=True)

    entries: tuple[AllowEntry, ...] = ()

    def match(self, scenario: str, pointer: str) -> AllowEntry | None:
        for entry in self.entries:
            if entry.matches(scenario, pointer):
                return entry
        return None


def load_allowlist(path: Path = DEFAULT_ALLOWLIST) -> Allowlist:
    """Read ``path``; a missing file is an empty allow-list, a malformed one an error."""
    if not path.exists():
        return Allowlist()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise AllowlistError(f"{path}: not valid YAML: {exc}") from exc
    if raw is None:
        return Allowlist()
    if not isinstance(raw, dict) or not isinstance(raw.get("allow", []), list):
        raise AllowlistError(f"{path}: expected a mapping with an 'allow' list of entries")
    entries: list[AllowEntry] = []
    for index, item in enumerate(raw.get("allow") or []):
        try:
            entries.append(AllowEntry.model_validate(item))
        except ValidationError as exc:
            problems = "; ".join(
                f"field {'.'.join(str(p) for p in e['loc']) or '<entry>'}: {e['msg']}"
                for e in exc.errors()
            )
            raise AllowlistError(f"{path}: allow[{index}]: {problems}") from exc
    return Allowlist(entries=tuple(entries))
