"""The Starlark subset: what rules files may use beyond plain calls, and what is refused."""

from __future__ import annotations

import pytest
from pycodex.execpolicy import Decision, MatchOptions, PolicyError, parse_policy


def _decision(text: str, argv: list[str]) -> str | None:
    policy = parse_policy("t.rules", text)
    matches = policy.matches_for_command(argv, None, MatchOptions())
    found = Decision.strictest([m.decision for m in matches])
    return None if found is None else found.value


def test_variables_loops_functions_and_fstrings() -> None:
    text = """
TOOLS = ["ls", "cat"] + ["pwd"]
for t in TOOLS:
    prefix_rule(pattern = [t], justification = f"{t} reads")

def deny(cmd, why = "dangerous"):
    prefix_rule(pattern = cmd, decision = "forbidden", justification = why)

deny(["rm", "-rf"])
deny(["dd"], why = "raw disk writes")
subs = {"build": "allow", "publish": "prompt"}
for sub, decision in subs.items():
    prefix_rule(pattern = ["npm", sub], decision = decision)
prefix_rule(pattern = ["x%d" % 1] + [s.upper() for s in ["a", "b"] if s != "b"])
"""
    assert _decision(text, ["pwd"]) == "allow"
    assert _decision(text, ["rm", "-rf", "/"]) == "forbidden"
    assert _decision(text, ["dd", "if=/dev/zero"]) == "forbidden"
    assert _decision(text, ["npm", "publish"]) == "prompt"
    assert _decision(text, ["npm", "build"]) == "allow"
    assert _decision(text, ["x1", "A"]) == "allow"
    assert _decision(text, ["echo"]) is None


def test_positional_arguments_follow_upstream_parameter_order() -> None:
    text = 'prefix_rule(["git", "push"], "forbidden", ["git push"], ["git pull"], "no pushing")'
    policy = parse_policy("t.rules", text)
    (match,) = policy.matches_for_command(["git", "push"])
    assert match.decision is Decision.FORBIDDEN
    assert getattr(match, "justification", None) == "no pushing"


def test_if_statements_and_conditionals() -> None:
    text = """
STRICT = True
if STRICT and len([1, 2]) == 2:
    prefix_rule(pattern = ["curl"], decision = "forbidden" if STRICT else "allow")
else:
    prefix_rule(pattern = ["curl"])
"""
    assert _decision(text, ["curl", "x"]) == "forbidden"


def test_recursion_is_refused() -> None:
    with pytest.raises(PolicyError, match="Recursion is not allowed"):
        parse_policy("t.rules", "def f():\n    f()\nf()\n")


def test_huge_range_is_refused() -> None:
    with pytest.raises(PolicyError, match="too large"):
        parse_policy("t.rules", "x = range(10000000000)\n")


def test_fail_builtin_stops_loading() -> None:
    with pytest.raises(PolicyError, match="fail: bad config"):
        parse_policy("t.rules", 'fail("bad config")\n')


def test_file_is_never_executed_as_python(tmp_path: object) -> None:
    text = '__import__("os").system("touch /tmp/should-not-exist-execpolicy")\n'
    with pytest.raises(PolicyError, match="Variable `__import__` not found"):
        parse_policy("t.rules", text)


def test_deeply_nested_input_is_a_load_error_not_a_crash() -> None:
    text = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(PolicyError):
        parse_policy("t.rules", text)


def test_nul_byte_in_source_is_a_load_error() -> None:
    with pytest.raises(PolicyError):
        parse_policy("t.rules", 'prefix_rule(pattern = ["a"])\x00\n')


def test_lambdas_can_call_other_lambdas() -> None:
    text = """
wrap = lambda xs: [xs[0]] + xs[1:]
build = lambda tool, sub = "run": wrap([tool, sub])
prefix_rule(pattern = build("make"), decision = "prompt")
"""
    assert _decision(text, ["make", "run", "all"]) == "prompt"


def test_reserved_keywords_are_refused_before_anything_runs() -> None:
    text = 'prefix_rule(pattern = ["a"], decision = "nope")\nx = 1 is 1\n'
    with pytest.raises(PolicyError) as info:
        parse_policy("t.rules", text)
    assert str(info.value) == "starlark error: error: Parse error: cannot use reserved keyword `is`"
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (2, 7)
