"""The static candidate checks: each failure mode is caught, good code passes."""

from __future__ import annotations

from translator.cst.check import check_candidate

GOOD = """
from dataclasses import dataclass


@dataclass(frozen=True)
class ExecParams:
    command: list[str]
    timeout_ms: int | None = None

    def describe(self) -> str:
        return " ".join(self.command)


def run(params: ExecParams) -> int:
    return len(params.command)
"""


def test_good_candidate_passes() -> None:
    report = check_candidate(GOOD, ["ExecParams", "run"], methods={"ExecParams": ["describe"]})
    assert report.ok, report.text()
    assert report.names == ("ExecParams", "run")


def test_syntax_error_is_reported_with_line() -> None:
    report = check_candidate("def f(:\n    return 1\n", ["f"])
    assert not report.ok
    assert "syntax error" in report.text()


def test_missing_and_extra_names() -> None:
    report = check_candidate(GOOD, ["ExecParams", "run", "spawn"])
    assert "missing expected top-level definitions: spawn" in report.text()
    report = check_candidate(GOOD + "\nHELPER = 1\n", ["ExecParams", "run"])
    assert "unexpected top-level definitions" in report.text() and "HELPER" in report.text()


def test_missing_method() -> None:
    report = check_candidate(
        GOOD, ["ExecParams", "run"], methods={"ExecParams": ["describe", "spawn"]}
    )
    assert "class ExecParams lacks methods: spawn" in report.text()


def test_placeholders_are_rejected() -> None:
    for body in (
        "pass",
        "...",
        "raise NotImplementedError",
        'raise NotImplementedError("later")',
        '"""doc"""\n    pass',
    ):
        report = check_candidate(f"def run(x: int) -> int:\n    {body}\n", ["run"])
        assert not report.ok, body
        assert "placeholder body" in report.text()


def test_todo_comment_and_print_are_rejected() -> None:
    report = check_candidate("def run() -> int:\n    # TODO port the rest\n    return 1\n", ["run"])
    assert "placeholder comment" in report.text()
    report = check_candidate("def run() -> int:\n    print('debug')\n    return 1\n", ["run"])
    assert "stray print() call" in report.text()


def test_protocol_and_overload_ellipsis_are_allowed() -> None:
    code = """
from typing import Protocol, overload


class Backend(Protocol):
    def complete(self, prompt: str) -> str: ...


@overload
def f(x: int) -> int: ...
@overload
def f(x: str) -> str: ...
def f(x: int | str) -> int | str:
    return x
"""
    report = check_candidate(code, ["Backend", "f"])
    assert report.ok, report.text()


def test_docstring_only_class_is_allowed() -> None:
    report = check_candidate('class Empty:\n    """Serialized as an empty object."""\n', ["Empty"])
    assert report.ok, report.text()
