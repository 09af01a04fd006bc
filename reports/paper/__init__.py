"""The paper's published figures (``figures.toml``) and what each of its tables means.

The data file is the only place a published number lives: ``ferry report --against-paper``
looks every figure up among our measures by ``(table, row, column)`` and prints ours beside
theirs. Loading validates the file and names the entry and field of any problem.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ferry.fsutil import read_text

PAPER_FORMAT = "ferry.paper-figures/1"
TABLE_KEYS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")


class PaperError(Exception):
    """The figures file is unreadable or an entry is malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PaperInfo(_Strict):
    id: str
    title: str
    authors: list[str]
    setup: str = ""
    obtained: str


class PaperTable(_Strict):
    key: str
    title: str
    #: "text" (the paper's text defines it), "inferred" (from the abstract or the issue)
    source: Literal["text", "inferred"]
    definition: str


class PaperFigure(_Strict):
    table: str
    row: str
    column: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    sd: float | None = None
    n: int | None = Field(default=None, ge=1)
    approx: bool = False
    compare: bool = True
    source: str
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> PaperFigure:
        if self.value is not None and (self.low is not None or self.high is not None):
            raise ValueError("give value, or low/high (a range or a bound), not both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self

    @property
    def obtained(self) -> bool:
        return self.value is not None or self.low is not None or self.high is not None

    @property
    def reference(self) -> float | None:
        """The number a ratio is taken against: the value, a range's midpoint, or a bound."""
        if self.value is not None:
            return self.value
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        return self.high if self.high is not None else self.low

    def display(self) -> str:
        if not self.obtained:
            return "not obtained"
        if self.value is not None:
            text = ("about " if self.approx else "") + _number(self.value)
            if self.sd is not None:
                text += f" ± {_number(self.sd)}"
            if self.n is not None:
                text += f" (n={self.n})"
            return text
        if self.low is not None and self.high is not None:
            return f"{_number(self.low)}-{_number(self.high)}"
        if self.high is not None:
            return f"< {_number(self.high)}"
        assert self.low is not None
        return f">= {_number(self.low)}"

    def verdict(self, ours: float) -> str:
        """Where ours stands against a range or a bound ("" for a plain value)."""
        low, high = self.low, self.high
        if low is None and high is None:
            return ""
        if low is not None and ours < low:
            return "below"
        if high is not None and ours > high:
            return "above"
        return "within"


class Paper(_Strict):
    format: str
    paper: PaperInfo
    table: list[PaperTable]
    figure: list[PaperFigure]

    @model_validator(mode="after")
    def _known_tables(self) -> Paper:
        keys = [t.key for t in self.table]
        missing = [k for k in TABLE_KEYS if k not in keys]
        odd = sorted({k for k in keys if k not in TABLE_KEYS or keys.count(k) > 1})
        if missing or odd:
            raise ValueError(
                f"[[table]] must define each of I-XIII once (missing: {missing or 'none'}; "
                f"unknown or repeated: {odd or 'none'})"
            )
        return self

    def table_info(self, key: str) -> PaperTable | None:
        return next((t for t in self.table if t.key == key), None)

    def figures(self, table: str) -> list[PaperFigure]:
        return [f for f in self.figure if f.table == table]


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:,.4g}"


def default_path() -> Path:
    return Path(str(resources.files("reports.paper").joinpath("figures.toml")))


def load_paper(path: Path | None = None) -> Paper:
    """The figures file (the packaged one by default), validated."""
    source = path or default_path()
    try:
        data = tomllib.loads(read_text(source))
    except OSError as exc:
        raise PaperError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PaperError(f"{source}: not valid TOML ({exc})") from exc
    if data.get("format") != PAPER_FORMAT:
        raise PaperError(
            f"{source}: format must be {PAPER_FORMAT!r} (got {data.get('format')!r}); "
            "is this a ferry paper-figures file?"
        )
    try:
        return Paper.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            where = ".".join(str(p) for p in loc)
            if len(loc) >= 2 and loc[0] in ("figure", "table") and isinstance(loc[1], int):
                entry = data[str(loc[0])][loc[1]]
                label = (
                    f"[[{loc[0]}]] #{loc[1] + 1} (table {entry.get('table') or entry.get('key')!r}"
                    f", row {entry.get('row')!r})"
                    if loc[0] == "figure"
                    else f"[[table]] #{loc[1] + 1} ({entry.get('key')!r})"
                )
                where = label + ("." + ".".join(str(p) for p in loc[2:]) if loc[2:] else "")
            problems.append(f"{where}: {err['msg']}")
        raise PaperError(f"{source}: " + "; ".join(problems)) from exc
