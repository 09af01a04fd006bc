"""A small Dockerfile reader: enough to replay a task's image recipe outside Docker.

The local environment replays ``WORKDIR``, ``ENV``, ``ARG``, ``COPY``/``ADD`` (local
sources) and ``RUN`` on top of the host's read-only system; the Docker environment
uses the ``FROM`` lines to know which base images it must provide.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from harness.errors import TaskFormatError


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int

    def words(self) -> list[str]:
        """Arguments as a list (JSON exec form or shell words), ``--flags`` removed."""
        text = self.value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, list):
                return [str(p) for p in parsed]
        return [w for w in shlex.split(text) if not w.startswith("--")]


def parse_dockerfile(path: Path) -> list[Instruction]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaskFormatError(path, f"cannot be read: {exc.strerror}") from None
    out: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        logical = " ".join(part.strip() for part in pending).strip()
        pending = []
        keyword, _, value = logical.partition(" ")
        if not keyword.isalpha():
            raise TaskFormatError(path, f"line {start}: expected an instruction, got '{keyword}'")
        out.append(Instruction(keyword.upper(), value.strip(), start))
    if pending:
        raise TaskFormatError(
            path, f"line {start}: the last instruction ends with a line continuation"
        )
    if not any(i.keyword == "FROM" for i in out):
        raise TaskFormatError(path, "has no FROM instruction")
    return out


def base_images(instructions: list[Instruction]) -> list[str]:
    """Image names named by ``FROM`` (stage aliases referring to earlier stages excluded)."""
    stages: set[str] = set()
    images: list[str] = []
    for ins in instructions:
        if ins.keyword != "FROM":
            continue
        words = ins.words()
        if not words:
            continue
        if words[0].lower() not in stages and words[0] not in images:
            images.append(words[0])
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
    return images


def copy_from_images(instructions: list[Instruction]) -> list[str]:
    """Images named by ``COPY --from=<image>`` that are not build stages."""
    stages: set[str] = set()
    images: list[str] = []
    for index, ins in enumerate(instructions):
        if ins.keyword == "FROM":
            words = ins.words()
            stages.add(str(index))
            if len(words) >= 3 and words[1].upper() == "AS":
                stages.add(words[2].lower())
        elif ins.keyword in ("COPY", "ADD"):
            for flag in ins.value.split():
                if flag.startswith("--from="):
                    source = flag.split("=", 1)[1]
                    if (
                        source.lower() not in stages
                        and not source.isdigit()
                        and source not in images
                    ):
                        images.append(source)
    return images


def parse_env_pairs(value: str) -> dict[str, str]:
    """``ENV a=1 b=2`` and the legacy ``ENV a 1`` form."""
    words = shlex.split(value)
    if words and "=" not in words[0]:
        return {words[0]: value.split(None, 1)[1] if len(words) > 1 else ""}
    pairs: dict[str, str] = {}
    for word in words:
        key, _, val = word.partition("=")
        pairs[key] = val
    return pairs
