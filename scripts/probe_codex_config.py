"""Record what the pinned Rust ``codex`` accepts in config.toml: ``upstream_config.json``.

The config JSON Schema in ``../shared/conformance`` is a snapshot of an older upstream; codex
0.169.0 has dropped some of its keys (``model_supports_reasoning_summaries``, ``zsh_path``...)
and has its own feature list. This script asks the binary: every key of the schema's tree (and
a made-up key in every closed table) is written to a scratch config.toml and run under
``codex exec --strict-config``; the keys it calls "unknown configuration field" are recorded.
``scripts/gen_config_keys.py`` applies the result (with the feature list of pycodex.features).

Usage: python scripts/probe_codex_config.py [CODEX_BINARY]   (about a minute)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWN = ROOT / "port" / "pycodex" / "config" / "known_keys.json"
OUT = ROOT / "port" / "pycodex" / "config" / "upstream_config.json"
PROBE_KEY = "zz_probe_unknown"


def _run(binary: str, home: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODEX_HOME": home, "RUST_LOG": "off"}
    return subprocess.run(
        [binary, *args], env=env, cwd=home, input="", capture_output=True, text=True, timeout=60
    )


def is_unknown(binary: str, dotted: str) -> bool:
    with tempfile.TemporaryDirectory() as home:
        Path(home, "config.toml").write_text(f"{dotted} = true\n", encoding="utf-8")
        proc = _run(binary, home, ["exec", "--strict-config", "--skip-git-repo-check", "-"])
    return "unknown configuration field" in proc.stderr


def main(argv: list[str]) -> int:
    if argv:
        binary = argv[0]
    else:
        sys.path.insert(0, str(ROOT / "port"))
        from pycodex.testing.rust_oracle import codex_binary

        binary = str(codex_binary())
    tree = json.loads(KNOWN.read_text())["keys"]
    removed: list[str] = []
    closed: list[str] = []
    for key, sub in sorted(tree.items()):
        if key == "features":
            continue
        if is_unknown(binary, key):
            removed.append(key)
            continue
        if isinstance(sub, dict) and "*" not in sub:
            for child in sorted(sub):
                if is_unknown(binary, f"{key}.{child}"):
                    removed.append(f"{key}.{child}")
            if is_unknown(binary, f"{key}.{PROBE_KEY}"):
                closed.append(key)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()
    data = {
        "_generated_by": "scripts/probe_codex_config.py",
        "codex_version": version[-1] if version else "unknown",
        "removed_keys": removed,
        "closed_tables": closed,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(removed)} keys unknown to codex, {len(closed)} closed tables")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
