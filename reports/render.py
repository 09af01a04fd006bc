"""Write a report's sections as Markdown, HTML (Jinja2) and PNG plots (matplotlib, Agg)."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ferry.fsutil import write_text_atomic
from reports.sections import Section

NA = "n/a"


def cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(df: pd.DataFrame) -> str:
    header = "| " + " | ".join(str(c) for c in df.columns) + " |"
    align = (
        "|"
        + "|".join("---:" if pd.api.types.is_numeric_dtype(df[c]) else ":---" for c in df.columns)
        + "|"
    )
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([header, align, *rows])


def markdown(title: str, meta: Sequence[str], sections: Sequence[Section], out_dir: Path) -> str:
    parts = [f"# {title}", "", *[f"- {m}" for m in meta], ""]
    for s in sections:
        parts += [f"## Table {s.key}: {s.title}" if s.key[0] in "IVX" else f"## {s.title}", ""]
        if s.has_data:
            assert s.table is not None
            parts += [markdown_table(s.table), ""]
        if s.note:
            parts += [f"*{s.note}*", ""]
        parts += [f"![{s.title}]({p.relative_to(out_dir)})" for p in s.plots]
        if s.plots:
            parts.append("")
    return "\n".join(parts)


def html(title: str, meta: Sequence[str], sections: Sequence[Section], out_dir: Path) -> str:
    env = Environment(
        loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    views = []
    for s in sections:
        table = None
        if s.has_data:
            assert s.table is not None
            table = s.table.map(cell).to_html(index=False, classes="data", border=0, escape=True)
        views.append(
            {
                "key": s.key,
                "title": s.title,
                "note": s.note,
                "table": table,
                "plots": [str(p.relative_to(out_dir)) for p in s.plots],
                "roman": s.key[0] in "IVX",
            }
        )
    return env.get_template("report.html.j2").render(title=title, meta=meta, sections=views)


def save_figure(
    path: Path, draw: Callable[[Any], None], size: tuple[float, float] = (8, 4.5)
) -> Path:
    """Draw on a fresh Agg figure and save it as PNG atomically."""
    fig, ax = plt.subplots(figsize=size)
    try:
        draw(ax)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".png", dir=path.parent)
        os.close(fd)
        try:
            fig.savefig(tmp, dpi=110)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    finally:
        plt.close(fig)
    return path


def write_text(path: Path, text: str) -> Path:
    write_text_atomic(path, text if text.endswith("\n") else text + "\n")
    path.chmod(0o644)  # published files; the temp file they were renamed from was private
    return path
