"""Property: over generated histories every changed line is attributed exactly once,
exactly the items a commit touched are reported (shifted items aside), renamed
functions (with or without body edits) are reported as renames, and a doc comment
added to or removed from a struct field is a doc-only change of the struct."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator.changeset import ChangeSet
from translator.diff.engine import iter_commit_changesets
from translator.diff.synth import generate_history

#: what the generator writes outside items: use lines, plain comments, blank lines
GLUE_LINE = re.compile(r"^\s*(use [^;]*;|//[^/].*|)$")


def _lines(root: Path, rev: str, path: str) -> list[str]:
    text = subprocess.run(
        ["git", "-C", str(root), "show", f"{rev}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return ["", *text.splitlines()]  # 1-based


def _check_owners(root: Path, changeset: ChangeSet) -> None:
    """Glue lines look like glue; item lines are lines of that item's text."""
    for f in changeset.files:
        if f.glue_lines_removed:
            old = _lines(root, changeset.base, f.old_path or f.path)
            assert all(GLUE_LINE.match(old[n]) for n in f.glue_lines_removed), f.path
        if f.glue_lines_added:
            new = _lines(root, changeset.head, f.path)
            assert all(GLUE_LINE.match(new[n]) for n in f.glue_lines_added), f.path
    for item in changeset.items:
        if item.lines_removed:
            old = _lines(root, changeset.base, item.old_file or item.file)
            assert item.old_text is not None
            for n in item.lines_removed:
                assert not GLUE_LINE.match(old[n]) and old[n].strip() in item.old_text
        if item.lines_added:
            new = _lines(root, changeset.head, item.file)
            assert item.new_text is not None
            for n in item.lines_added:
                assert not GLUE_LINE.match(new[n]) and new[n].strip() in item.new_text


def _check_partition(changeset: ChangeSet) -> None:
    removed_all: list[tuple[str, int]] = []
    added_all: list[tuple[str, int]] = []
    for f in changeset.files:
        removed_all += [(f.old_path or f.path, n) for n in f.glue_lines_removed]
        added_all += [(f.path, n) for n in f.glue_lines_added]
    for item in changeset.items:
        removed_all += [(item.old_file or item.file, n) for n in item.lines_removed]
        added_all += [(item.file, n) for n in item.lines_added]
        # attributed lines lie inside the item's own span
        if item.lines_removed:
            assert item.old_lines is not None
            assert all(item.old_lines[0] <= n <= item.old_lines[1] for n in item.lines_removed)
        if item.lines_added:
            assert item.new_lines is not None
            assert all(item.new_lines[0] <= n <= item.new_lines[1] for n in item.lines_added)
    # no line attributed twice
    assert len(removed_all) == len(set(removed_all))
    assert len(added_all) == len(set(added_all))
    # every changed line attributed
    assert len(removed_all) + len(added_all) == changeset.changed_lines()
    assert changeset.coverage() == 1.0


@settings(
    max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), commits=st.integers(2, 6))
def test_generated_histories_are_fully_and_exactly_attributed(seed: int, commits: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        history = generate_history(root, seed, commits)
        changesets = list(iter_commit_changesets(root, [c.sha for c in history], "crates"))
        assert [c.head for c in changesets] == [c.sha for c in history]
        for truth, changeset in zip(history, changesets, strict=True):
            _check_partition(changeset)
            _check_owners(root, changeset)
            reported: set[str] = set()
            for item in changeset.items:
                if item.status == "shifted":
                    # containers compare their own text only (children are items of their own)
                    assert item.old_hash == item.new_hash
                    if item.item_kind not in ("impl", "trait", "mod"):
                        assert item.old_text == item.new_text
                    continue
                reported.add(item.qualified_path)
                if item.old_qualified_path is not None:
                    reported.add(item.old_qualified_path)
            assert reported == set(truth.touched), truth.sha
            renames = {
                (i.old_qualified_path, i.qualified_path)
                for i in changeset.items
                if i.status == "renamed"
            }
            assert set(truth.renames) <= renames, truth.sha
            kinds = {i.qualified_path: i.change_kind for i in changeset.items}
            assert all(kinds[path] == "doc-only" for path in truth.doc_only), truth.sha
