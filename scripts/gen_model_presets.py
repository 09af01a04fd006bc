"""Regenerate ``port/pycodex/app_server/model_presets.json`` from the pinned codex binary.

``model/list`` shows the models codex offers: their display names, descriptions, reasoning
levels, speed tiers and the order codex lists them in. ``codex debug models`` prints the
catalog the binary ships; this keeps the fields ``model/list`` reports (not the prompts).
``port/tests/app_server/test_model_list.py`` checks that regenerating is a no-op.
Usage: python scripts/gen_model_presets.py [CODEX_BINARY] [OUT]
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
DEFAULT_OUT = ROOT / "port" / "pycodex" / "app_server" / "model_presets.json"

#: what model/list reads from each catalog entry.
KEPT = (
    "slug",
    "display_name",
    "description",
    "visibility",
    "priority",
    "default_reasoning_level",
    "supported_reasoning_levels",
    "input_modalities",
    "multi_agent_version",
    "additional_speed_tiers",
    "service_tiers",
    "default_service_tier",
    "availability_nux",
    "upgrade",
)


def extract(raw: dict[str, Any], version: str) -> str:
    models = [{k: m.get(k) for k in KEPT} for m in raw["models"]]
    data = {
        "_generated_by": "scripts/gen_model_presets.py",
        "_source": f"codex {version}: codex debug models",
        "models": models,
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def generate(binary: str) -> str:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CODEX_HOME": home}
        raw = subprocess.run(
            [binary, "debug", "models"], env=env, capture_output=True, check=True, text=True
        ).stdout
        version = subprocess.run(
            [binary, "--version"], env=env, capture_output=True, check=True, text=True
        ).stdout.split()[-1]
    return extract(json.loads(raw), version)


def main(argv: list[str]) -> int:
    if argv:
        binary = argv[0]
    else:
        sys.path.insert(0, str(ROOT / "port"))
        from pycodex.testing.rust_oracle import codex_binary

        binary = str(codex_binary())
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.write_text(generate(binary), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
