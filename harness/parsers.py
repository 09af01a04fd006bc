"""Parsers that turn a task's test output into per-test PASSED/FAILED (Terminal-Bench style).

Terminal-Bench's ``pytest`` parser reads the ``short test summary info`` block that
``pytest -rA`` prints: one ``STATUS nodeid[ - message]`` line per test. A test
counts as passed when pytest says PASSED, SKIPPED or XFAIL, as failed otherwise.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

from harness.errors import HarnessError


class UnitTestStatus(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class ParseError(HarnessError):
    """The test output has no result section the parser recognises."""


_SUMMARY = re.compile(r"^=+ short test summary info =+\s*$")
_END = re.compile(r"^=+ .*(passed|failed|error|skipped|xfailed|xpassed|no tests ran).* =+\s*$")
_PASSING = {"PASSED", "SKIPPED", "XFAIL"}
_FAILING = {"FAILED", "ERROR", "XPASS"}


def _test_name(nodeid: str) -> str:
    return nodeid.rsplit("::", 1)[-1]


def parse_pytest(output: str) -> dict[str, UnitTestStatus]:
    """Per-test results from ``pytest -rA`` output; raises :class:`ParseError` without a summary."""
    return _parse_summary(output, _test_name)


def parse_pytest_nodeids(output: str) -> dict[str, UnitTestStatus]:
    """As :func:`parse_pytest` but keyed by full node id (SWE-bench names tests that way)."""
    return _parse_summary(output, lambda nodeid: nodeid)


def _parse_summary(output: str, key: Callable[[str], str]) -> dict[str, UnitTestStatus]:
    lines = output.replace("\r\n", "\n").split("\n")
    start = next((i for i, line in enumerate(lines) if _SUMMARY.match(line.strip())), None)
    if start is None:
        raise ParseError(
            "no 'short test summary info' section in the test output (was pytest run with -rA?)"
        )
    results: dict[str, UnitTestStatus] = {}
    for raw in lines[start + 1 :]:
        line = raw.strip()
        if _END.match(line):
            break
        word, _, rest = line.partition(" ")
        if word not in _PASSING and word not in _FAILING:
            continue
        if word == "SKIPPED" and rest.startswith("["):
            continue  # ``SKIPPED [n] file:line: reason`` names no test
        nodeid = rest.split(" - ", 1)[0].strip()
        if not nodeid:
            continue
        status = UnitTestStatus.PASSED if word in _PASSING else UnitTestStatus.FAILED
        name = key(nodeid)
        # A test that errors in teardown after passing is reported twice; failure wins.
        if results.get(name) is not UnitTestStatus.FAILED:
            results[name] = status
    if not results:
        raise ParseError("the 'short test summary info' section lists no tests")
    return results


PARSERS: dict[str, Callable[[str], dict[str, UnitTestStatus]]] = {"pytest": parse_pytest}


def get_parser(name: str) -> Callable[[str], dict[str, UnitTestStatus]]:
    try:
        return PARSERS[name]
    except KeyError:
        known = ", ".join(sorted(PARSERS))
        raise HarnessError(f"unknown parser_name '{name}' (known: {known})") from None
