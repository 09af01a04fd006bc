from __future__ import annotations

import pytest

from harness.errors import HarnessError
from harness.parsers import ParseError, UnitTestStatus, get_parser, parse_pytest

OUTPUT = """\
============================= test session starts ==============================
collected 4 items

../tests/test_outputs.py .F.s                                              [100%]

=================================== FAILURES ===================================
___________________________________ test_b ____________________________________
    def test_b():
>       assert False
E       assert False
=========================== short test summary info ============================
PASSED ../tests/test_outputs.py::test_a
PASSED ../tests/test_outputs.py::test_c[1-2]
SKIPPED [1] ../tests/test_outputs.py:9: no network
FAILED ../tests/test_outputs.py::test_b - assert False
XFAIL ../tests/test_outputs.py::test_d - known bug
==================== 1 failed, 2 passed, 1 skipped, 1 xfailed in 0.05s =========
PASSED this line is after the summary and must be ignored
"""


def test_parses_each_status() -> None:
    results = parse_pytest(OUTPUT)
    assert results == {
        "test_a": UnitTestStatus.PASSED,
        "test_c[1-2]": UnitTestStatus.PASSED,
        "test_b": UnitTestStatus.FAILED,
        "test_d": UnitTestStatus.PASSED,
    }


def test_error_wins_over_earlier_pass() -> None:
    text = "=== short test summary info ===\nPASSED t.py::test_x\nERROR t.py::test_x - teardown\n"
    assert parse_pytest(text) == {"test_x": UnitTestStatus.FAILED}


def test_collection_error_is_a_failed_entry() -> None:
    text = "==== short test summary info ====\nERROR tests/test_outputs.py - ModuleNotFoundError: x\n=== 1 error in 0.1s ===\n"
    assert parse_pytest(text) == {"tests/test_outputs.py": UnitTestStatus.FAILED}


def test_missing_summary_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="short test summary info"):
        parse_pytest("bash: pytest: command not found\n")


def test_empty_summary_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="lists no tests"):
        parse_pytest("=== short test summary info ===\n=== no tests ran in 0.01s ===\n")


def test_unknown_parser_name() -> None:
    with pytest.raises(HarnessError, match="unknown parser_name 'junit'"):
        get_parser("junit")
