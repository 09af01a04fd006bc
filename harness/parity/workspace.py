"""Lay out one side of a differential run on disk and snapshot what it left behind.

Each side gets ``<side root>/{ws,home,outside,tmp,userhome}``: the workspace (the agent's cwd),
a fresh CODEX_HOME, a sibling directory outside the workspace (sandbox denials target it), a
private TMPDIR and an empty ``$HOME``. Side roots of one scenario differ only in their last component, which has
the same length on both sides so path lengths (and thus any truncation) match.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.parity.errors import ParityError
from harness.parity.scenario import FileSpec, FileValue, Scenario

#: entries never compared: git internals change with every commit timestamp.
IGNORED_DIRS = frozenset({".git"})


@dataclass(frozen=True)
class SideLayout:
    root: Path

    @property
    def workspace(self) -> Path:
        return self.root / "ws"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def user_home(self) -> Path:
        """``$HOME`` of the run: empty, so no dotfile of the caller's shell leaks into outputs."""
        return self.root / "userhome"


def base_config(base_url: str) -> dict[str, Any]:
    """The config every run starts from: a custom Responses provider pointing at the mock."""
    return {
        "model": "gpt-5.5",
        "model_provider": "mock",
        "model_providers": {
            "mock": {
                "name": "mock",
                "base_url": base_url,
                "wire_api": "responses",
                "env_key": "MOCK_API_KEY",
            }
        },
        # codex installs OpenAI's system skills into every fresh CODEX_HOME and lists them;
        # pycodex ships none (see README "Skills"), so scenarios compare the skills machinery
        # without them. `skills_bundled_default` runs with them and declares the difference.
        "skills": {"bundled": {"enabled": False}},
    }


#: ``$BASE_URL`` in a scenario's config values, args or env: the side's mock server URL.
BASE_URL_PLACEHOLDER = "$BASE_URL"


def substitute(value: Any, base_url: str) -> Any:
    """``value`` with every ``$BASE_URL`` in its strings replaced (recursively)."""
    if isinstance(value, str):
        return value.replace(BASE_URL_PLACEHOLDER, base_url)
    if isinstance(value, dict):
        return {k: substitute(v, base_url) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, base_url) for v in value]
    return value


def merge_config(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` (dotted keys allowed) into a copy of ``base``.

    A ``null`` value removes the key (e.g. ``model_provider: null`` to use the default
    provider).
    """
    merged: dict[str, Any] = json.loads(json.dumps(base))
    for key, value in overrides.items():
        target = merged
        parts = key.split(".")
        for part in parts[:-1]:
            nxt = target.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ParityError(f"config override {key!r}: {part!r} is not a table")
            target = nxt
        leaf = parts[-1]
        if value is None:
            target.pop(leaf, None)
        elif isinstance(value, dict) and isinstance(target.get(leaf), dict):
            target[leaf] = merge_config(target[leaf], value)
        else:
            target[leaf] = value
    return merged


def _toml_value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{json.dumps(str(k))} = {_toml_value(v, where)}" for k, v in value.items()
        )
        return "{ " + inner + " }"
    raise ParityError(f"config value at {where!r} has unsupported type {type(value).__name__}")


def to_toml(config: Mapping[str, Any]) -> str:
    """Emit ``config`` as TOML using dotted keys only (no table headers to collide)."""
    lines: list[str] = []

    def walk(prefix: list[str], node: Mapping[str, Any]) -> None:
        for key, value in node.items():
            path = [*prefix, key]
            if isinstance(value, dict) and value:
                walk(path, value)
            else:
                dotted = ".".join(
                    json.dumps(p) if not p.replace("_", "").replace("-", "").isalnum() else p
                    for p in path
                )
                lines.append(f"{dotted} = {_toml_value(value, '.'.join(path))}")

    walk([], config)
    return "\n".join(lines) + "\n"


def _write_files(root: Path, files: Mapping[str, FileValue]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
            continue
        spec: FileSpec = content
        if spec.symlink is not None:
            target.symlink_to(spec.symlink)
            continue
        target.write_bytes(spec.payload())
        if spec.mode is not None:
            target.chmod(int(spec.mode, 8))


_PLACEHOLDER = re.compile(r"\$\{([a-z]+(?::[a-z0-9_\-]+)?)\}")


def placeholder_values(
    layout: SideLayout, ports: Mapping[str, int], base_url: str | None = None
) -> dict[str, str]:
    """What ``${...}`` stands for on one side: the interpreter running the harness (it has
    pycodex and the ``mcp`` SDK, so scenario MCP servers start the same way under both
    binaries), the side's workspace and CODEX_HOME, each background server's port, and the
    scripted model server (``${mock}``: its ``/v1`` base URL, ``${origin}``: scheme, host
    and port, for endpoints outside ``/v1`` such as a token issuer)."""
    values = {
        "python": sys.executable,
        "ws": str(layout.workspace),
        "home": str(layout.home),
    }
    if base_url is not None:
        values["mock"] = base_url
        values["origin"] = base_url.removesuffix("/v1")
    values.update({f"port:{name}": str(port) for name, port in ports.items()})
    return values


def expand(value: Any, values: Mapping[str, str], where: str = "scenario") -> Any:
    """Replace ``${name}`` placeholders in every string of ``value`` (lists and dicts too)."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in values:
                known = ", ".join("${" + k + "}" for k in sorted(values))
                raise ParityError(f"{where}: unknown placeholder ${{{key}}} (known: {known})")
            return values[key]

        return _PLACEHOLDER.sub(substitute, value)
    if isinstance(value, list):
        return [expand(v, values, where) for v in value]
    if isinstance(value, dict):
        return {k: expand(v, values, f"{where}.{k}") for k, v in value.items()}
    return value


def prepare_side(
    layout: SideLayout,
    scenario: Scenario,
    base_url: str,
    values: Mapping[str, str] | None = None,
) -> None:
    """Create the directories, files, config.toml and (optionally) git repo of one side."""
    for directory in (layout.workspace, layout.home, layout.outside, layout.tmp, layout.user_home):
        directory.mkdir(parents=True, exist_ok=False)
    _write_files(layout.workspace, scenario.files)
    _write_files(layout.outside, scenario.outside_files)
    _write_files(layout.home, scenario.home_files)
    values = placeholder_values(layout, {}) if values is None else values
    config = merge_config(
        base_config(base_url), expand(substitute(scenario.config, base_url), values, "config")
    )
    text = to_toml(config)
    if scenario.config_raw:
        text += (
            scenario.config_raw
            if scenario.config_raw.endswith("\n")
            else scenario.config_raw + "\n"
        )
    (layout.home / "config.toml").write_text(text, encoding="utf-8")
    if scenario.git:
        _git_init(layout.workspace)


def _git_init(workspace: Path) -> None:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="parity",
        GIT_AUTHOR_EMAIL="parity@example.invalid",
        GIT_COMMITTER_NAME="parity",
        GIT_COMMITTER_EMAIL="parity@example.invalid",
        GIT_AUTHOR_DATE="2024-01-01T00:00:00Z",
        GIT_COMMITTER_DATE="2024-01-01T00:00:00Z",
    )
    for cmd in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "--allow-empty", "-m", "initial"],
    ):
        proc = subprocess.run(
            cmd, cwd=workspace, env=env, capture_output=True, text=True, timeout=30
        )
        if proc.returncode != 0:
            raise ParityError(f"{' '.join(cmd)} failed in {workspace}: {proc.stderr.strip()}")


def _encode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data).decode("ascii")


def snapshot_modes(root: Path) -> dict[str, str]:
    """Permission bits (octal) of every file and directory below ``root`` (not symlinks).

    The executable bit is behaviour (a script the agent wrote must stay runnable, a patch
    must keep a file's mode); the rest follows the umask both sides share.
    """
    modes: dict[str, str] = {}
    if not root.exists():
        return modes
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        base = Path(dirpath)
        for name in [*dirnames, *sorted(filenames)]:
            path = base / name
            if path.is_symlink():
                continue
            rel = path.relative_to(root).as_posix() + ("/" if path.is_dir() else "")
            try:
                modes[rel] = format(stat.S_IMODE(path.lstat().st_mode), "04o")
            except OSError as exc:
                modes[rel] = f"<unreadable: {exc.strerror}>"
    return dict(sorted(modes.items()))


def snapshot_tree(root: Path) -> dict[str, str]:
    """Map every file (and symlink) below ``root`` to its content, skipping ``IGNORED_DIRS``."""
    tree: dict[str, str] = {}
    if not root.exists():
        return tree
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        base = Path(dirpath)
        rel_dir = base.relative_to(root)
        if not filenames and not dirnames and base != root:
            tree[rel_dir.as_posix() + "/"] = "<empty dir>"
        for name in sorted([*filenames, *(d for d in dirnames if (base / d).is_symlink())]):
            path = base / name
            rel = (rel_dir / name).as_posix()
            if path.is_symlink():
                tree[rel] = "symlink:" + os.readlink(path)
            else:
                try:
                    tree[rel] = _encode(path.read_bytes())
                except OSError as exc:
                    tree[rel] = f"<unreadable: {exc.strerror}>"
    return tree


def snapshot_home(home: Path, patterns: list[str], queries: Mapping[str, str]) -> dict[str, Any]:
    """Selected CODEX_HOME files (``0600:<content>``, missing ones as ``<missing>``) and the rows
    of read-only queries against its SQLite databases (``<db>?<query>`` -> rows)."""
    snap: dict[str, Any] = {}
    for pattern in patterns:
        matches = sorted(p for p in home.glob(pattern) if p.is_file())
        if not matches:
            snap[pattern] = "<missing>"
        for path in matches:
            mode = stat.S_IMODE(path.stat().st_mode)
            snap[path.relative_to(home).as_posix()] = f"{mode:04o}:" + _encode(path.read_bytes())
    for db_name, query in queries.items():
        path = home / db_name
        key = f"{db_name}?{query}"
        if not path.is_file():
            snap[key] = "<missing>"
            continue
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                snap[key] = [list(row) for row in conn.execute(query).fetchall()]
        except sqlite3.Error as exc:
            snap[key] = f"<sqlite error: {exc}>"
    return snap
