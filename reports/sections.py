"""A report section: a titled table (or a labelled absence of data), its chart and measures.

``measures`` are the section's comparable numbers keyed ``(row, column)`` exactly as the
paper's figures are keyed in ``reports/paper/figures.toml``; ``reasons`` say, per row, why a
row has no number yet, so the comparison can say why instead of printing a blank.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

Measures = Mapping[tuple[str, str], float]


@dataclass(frozen=True)
class Chart:
    """What to draw for a section: one series per column of ``data``, one bar per index label.

    ``log`` None decides from the data (a log axis when positive values span more than
    ``LOG_SPAN`` times), so small bars beside large ones stay visible.
    """

    data: pd.DataFrame
    title: str
    value_label: str
    kind: Literal["barh", "bar", "line"] = "barh"
    log: bool | None = None
    unit_interval: bool = False  # shares / accuracies: a 0..1 axis
    #: reference points drawn as markers: series label -> {index label: value}
    reference: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """An input file ``ferry report`` did not use, and why (reason is a short category)."""

    path: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Section:
    key: str  # "IV", "V", ... or a short name
    title: str
    table: pd.DataFrame | None
    note: str = ""  # what was measured, or why there is no data
    plots: tuple[Path, ...] = field(default_factory=tuple)
    measures: Measures = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)  # row -> why it has no number
    subtables: tuple[tuple[str, pd.DataFrame], ...] = ()
    chart: Chart | None = None

    @property
    def has_data(self) -> bool:
        return self.table is not None and not self.table.empty


def no_data(key: str, title: str, reason: str) -> Section:
    return Section(key, title, None, f"no data: {reason}")


def frame_measures(df: pd.DataFrame, row_column: str) -> dict[tuple[str, str], float]:
    """Every finite numeric cell of ``df`` keyed ``(row label, column)``."""
    out: dict[tuple[str, str], float] = {}
    for record in df.to_dict(orient="records"):
        row = str(record.get(row_column))
        for column, value in record.items():
            if column == row_column or isinstance(value, bool):
                continue
            if isinstance(value, int | float) and not math.isnan(float(value)):
                out[(row, str(column))] = float(value)
    return out
