"""A small TOML writer for the tables ``pycodex mcp add/remove`` rewrite.

Scalars and arrays of a table come first, then its sub-tables as ``[a.b]`` headers, the
layout ``codex mcp add`` produces. Comments in the rewritten file are not kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _emit(table: Mapping[str, Any], path: list[str], out: list[str]) -> None:
    scalars = [(k, v) for k, v in table.items() if not _is_table(v)]
    tables = [(k, v) for k, v in table.items() if _is_table(v)]
    if path and (scalars or not tables):
        if out:
            out.append("")
        out.append("[" + ".".join(_key(p) for p in path) + "]")
    out.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars)
    for key, sub in tables:
        _emit(sub, [*path, key], out)


# ferry: port-only -- Python glue: codex edits config.toml with toml_edit; pycodex rewrites the parsed table
def dumps(table: Mapping[str, Any]) -> str:
    """``table`` as TOML text ending with a newline."""
    out: list[str] = []
    _emit(table, [], out)
    return "\n".join(out) + "\n"
