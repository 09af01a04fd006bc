"""A report section: a titled table (or a labelled absence of data) and its plots."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Section:
    key: str  # "IV", "V", ... or a short name
    title: str
    table: pd.DataFrame | None
    note: str = ""  # what was measured, or why there is no data
    plots: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def has_data(self) -> bool:
        return self.table is not None and not self.table.empty


def no_data(key: str, title: str, reason: str) -> Section:
    return Section(key, title, None, f"no data: {reason}")
