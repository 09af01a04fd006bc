"""Raw per-side transcripts (stdout, stderr, requests, files) for humans debugging a divergence."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from harness.parity.runner import SideResult


def write_transcript(result: SideResult, directory: Path) -> None:
    """Write ``result`` un-normalised under ``directory`` (created; existing files replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "argv.json").write_text(
        json.dumps([list(run.argv) for run in result.runs], indent=1) + "\n"
    )
    for index, run in enumerate(result.runs):
        suffix = "" if index == 0 else f".{index}"
        (directory / f"stdout{suffix}.jsonl").write_text(run.stdout)
        (directory / f"stderr{suffix}.txt").write_text(run.stderr)
    requests = [asdict(call) for call in result.requests]
    (directory / "requests.json").write_text(
        json.dumps(requests, indent=1, ensure_ascii=False) + "\n"
    )
    files = {
        "exit_codes": [run.exit_code for run in result.runs],
        "timed_out": result.timed_out,
        "leftovers": [run.leftovers for run in result.runs],
        "workspace": result.workspace,
        "outside": result.outside,
        "modes": result.modes,
        "git": result.git,
        "home": result.home,
        "home_snapshot": result.home_snapshot,
        "tmp": result.tmp,
    }
    (directory / "result.json").write_text(json.dumps(files, indent=1, ensure_ascii=False) + "\n")
