"""Table XIII: the paper's enhancements beyond the Rust original, against pycodex's flags.

The abstract names seven of the paper's 30 feature-flagged extensions. For each, the row
gives the pycodex flag that provides it (none yet for most) and the codex 0.169 feature
that now covers the same ground upstream, with whether pycodex implements that feature.
The flags are read from the measured port package itself (``pycodex.features``) in a
child interpreter, so the table follows the tree being reported on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from reports.sections import Chart, Section, no_data

#: (the abstract's name, pycodex's flag, the codex 0.169 feature covering it)
ENHANCEMENTS: tuple[tuple[str, str | None, str | None], ...] = (
    ("multi-agent orchestration", None, "multi_agent_v2"),
    ("semantic memory", None, "memories"),
    ("persistent plans", "plan_tool", None),
    ("cost tracking", None, None),
    ("IDE bridge", None, None),
    ("guardian safety assessment", None, "guardian_approval"),
    ("voice mode", None, "in_app_voice"),
)

_PROBE = """
import json
import pycodex.features as f
specs = [{"name": s.name, "stage": s.stage, "implemented": s.implemented} for s in f.features()]
print(json.dumps({"extensions": dict(f.PYCODEX_FEATURES), "specs": specs, "file": f.__file__}))
"""


def probe_features(package_root: Path) -> tuple[dict[str, Any] | None, str]:
    """pycodex's feature table, read from ``package_root`` (or why it cannot be)."""
    if not package_root.is_dir():
        return None, f"the port package {package_root} does not exist"
    if package_root.name != "pycodex":
        return None, f"{package_root} is not a pycodex package (no feature flags to read)"
    env = {**os.environ, "PYTHONPATH": str(package_root.parent)}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return None, f"cannot read pycodex.features from {package_root}: {tail[0]}"
    data: dict[str, Any] = json.loads(proc.stdout)
    if not Path(data["file"]).resolve().is_relative_to(package_root.resolve()):
        return None, f"pycodex.features resolved to {data['file']}, outside {package_root}"
    return data, ""


def enhancements_section(package_root: Path) -> Section:
    title = "Enhancements beyond the Rust original (feature flags)"
    data, why = probe_features(package_root)
    if data is None:
        return no_data("XIII", title, why)
    extensions: dict[str, str] = data["extensions"]
    specs = {s["name"]: s for s in data["specs"]}
    codex_specs = [s for s in specs.values() if s["name"] not in extensions]
    implemented = [s for s in codex_specs if s["implemented"]]
    rows: list[dict[str, Any]] = []
    for name, flag, upstream in ENHANCEMENTS:
        if flag is not None and flag in extensions:
            status = f"pycodex flag: {extensions[flag]}"
        elif upstream is not None and specs.get(upstream, {}).get("implemented"):
            status = "implemented (as codex's feature)"
        else:
            status = "not in pycodex"
        codex = "none"
        if upstream is not None:
            spec = specs.get(upstream)
            codex = f"{upstream} ({spec['stage']})" if spec else f"{upstream} (not in this table)"
        rows.append(
            {
                "row": name,
                "count": None,
                "pycodex flag": flag or "none",
                "pycodex": status,
                "codex 0.169": codex,
            }
        )
    rows.append(
        {
            "row": "the paper's other 23 enhancements",
            "count": None,
            "pycodex flag": "n/a",
            "pycodex": "names not in the text obtained",
            "codex 0.169": "n/a",
        }
    )
    rows.append(
        {
            "row": "pycodex-only feature flags",
            "count": len(extensions),
            "pycodex flag": ", ".join(sorted(extensions)) or "none",
            "pycodex": "enhancements: on only when enabled; off in strict parity",
            "codex 0.169": "none",
        }
    )
    rows.append(
        {
            "row": "codex features pycodex implements",
            "count": len(implemented),
            "pycodex flag": f"of {len(codex_specs)}",
            "pycodex": ", ".join(sorted(s["name"] for s in implemented)),
            "codex 0.169": "all",
        }
    )
    table = pd.DataFrame(rows)
    measures = {
        ("pycodex-only feature flags", "count"): float(len(extensions)),
        ("codex features pycodex implements", "count"): float(len(implemented)),
        ("codex features", "count"): float(len(codex_specs)),
    }
    reasons = {
        "pycodex-only feature flags": "",
        "the paper's other 23 enhancements": "names not in the text obtained",
    }
    chart = Chart(
        pd.DataFrame(
            {
                "count": [
                    len(extensions),
                    len(implemented),
                    len(codex_specs) - len(implemented),
                ]
            },
            index=[
                "pycodex-only feature flags",
                "codex features pycodex implements",
                "codex features pycodex does not implement",
            ],
        ),
        "Table XIII: feature flags",
        "flags",
        kind="barh",
        log=False,
    )
    note = (
        "The paper's 30 extensions are off in its strict parity mode; pycodex's own flags "
        "likewise default to off. Status from the port's feature table (pycodex.features)."
    )
    return Section("XIII", title, table, note, measures=measures, reasons=reasons, chart=chart)
