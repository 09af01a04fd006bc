"""ferry track against local-path, file:// URL and submodule upstreams; tag merge-base logic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ferry_upstream_helpers import commit, git, make_upstream, write_config

from upstream.cli import ledger, run_track, track
from upstream.config import load_project
from upstream.errors import UpstreamError
from upstream.lock import read_lock
from upstream.repo import Upstream


@pytest.fixture
def upstream_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "upstream"
    return root, make_upstream(root)


def test_track_reports_new_commits_by_crate(
    tmp_path: Path, upstream_repo: tuple[Path, dict[str, str]]
) -> None:
    root, shas = upstream_repo
    config = write_config(tmp_path / "project", str(root))
    project = load_project(config)
    result = run_track(project, fetch=True, pin=shas["base"])
    lock = read_lock(project.lock_file)
    assert lock is not None and lock.commit == shas["base"]
    commits = result.range.commits
    # the commit outside the subtree is not listed; oldest first
    assert [c.sha for c in commits] == [shas["core"], shas["test"], shas["docs"], shas["tui"]]
    by_sha = {c.sha: c for c in commits}
    assert by_sha[shas["test"]].test_only and not by_sha[shas["core"]].test_only
    assert by_sha[shas["docs"]].doc_only
    assert by_sha[shas["tui"]].crates == ("core", "tui")
    crates = {c.crate: c for c in result.crates}
    assert crates["core"].commits == 3 and crates["core"].test_only == 1
    assert crates["tui"].commits == 1 and crates["docs"].doc_only == 1
    # lines are counted per crate, not per commit
    assert (crates["tui"].insertions, crates["tui"].deletions) == (1, 0)
    assert (crates["core"].insertions, crates["core"].deletions) == (1 + 2 + 1, 1)
    assert result.test_only_share == 0.25 and result.doc_only_share == 0.25
    assert result.newly_recorded == 4 and result.ledger["new"] == 4
    # a second run records nothing new; moving the pin shrinks the range
    again = run_track(project, fetch=True, pin=shas["docs"])
    assert again.newly_recorded == 0
    assert [c.sha for c in again.range.commits] == [shas["tui"]]


def test_file_url_upstream_and_json_cli(
    tmp_path: Path, upstream_repo: tuple[Path, dict[str, str]]
) -> None:
    root, shas = upstream_repo
    config = write_config(tmp_path / "project", root.as_uri())
    runner = CliRunner()
    result = runner.invoke(track, ["--config", str(config), "--pin", shas["tui"], "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["range"]["base"] == shas["tui"]
    assert data["range"]["commits"] == []
    # new upstream commits show up after a fetch
    new = commit(root, {"codex-rs/core/src/lib.rs": "pub fn z() {}\n"}, "core: z")
    result = runner.invoke(track, ["--config", str(config), "--json"])
    assert [c["sha"] for c in json.loads(result.output)["range"]["commits"]] == [new]
    table = runner.invoke(track, ["--config", str(config), "--no-fetch"])
    assert table.exit_code == 0 and "core" in table.output and "1 new commits" in table.output
    marked = runner.invoke(
        ledger, ["mark", "--config", str(config), new[:10], "skipped", "--reason", "n/a"]
    )
    assert marked.exit_code == 0, marked.output
    listed = runner.invoke(
        ledger, ["list", "--config", str(config), "--json", "--status", "skipped"]
    )
    assert [e["sha"] for e in json.loads(listed.output)] == [new]


def test_submodule_upstream(tmp_path: Path, upstream_repo: tuple[Path, dict[str, str]]) -> None:
    root, shas = upstream_repo
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    git(project_dir, "init", "-q", "-b", "main")
    git(
        project_dir,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(root),
        "vendor/upstream",
    )
    config = write_config(project_dir, str(root), checkout="vendor/upstream")
    project = load_project(config)
    assert (project.checkout / ".git").is_file()  # a submodule, not a plain clone
    result = run_track(project, fetch=True, pin=shas["docs"])
    assert [c.sha for c in result.range.commits] == [shas["tui"]]


def test_tag_pattern_syncs_at_the_merge_base(tmp_path: Path) -> None:
    root = tmp_path / "upstream"
    shas = make_upstream(root)
    # release branches forked at "test" and "tui"; the highest version decides
    git(root, "checkout", "-q", "-b", "release", shas["test"])
    old_tag_commit = commit(
        root, {"codex-rs/core/src/v.rs": "// 1\n"}, "release 1", "2024-01-01T00:00:00"
    )
    git(root, "tag", "rust-v0.1.0", old_tag_commit)
    git(root, "checkout", "-q", "main")
    git(root, "checkout", "-q", "-b", "release2", shas["tui"])
    new_tag_commit = commit(
        root, {"codex-rs/core/src/v.rs": "// 2\n"}, "release 2", "2024-02-01T00:00:00"
    )
    git(root, "tag", "-a", "rust-v0.2.0", "-m", "v2", new_tag_commit)
    git(root, "tag", "rust-v0.2.0-alpha.1", old_tag_commit)  # pre-release sorts below 0.2.0
    git(root, "tag", "other-v9", shas["core"])
    git(root, "checkout", "-q", "main")
    config = write_config(tmp_path / "project", str(root), tag_pattern="rust-v*")
    project = load_project(config)
    up = Upstream(project)
    up.fetch()
    target = up.sync_target()
    assert target.tag == "rust-v0.2.0"
    assert target.commit == shas["tui"]  # merge-base of the tag and main
    assert target.branch_head == shas["outside"]
    result = run_track(project, fetch=False, pin=shas["base"])
    assert result.range.head == shas["tui"] and result.range.tag == "rust-v0.2.0"

    missing = Upstream(load_project(write_config(tmp_path / "p2", str(root), tag_pattern="no-*")))
    missing.fetch()
    with pytest.raises(UpstreamError, match=r"no-\*.*tag_pattern"):
        missing.sync_target()


def test_bad_upstream_errors_name_the_setting(tmp_path: Path) -> None:
    config = write_config(tmp_path / "project", str(tmp_path / "nowhere"))
    result = CliRunner().invoke(track, ["--config", str(config)])
    assert result.exit_code != 0
    assert "upstream.url" in result.output and str(config) in result.output
    offline = CliRunner().invoke(track, ["--config", str(config), "--no-fetch"])
    assert offline.exit_code != 0 and "no upstream checkout" in offline.output


def test_bare_mirror_checkout(tmp_path: Path, upstream_repo: tuple[Path, dict[str, str]]) -> None:
    root, shas = upstream_repo
    mirror = tmp_path / "mirror.git"
    git(tmp_path, "clone", "-q", "--mirror", str(root), str(mirror))
    git(mirror, "config", "--unset", "core.bare")  # like a copied git dir: not marked bare
    config = write_config(tmp_path / "project", str(root), checkout=str(mirror))
    result = run_track(load_project(config), fetch=False, pin=shas["docs"])
    assert [c.sha for c in result.range.commits] == [shas["tui"]]
