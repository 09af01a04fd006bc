"""``exec`` argument parsing follows clap: what it accepts, what it refuses and in which words."""

from __future__ import annotations

import pytest
from pycodex.exec.argv import ArgvError, parse_exec_argv
from pycodex.exec.cli import PromptDecodeError, decode_prompt_bytes, prompt_with_stdin_context


def test_greedy_image_values_and_the_double_dash() -> None:
    parsed = parse_exec_argv(["-i", "a.png", "b.png", "prompt?"])
    assert parsed.get("images") == ["a.png", "b.png", "prompt?"] and parsed.prompt is None
    parsed = parse_exec_argv(["-i", "a.png,b.png", "--", "the prompt"])
    assert parsed.get("images") == ["a.png", "b.png"] and parsed.prompt == "the prompt"


def test_resume_forms() -> None:
    before = parse_exec_argv(["echo x", "resume", "--last"])
    assert (before.subcommand, before.prompt, before.get("last")) == ("resume", "echo x", True)
    after = parse_exec_argv(["--json", "resume", "--last", "p2"])
    assert after.session_id == "p2" and after.get("json_mode")
    by_id = parse_exec_argv(["resume", "abc", "prompt", "-i", "x.png", "-i", "y.png"])
    assert (by_id.session_id, by_id.resume_prompt) == ("abc", "prompt")
    assert by_id.get("resume_images") == ["x.png", "y.png"]
    flags = parse_exec_argv(["resume", "--last", "--model", "m", "--yolo", "-c", "a=1", "p"])
    assert (
        flags.get("model") == "m"
        and flags.get("bypass")
        and flags.get("config_overrides") == ["a=1"]
    )


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (["--full-auto", "x"], "error: unexpected argument '--full-auto' found"),
        (["--jsn", "x"], "error: unexpected argument '--jsn' found"),
        (["a", "b"], "error: unexpected argument 'b' found"),
        (["-m", "a", "--model", "b"], "error: the argument '--model <MODEL>' cannot be used"),
        (["--json", "--experimental-json"], "error: the argument '--json' cannot be used"),
        (["-s", "bogus"], "error: invalid value 'bogus' for '--sandbox <SANDBOX_MODE>'"),
        (["-m"], "error: a value is required for '--model <MODEL>' but none was supplied"),
        (["-i"], "error: a value is required for '--image <FILE>...' but none was supplied"),
        (["--json=1"], "error: unexpected value '1' for '--json' found; no more were expected"),
        (["resume", "-s", "read-only"], "error: unexpected argument '-s' found"),
    ],
)
def test_refusals_in_clap_words(argv: list[str], first_line: str) -> None:
    with pytest.raises(ArgvError) as info:
        parse_exec_argv(argv)
    text = str(info.value)
    assert text.splitlines()[0].startswith(first_line)
    assert text.endswith("For more information, try '--help'.")
    assert info.value.exit_code == 2


def test_similar_argument_tip_and_value_tip() -> None:
    with pytest.raises(ArgvError) as similar:
        parse_exec_argv(["--jsn"])
    assert "tip: a similar argument exists: '--json'" in str(similar.value)
    with pytest.raises(ArgvError) as other:
        parse_exec_argv(["--zzzzzz"])
    assert "tip: to pass '--zzzzzz' as a value, use '-- --zzzzzz'" in str(other.value)
    assert "Usage: codex exec [OPTIONS] [PROMPT]" in str(other.value)


def test_stdin_prompt_decoding() -> None:
    assert decode_prompt_bytes(b"\xef\xbb\xbfhi") == "hi"
    assert decode_prompt_bytes(b"\xff\xfe" + "hé".encode("utf-16-le")) == "hé"
    with pytest.raises(PromptDecodeError, match="invalid byte at offset 2"):
        decode_prompt_bytes(b"ab\xff")
    with pytest.raises(PromptDecodeError, match="UTF-32LE"):
        decode_prompt_bytes(b"\xff\xfe\x00\x00")
    with pytest.raises(PromptDecodeError, match="looked like UTF-16BE"):
        decode_prompt_bytes(b"\xfe\xff\x00")
    assert prompt_with_stdin_context("p", "x") == "p\n\n<stdin>\nx\n</stdin>"
    assert prompt_with_stdin_context("p", "x\n") == "p\n\n<stdin>\nx\n</stdin>"
