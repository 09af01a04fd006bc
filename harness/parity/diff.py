"""Structural diff of two normalised views, as JSON-pointer paths with both values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

#: stands for "this side has nothing at this path".
MISSING = "<missing>"


class Difference(BaseModel):
    """One divergence: ``path`` is a JSON pointer into the normalised view."""

    model_config = ConfigDict(frozen=True)

    path: str
    expected: Any
    actual: Any
    allowed_by: str | None = None
    #: for long strings, where they first differ (the values themselves can be kilobytes).
    note: str | None = None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def diff_values(expected: Any, actual: Any, path: str = "") -> list[Difference]:
    """Every leaf where ``actual`` differs from ``expected`` (dicts by key, lists by index)."""
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        out: list[Difference] = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            sub = f"{path}/{_escape(str(key))}"
            if key not in actual:
                out.append(Difference(path=sub, expected=expected[key], actual=MISSING))
            elif key not in expected:
                out.append(Difference(path=sub, expected=MISSING, actual=actual[key]))
            else:
                out.extend(diff_values(expected[key], actual[key], sub))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        out = []
        for index in range(max(len(expected), len(actual))):
            sub = f"{path}/{index}"
            if index >= len(actual):
                out.append(Difference(path=sub, expected=expected[index], actual=MISSING))
            elif index >= len(expected):
                out.append(Difference(path=sub, expected=MISSING, actual=actual[index]))
            else:
                out.extend(diff_values(expected[index], actual[index], sub))
        return out
    if type(expected) is not type(actual) or expected != actual:
        note = None
        if (
            isinstance(expected, str)
            and isinstance(actual, str)
            and max(len(expected), len(actual)) > LONG_TEXT
        ):
            note = _string_note(expected, actual)
        return [Difference(path=path or "/", expected=expected, actual=actual, note=note)]
    return []


#: strings longer than this get a ``note`` locating the first difference.
LONG_TEXT = 80


def _string_note(expected: str, actual: str) -> str:
    offset = first_difference_offset(expected, actual)
    start = max(0, offset - 20)
    return (
        f"lengths {len(expected)}/{len(actual)}, first difference at {offset}: "
        f"{expected[start : offset + 40]!r} vs {actual[start : offset + 40]!r}"
    )


def first_difference_offset(a: str, b: str) -> int:
    """Index of the first differing character (the shorter length if one is a prefix)."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))
