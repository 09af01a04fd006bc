"""``rm -f`` style detection: the cases observed on the Rust 0.169 binary (``codex exec``)."""

from __future__ import annotations

import pytest
from pycodex.execpolicy.dangerous import command_might_be_dangerous, is_rm_force, script_commands

# script run through `bash -lc` -> refused by the Rust binary?
OBSERVED: dict[str, bool] = {
    "rm -fr x": True,
    "rm -r -f x": True,
    "rm --force x": True,
    "rm x -rf": True,
    "rm -Rf x": True,
    "/bin/rm -rf x": True,
    "rm -rfv x": True,
    "rm -rf": True,
    "rm -i -f x": True,
    "rm '-rf' x": True,
    "rm -r x": False,
    "rm -- -f": False,
    "rm -r x -- -f": False,
    "sudo -u root rm -rf x": False,
    "sudo sudo rm -f x": True,
    "sudo env rm -f x": True,
    "env rm -rf x": True,
    "env FOO=1 rm -rf x": True,
    "env -i rm -rf x": True,
    "nice rm -rf x": False,
    "timeout 5 rm -rf x": False,
    "command rm -rf x": False,
    "xargs rm -rf": False,
    "unlink -f x": False,
    "rmdir -f x": False,
    "git reset --hard": False,
    "git clean -fdx": False,
    "find . -delete": False,
    "FOO=1 rm -rf x": True,
    "rm -rf x > /dev/null": True,
    "rm -rf x; ls": True,
    "echo $(rm -rf x)": True,
    "(rm -rf x)": True,
    "{ rm -rf x; }": True,
    "if true; then rm -rf x; fi": True,
    "for f in a; do rm -f $f; done": True,
    'echo "rm -rf x"': False,
    "rm -rf $DIR": True,
    'rm -f "$x"': True,
    "bash -c 'rm -rf x'": True,
    'sh -c "rm -f x"': True,
    "cd /tmp && rm -rf *": True,
    "rm -rf `pwd`": True,
    "echo `rm -rf x`": True,
    "true || rm -f x &": True,
    "ls -la": False,
    "cargo build": False,
}


@pytest.mark.parametrize(("script", "refused"), sorted(OBSERVED.items()))
def test_matches_observed_rust_behaviour(script: str, refused: bool) -> None:
    assert command_might_be_dangerous(["/bin/bash", "-lc", script]) is refused


def test_direct_argv() -> None:
    assert is_rm_force(["rm", "-f", "a"])
    assert command_might_be_dangerous(["sudo", "rm", "--force", "a"])
    assert not command_might_be_dangerous(["rm", "a"])


def test_script_commands_skip_quoted_text_and_heredoc_bodies() -> None:
    script = "cat <<EOF > out\nrm -rf /\nEOF\necho 'rm -f x' \"$(ls -l)\"\n"
    assert script_commands(script) == [["cat"], ["ls", "-l"], ["echo", "rm -f x", "$(ls -l)"]]
