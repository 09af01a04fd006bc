"""Which config keys the port honours, and a warning for each one it does not.

``key_support.json`` has one row per top-level key of codex's config schema:

* ``honoured`` -- read and acted on as codex does (``scenario`` names the parity scenario
  that proves it);
* ``inert`` -- codex exec itself does nothing with it (TUI, Windows, realtime voice);
* ``warned`` / ``pending`` -- not implemented by the port (``pending``: ``owner`` is the issue
  implementing it); setting it prints a warning naming the key, never silence;
* ``removed`` -- unknown to codex 0.169.0; reported like any unrecognised key.

A value listed in ``inert_values`` is what the port does anyway (``skills.include_instructions
= false``) and is not warned about.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from pycodex.features import spec

HONOURED = "honoured"
INERT = "inert"
WARNED = "warned"
PENDING = "pending"
REMOVED = "removed"
STATUSES = (HONOURED, INERT, WARNED, PENDING, REMOVED)

#: features whose non-default value the port acts on.
HONOURED_FEATURES = frozenset(
    {"shell_snapshot", "web_search_request", "web_search_cached", "goals"}
)
#: features the port implements (turning one of these off is not something it can do unless
#: it is honoured above).
PORT_IMPLEMENTS = frozenset({"unified_exec", "unified_exec_tty", "shell_tool"})


# ferry: port-only -- the port's config key support table (key_support.json)
@cache
def key_support() -> dict[str, dict[str, Any]]:
    text = resources.files("pycodex.config").joinpath("key_support.json").read_text()
    keys = json.loads(text)["keys"]
    assert isinstance(keys, dict)
    return keys


def _inert(value: Any, allowed: list[Any]) -> bool:
    return any(value == candidate for candidate in allowed)


# ferry: port-only -- "not supported by pycodex yet" warnings for the keys it does not implement
def unsupported_key_warnings(table: Mapping[str, Any]) -> list[str]:
    """One warning per configured key (or feature) the port does not implement."""
    warnings: list[str] = []
    support = key_support()
    for key, value in table.items():
        row = support.get(key)
        if row is None or row["status"] not in (WARNED, PENDING):
            continue
        if _inert(value, row.get("inert_values", [])):
            continue
        owner = f" (planned: {row['owner']})" if row.get("owner") else ""
        warnings.append(
            f"warning: config key `{key}` is not supported by pycodex yet and has no effect"
            f"{owner}: {row['note']}"
        )
    features = table.get("features")
    if isinstance(features, Mapping):
        # enabling a feature pycodex lacks is reported by pycodex.features; here: turning off
        # one whose behaviour pycodex has but cannot switch off
        for name, value in features.items():
            feature = spec(name)
            if feature is None or value is not False or name in HONOURED_FEATURES:
                continue
            if feature.default_enabled and name in PORT_IMPLEMENTS:
                warnings.append(
                    f"warning: feature `{name}` = false is not supported by pycodex yet "
                    "and has no effect"
                )
    return warnings
