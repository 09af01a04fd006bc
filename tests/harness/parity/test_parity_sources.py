"""SOURCES.md, the config key table and the allow-list stay consistent with the scenarios."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from harness.parity import sources
from harness.parity.allowlist import DEFAULT_ALLOWLIST, load_allowlist
from harness.parity.oracle import DEFAULT_SCENARIOS
from harness.parity.scenario import load_scenarios

ROOT = Path(__file__).resolve().parents[3]
MIRROR = Path(
    os.environ.get("FERRY_UPSTREAM_MIRROR", str(ROOT.parent / ".mirror/jiangshengdev+codex/repo"))
)
KEY_SUPPORT = ROOT / "port" / "pycodex" / "config" / "key_support.json"


def test_every_scenario_is_accounted_for_in_sources_md() -> None:
    text = sources.SOURCES_MD.read_text(encoding="utf-8")
    names = sources.scenario_names()
    listed = sources.listed_scenarios(text)
    assert names - listed == set(), "scenarios missing from SOURCES.md (regenerate it)"
    assert listed - names == set(), "SOURCES.md names scenarios that do not exist"


def test_the_suite_is_large_enough_and_loads() -> None:
    scenarios = load_scenarios(DEFAULT_SCENARIOS)
    assert len(scenarios) >= 150


def test_sources_md_is_regenerated_from_the_mirror() -> None:
    if not (MIRROR / "HEAD").exists():
        pytest.skip(f"upstream mirror not found at {MIRROR}")
    spec = yaml.safe_load(sources.SOURCES_YAML.read_text(encoding="utf-8"))
    rows = sources.build_rows(
        sources.upstream_tests(MIRROR, str(spec["revision"])), spec, sources.scenario_names()
    )
    expected = sources.render(rows, sources.scenario_names(), str(spec["revision"]))
    assert sources.SOURCES_MD.read_text(encoding="utf-8") == expected, (
        "run: python -m harness.parity.sources --mirror " + str(MIRROR)
    )


def test_a_test_with_neither_scenario_nor_reason_is_refused() -> None:
    with pytest.raises(Exception, match="no scenario and no reason"):
        sources.build_rows({"codex-rs/x.rs": ["orphan"]}, {"files": {}, "tests": {}}, set())


def test_honoured_config_keys_name_existing_scenarios() -> None:
    table = json.loads(KEY_SUPPORT.read_text(encoding="utf-8"))["keys"]
    names = sources.scenario_names()
    missing = {
        key: row["scenario"]
        for key, row in table.items()
        if row.get("scenario") and row["scenario"] not in names
    }
    assert not missing, f"key_support.json names scenarios that do not exist: {missing}"


def test_allowlist_entries_are_owned_or_explained_and_the_readme_shows_them() -> None:
    allowlist = load_allowlist(DEFAULT_ALLOWLIST)
    for entry in allowlist.entries:
        assert entry.owner or len(entry.reason) > 80, entry.label
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"allow-list ({len(allowlist.entries)} entries)" in readme
    for entry in allowlist.entries:
        assert f"`{entry.paths[0]}`" in readme, f"README does not list {entry.paths[0]}"
