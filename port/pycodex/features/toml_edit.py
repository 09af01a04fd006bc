"""Set or remove one ``[features]`` entry of config.toml, keeping every other byte.

codex rewrites config.toml with a format-preserving TOML editor; pycodex needs only this
one edit, so it works on lines: the key inside an existing ``[features]`` table (or a
top-level ``features.<key>`` line) is replaced or removed, otherwise a ``[features]``
table is appended. The result is parsed again and must say what was asked; a layout this
cannot handle (say an inline ``features = {...}``) is an error naming the file. The new
file replaces the old one atomically, with mode 0600 as codex writes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from pathlib import Path

from pycodex.errors import ConfigError

_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _key_re(key: str, prefix: str = "") -> re.Pattern[str]:
    quoted = rf'(?:{re.escape(key)}|"{re.escape(key)}")'
    return re.compile(rf"^\s*{re.escape(prefix)}{quoted}\s*=")


# ferry: codex_core::config::edit::ConfigEditsBuilder::set_feature_enabled @ 1d092cb66
def set_feature(path: Path, key: str, value: bool | None) -> None:
    """``features.<key> = value`` in ``path``; ``None`` removes the entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}. Fix the file or move it aside.") from exc
    new = _edit(text, key, value)
    try:
        parsed = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot edit [features] here ({exc}); edit it by hand") from exc
    table = parsed.get("features", {})
    got = table.get(key) if isinstance(table, dict) else None
    if got != value:
        raise ConfigError(
            f"{path}: cannot set features.{key} in this file's layout; edit [features] by hand"
        )
    _write(path, new)


def _edit(text: str, key: str, value: bool | None) -> str:
    lines = text.splitlines(keepends=True)
    rendered = f"{key} = {'true' if value else 'false'}\n"
    section: str | None = None
    header_at: int | None = None
    end_of_features: int | None = None
    for index, line in enumerate(lines):
        header = _HEADER_RE.match(line)
        if header:
            if section == "features" and end_of_features is None:
                end_of_features = index
            section = header.group(1).strip()
            if section == "features":
                header_at = index
            continue
        in_features = section == "features"
        top_level = section is None
        if (in_features and _key_re(key).match(line)) or (
            top_level and _key_re(key, "features.").match(line)
        ):
            if value is None:
                return "".join(lines[:index] + lines[index + 1 :])
            replacement = rendered if in_features else f"features.{rendered}"
            return "".join([*lines[:index], replacement, *lines[index + 1 :]])
    if value is None:
        return text  # nothing to remove
    if header_at is not None:
        at = end_of_features if end_of_features is not None else len(lines)
        while at > header_at + 1 and not lines[at - 1].strip():
            at -= 1  # keep blank lines that separate the next table
        if lines and not lines[-1].endswith("\n") and at == len(lines):
            lines[-1] += "\n"
        return "".join([*lines[:at], rendered, *lines[at:]])
    if text and not text.endswith("\n"):
        text += "\n"
    separator = "\n" if text else ""
    return f"{text}{separator}[features]\n{rendered}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config.toml.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
