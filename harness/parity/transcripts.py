"""Raw per-side transcripts (stdout, stderr, requests, files) for humans debugging a divergence."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from harness.parity.runner import SideResult


def write_transcript(result: SideResult, directory: Path) -> None:
    """Write ``result`` un-normalised under ``directory`` (created; existing files replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "argv.json").write_text(json.dumps(list(result.argv), indent=1) + "\n")
    (directory / "stdout.jsonl").write_text(result.stdout)
    (directory / "stderr.txt").write_text(result.stderr)
    requests = [asdict(call) for call in result.requests]
    (directory / "requests.json").write_text(
        json.dumps(requests, indent=1, ensure_ascii=False) + "\n"
    )
    files = {
        "exit_code": result.exit_code,
        "timed_out": result.timed_out,
        "workspace": result.workspace,
        "outside": result.outside,
        "home": result.home,
    }
    (directory / "result.json").write_text(json.dumps(files, indent=1, ensure_ascii=False) + "\n")
