"""Regenerate ``port/pycodex/app_server/config_defaults.json`` from the pinned codex binary.

``config/read`` answers with every key of codex's configuration, each at its default unless
config.toml sets it. The defaults are what the binary reports for an empty config.toml;
a model provider table and a ``[features]`` table get their own defaults for the keys a
user leaves out. Both are read
here through the binary's own ``config/read``.
``port/tests/app_server/test_config_and_models.py`` checks that regenerating is a no-op.
Usage: python scripts/gen_config_defaults.py [CODEX_BINARY] [OUT]
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
DEFAULT_OUT = ROOT / "port" / "pycodex" / "app_server" / "config_defaults.json"
PROVIDER = '[model_providers.probe]\nname = "probe"\nbase_url = "http://127.0.0.1:1/v1"\n'
FEATURES = "[features]\nplugins = false\n"


def read_config(binary: str, toml: str) -> dict[str, Any]:
    """The ``config`` object of the binary's ``config/read`` for this config.toml."""
    with tempfile.TemporaryDirectory() as home:
        Path(home, "config.toml").write_text(toml, encoding="utf-8")
        env = {**os.environ, "CODEX_HOME": home, "RUST_LOG": "off"}
        requests = [
            {
                "id": 1,
                "method": "initialize",
                "params": {"clientInfo": {"name": "gen", "version": "1"}},
            },
            {"id": 2, "method": "config/read", "params": {}},
        ]
        proc = subprocess.Popen(
            [binary, "app-server"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(json.dumps(r) + "\n" for r in requests))
        proc.stdin.flush()
        for line in proc.stdout:
            message = json.loads(line)
            if message.get("id") == 2:
                proc.stdin.close()
                proc.wait(timeout=60)
                config: dict[str, Any] = message["result"]["config"]
                return config
    raise RuntimeError("the binary never answered config/read")


def generate(binary: str) -> str:
    version = subprocess.run(
        [binary, "--version"], capture_output=True, check=True, text=True
    ).stdout.split()[-1]
    probed = read_config(binary, PROVIDER + FEATURES)
    provider = probed["model_providers"]["probe"]
    data = {
        "_generated_by": "scripts/gen_config_defaults.py",
        "_source": f"codex {version}: config/read of an empty config.toml",
        "config": read_config(binary, ""),
        "model_provider": {k: v for k, v in provider.items() if k not in ("name", "base_url")},
        # a [features] table of the user's is shown with every feature, its own keys included
        "features": {k: v for k, v in probed["features"].items() if k != "plugins"},
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


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
