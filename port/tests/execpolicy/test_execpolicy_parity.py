"""``pycodex execpolicy check`` prints the same JSON as ``codex execpolicy check`` (Rust 0.169.0).

Each case names rules files (written below), flags and a command. The Rust output
is computed live (skipped when the binary cannot be installed); every case also
states the decision we expect, so the table means something without the oracle.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from execpolicy_oracle import run_port, run_rust

RULES: dict[str, str] = {
    "git": """
prefix_rule(
    pattern = ["git", ["status", "log", "diff", "show"]],
    decision = "allow",
    match = ["git status", ["git", "log", "-n", "1"]],
    not_match = ["git push"],
)
prefix_rule(pattern = ["git", "push"], decision = "prompt", justification = "pushes leave the machine")
prefix_rule(pattern = ["git", "push", ["--force", "-f"]], decision = "forbidden",
            justification = "Use `git push --force-with-lease` instead.")
prefix_rule(pattern = ["git", "reset", "--hard"], decision = "forbidden")
prefix_rule(pattern = ["git"], decision = "prompt")
host_executable(name = "git", paths = ["/usr/bin/git", "/opt/homebrew/bin/git"])
""",
    "tools": """
SAFE = ["ls", "cat", "pwd", "head", "tail"]
for tool in SAFE:
    prefix_rule(pattern = [tool], justification = f"{tool} only reads")

def npm_rule(sub, decision):
    prefix_rule(pattern = ["npm", sub], decision = decision)

npm_rule("test", "allow")
npm_rule("install", "prompt")
npm_rule("publish", "forbidden")
prefix_rule(["rm", ["-rf", "-fr"]], "forbidden", justification = "never delete recursively")
prefix_rule(pattern = ["rm"], decision = "prompt")
prefix_rule(pattern = ["cargo", ["build", "test", "check"]], match = ["cargo test --all"])
prefix_rule(pattern = [["python3", "python"], "-c"], decision = "prompt",
            not_match = ["python3 script.py"])
prefix_rule(pattern = ["curl"], decision = "prompt", justification = "network access")
prefix_rule(pattern = ["éditeur", "ü"], decision = "allow", justification = "unicode \\"quoted\\" text")
network_rule(host = "example.com", protocol = "https", decision = "allow")
network_rule(host = "evil.example:443", protocol = "http", decision = "deny")
""",
    "overlay": """
prefix_rule(pattern = ["ls"], decision = "forbidden", justification = "listing is disabled here")
prefix_rule(pattern = ["git", "status"], decision = "prompt")
prefix_rule(pattern = ["/usr/local/bin/tool", "run"], decision = "allow")
""",
    "hostexec": """
prefix_rule(pattern = ["python3"], decision = "prompt")
prefix_rule(pattern = ["make", "build"], decision = "allow")
host_executable(name = "python3", paths = ["/usr/bin/python3"])
""",
}

# (rules files, extra flags, command, expected decision or None for no match)
CASES: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None]] = [
    (("git",), (), ("git", "status"), "prompt"),
    (("git",), (), ("git", "log", "--oneline"), "prompt"),
    (("git",), (), ("git", "push"), "prompt"),
    (("git",), (), ("git", "push", "--force", "origin"), "forbidden"),
    (("git",), (), ("git", "push", "-f"), "forbidden"),
    (("git",), (), ("git", "reset", "--hard", "HEAD~1"), "forbidden"),
    (("git",), (), ("git", "reset"), "prompt"),
    (("git",), (), ("git",), "prompt"),
    (("git",), (), ("gitk",), None),
    (("git",), (), ("/usr/bin/git", "status"), None),
    (("git",), ("--resolve-host-executables",), ("/usr/bin/git", "status"), "prompt"),
    (("git",), ("--resolve-host-executables",), ("/usr/local/bin/git", "status"), None),
    (
        ("git",),
        ("--resolve-host-executables",),
        ("/opt/homebrew/bin/git", "push", "-f"),
        "forbidden",
    ),
    (("git",), ("--resolve-host-executables",), ("git", "diff"), "prompt"),
    (("git",), ("--pretty",), ("git", "show", "HEAD"), "prompt"),
    (("git",), ("--pretty",), ("ls",), None),
    (("git",), (), ("echo", "git", "status"), None),
    (("tools",), (), ("ls", "-la"), "allow"),
    (("tools",), (), ("cat", "README.md"), "allow"),
    (("tools",), (), ("npm", "test"), "allow"),
    (("tools",), (), ("npm", "install", "left-pad"), "prompt"),
    (("tools",), (), ("npm", "publish"), "forbidden"),
    (("tools",), (), ("npm",), None),
    (("tools",), (), ("rm", "-rf", "/"), "forbidden"),
    (("tools",), (), ("rm", "-fr", "build"), "forbidden"),
    (("tools",), (), ("rm", "file.txt"), "prompt"),
    (("tools",), (), ("cargo", "test", "--all"), "allow"),
    (("tools",), (), ("cargo", "publish"), None),
    (("tools",), (), ("python", "-c", "print(1)"), "prompt"),
    (("tools",), (), ("python3", "-c", "import os"), "prompt"),
    (("tools",), (), ("python3", "script.py"), None),
    (("tools",), (), ("curl", "https://example.com"), "prompt"),
    (("tools",), (), ("éditeur", "ü", "fichier"), "allow"),
    (("tools",), ("--pretty",), ("éditeur", "ü"), "allow"),
    (("tools",), (), ("bash", "-lc", "ls && rm -rf /"), None),
    (("tools",), (), ("--", "ls"), "allow"),
    (("tools",), (), ("--bogus", "ls"), None),
    (("tools",), (), ("ls", "--pretty"), "allow"),
    (("tools",), (), ("ls", "--", "x"), "allow"),
    (("tools",), (), ("-la",), None),
    (
        ("tools",),
        (),
        ("cat", "tab\there", 'quote"d', "ctl\x01\x7f", "back\\slash", "日本"),
        "allow",
    ),
    (("git", "overlay"), (), ("git", "status"), "prompt"),
    (("git", "overlay"), (), ("git", "push", "--force"), "forbidden"),
    (("tools", "overlay"), (), ("ls", "-l"), "forbidden"),
    (("overlay", "tools"), ("--pretty",), ("ls",), "forbidden"),
    (("overlay",), (), ("/usr/local/bin/tool", "run", "x"), "allow"),
    (("overlay",), ("--resolve-host-executables",), ("/usr/local/bin/tool", "run"), "allow"),
    (("hostexec",), ("--resolve-host-executables",), ("/usr/bin/python3", "x.py"), "prompt"),
    (("hostexec",), ("--resolve-host-executables",), ("/usr/local/bin/python3", "x.py"), None),
    (("hostexec",), ("--resolve-host-executables",), ("/usr/bin/make", "build"), "allow"),
    (("hostexec",), ("--resolve-host-executables",), ("/usr/bin/../bin/make", "build"), "allow"),
    (("hostexec",), ("--resolve-host-executables",), ("make", "build", "-j4"), "allow"),
    (("hostexec",), ("--resolve-host-executables",), ("./make", "build"), "allow"),
    (
        ("git", "tools", "hostexec"),
        ("--resolve-host-executables", "--pretty"),
        ("/usr/bin/git", "push"),
        "prompt",
    ),
]


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    for name, text in RULES.items():
        (tmp_path / f"{name}.rules").write_text(text, encoding="utf-8")
    return tmp_path


def _args(files: tuple[str, ...], flags: tuple[str, ...], command: tuple[str, ...]) -> list[str]:
    args: list[str] = []
    for name in files:
        args += ["--rules", f"{name}.rules"]
    return [*args, *flags, *command]


@pytest.mark.parametrize(
    ("files", "flags", "command", "expected"),
    CASES,
    ids=[f"{'+'.join(f)}:{' '.join(c)}{' ' + ' '.join(fl) if fl else ''}" for f, fl, c, _ in CASES],
)
def test_port_decision(
    rules_dir: Path,
    files: tuple[str, ...],
    flags: tuple[str, ...],
    command: tuple[str, ...],
    expected: str | None,
) -> None:
    result = run_port(_args(files, flags, command), rules_dir)
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert output.get("decision") == expected
    assert ("decision" in output) == bool(output["matchedRules"])


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("files", "flags", "command", "expected"),
    CASES,
    ids=[f"{'+'.join(f)}:{' '.join(c)}{' ' + ' '.join(fl) if fl else ''}" for f, fl, c, _ in CASES],
)
def test_json_matches_rust(
    rules_dir: Path,
    files: tuple[str, ...],
    flags: tuple[str, ...],
    command: tuple[str, ...],
    expected: str | None,
) -> None:
    args = _args(files, flags, command)
    rust = run_rust(args, rules_dir)
    port = run_port(args, rules_dir)
    assert rust.exit_code == 0, rust.stderr
    assert port.exit_code == rust.exit_code
    assert port.stdout == rust.stdout


BAD_RULES: dict[str, str] = {
    "multiline_call": '\n\nprefix_rule(\n    pattern = ["git"],\n    decision = "nope",\n)\n',
    "nested_call": 'def f(p):\n    prefix_rule(\n        pattern = p,\n        decision = "x")\n\nf(["git"])\n',
    "bad_operator": 'x = 1\ny = "é" + x\n',
    "unicode_call": 'prefix_rule(pattern = ["é"], decision = "nope")\n',
    "duplicate_argument": 'prefix_rule(["git"], pattern = ["x"])\n',
    "extra_positional": 'prefix_rule(["git"], "allow", [], [], "j", True, 1)\n',
    "function_missing_arg": "def f(a):\n    pass\nf()\n",
    "function_extra_arg": "def f(a):\n    pass\nf(1, 2)\n",
    "index_out_of_bound": "x = [1][5]\n",
    "missing_key": 'x = {"a": 1}["b"]\n',
    "floor_division": "x = 1 // 0\n",
    "modulo": "x = 1 % 0\n",
    "call_none": "x = None\nx()\n",
    "no_such_method": 'x = "a".nope()\n',
    "iterate_string": 'for x in "abc":\n    pass\n',
    "compare_types": 'x = [1] < "a"\n',
    "len_of_int": "def f():\n    return len(3)\nf()\n",
    "negate_string": 'x = -"a"\n',
    "fail_call": 'fail("boom")\n',
    "if_block_call": 'if True:\n    prefix_rule(\n      pattern=["git"], decision="x",\n    )\n',
    "reserved_keyword": "x = 1\ndef f():\n    with x:\n        pass\n",
    "lambda_result": 'f = lambda a, b = 2: [a, b]\nprefix_rule(pattern = f("x"))\n',
    "suggestion_tie": "xyz = 1\nx = 2\ny = xy\n",
    "suggestion_builtin": "y = mix\n",
    "unknown_before_runtime_error": 'prefix_rule(pattern = ["a"], decision = "nope")\nfoo()\n',
    "unclosed_bracket": 'x = 1\nprefix_rule(pattern = ["git"\n',
    "missing_comma": 'prefix_rule(pattern = ["git" "status"])\n',
    "next_line_not_closed": 'prefix_rule(pattern = ["git"]\nprefix_rule(pattern = ["ls"])\n',
    "unfinished_string": 'prefix_rule(pattern = ["git)\n',
    "stray_closer": 'prefix_rule(pattern = ["git"]))\n',
    "missing_operand": "x = 1 +\n",
    "double_equals": "x = = 1\n",
    "unexpected_indent": "x = 1\n  y = 2\n",
    "star_in_list": "x = [*[1], 2]\n",
    "canonical_type": 'prefix_rule(pattern = ["git"], canonical_matching = "yes")\n',
    "bad_decision": 'prefix_rule(pattern = ["git"], decision = "maybe")\n',
    "unmatched_example": 'prefix_rule(pattern = ["git", "status"], match = ["git push"])\n',
    "matched_not_example": 'prefix_rule(pattern = ["git"], not_match = [["git", "push", "a b"]])\n',
    "empty_pattern": "prefix_rule(pattern = [])\n",
    "bad_type": 'x = 1\nprefix_rule(pattern = "git")\n',
    "unknown_var": "foo()\n",
    "extra_kw": 'prefix_rule(pattern = ["git"], bogus = 1)\n',
    "bad_host": 'network_rule(host = "https://x.com", protocol = "https", decision = "allow")\n',
    "relative_host_exe": 'host_executable(name = "git", paths = ["bin/git"])\n',
    "alternatives_example": 'prefix_rule(pattern = [["git", "jj"], "x"], match = ["jj y"])\n',
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(BAD_RULES))
def test_load_errors_match_rust(tmp_path: Path, name: str) -> None:
    """Same exit code and the same report on stderr, traceback and source snippet included."""
    (tmp_path / f"{name}.rules").write_text(BAD_RULES[name], encoding="utf-8")
    args = ["--rules", f"{name}.rules", "git", "status"]
    rust = run_rust(args, tmp_path)
    port = run_port(args, tmp_path)
    assert rust.exit_code == port.exit_code == 1
    assert port.stdout == rust.stdout == ""
    assert port.stderr == rust.stderr


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["missing.rules", "binary.rules", "folder.rules"])
def test_unreadable_rules_file_matches_rust(tmp_path: Path, name: str) -> None:
    (tmp_path / "binary.rules").write_bytes(b'prefix_rule(pattern=["\xff"])\n')
    (tmp_path / "folder.rules").mkdir()
    args = ["--rules", name, "ls"]
    rust = run_rust(args, tmp_path)
    port = run_port(args, tmp_path)
    assert rust.exit_code == port.exit_code == 1
    assert port.stderr.splitlines()[:4] == rust.stderr.splitlines()[:4]


VOCABULARY = [
    "git", "status", "push", "-f", "--force", "log", "npm", "test", "install", "publish",
    "rm", "-rf", "-fr", "ls", "cat", "cargo", "build", "python3", "-c", "make",
    "/usr/bin/git", "/usr/bin/python3", "/opt/homebrew/bin/git", "/usr/local/bin/tool", "run",
]  # fmt: skip


def _random_cases(seed: int, count: int) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    rng = random.Random(seed)
    names = sorted(RULES)
    cases = []
    for _ in range(count):
        files = tuple(rng.sample(names, rng.randint(1, len(names))))
        flags = ("--resolve-host-executables",) if rng.random() < 0.5 else ()
        command = tuple(rng.choice(VOCABULARY) for _ in range(rng.randint(1, 4)))
        cases.append((files, flags + command))
    return cases


@pytest.mark.oracle
def test_random_commands_match_rust(rules_dir: Path) -> None:
    """40 seeded random command x rules-set combinations: identical JSON from both tools."""
    for files, rest in _random_cases(seed=20261125, count=40):
        args = _args(files, (), rest)
        rust = run_rust(args, rules_dir)
        port = run_port(args, rules_dir)
        assert (port.exit_code, port.stdout) == (rust.exit_code, rust.stdout), args


CLI_ARGS: list[list[str]] = [
    ["-r", "tools.rules", "-fr", "ls"],
    ["-r", "tools.rules", "-rf", "x"],
    ["-r", "tools.rules", "-rtools.rules", "ls"],
    ["-r", "tools.rules", "--", "--", "ls"],
    ["--rules=tools.rules", "--pretty", "ls"],
    ["-r", "tools.rules", "ls", "--pretty"],
    ["-r", "tools.rules", "-c", "model=x", "ls"],
    ["--config=model=x", "-r", "tools.rules", "ls"],
    ["-r", "tools.rules", "-cx", "ls"],
    ["-r", "tools.rules"],
    ["ls"],
    ["-r", "tools.rules", "--resolve-host-executables=true", "ls"],
]


@pytest.mark.oracle
@pytest.mark.parametrize("args", CLI_ARGS, ids=[" ".join(a) for a in CLI_ARGS])
def test_argument_parsing_matches_rust(rules_dir: Path, args: list[str]) -> None:
    rust = run_rust(args, rules_dir)
    port = run_port(args, rules_dir)
    assert (port.exit_code, port.stdout) == (rust.exit_code, rust.stdout)
