"""The ``[report]`` section of ``ferry.toml``: where ``ferry report`` reads and writes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ferry.fsutil import read_text


class ReportConfigError(Exception):
    """``[report]`` is unreadable or has a bad key."""


class ReportConfig(BaseModel):
    """``[report]``; paths are relative to the directory holding ``ferry.toml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: upstream checkout or git directory for the Rust side (default: [upstream].checkout)
    upstream: str | None = None
    #: upstream revision to measure (default: the work tree, else the pin, else HEAD)
    rev: str | None = None
    #: the port's package and its tests
    package: str = "port/pycodex"
    tests: str = "port/tests"
    #: files or directories holding ``ferry bench`` results.json files
    results: list[str] = Field(default_factory=lambda: ["runs"])
    #: ``ferry validate`` verdict files, or directories searched for ``verdict*.json``
    verdicts: list[str] = Field(default_factory=lambda: [".ferry/verdict.json"])
    #: where report.md, report.html, report.json and the PNGs go
    output: str = ".ferry/report"
    #: where make bench / ferry report --measure store Tables VI, VII and X
    measurements: str = ".ferry/bench"
    #: the two agents compared in Tables II, XI and XII: run ids, results.json paths or agents
    pair: list[str] = Field(
        default_factory=lambda: ["pycodex", "codex"], min_length=2, max_length=2
    )


def load_report_config(path: Path | None) -> ReportConfig:
    if path is None:
        return ReportConfig()
    try:
        data = tomllib.loads(read_text(path))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReportConfigError(f"{path}: cannot read TOML ({exc})") from exc
    section = data.get("report", {})
    if not isinstance(section, dict):
        raise ReportConfigError(f"{path}: [report] must be a table")
    try:
        return ReportConfig.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            f"[report].{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ReportConfigError(f"{path}: {problems}") from exc
