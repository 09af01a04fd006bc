"""ChangeSets from small git repositories: statuses, change kinds, renames, moves, glue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ferry_diff_helpers import RustRepo

from translator.changeset import ChangedItem, ChangeSet
from translator.diff.cli import diff as diff_command
from translator.diff.engine import diff_range, iter_commit_changesets, parse_range

BASE = """
use std::fmt;

/// Adds.
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[derive(Debug)]
pub struct Config {
    pub name: String,
}

impl Config {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

pub fn helper(x: u32) -> u32 {
    let doubled = x * 2;
    doubled + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add(1, 2), 3);
    }
}
"""


def _by_path(changeset: ChangeSet) -> dict[str, ChangedItem]:
    return {item.qualified_path: item for item in changeset.items if item.status != "shifted"}


def _change(tmp_path: Path, new_text: str, old_text: str = BASE) -> ChangeSet:
    repo = RustRepo(tmp_path / "repo")
    repo.commit({"src/lib.rs": "pub mod conf;\n", "src/conf.rs": old_text}, "base")
    head = repo.commit({"src/conf.rs": new_text})
    base, head = parse_range(repo.root, head)
    changeset = diff_range(repo.root, base, head, "")
    assert changeset.coverage() == 1.0
    return changeset


@pytest.mark.parametrize(
    ("old", "new", "path", "kind"),
    [
        ("    a + b\n", "    a.wrapping_add(b)\n", "demo_core::conf::add", "body"),
        (
            "pub fn add(a: u32, b: u32)",
            "pub fn add(a: u64, b: u32)",
            "demo_core::conf::add",
            "signature",
        ),
        ("/// Adds.\n", "/// Adds two numbers.\n", "demo_core::conf::add", "doc-only"),
        (
            "#[derive(Debug)]\n",
            "#[derive(Debug, Clone)]\n",
            "demo_core::conf::Config",
            "attribute-only",
        ),
        ("    a + b\n", "    // sum\n    a + b\n", "demo_core::conf::add", "format-only"),
        (
            "assert_eq!(add(1, 2), 3);",
            "assert_eq!(add(2, 2), 4);",
            "demo_core::conf::tests::adds",
            "test-only",
        ),
        (
            "        &self.name\n",
            "        self.name.as_str()\n",
            "demo_core::conf::Config::name",
            "body",
        ),
        (
            'write!(f, "{}", self.name)',
            'write!(f, "<{}>", self.name)',
            "demo_core::conf::<Config as fmt::Display>::fmt",
            "body",
        ),
        (
            "pub name: String,",
            "pub name: String,\n    pub id: u64,",
            "demo_core::conf::Config",
            "body",
        ),
    ],
)
def test_change_kinds(tmp_path: Path, old: str, new: str, path: str, kind: str) -> None:
    assert old in BASE
    changeset = _change(tmp_path, BASE.replace(old, new, 1))
    items = _by_path(changeset)
    assert list(items) == [path]
    assert items[path].status == "modified"
    assert items[path].change_kind == kind
    assert items[path].old_hash is not None and items[path].new_hash is not None
    if kind in ("doc-only", "format-only"):
        assert items[path].old_hash == items[path].new_hash
    else:
        assert items[path].old_hash != items[path].new_hash


def test_method_change_does_not_report_its_impl(tmp_path: Path) -> None:
    changeset = _change(tmp_path, BASE.replace("&self.name\n", "self.name.as_ref()\n"))
    assert "demo_core::conf::<impl Config>" not in _by_path(changeset)


def test_added_and_removed_items_and_glue(tmp_path: Path) -> None:
    new = BASE.replace("use std::fmt;\n", "use std::fmt;\nuse std::io;\n// a note\n")
    new = new.replace(BASE[BASE.index("pub fn helper") : BASE.index("#[cfg(test)]")], "")
    new += "\npub const LIMIT: usize = 4;\n"
    changeset = _change(tmp_path, new)
    items = _by_path(changeset)
    assert items["demo_core::conf::helper"].status == "removed"
    assert items["demo_core::conf::helper"].change_kind == "deleted"
    assert items["demo_core::conf::helper"].old_text is not None
    assert items["demo_core::conf::LIMIT"].status == "added"
    assert items["demo_core::conf::LIMIT"].new_text == "pub const LIMIT: usize = 4;"
    (rust,) = [f for f in changeset.files if f.file_kind == "rust"]
    assert rust.glue_lines_added[:2] == (2, 3)  # the use and the comment


def test_rename_keeps_the_body_hash(tmp_path: Path) -> None:
    changeset = _change(tmp_path, BASE.replace("pub fn helper(", "pub fn assist("))
    (item,) = _by_path(changeset).values()
    assert item.status == "renamed"
    assert item.qualified_path == "demo_core::conf::assist"
    assert item.old_qualified_path == "demo_core::conf::helper"
    assert item.change_kind == "signature"


def test_move_between_files_and_file_renames(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    helper = BASE[BASE.index("pub fn helper") : BASE.index("#[cfg(test)]")]
    repo.commit(
        {
            "src/lib.rs": "pub mod conf;\npub mod util;\n",
            "src/conf.rs": BASE,
            "src/util.rs": "pub fn other() {}\n",
        }
    )
    moved = repo.commit(
        {"src/conf.rs": BASE.replace(helper, ""), "src/util.rs": "pub fn other() {}\n\n" + helper}
    )
    changeset = diff_range(repo.root, *parse_range(repo.root, moved), "")
    (item,) = _by_path(changeset).values()
    assert (item.status, item.change_kind) == ("moved", "position-only")
    assert item.file == "src/util.rs" and item.old_file == "src/conf.rs"
    assert item.qualified_path == "demo_core::util::helper"
    assert item.lines_removed and item.lines_added
    assert changeset.coverage() == 1.0

    renamed = repo.mv("src/util.rs", "src/tools/util.rs")
    changeset = diff_range(repo.root, *parse_range(repo.root, renamed), "")
    statuses = {i.qualified_path: (i.status, i.old_qualified_path) for i in changeset.items}
    assert statuses["demo_core::tools::util::helper"] == ("moved", "demo_core::util::helper")
    (file,) = changeset.files
    assert (file.status, file.old_path) == ("renamed", "src/util.rs")


def test_reordering_is_reported_as_shifted_only(tmp_path: Path) -> None:
    helper = BASE[BASE.index("pub fn helper") : BASE.index("#[cfg(test)]")]
    new = BASE.replace(helper, "").replace("/// Adds.", helper + "/// Adds.")
    changeset = _change(tmp_path, new)
    assert _by_path(changeset) == {}
    assert {i.status for i in changeset.items} == {"shifted"}
    assert {i.change_kind for i in changeset.items} == {"position-only"}


def test_parse_errors_and_non_rust_files_are_listed(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    repo.commit({"src/lib.rs": "pub fn ok() {}\n"})
    head = repo.commit(
        {
            "src/lib.rs": "pub fn ok() {}\n\npub fn broken( {\n",
            "Cargo.toml": '[package]\nname = "demo-core"\nversion = "0.2.0"\n',
            "schema/config.schema.json": "{}\n",
            "README.md": "# demo\n",
            "src/prompts/system.md": "You are a helper.\n",
            "assets/logo.txt": "logo\n",
        }
    )
    changeset = diff_range(repo.root, *parse_range(repo.root, head), "")
    kinds = {f.path: f.file_kind for f in changeset.files}
    assert kinds == {
        "Cargo.toml": "cargo",
        "README.md": "markdown",
        "assets/logo.txt": "other",
        "schema/config.schema.json": "json-schema",
        "src/lib.rs": "rust",
        "src/prompts/system.md": "prompt",
    }
    (rust,) = [f for f in changeset.files if f.file_kind == "rust"]
    assert rust.parse_error is not None and "line 3" in rust.parse_error
    assert changeset.coverage() == 1.0


def test_per_commit_history_and_the_cli(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    first = repo.commit({"src/lib.rs": "pub fn a() -> u8 { 1 }\n"})
    repo.commit({"src/lib.rs": "pub fn a() -> u8 { 2 }\n"})
    head = repo.commit({"src/lib.rs": "pub fn a() -> u8 { 2 }\npub fn b() {}\n"})
    per_commit = list(iter_commit_changesets(repo.root, [head], ""))
    assert [i.qualified_path for i in per_commit[0].items] == ["demo_core::b"]

    out = tmp_path / "cs.json"
    result = CliRunner().invoke(
        diff_command, [f"{first}..{head}", "--repo", str(repo.root), "--json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["format"] == "ferry.changeset/1"
    assert {i["qualified_path"]: i["status"] for i in data["items"]} == {
        "demo_core::a": "modified",
        "demo_core::b": "added",
    }
    assert len(data["commits"]) == 2
    bad = CliRunner().invoke(diff_command, ["nope..HEAD", "--repo", str(repo.root)])
    assert bad.exit_code != 0 and "nope" in bad.output


def test_default_range_is_pin_to_sync_target(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "upstream")
    pin = repo.commit(
        {
            "codex-rs/core/Cargo.toml": '[package]\nname = "codex-core"\n',
            "codex-rs/core/src/lib.rs": "pub fn a() {}\n",
        }
    )
    repo.commit({"codex-rs/core/src/lib.rs": "pub fn a() {}\npub fn b() {}\n"})
    project = tmp_path / "project"
    project.mkdir()
    config = project / "ferry.toml"
    config.write_text(
        f'[upstream]\nurl = "{repo.root}"\ncheckout = "{repo.root}"\nsubtree = "codex-rs"\n'
    )
    (project / "ferry.lock").write_text(
        json.dumps({"url": "u", "branch": "main", "commit": pin, "updated": "now"})
    )
    result = CliRunner().invoke(diff_command, ["--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["base"] == pin
    assert [i["qualified_path"] for i in data["items"]] == ["codex_core::b"]
    (project / "ferry.lock").unlink()
    unpinned = CliRunner().invoke(diff_command, ["--config", str(config)])
    assert unpinned.exit_code != 0 and "no pin" in unpinned.output


def test_path_attribute_test_modules_get_their_declared_path(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    parent = 'pub fn run() {}\n\n#[cfg(test)]\n#[path = "runner_tests.rs"]\nmod tests;\n'
    repo.commit(
        {
            "src/lib.rs": "pub mod runner;\n",
            "src/runner.rs": parent,
            "src/runner_tests.rs": "#[test]\nfn runs() {\n    run();\n}\n",
        }
    )
    head = repo.commit({"src/runner_tests.rs": "#[test]\nfn runs() {\n    run();\n    run();\n}\n"})
    changeset = diff_range(repo.root, *parse_range(repo.root, head), "")
    (item,) = changeset.items
    assert item.qualified_path == "demo_core::runner::tests::runs"
    assert (item.change_kind, item.is_test) == ("test-only", True)
