"""Shared by the bench_paper_* scripts: where the tables are stored and how they print."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

OUT = Path(
    os.environ.get("FERRY_BENCH_OUT", Path(__file__).resolve().parent.parent / ".ferry" / "bench")
)


def show(path: Path, columns: list[str]) -> None:
    """Print the stored table: one line per row, the given columns, then the notes."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    rows = data["rows"]
    widths = [max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(_fmt(row.get(c)).ljust(w) for c, w in zip(columns, widths, strict=True)))
    machine = data["machine"]
    print(
        f"({data['created_at']}, {machine['cpus']} cores, load {machine['load_average']}; stored in {path})"
    )
    for note in data["notes"]:
        print(f"note: {note}")


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
