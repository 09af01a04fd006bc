"""Appending approved rules: upstream's line format, no duplicates, and the file reloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycodex.execpolicy import Decision, load_policies
from pycodex.execpolicy.amend import (
    AmendError,
    append_allow_prefix_rule,
    append_network_rule,
)
from pycodex.execpolicy.rules import NetworkRuleProtocol


def test_appends_allow_rule_once_and_reloads(tmp_path: Path) -> None:
    path = tmp_path / "rules" / "default.rules"
    append_allow_prefix_rule(path, ["cargo", "install", 'we"ird é'])
    append_allow_prefix_rule(path, ["cargo", "install", 'we"ird é'])
    assert (
        path.read_text()
        == 'prefix_rule(pattern=["cargo", "install", "we\\"ird é"], decision="allow")\n'
    )
    policy = load_policies([path])
    (match,) = policy.matches_for_command(["cargo", "install", 'we"ird é', "x"])
    assert match.decision is Decision.ALLOW


def test_adds_missing_newline_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "default.rules"
    path.write_text('prefix_rule(pattern=["ls"])')
    append_allow_prefix_rule(path, ["pwd"])
    assert path.read_text().splitlines() == [
        'prefix_rule(pattern=["ls"])',
        'prefix_rule(pattern=["pwd"], decision="allow")',
    ]


def test_network_rule_line(tmp_path: Path) -> None:
    path = tmp_path / "default.rules"
    append_network_rule(
        path, "Example.COM:443", NetworkRuleProtocol.HTTPS, Decision.FORBIDDEN, "blocked"
    )
    assert path.read_text() == (
        'network_rule(host="example.com", protocol="https", decision="deny", justification="blocked")\n'
    )
    policy = load_policies([path])
    assert policy.compiled_network_domains() == ([], ["example.com"])


def test_rejects_empty_prefix_and_bad_host(tmp_path: Path) -> None:
    with pytest.raises(AmendError, match="at least one token"):
        append_allow_prefix_rule(tmp_path / "d.rules", [])
    with pytest.raises(
        AmendError, match="invalid network rule: invalid rule: network_rule host must be"
    ):
        append_network_rule(
            tmp_path / "d.rules", "https://x", NetworkRuleProtocol.HTTP, Decision.ALLOW
        )
