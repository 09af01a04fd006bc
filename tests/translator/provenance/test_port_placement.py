"""The real port, the real module map and real upstream commits agree on placement.

- ``ferry provenance check`` passes over the whole port (the CI gate for markers);
- every module the module map or an override names without placeholders exists in ``port/``;
- a plan for a real upstream commit touching each ported crate puts every changed item that
  has a counterpart on that counterpart, creates no module, and decides every item.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from translator.config import load_config
from translator.diff.engine import diff_range
from translator.plan import build_plan, existing_modules
from translator.provenance import ProvenanceIndex

REPO = Path(__file__).resolve().parents[3]
_MAIN = "import sys; from ferry.cli import main; sys.argv[0] = 'ferry'; main()"
PORT = REPO / "port"

#: commit -> {changed Rust item: the Python symbol holding its counterpart}
REAL_COMMITS: dict[str, dict[str, str]] = {
    # apply-patch: update-chunk application
    "9e91e49edb": {
        "codex_apply_patch::derive_new_contents_from_chunks": (
            "pycodex.apply_patch.update.derive_new_contents"
        ),
    },
    # execpolicy (and core's exec_policy): evaluation of matched rules
    "ddae70bd62": {
        "codex_execpolicy::policy::Evaluation::from_matches": (
            "pycodex.execpolicy.policy.Evaluation.from_matches"
        ),
        "codex_core::exec_policy::render_decision_for_unmatched_command": (
            "pycodex.execpolicy.approval.render_decision_for_unmatched_command"
        ),
    },
    # exec: the human output's final message
    "6604608bad": {
        "codex_exec::event_processor_with_human_output::<EventProcessorWithHumanOutput as "
        "EventProcessor>::print_final_output": "pycodex.exec.output.HumanPrinter.final_message",
    },
    # core tools: the apply_patch handler (a trait-impl method linked as Type::method)
    "56d0c6bf67": {
        "codex_core::tools::handlers::apply_patch::<ApplyPatchHandler as ToolHandler>::handle": (
            "pycodex.tools.handlers.ToolRouter.apply_patch"
        ),
    },
    # linux-sandbox: bubblewrap filesystem arguments
    "603b6493a9": {
        "codex_linux_sandbox::bwrap::create_filesystem_args": (
            "pycodex.sandbox.bwrap.create_filesystem_args"
        ),
    },
    # protocol: writable roots of a sandbox policy
    "895e2d056f": {
        "codex_protocol::protocol::SandboxPolicy::get_writable_roots_with_cwd": (
            "pycodex.sandbox.policy.SandboxPolicy.writable_roots_for"
        ),
    },
}


def test_provenance_check_passes_over_the_whole_port() -> None:
    """The CI gate: runs the command a user runs (with the upstream mirror when present)."""
    script = Path(sys.executable).parent / "ferry"
    command = [str(script)] if script.exists() else [sys.executable, "-c", _MAIN]
    proc = subprocess.run(
        [*command, "provenance", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "provenance check: ok;" in proc.stderr
    counts = re.search(r"(\d+) public symbols in (\d+) modules: (\d+) linked", proc.stderr)
    assert counts is not None and int(counts[1]) >= 400 and int(counts[3]) >= 300


def test_module_map_targets_exist_in_the_port() -> None:
    config, _ = load_config(REPO / "ferry.toml")
    modules = existing_modules(PORT)
    fixed = [m for m in config.module_map.values() if "{" not in m]
    fixed += list(config.overrides.values())
    missing = sorted(m for m in fixed if m not in modules)
    assert missing == [], f"ferry.toml names modules port/ does not have: {missing}"
    # the placements the issue found broken
    assert "pycodex.apply_patch" in modules and "pycodex.tools.handlers" in fixed
    assert "pycodex.client.responses" in fixed and "pycodex.tools.apply_patch" not in fixed


@pytest.mark.parametrize("commit", sorted(REAL_COMMITS))
def test_real_commit_lands_on_existing_counterparts(
    commit: str, upstream_git: Path, tmp_path: Path
) -> None:
    try:
        changeset = diff_range(upstream_git, f"{commit}^", commit, "codex-rs")
    except Exception as exc:  # a mirror without this commit
        pytest.skip(f"the mirror at {upstream_git} cannot diff {commit}: {exc}")
    config, _ = load_config(REPO / "ferry.toml")
    modules = existing_modules(PORT)
    with ProvenanceIndex(tmp_path / "provenance.sqlite") as index:
        assert index.rebuild(PORT, ["pycodex"]) > 300
        plan = build_plan(changeset, config, index, target_root=PORT, backend="llm")
    placed = {
        item.qualified_path: f"{unit.python_module}.{item.python_symbol}"
        for unit in plan.units
        for item in unit.items
    }
    for rust, python in REAL_COMMITS[commit].items():
        assert placed.get(rust) == python, (rust, placed.get(rust), plan.pending)
    for unit in plan.units:
        assert unit.python_module in modules and not unit.new_module
        for item in unit.items:
            for counterpart in item.counterparts:
                assert counterpart.python_module in modules
            if item.counterparts:
                assert unit.python_module == item.counterparts[0].python_module
    decided = len(placed) + len(plan.pending) + len(plan.declined)
    assert decided == len(changeset.items)
    assert all(p.reason and p.code for p in plan.pending)
    assert all(d.reason and d.rule for d in plan.declined)
