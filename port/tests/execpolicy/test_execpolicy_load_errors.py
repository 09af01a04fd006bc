"""Bad ``.rules`` files fail at load with upstream's message and the file/line/column."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycodex.execpolicy import (
    PolicyError,
    PolicyLoadError,
    StarlarkError,
    load_policies,
    parse_policy,
)
from pycodex.execpolicy.loader import format_policy_error


def _error(text: str, name: str = "policy.rules") -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse_policy(name, text)
    return info.value


def test_syntax_error_names_file_line_and_column() -> None:
    err = _error('prefix_rule(pattern = ["git"])\nprefix_rule(pattern = ["ls" "x"])\n')
    assert isinstance(err, StarlarkError)
    assert err.location is not None
    assert (err.location.path, err.location.line, err.location.column) == ("policy.rules", 2, 29)
    assert str(err) == (
        "starlark error: error: Parse error: unexpected string literal \"x\", expected symbol ']'"
    )


def test_bracket_open_at_end_of_file_is_reported_like_upstream() -> None:
    err = _error('prefix_rule(pattern = ["git"])\nprefix_rule(pattern = ["ls"\n')
    assert (
        str(err) == "starlark error: error: Parse error: unexpected new line, expected symbol ']'"
    )
    assert err.location is not None and err.location.at_eof


def test_unknown_decision_points_at_the_call() -> None:
    err = _error('\n\n    \nprefix_rule(pattern = ["git"], decision = "maybe")\n')
    assert str(err) == "starlark error: error: invalid decision: maybe"
    assert err.location is not None
    assert (err.location.line, err.location.column) == (4, 1)


def test_error_inside_function_points_at_the_inner_call() -> None:
    err = _error('def f():\n    prefix_rule(pattern = ["git"], decision = "nope")\nf()\n')
    assert err.location is not None
    assert (err.location.line, err.location.column) == (2, 5)


def test_failing_match_example_is_reported_with_rules_and_examples() -> None:
    err = _error('\nprefix_rule(pattern = ["git", "status"], match = ["git push"])\n')
    assert str(err) == (
        "expected every example to match at least one rule. rules: "
        '["PrefixRule { pattern: PrefixPattern { canonical_matching: false, first: \\"git\\", '
        'rest: [Single(\\"status\\")] }, decision: Allow, justification: None }"]; '
        'unmatched examples: ["git push"]'
    )
    assert err.location is not None
    assert err.location.line == 2


def test_matching_not_match_example_is_reported() -> None:
    err = _error('prefix_rule(pattern = ["git"], not_match = [["git", "a b"]])')
    assert str(err) == (
        'expected example to not match rule `PrefixRuleMatch { matched_prefix: ["git"], '
        "decision: Allow, resolved_program: None, justification: None }`: git 'a b'"
    )


def test_not_match_uses_host_executable_resolution() -> None:
    err = _error('prefix_rule(pattern = ["git"], not_match = ["/usr/bin/git push"])')
    assert 'resolved_program: Some(AbsolutePathBuf("/usr/bin/git"))' in str(err)


def test_host_executable_declared_later_in_the_file_gates_examples() -> None:
    text = (
        'prefix_rule(pattern = ["git"], not_match = ["/usr/local/bin/git push"])\n'
        'host_executable(name = "git", paths = ["/usr/bin/git"])\n'
    )
    policy = parse_policy("p.rules", text)
    assert policy.host_executables == {"git": ("/usr/bin/git",)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prefix_rule(pattern = [])", "invalid pattern element: pattern cannot be empty"),
        (
            'prefix_rule(pattern = ["git", []])',
            "invalid pattern element: pattern alternatives cannot be empty",
        ),
        (
            'prefix_rule(pattern = ["git", 1])',
            "invalid pattern element: pattern element must be a string or list of strings (got int)",
        ),
        (
            'prefix_rule(pattern = ["git", [True]])',
            "invalid pattern element: pattern alternative must be a string (got bool)",
        ),
        (
            'prefix_rule(pattern = "git")',
            'Type of parameter `pattern` doesn\'t match, expected `list`, actual `string (repr: "git")`',
        ),
        (
            'prefix_rule(pattern = ["git"], decision = None)',
            "Type of parameter `decision` doesn't match, expected `str`, actual `NoneType (repr: None)`",
        ),
        (
            'prefix_rule(pattern = ["git"], justification = "  ")',
            "invalid rule: justification cannot be empty",
        ),
        (
            'prefix_rule(pattern = ["git"], match = [1])',
            "invalid example: example must be a string or list of strings (got int)",
        ),
        (
            'prefix_rule(pattern = ["git"], match = [[]])',
            "invalid example: example cannot be an empty list",
        ),
        (
            'prefix_rule(pattern = ["git"], match = [""])',
            "invalid example: example cannot be an empty string",
        ),
        (
            'prefix_rule(pattern = ["git"], match = ["git \'oops"])',
            "invalid example: example string has invalid shell syntax",
        ),
        (
            'prefix_rule(pattern = ["git"], bogus = 1)',
            "Found `bogus` extra named parameter(s) for call to prefix_rule",
        ),
        (
            'prefix_rule(decision = "allow")',
            "Missing parameter `pattern` for call to `prefix_rule`",
        ),
        (
            'network_rule(host = "a.com", protocol = "ftp", decision = "allow")',
            "invalid rule: network_rule protocol must be one of http, https, socks5_tcp, socks5_udp (got ftp)",
        ),
        (
            'network_rule(host = "*.a.com", protocol = "http", decision = "allow")',
            "invalid rule: network_rule host must be a specific host; wildcards are not allowed",
        ),
        (
            'network_rule(host = "a.com", protocol = "http", decision = "block")',
            "invalid decision: block",
        ),
        (
            'host_executable(name = "", paths = [])',
            "invalid rule: host_executable name cannot be empty",
        ),
        (
            'host_executable(name = "bin/git", paths = [])',
            "invalid rule: host_executable name must be a bare executable name (got bin/git)",
        ),
        (
            'host_executable(name = "git", paths = ["/usr/bin/hg"])',
            "invalid rule: host_executable path `/usr/bin/hg` must have basename `git`",
        ),
        (
            'host_executable(name = "git", paths = [3])',
            "invalid rule: host_executable paths must be strings (got int)",
        ),
        ("foo()", "Variable `foo` not found, did you mean `bool`?"),
        ("import os", "Parse error: cannot use reserved keyword `import`"),
        ("while True:\n    pass", "Parse error: cannot use reserved keyword `while`"),
        ("x = open", "Variable `open` not found, did you mean `len`?"),
        ('x = "a".__class__', "attribute access is only supported as a method call"),
        ('x = "a" + 1', "Operation `+` not supported for types `string` and `int`"),
    ],
)
def test_invalid_calls_raise_upstream_messages(text: str, message: str) -> None:
    err = _error(text)
    assert isinstance(err, StarlarkError)
    assert str(err) == f"starlark error: error: {message}"
    assert err.location is not None and err.location.line >= 1


def test_load_policies_wraps_errors_with_the_file(tmp_path: Path) -> None:
    good = tmp_path / "a.rules"
    bad = tmp_path / "b.rules"
    good.write_text('prefix_rule(pattern = ["ls"])\n')
    bad.write_text('\nprefix_rule(pattern = ["git"], decision = "sometimes")\n')
    with pytest.raises(PolicyLoadError) as info:
        load_policies([good, bad])
    err = info.value
    assert str(err) == f"failed to parse policy at {bad}"
    assert err.location is not None and err.location.line == 2
    rendered = err.render()
    assert "Caused by:" in rendered
    assert f"--> {bad}:2:1" in rendered
    assert format_policy_error(err) == (
        f"{bad}:2: error: invalid decision: sometimes (problem is on or around line 2)"
    )


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError) as info:
        load_policies([tmp_path / "nope.rules"])
    assert str(info.value) == f"failed to read policy at {tmp_path / 'nope.rules'}"
    assert "No such file or directory (os error 2)" in info.value.render()
