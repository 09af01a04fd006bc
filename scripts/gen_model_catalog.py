"""Regenerate ``port/pycodex/config/models.json`` from the pinned Rust binary's model catalog.

``codex debug models`` prints the catalog codex ships (slugs, reasoning defaults, tool types,
truncation policies, context windows). The port needs the same metadata to build the same
requests for the same model name; the prompt texts are left out (the port writes its own
base instructions). Usage: python scripts/gen_model_catalog.py [CODEX_BINARY] [OUT]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "port" / "pycodex" / "config" / "models.json"

#: catalog fields that are prose for the model or the UI, not behaviour of the client (a
#: model's one-line ``description`` stays: spawn_agent's description lists it).
DROPPED = ("base_instructions", "model_messages", "availability_nux", "upgrade")


def extract(raw: dict[str, Any], version: str) -> dict[str, Any]:
    models = [{k: v for k, v in m.items() if k not in DROPPED} for m in raw["models"]]
    return {
        "_generated_by": "scripts/gen_model_catalog.py",
        "_source": f"codex {version}: codex debug models",
        "models": models,
    }


def main(argv: list[str]) -> int:
    if argv:
        binary = argv[0]
    else:
        sys.path.insert(0, str(ROOT / "port"))
        from pycodex.testing.rust_oracle import codex_binary

        binary = str(codex_binary())
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CODEX_HOME": home}
        raw = subprocess.run(
            [binary, "debug", "models"], env=env, capture_output=True, check=True, text=True
        ).stdout
        version = subprocess.run(
            [binary, "--version"], env=env, capture_output=True, check=True, text=True
        ).stdout.split()[-1]
    data = extract(json.loads(raw), version)
    out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(data['models'])} models)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
