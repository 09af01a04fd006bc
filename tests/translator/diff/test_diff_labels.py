"""Diff labels found wrong on real upstream commits (issue 13), each on a small history and,
when the upstream mirror is present, on the real commit that showed it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ferry_diff_helpers import RustRepo

from translator.changeset import ChangedItem, ChangeSet
from translator.diff.engine import diff_range, parse_range

MIRROR = Path(os.environ.get("FERRY_UPSTREAM_CHECKOUT", "/work/.mirror/jiangshengdev+codex/repo"))


def _diff(repo: RustRepo, spec: str) -> ChangeSet:
    base, head = parse_range(repo.root, spec)
    changeset = diff_range(repo.root, base, head, "")
    assert changeset.coverage() == 1.0
    return changeset


def _items(changeset: ChangeSet) -> dict[str, ChangedItem]:
    return {i.qualified_path: i for i in changeset.items if i.status != "shifted"}


# -------------------------------------------------------------------- test-support crates

COMMON_TOML = """
[package]
name = "core_test_support"
version = "0.1.0"

[lib]
path = "lib.rs"
"""


def test_test_support_crates_are_named_by_their_package(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo", crate="unused")
    (repo.root / "Cargo.toml").unlink()
    repo.commit(
        {
            "core/Cargo.toml": '[package]\nname = "codex-core"\n',
            "core/src/lib.rs": "pub fn run() {}\n",
            "core/tests/all.rs": "mod suite;\n",
            "core/tests/suite/mod.rs": "mod exec;\n",
            "core/tests/suite/exec.rs": "#[test]\nfn runs() {}\n",
        }
    )
    # the support crate and its manifest arrive in one commit (the manifest is new)
    first = repo.commit(
        {
            "core/tests/common/Cargo.toml": COMMON_TOML,
            "core/tests/common/lib.rs": "pub fn start_server() {}\n",
            "core/tests/common/responses.rs": "pub fn mount() {}\n",
        }
    )
    items = _items(_diff(repo, first))
    assert {"core_test_support::start_server", "core_test_support::responses::mount"} <= set(items)
    assert not any("tests::common" in path for path in items)
    second = repo.commit(
        {
            "core/tests/common/lib.rs": "pub fn start_server() {}\npub fn fetch_file() {}\n",
            "core/tests/common/responses.rs": "pub fn mount() { let _ = 1; }\n",
            "core/tests/suite/exec.rs": "#[test]\nfn runs() { assert!(true); }\n",
        }
    )
    items = _items(_diff(repo, second))
    assert items["core_test_support::fetch_file"].status == "added"
    assert items["core_test_support::responses::mount"].status == "modified"
    # the crate's own integration tests keep their place
    assert items["codex_core::tests::suite::exec::runs"].change_kind == "test-only"


# -------------------------------------------------------------------- docs on fields

SCHEMA = """
use schemars::JsonSchema;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanArgs {
    #[serde(default)]
    pub explanation: Option<String>,
    pub plan: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub enum StepStatus {
    Pending,
    Completed,
}
"""


def test_doc_comments_on_fields_and_variants_are_doc_changes(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    repo.commit({"src/lib.rs": SCHEMA})
    documented = SCHEMA.replace(
        "    #[serde(default)]\n",
        "    /// Arguments for the `update_plan` tool.\n    #[serde(default)]\n",
    ).replace("    Pending,\n", "    /// Not started.\n    Pending,\n")
    head = repo.commit({"src/lib.rs": documented})
    items = _items(_diff(repo, head))
    assert items["demo_core::UpdatePlanArgs"].change_kind == "doc-only"
    assert items["demo_core::StepStatus"].change_kind == "doc-only"
    # a plain comment is still only formatting
    commented = documented.replace("    pub plan:", "    // the steps\n    pub plan:")
    head = repo.commit({"src/lib.rs": commented})
    assert _items(_diff(repo, head))["demo_core::UpdatePlanArgs"].change_kind == "format-only"


# -------------------------------------------------------------------- macro invocations

TABLE = """
macro_rules! client_request_definitions {
    ($($name:ident => $method:literal { params: $p:ty, response: $r:ty, },)*) => {};
}

client_request_definitions! {
    /// Start a thread.
    ThreadStart => "thread/start" {
        params: v2::ThreadStartParams,
        response: v2::ThreadStartResponse,
    },

    // listing
    ThreadList => "thread/list" {
        params: v2::ThreadListParams,
        response: v2::ThreadListResponse,
    },
}

lazy_static! {
    static ref TOOLTIPS: Vec<&'static str> = RAW.lines().collect();
}

include!("generated.rs");
"""


def test_changes_inside_macro_invocations_are_items(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    repo.commit({"src/lib.rs": "pub mod common;\n", "src/common.rs": TABLE})
    changed = (
        TABLE.replace(
            "    // listing\n",
            '    McpServerRefresh => "config/mcpServer/reload" {\n'
            "        params: Option<()>,\n        response: v2::McpServerRefreshResponse,\n"
            "    },\n\n    // listing\n",
        )
        .replace("v2::ThreadListResponse", "v2::ThreadListPage")
        .replace("/// Start a thread.", "/// Start a new thread.")
        .replace(
            "RAW.lines().collect();\n",
            "RAW.lines().collect();\n    static ref ALL_TOOLTIPS: Vec<&'static str> = TOOLTIPS.clone();\n",
        )
        .replace('include!("generated.rs");', 'include!("generated_v2.rs");')
    )
    head = repo.commit({"src/common.rs": changed})
    changeset = _diff(repo, head)
    items = _items(changeset)
    table = "demo_core::common::client_request_definitions!{}"
    assert items[f"{table}::McpServerRefresh"].status == "added"
    assert items[f"{table}::McpServerRefresh"].item_kind == "macro_entry"
    assert items[f"{table}::ThreadList"].change_kind == "body"
    assert items[f"{table}::ThreadStart"].change_kind == "doc-only"
    assert items["demo_core::common::ALL_TOOLTIPS"].item_kind == "static"
    assert items["demo_core::common::ALL_TOOLTIPS"].status == "added"
    assert items["demo_core::common::include!{}"].item_kind == "macro_call"
    # the table itself did not change: no modified container
    assert table not in items
    # nothing inside the invocations is uncounted glue any more
    glue = [n for f in changeset.files for n in f.glue_lines_added]
    new_lines = (repo.root / "src/common.rs").read_text().splitlines()
    assert all(not new_lines[n - 1].strip() for n in glue), [new_lines[n - 1] for n in glue]


# -------------------------------------------------------------------- renames with edits

MODELS = """
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdditionalPermissions {
    pub fs_read: Vec<PathBuf>,
    pub fs_write: Vec<PathBuf>,
}

impl AdditionalPermissions {
    pub fn is_empty(&self) -> bool {
        self.fs_read.is_empty() && self.fs_write.is_empty()
    }
}

pub fn compute_totals(values: &[u64], limit: u64) -> u64 {
    let capped = values.iter().map(|v| (*v).min(limit));
    capped.sum()
}

pub fn unrelated_old(x: u64) -> u64 {
    x + 1
}
"""

USES = """
pub struct ShellParams {
    pub additional_permissions: Option<AdditionalPermissions>,
}

pub fn widen(p: &AdditionalPermissions) -> bool {
    p.is_empty()
}
"""


def test_renames_with_body_edits_are_renames(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    repo.commit(
        {
            "src/lib.rs": "pub mod models;\npub mod uses;\n",
            "src/models.rs": MODELS,
            "src/uses.rs": USES,
        }
    )
    new_models = (
        MODELS.replace("AdditionalPermissions", "PermissionProfile")
        .replace("    pub fs_read: Vec<PathBuf>,\n    pub fs_write: Vec<PathBuf>,\n",
                 "    pub network: Option<bool>,\n    pub file_system: Option<FileSystem>,\n")
        .replace("self.fs_read.is_empty() && self.fs_write.is_empty()",
                 "self.network.is_none() && self.file_system.is_none()")
        .replace("pub fn compute_totals(values: &[u64], limit: u64)",
                 "pub fn capped_total(values: &[u64], limit: u64, floor: u64)")
        .replace("capped.sum()", "capped.sum::<u64>().max(floor)")
        .replace("pub fn unrelated_old(x: u64) -> u64 {\n    x + 1\n}",
                 "pub fn brand_new(name: &str) -> String {\n    name.to_uppercase()\n}")
    )  # fmt: skip
    head = repo.commit(
        {"src/models.rs": new_models, "src/uses.rs": USES.replace("AdditionalPermissions", "PermissionProfile")}
    )  # fmt: skip
    items = _items(_diff(repo, head))
    renamed = {
        path: item.old_qualified_path for path, item in items.items() if item.status == "renamed"
    }
    assert renamed == {
        # the uses swap the name: a rename although the fields changed
        "demo_core::models::PermissionProfile": "demo_core::models::AdditionalPermissions",
        # its impl and methods follow the type
        "demo_core::models::<impl PermissionProfile>": "demo_core::models::<impl AdditionalPermissions>",
        "demo_core::models::PermissionProfile::is_empty": "demo_core::models::AdditionalPermissions::is_empty",
        # similar enough on its own
        "demo_core::models::capped_total": "demo_core::models::compute_totals",
    }  # fmt: skip
    # an unrelated function that went away and a new one are not paired
    assert items["demo_core::models::unrelated_old"].status == "removed"
    assert items["demo_core::models::brand_new"].status == "added"


def test_a_renamed_type_moved_to_another_file_keeps_its_link(tmp_path: Path) -> None:
    repo = RustRepo(tmp_path / "repo")
    tool = (
        "/// Parsed MCP tool metadata.\n#[derive(Debug, PartialEq)]\npub struct ParsedMcpTool {\n"
        "    pub description: String,\n    pub input_schema: JsonSchema,\n"
        "    pub output_schema: JsonValue,\n}\n\n"
        "pub fn parse_mcp_tool(tool: &Tool) -> Result<ParsedMcpTool, Error> {\n    todo()\n}\n"
    )
    repo.commit({"src/lib.rs": "pub mod mcp_tool;\n", "src/mcp_tool.rs": tool})
    definition = (
        "/// Parsed tool metadata.\n#[derive(Debug, PartialEq)]\npub struct ParsedToolDefinition {\n"
        "    pub description: String,\n    pub input_schema: JsonSchema,\n"
        "    pub output_schema: Option<JsonValue>,\n    pub defer_loading: bool,\n}\n"
    )
    head = repo.commit(
        {
            "src/lib.rs": "pub mod mcp_tool;\npub mod parsed_tool_definition;\n",
            "src/mcp_tool.rs": "pub fn parse_mcp_tool(tool: &Tool) -> Result<ParsedToolDefinition, Error> {\n    todo()\n}\n",
            "src/parsed_tool_definition.rs": definition,
        }
    )  # fmt: skip
    item = _items(_diff(repo, head))["demo_core::parsed_tool_definition::ParsedToolDefinition"]
    assert item.status == "renamed"
    assert item.old_qualified_path == "demo_core::mcp_tool::ParsedMcpTool"
    assert item.old_file == "src/mcp_tool.rs"


# -------------------------------------------------------------------- the real commits

REAL: list[tuple[str, str, str, str | None]] = [
    # (commit, qualified path, expected status/kind/item kind, old path)
    ("e8949f450", "core_test_support::fetch_dotslash_file", "added", None),
    ("ec4a2d07e", "codex_protocol::plan_tool::UpdatePlanArgs", "doc-only", None),
    ("3e91a95ce", "codex_app_server_protocol::protocol::common::client_request_definitions!{}::McpServerRefresh", "added", None),
    ("e6b93841c", "codex_app_server_protocol::protocol::common::server_request_definitions!{}::PermissionsRequestApproval", "added", None),
    ("eaf78e43f", "codex_app_server_protocol::protocol::common::client_request_definitions!{}::ThreadTurnsList", "added", None),
    ("ac6ba286a", "codex_tui::tooltips::ALL_TOOLTIPS", "added", None),
    ("16ca527c8", "codex_protocol::models::PermissionProfile", "renamed", "codex_protocol::models::AdditionalPermissions"),
    ("617475e54", "codex_tools::parsed_tool_definition::ParsedToolDefinition", "renamed", "codex_tools::mcp_tool::ParsedMcpTool"),
]  # fmt: skip


@pytest.mark.parametrize(("commit", "path", "expected", "old_path"), REAL, ids=[r[0] for r in REAL])
def test_the_real_commit(commit: str, path: str, expected: str, old_path: str | None) -> None:
    if not (MIRROR / "objects").is_dir() and not (MIRROR / ".git").exists():
        pytest.skip(f"no upstream checkout at {MIRROR} (set FERRY_UPSTREAM_CHECKOUT)")
    base, head = parse_range(MIRROR, commit)
    changeset = diff_range(MIRROR, base, head, "codex-rs", list_commits=False)
    assert changeset.coverage() == 1.0
    items = _items(changeset)
    assert path in items, sorted(p for p in items if path.rsplit("::", 1)[-1] in p)
    item = items[path]
    assert expected in (item.status, item.change_kind)
    assert item.old_qualified_path == old_path
    if commit == "e8949f450":
        assert not any("::tests::common::" in p for p in items)
