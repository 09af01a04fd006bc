"""Ours beside the paper's: every published figure looked up among the sections' measures.

A figure without a counterpart among our measures still gets its row, with the reason the
section gives for that row (not measured yet, no run of the pair, ...), so the comparison
shows at once what the port matches, what it does not and what is still missing.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from reports.paper import Paper, PaperFigure
from reports.render import cell
from reports.sections import Section

COLUMNS = ["table", "row", "column", "ours", "paper", "ours/paper", "where", "source", "note"]


def _reason(section: Section | None, figure: PaperFigure) -> str:
    if section is None:
        return "ferry builds no such table"
    if section.reasons.get(figure.row):
        return section.reasons[figure.row]
    if not section.has_data:
        return section.note
    return "not among ferry's measures for this table"


def compare(
    paper: Paper, sections: Mapping[str, Section], *, include_reference: bool = False
) -> pd.DataFrame:
    """One row per figure (reference-only figures left out unless asked for)."""
    rows = []
    for figure in paper.figure:
        if not figure.compare and not include_reference:
            continue
        section = sections.get(figure.table)
        ours = section.measures.get((figure.row, figure.column)) if section else None
        ref = figure.reference
        where = ""
        if ours is None:
            note = "ours: " + _reason(section, figure)
        else:
            note = figure.note
            if figure.obtained:
                where = figure.verdict(ours)
        rows.append(
            {
                "table": figure.table,
                "row": figure.row,
                "column": figure.column,
                "ours": ours,
                "paper": figure.display(),
                "ours/paper": round(ours / ref, 2) if ours is not None and ref else None,
                "where": where,
                "source": figure.source,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def for_table(comparison: pd.DataFrame, key: str) -> pd.DataFrame:
    return comparison[comparison["table"] == key].drop(columns=["table"]).reset_index(drop=True)


def text_table(comparison: pd.DataFrame, *, width: int = 70) -> str:
    """A plain fixed-width rendering for the terminal (notes cut to ``width``)."""
    shown = comparison.drop(columns=["note"]).copy()
    shown["note"] = [n if len(n) <= width else n[: width - 1] + "…" for n in comparison["note"]]
    cells = [[cell(v) for v in row] for row in shown.itertuples(index=False)]
    header = list(shown.columns)
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for c in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def summary(comparison: pd.DataFrame) -> str:
    measured = comparison["ours"].notna().sum()
    return f"{measured} of {len(comparison)} published figures have a counterpart measured here"
