"""Write a report's sections as Markdown, HTML (Jinja2) and PNG charts (matplotlib, Agg)."""

from __future__ import annotations

import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ferry.fsutil import write_text_atomic
from reports.sections import Chart, Section, Skipped

NA = "n/a"
#: a log axis once positive values span more than this factor
LOG_SPAN = 50.0


def cell(value: Any, *, markdown: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1:
            return f"{int(value):,}"
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    text = str(value).replace("\n", " ")
    return text.replace("|", "\\|") if markdown else text


def markdown_table(df: pd.DataFrame) -> str:
    header = "| " + " | ".join(str(c) for c in df.columns) + " |"
    align = (
        "|"
        + "|".join("---:" if pd.api.types.is_numeric_dtype(df[c]) else ":---" for c in df.columns)
        + "|"
    )
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([header, align, *rows])


def heading(s: Section) -> str:
    return f"Table {s.key}: {s.title}" if _roman(s.key) else s.title


def _roman(key: str) -> bool:
    return bool(key) and set(key) <= set("IVX")


def skipped_summary(skipped: Sequence[Skipped]) -> list[tuple[str, int]]:
    """Counts by reason, most frequent first (details go to report.json)."""
    return Counter(s.reason for s in skipped).most_common()


@dataclass(frozen=True)
class Extras:
    """What the report adds around the sections: per-table comparison and skipped inputs."""

    comparisons: dict[str, pd.DataFrame]  # section key -> its rows of the comparison
    skipped: Sequence[Skipped]
    paper_title: str = ""


def markdown(
    title: str, meta: Sequence[str], sections: Sequence[Section], out_dir: Path, extras: Extras
) -> str:
    parts = [f"# {title}", "", *[f"- {m}" for m in meta], ""]
    counts = skipped_summary(extras.skipped)
    if counts:
        parts.append(
            "Skipped inputs (details in report.json): "
            + "; ".join(f"{n} {reason}" for reason, n in counts)
            + "."
        )
        parts.append("")
    for s in sections:
        parts += [f"## {heading(s)}", ""]
        if s.has_data:
            assert s.table is not None
            parts += [markdown_table(s.table), ""]
        for name, sub in s.subtables:
            parts += [f"*{name}:*", "", markdown_table(sub), ""]
        if s.note:
            parts += [f"*{s.note}*", ""]
        comparison = extras.comparisons.get(s.key)
        if comparison is not None and not comparison.empty:
            parts += [
                f"**Against the paper** ({extras.paper_title}):",
                "",
                markdown_table(comparison),
                "",
            ]
        parts += [f"![{s.title}]({p.relative_to(out_dir)})" for p in s.plots]
        if s.plots:
            parts.append("")
    return "\n".join(parts)


def _html_table(df: pd.DataFrame) -> str:
    """A plain table: numeric columns right-aligned (class ``num``), text left-aligned."""
    numeric = [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]
    head = "".join(f"<th>{escape(str(c))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{escape(cell(v, markdown=False))}</td>'
            if num
            else f"<td>{escape(cell(v, markdown=False))}</td>"
            for v, num in zip(row, numeric, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def html(
    title: str, meta: Sequence[str], sections: Sequence[Section], out_dir: Path, extras: Extras
) -> str:
    env = Environment(
        loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    views = []
    for s in sections:
        comparison = extras.comparisons.get(s.key)
        views.append(
            {
                "key": s.key,
                "heading": heading(s),
                "note": s.note,
                "table": _html_table(s.table) if s.has_data and s.table is not None else None,
                "subtables": [(name, _html_table(sub)) for name, sub in s.subtables],
                "comparison": _html_table(comparison)
                if comparison is not None and not comparison.empty
                else None,
                "plots": [str(p.relative_to(out_dir)) for p in s.plots],
            }
        )
    return env.get_template("report.html.j2").render(
        title=title,
        meta=meta,
        sections=views,
        skipped=skipped_summary(extras.skipped),
        paper_title=extras.paper_title,
    )


def _use_log(chart: Chart) -> bool:
    if chart.log is not None:
        return chart.log
    if chart.unit_interval:
        return False
    values = [float(v) for v in chart.data.to_numpy().ravel() if pd.notna(v) and float(v) > 0]
    for series in chart.reference.values():
        values.extend(v for v in series.values() if v > 0)
    return bool(values) and max(values) / min(values) > LOG_SPAN


def draw_chart(chart: Chart, ax: Any) -> None:
    data = chart.data.astype(float)
    log = _use_log(chart)
    labels = [str(i) for i in data.index]
    if chart.kind == "line":
        positions = list(range(len(labels)))
        for column in data.columns:
            ax.plot(positions, data[column].to_numpy(), marker="o", label=str(column))
        ax.set_xticks(positions, labels, rotation=30, ha="right")
        ax.set_ylabel(chart.value_label)
        value_axis = ax.set_yscale
    else:
        plot = data.plot.barh if chart.kind == "barh" else data.plot.bar
        plot(ax=ax, width=0.8, log=False)
        if chart.kind == "barh":
            ax.invert_yaxis()  # first row on top, as in the table
            ax.set_xlabel(chart.value_label + (" (log scale)" if log else ""))
            value_axis = ax.set_xscale
        else:
            ax.set_ylabel(chart.value_label + (" (log scale)" if log else ""))
            value_axis = ax.set_yscale
    if log:
        value_axis("log")
    if chart.unit_interval:
        (ax.set_xlim if chart.kind == "barh" else ax.set_ylim)(0, 1.05)
    positions_of = {label: n for n, label in enumerate(labels)}
    columns = [str(c) for c in data.columns]
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["black"])
    for name, points in chart.reference.items():
        index = columns.index(name) if name in columns else 0
        # on the bar of the same series: grouped bars share 0.8 of each slot
        offset = 0.0 if chart.kind == "line" else (index + 0.5) * 0.8 / len(columns) - 0.4
        xs = [positions_of[row] + offset for row in points if row in positions_of]
        vs = [points[row] for row in points if row in positions_of]
        if not xs:
            continue
        style = {
            "marker": "D",
            "s": 45,
            "color": colors[index % len(colors)],
            "edgecolors": "black",
            "zorder": 5,
            "label": f"paper: {name}",
        }
        if chart.kind == "barh":
            ax.scatter(vs, xs, **style)
        else:
            ax.scatter(xs, vs, **style)
    ax.set_title(chart.title)
    if len(data.columns) > 1 or chart.reference:
        ax.legend(fontsize=8)
    ax.grid(axis="x" if chart.kind == "barh" else "y", alpha=0.3, which="both")


def chart_size(chart: Chart) -> tuple[float, float]:
    rows = len(chart.data.index)
    if chart.kind == "barh":
        per_row = 0.28 * max(1, len(chart.data.columns))
        return (9.0, max(3.0, per_row * rows + 1.5))
    return (9.0, 4.5)


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
            fig.savefig(tmp, dpi=100)
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
