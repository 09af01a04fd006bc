"""``[shell_environment_policy]`` decides what user commands see (issue 11, hole 4).

Through ``pycodex exec`` (an ``env`` command) and, in the oracle test, the same
script and environment sent to the Rust ``codex``: the variable names must agree.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pycodex.config.shell_env import (
    EnvPattern,
    Inherit,
    ShellEnvironmentPolicy,
    populate_env,
)
from pycodex.errors import ConfigError
from sec_harness import PYCODEX, AgentRun, Call, codex_or_skip, run_agent

SECRETS = {"FOO_TOKEN": "t", "MY_SECRET_X": "s", "PLAIN": "p", "apikey_lower": "k"}

POLICIES = {
    "default": "",
    "core": (
        '[shell_environment_policy]\ninherit = "core"\nignore_default_excludes = false\n'
        'set = { ADDED = "1", SET_TOKEN = "z" }\n'
    ),
    "filters": (
        '[shell_environment_policy]\ninherit = "all"\nignore_default_excludes = false\n'
        'exclude = ["pl*"]\ninclude_only = ["*A*", "PATH", "*_?EY"]\n'
    ),
    "none": '[shell_environment_policy]\ninherit = "none"\nexperimental_use_profile = true\n',
}

#: Set by the exec machinery itself (not by the policy), or by a shell.
_MACHINERY = {"PWD", "SHLVL", "_", "OLDPWD", "NO_COLOR", "TERM", "LANG", "LC_CTYPE", "LC_ALL"}
_MACHINERY |= {"COLORTERM", "PAGER", "GIT_PAGER", "GH_PAGER"}


def _env_run(binary: list[str], base: Path, policy: str, **kw: object) -> dict[str, str]:
    run: AgentRun = run_agent(
        binary,
        [Call.exec("env", login=False)],
        base=base,
        user_config=policy,
        env=SECRETS,
        **kw,  # type: ignore[arg-type]
    )
    assert run.returncode == 0, run.stderr
    body = run.outputs[0].split("Output:\n", 1)[1]
    pairs = [line.split("=", 1) for line in body.splitlines() if "=" in line]
    return {k: v for k, v in pairs}


def _policy_names(env: dict[str, str]) -> set[str]:
    """Names the policy passed on from our environment or ``set``.

    Values a shell startup file produced (a different value) and the variables
    the exec machinery adds are left out: they are not the policy's doing.
    """
    ours = {**os.environ, **SECRETS, "ADDED": "1", "SET_TOKEN": "z", "MOCK_API_KEY": "sk-test"}
    path = os.environ.get("PATH", "")
    return {
        k
        for k, v in env.items()
        if k not in _MACHINERY
        and not k.startswith("CODEX_")
        and (
            ours.get(k) == v
            or (k == "PATH" and v.endswith(path))
            or (k == "HOME" and v.endswith("/home"))  # the harness's $HOME
        )
    }


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_policy_applies_to_exec_command(tmp_path: Path, name: str) -> None:
    env = _env_run(PYCODEX, tmp_path, POLICIES[name])
    names = _policy_names(env)
    assert env.get("CODEX_THREAD_ID")
    if name == "default":  # upstream's default inherits everything, secrets included
        assert {"FOO_TOKEN", "MY_SECRET_X", "PLAIN", "apikey_lower", "MOCK_API_KEY"} <= names
    elif name == "core":
        assert names <= {"PATH", "SHELL", "TMPDIR", "TEMP", "TMP", "HOME", "LOGNAME", "USER"} | {
            "ADDED",
            "SET_TOKEN",
        }
        assert {"PATH", "HOME", "ADDED", "SET_TOKEN"} <= names
    elif name == "filters":
        assert "PATH" in names and "MOCK_API_KEY" not in names and "PLAIN" not in names
        assert all("A" in k.upper() or k == "PATH" for k in names), names
    else:
        assert names == set()


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(POLICIES))
def test_env_names_match_rust_codex(tmp_path: Path, name: str) -> None:
    from pycodex.testing.rust_oracle import oracle_home_root

    rust = _env_run(
        codex_or_skip(), tmp_path / "rust", POLICIES[name], home_parent=oracle_home_root()
    )
    ours = _env_run(PYCODEX, tmp_path / "ours", POLICIES[name])
    assert _policy_names(ours) == _policy_names(rust)


def test_populate_env_steps_in_upstream_order() -> None:
    variables = {"PATH": "/bin", "HOME": "/h", "API_KEY": "k", "Other": "o", "keep_me": "x"}
    policy = ShellEnvironmentPolicy(
        inherit=Inherit.ALL,
        ignore_default_excludes=False,
        exclude=(EnvPattern("other"),),
        set={"NEW_TOKEN": "set wins over default excludes"},
        include_only=(EnvPattern("*e*"), EnvPattern("PATH"), EnvPattern("NEW_?OKEN")),
    )
    assert populate_env(variables, policy, "tid") == {
        "PATH": "/bin",
        "HOME": "/h",
        "keep_me": "x",
        "NEW_TOKEN": "set wins over default excludes",
        "CODEX_THREAD_ID": "tid",
    }


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"inherit": "some"}, 'inherit`: expected "all", "core" or "none"'),
        ({"exclude": "KEY"}, "exclude`: expected an array of strings"),
        ({"set": {"A": 1}}, "set`: expected a table of strings"),
        ({"ignore_default_excludes": "no"}, "ignore_default_excludes`: expected true or false"),
        ({"inherits": "all"}, "inherits`: unknown field"),
        ("all", "expected a table"),
    ],
)
def test_bad_policy_tables_are_rejected(table: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        ShellEnvironmentPolicy.from_table(table)


def test_bad_policy_through_the_cli_names_the_field(tmp_path: Path) -> None:
    run = run_agent(
        PYCODEX,
        [],
        base=tmp_path,
        user_config='[shell_environment_policy]\ninherit = "some"\n',
    )
    assert run.returncode == 1
    assert "shell_environment_policy.inherit" in run.stderr
    assert "Traceback" not in run.stderr
