"""Stamps that make every stored artifact self-describing (format tag, versions, config)."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ferry import __version__ as FERRY_VERSION

TB_RESULTS_FORMAT = "ferry.bench.tb.results/1"
TB_TRIAL_FORMAT = "ferry.bench.tb.trial/1"
SWE_RESULTS_FORMAT = "ferry.bench.swe.results/1"
SWE_INSTANCE_FORMAT = "ferry.bench.swe.instance/1"
SWE_PREDICTIONS_FORMAT = "swebench.predictions.jsonl"
H2H_FORMAT = "ferry.bench.h2h/1"
VERDICT_FORMAT = "ferry.verdict/1"


def utcnow() -> datetime:
    return datetime.now(UTC)


def pycodex_version() -> str | None:
    """The port's version when it is importable in this interpreter (it is optional here)."""
    try:
        from pycodex import __version__
    except ImportError:
        return None
    return str(__version__)


class Stamp(BaseModel):
    """Who wrote a record and with what settings, so any table can be regenerated."""

    model_config = ConfigDict(frozen=True)

    format: str
    ferry_version: str = FERRY_VERSION
    pycodex_version: str | None = Field(default_factory=pycodex_version)
    python_version: str = Field(default_factory=platform.python_version)
    created_at: datetime = Field(default_factory=utcnow)
    config: dict[str, Any] = Field(default_factory=dict)


def stamp(format_tag: str, config: Mapping[str, Any]) -> Stamp:
    return Stamp(format=format_tag, config=dict(config))
