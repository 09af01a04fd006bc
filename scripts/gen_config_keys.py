"""Regenerate ``port/pycodex/config/known_keys.json`` from upstream's config JSON Schema.

The port warns about config keys the Rust binary would not recognise. Rather
than depend on ``../shared`` at run time, the key tree is extracted here and
checked in; ``tests/test_generated_config_keys.py`` proves regeneration is a no-op.

Usage: python scripts/gen_config_keys.py [SCHEMA] [OUT]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = ROOT.parent / "shared" / "conformance" / "config-schema" / "config.schema.json"
DEFAULT_OUT = ROOT / "port" / "pycodex" / "config" / "known_keys.json"


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while True:
        if "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node


def _tree(node: dict[str, Any], defs: dict[str, Any], depth: int) -> Any:
    """``{key: subtree}`` for closed objects, ``{"*": subtree}`` for maps, else ``None``."""
    node = _resolve(node, defs)
    if depth > 3:
        return None
    props = node.get("properties")
    if isinstance(props, dict) and node.get("additionalProperties") is False:
        return {key: _tree(value, defs, depth + 1) for key, value in sorted(props.items())}
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and not props:
        sub = _tree(extra, defs, depth + 1)
        return {"*": sub} if sub is not None else None
    return None


UPSTREAM = ROOT / "port" / "pycodex" / "config" / "upstream_config.json"
FEATURES = ROOT / "port" / "pycodex" / "features" / "features_0169.json"


def _apply_upstream(tree: dict[str, Any], upstream: dict[str, Any]) -> None:
    """Drop the keys the pinned binary no longer knows; its feature list (``codex features
    list``, kept in pycodex.features) replaces the schema's."""
    for dotted in upstream.get("removed_keys", []):
        parts = dotted.split(".")
        node: Any = tree
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    features = json.loads(FEATURES.read_text())["features"] if FEATURES.is_file() else []
    names = sorted(f["name"] for f in features)
    if names:
        tree["features"] = {name: None for name in names}


def generate(schema_path: Path, upstream_path: Path = UPSTREAM) -> str:
    schema = json.loads(schema_path.read_text())
    defs = schema.get("definitions", {})
    tree = {key: _tree(value, defs, 1) for key, value in sorted(schema["properties"].items())}
    if upstream_path.is_file():
        upstream = json.loads(upstream_path.read_text())
        _apply_upstream(tree, upstream)
        source = f"codex-rs/core/config.schema.json + codex {upstream.get('codex_version')}"
    else:
        source = "codex-rs/core/config.schema.json"
    header = {
        "_generated_by": "scripts/gen_config_keys.py",
        "_source": source,
    }
    return json.dumps({**header, "keys": tree}, indent=1, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    schema = Path(argv[0]) if argv else DEFAULT_SCHEMA
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    text = generate(schema)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
