"""Confinement: no patch, whatever its paths, ever writes outside the workspace root.

Each example builds a fresh sandbox directory holding ``root/`` (the workspace)
and ``outside/`` (what must never change), with symlinks from the root to the
outside (to a directory, to a file, absolute, dangling), then applies a
generated patch through every entry point. Afterwards everything but ``root/``
must be byte-for-byte as before.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from ap_test_helpers import tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycodex.apply_patch import (
    ApplyPatchError,
    PathEscapeError,
    apply_patch,
    apply_verified,
    maybe_parse_apply_patch_verified,
    verify_patch,
)
from pycodex.apply_patch.cli import run as run_cli


@contextmanager
def sandbox() -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory(prefix="ap-confine") as tmp:
        base = Path(os.path.realpath(tmp))
        root = base / "root"
        outside = base / "outside"
        (root / "sub").mkdir(parents=True)
        (outside / "dir").mkdir(parents=True)
        (outside / "secret.txt").write_text("secret\n")
        (outside / "dir" / "inner.txt").write_text("inner\n")
        (root / "x.txt").write_text("a\nb\nsecret\n")
        (root / "sub" / "y.txt").write_text("y\n")
        (root / "out_dir").symlink_to("../outside")
        (root / "out_file").symlink_to("../outside/secret.txt")
        (root / "abs_dir").symlink_to(outside / "dir")
        (root / "dangling_out").symlink_to("../outside/new.txt")
        (root / "dangling_deep").symlink_to("../outside/nodir/new.txt")
        (root / "in_dir").symlink_to("sub")
        (root / "loop").symlink_to("loop")
        (root / "sub" / "up").symlink_to("..")
        (root / "sub" / "upup").symlink_to("../..")
        yield base, root


def outside_state(base: Path) -> dict[str, bytes | str]:
    return {k: v for k, v in tree(base).items() if k != "root" and not k.startswith("root/")}


COMPONENTS = [
    "..",
    ".",
    "",
    "sub",
    "x.txt",
    "new.txt",
    "out_dir",
    "out_file",
    "abs_dir",
    "dangling_out",
    "dangling_deep",
    "in_dir",
    "loop",
    "up",
    "upup",
    "secret.txt",
    "dir",
    "inner.txt",
    "root",
    "outside",
]


@st.composite
def paths(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=5))
    prefix = draw(st.sampled_from(["", "", "", "/", "<base>/", "<base>/root/", "<base>/outside/"]))
    return prefix + "/".join(parts)


LINES = st.sampled_from(["a", "b", "secret", "y", "inner", "new", ""])


@st.composite
def hunks(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["add", "delete", "update", "move"]))
    path = draw(paths())
    if kind == "add":
        body = "".join(f"+{line}\n" for line in draw(st.lists(LINES, max_size=3)))
        return f"*** Add File: {path}\n{body}"
    if kind == "delete":
        return f"*** Delete File: {path}\n"
    old = draw(st.lists(LINES, min_size=0, max_size=2))
    new = draw(st.lists(LINES, min_size=0, max_size=2))
    chunk = "@@\n" + "".join(f"-{line}\n" for line in old) + "".join(f"+{line}\n" for line in new)
    if not old and not new:
        chunk += "+z\n"
    move = f"*** Move to: {draw(paths())}\n" if kind == "move" else ""
    return f"*** Update File: {path}\n{move}{chunk}"


@st.composite
def patches(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(hunks(), min_size=1, max_size=4)))
    return f"*** Begin Patch\n{body}*** End Patch\n"


def _apply_everywhere(patch: str, base: Path, root: Path, entry: str, cd: str) -> None:
    text = patch.replace("<base>", str(base))
    try:
        if entry == "apply":
            apply_patch(text, root)
        elif entry == "cwd-subdir":
            apply_patch(text, root / "sub", root=root)
        elif entry == "verify":
            apply_verified(verify_patch(text, root))
        elif entry == "shell":
            script = f"{cd}apply_patch <<'EOF'\n{text}EOF\n"
            verified = maybe_parse_apply_patch_verified(["bash", "-lc", script], root)
            if verified is not None:
                apply_verified(verified)
        else:
            old = os.getcwd()
            os.chdir(root)
            try:
                run_cli([text])
            finally:
                os.chdir(old)
    except ApplyPatchError:
        pass


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    patch=patches(),
    entry=st.sampled_from(["apply", "cwd-subdir", "verify", "shell", "cli"]),
    cd=st.sampled_from(["", "cd .. && ", "cd sub && ", "cd out_dir && ", "cd / && "]),
)
def test_no_patch_writes_outside_the_root(patch: str, entry: str, cd: str) -> None:
    with sandbox() as (base, root):
        before = outside_state(base)
        _apply_everywhere(patch, base, root, entry, cd)
        assert outside_state(base) == before


@settings(max_examples=200, deadline=None, database=None)
@given(patch=patches())
def test_rejected_patches_touch_nothing(patch: str) -> None:
    with sandbox() as (base, root):
        before = tree(base)
        try:
            apply_patch(patch.replace("<base>", str(base)), root)
        except PathEscapeError:
            assert tree(base) == before
        except ApplyPatchError:
            pass


@pytest.mark.parametrize(
    "path",
    [
        "../escape.txt",
        "sub/../../escape.txt",
        "<base>/outside/new.txt",
        "/tmp/ap-confinement-should-not-exist.txt",
        "out_dir/new.txt",
        "abs_dir/new.txt",
        "dangling_out",
        "sub/upup/outside/x.txt",
    ],
)
def test_escaping_adds_are_refused(path: str) -> None:
    with sandbox() as (base, root):
        before = tree(base)
        text = (
            f"*** Begin Patch\n*** Add File: {path.replace('<base>', str(base))}\n+x\n*** End Patch"
        )
        with pytest.raises(PathEscapeError) as info:
            apply_patch(text, root)
        assert "outside the workspace root" in str(info.value)
        assert tree(base) == before
        assert not Path("/tmp/ap-confinement-should-not-exist.txt").exists()


@pytest.mark.parametrize(
    "body",
    [
        "*** Update File: out_file\n@@\n-secret\n+pwned",
        "*** Delete File: out_dir/secret.txt",
        "*** Update File: x.txt\n*** Move to: out_dir/moved.txt\n@@\n-a\n+b",
        "*** Update File: out_dir/secret.txt\n*** Move to: stolen.txt\n@@\n-secret\n+x",
        "*** Add File: ok.txt\n+fine\n*** Add File: ../late.txt\n+x",
    ],
)
def test_other_escapes_are_refused_before_anything_is_written(body: str) -> None:
    with sandbox() as (base, root):
        before = tree(base)
        with pytest.raises(PathEscapeError):
            apply_patch(f"*** Begin Patch\n{body}\n*** End Patch", root)
        assert tree(base) == before


def test_inside_paths_through_symlinks_are_allowed() -> None:
    with sandbox() as (_base, root):
        result = apply_patch(
            "*** Begin Patch\n*** Add File: in_dir/z.txt\n+z\n*** Add File: sub/up/w.txt\n+w\n"
            f"*** Add File: {root}/abs.txt\n+a\n*** Delete File: out_file\n*** End Patch",
            root,
        )
        assert [c.kind for c in result.changes] == ["add", "add", "add", "delete"]
        assert (root / "sub" / "z.txt").read_text() == "z\n"
        assert (root / "w.txt").read_text() == "w\n"
        assert not (root / "out_file").is_symlink()  # the link itself is removed, not its target


def test_dot_dot_is_resolved_lexically_like_upstream() -> None:
    # Upstream normalises `in_dir/up/..` to `in_dir` before touching the disk,
    # so this lands in root/sub/outside/, not in the real outside/.
    with sandbox() as (base, root):
        before = outside_state(base)
        apply_patch(
            "*** Begin Patch\n*** Add File: in_dir/up/../outside/y.txt\n+x\n*** End Patch", root
        )
        assert (root / "sub" / "outside" / "y.txt").read_text() == "x\n"
        assert outside_state(base) == before


def test_cd_outside_the_root_is_refused() -> None:
    with sandbox() as (base, root):
        before = tree(base)
        script = "cd .. && apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: x.txt\n+x\n*** End Patch\nEOF\n"
        with pytest.raises(PathEscapeError):
            maybe_parse_apply_patch_verified(["bash", "-lc", script], root)
        assert tree(base) == before
