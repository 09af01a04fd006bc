"""serde_json-style messages for malformed tool arguments (what the model reads)."""

from __future__ import annotations

import pytest
from pycodex.tools.arguments import ArgumentsError, parse_arguments


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"cmd": "echo hi"', "EOF while parsing an object at line 1 column 17"),
        ('{"cmd": "echo', "EOF while parsing a string at line 1 column 13"),
        ('{"cmd": [1, 2', "EOF while parsing a list at line 1 column 13"),
        ("", "EOF while parsing a value at line 1 column 0"),
        ('{"cmd" "x"}', "expected `:` at line 1 column 8"),
        ('{cmd: "x"}', "key must be a string at line 1 column 2"),
        ('{"cmd": "x"} extra', "trailing characters at line 1 column 14"),
        ('{"a": 1 "b": 2}', "expected `,` or `}` at line 1 column 9"),
        ("[1, 2]", "invalid type: a sequence, expected a map at line 1 column 6"),
        ('{"other": 1}', "missing field `cmd` at line 1 column 12"),
    ],
)
def test_messages(text: str, message: str) -> None:
    with pytest.raises(ArgumentsError) as info:
        parse_arguments(text, ("cmd",))
    assert str(info.value) == f"failed to parse function arguments: {message}"


def test_valid_arguments_pass_through() -> None:
    assert parse_arguments('{"cmd": "ls", "tty": true}', ("cmd",)) == {"cmd": "ls", "tty": True}
