"""A newer binary's JSON Schema bundle: the input that carries a protocol past the pinned source.

The Rust oracle can be newer than the pinned upstream sources (codex 0.169.0 against a
2026-04 mirror). ``codex app-server generate-json-schema --experimental`` writes the exact
wire shapes of the installed binary; :class:`SchemaBundle` reads that output (one file,
``codex_app_server_protocol.schemas.json``) into one flat table of definitions, so the
mechanical backend can bring each translated declaration up to the binary's shape.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator.errors import InputError

BUNDLE_FILE = "codex_app_server_protocol.schemas.json"


def ref_name(ref: str) -> str:
    """``#/definitions/v2/Thread`` and ``#/definitions/Thread`` -> ``Thread``."""
    return ref.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class SchemaBundle:
    """Every definition of one schema bundle by name, plus where it came from."""

    definitions: dict[str, Any]
    source: str  # e.g. "codex-cli 0.169.0"
    sha256: str  # of the bundle file's bytes

    def get(self, name: str) -> Any:
        return self.definitions.get(name)

    def names(self) -> list[str]:
        return sorted(self.definitions)

    def members(self, name: str) -> list[dict[str, Any]]:
        """The ``oneOf`` members of a message enum such as ``ClientRequest``."""
        schema = self.definitions.get(name) or {}
        members = schema.get("oneOf") or schema.get("anyOf") or []
        return [m for m in members if isinstance(m, dict)]


def parse_bundle(data: bytes, source: str) -> SchemaBundle:
    """Flatten ``definitions`` and ``definitions.v2`` of a bundle into one table."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise InputError(f"{source}: not a JSON schema bundle: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("definitions"), dict):
        raise InputError(f"{source}: a schema bundle needs a top-level 'definitions' object")
    top = dict(raw["definitions"])
    nested = top.pop("v2", {})
    if not isinstance(nested, dict):
        raise InputError(f"{source}: 'definitions.v2' must be an object")
    merged: dict[str, Any] = {}
    for name, schema in [*nested.items(), *top.items()]:
        schema = {k: v for k, v in schema.items() if k != "$schema"}
        if name in merged:
            if _untitled(merged[name]) != _untitled(schema):
                raise InputError(
                    f"{source}: definition {name} differs between v2 and the top level"
                )
            continue
        merged[name] = schema
    return SchemaBundle(merged, source, hashlib.sha256(data).hexdigest())


def _untitled(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "title"}


def load_bundle(path: Path, source: str | None = None) -> SchemaBundle:
    """Read a bundle file (or a directory holding ``codex_app_server_protocol.schemas.json``)."""
    file = path / BUNDLE_FILE if path.is_dir() else path
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read the schema bundle ({exc.strerror})") from exc
    return parse_bundle(data, source or str(file))


def bundle_from_binary(codex: Path) -> SchemaBundle:
    """Ask an installed ``codex`` for its exact app-server schemas (experimental API included)."""
    version = _run([str(codex), "--version"]).strip()
    with tempfile.TemporaryDirectory(prefix="ferry-schema-") as tmp:
        _run(
            [
                str(codex),
                "app-server",
                "generate-json-schema",
                "--experimental",
                "--out",
                tmp,
            ]
        )
        return load_bundle(Path(tmp), source=version)


def _run(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"{' '.join(argv)}: cannot run: {exc}") from exc
    if proc.returncode != 0:
        raise InputError(f"{' '.join(argv)} failed (exit {proc.returncode}): {proc.stderr[-400:]}")
    return proc.stdout
