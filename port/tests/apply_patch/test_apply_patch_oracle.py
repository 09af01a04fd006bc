"""Differential test against the real ``apply_patch`` (codex 0.169.0).

A seeded generator builds small workspaces (LF/CRLF/unterminated/non-UTF-8
files, in-workspace symlinks) and patches that are mostly plausible with some
damage (stray markers, padding, blank lines, heredoc wrappers); the port and the
Rust binary must produce the same exit code, stdout, stderr and final tree.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from ap_test_helpers import tree
from pycodex.apply_patch.cli import run as run_cli

pytestmark = pytest.mark.oracle

LINES = [
    "a",
    "b",
    "c",
    "foo",
    "bar",
    "",
    "  indented",
    "x = 1",
    "na\u00efve \u2013 dash",
    "tail  ",
    "\tTab",
    "@@",
    "*** End of File",
    "+plus",
    "-minus",
    " space",
]
PATHS = [
    "f.txt",
    "g.txt",
    "dir/h.txt",
    "dir/sub/i.txt",
    "./f.txt",
    "dir/../g.txt",
    "new/deep/n.txt",
    "f.txt/",
    "dir",
    "lnk",
    "lnkdir/h.txt",
]
JUNK = [
    "",
    " ",
    "\t",
    "*** End of File",
    "*** End of File ",
    "@@",
    "@@  ",
    " @@",
    "*** Move to: f.txt",
    "*** Move to: ",
    "*** Foo",
    "*** End Patch",
    " *** End Patch",
    "*** End Patch ",
    "garbage",
    " *** Add File: g.txt",
    "  *** Update File: f.txt",
    "*** Delete File: g.txt",
    "-a",
    "+q",
    "*** Environment ID: e1",
    "*** Environment ID:",
    "+x\r",
]


def gen_file(rng: random.Random) -> bytes:
    lines = [rng.choice(LINES) for _ in range(rng.randint(0, 6))]
    sep = rng.choice(["\n"] * 6 + ["\r\n", "\r"])
    text = sep.join(lines)
    if lines and rng.random() < 0.85:
        text += sep
    data = text.encode()
    return data + b"\xff" if rng.random() < 0.03 else data


def gen_workspace(rng: random.Random, ws: Path) -> None:
    for rel in ["f.txt", "g.txt", "dir/h.txt", "dir/sub/i.txt"]:
        if rng.random() < 0.75:
            path = ws / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gen_file(rng))
    if rng.random() < 0.3:
        (ws / "lnk").symlink_to(rng.choice(["f.txt", "g.txt", "missing.txt", "dir"]))
    if rng.random() < 0.2:
        (ws / "lnkdir").symlink_to(rng.choice(["dir", "nodir"]))


def file_lines(ws: Path, rel: str) -> list[str]:
    try:
        return (ws / rel).read_bytes().decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    except OSError:
        return []


def gen_chunk(rng: random.Random, lines: list[str]) -> list[str]:
    out: list[str] = []
    r = rng.random()
    if r < 0.5:
        out.append("@@")
    elif r < 0.75:
        out.append("@@ " + (rng.choice(lines) if lines else "q"))
    if lines and rng.random() < 0.8:
        i = rng.randrange(len(lines))
        for line in lines[i : i + rng.randint(1, 3)]:
            if rng.random() < 0.1:
                line += " "
            kind = rng.random()
            if kind < 0.4:
                out.append(" " + line)
            elif kind < 0.8:
                out.append("-" + line)
            else:
                out += ["-" + line, "+" + rng.choice(LINES)]
    out += ["+" + rng.choice(LINES) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.15:
        out.append("*** End of File")
    return out


def gen_patch(rng: random.Random, ws: Path) -> str:
    body: list[str] = []
    for _ in range(rng.randint(0, 3)):
        t = rng.random()
        path = rng.choice(PATHS)
        if t < 0.3:
            body.append("*** Add File: " + path)
            body += ["+" + rng.choice(LINES) for _ in range(rng.randint(0, 3))]
        elif t < 0.45:
            body.append("*** Delete File: " + path)
        else:
            body.append("*** Update File: " + path)
            if rng.random() < 0.2:
                body.append("*** Move to: " + rng.choice(PATHS))
            lines = file_lines(ws, path)
            for n in range(rng.randint(1, 3)):
                chunk = gen_chunk(rng, lines)
                if n == 0 and chunk[:1] == ["@@"] and rng.random() < 0.3:
                    chunk = chunk[1:]
                body += chunk
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        body.insert(rng.randint(0, len(body)), rng.choice(JUNK))
    lines = ["*** Begin Patch", *body, "*** End Patch"]
    if rng.random() < 0.05:
        lines[0] = " *** Begin Patch "
    if rng.random() < 0.05:
        lines.append("*** End Patch")
    if rng.random() < 0.05:
        lines = ["<<'EOF'", *lines, "EOF"]
    sep = rng.choice(["\n"] * 17 + ["\r\n", "\r\r\n", "\n\r"])
    text = sep.join(lines)
    return text + sep if rng.random() < 0.5 else text


@pytest.mark.parametrize("seed", range(8))
def test_port_matches_rust_on_generated_patches(
    seed: int, tmp_path: Path, apply_patch_oracle
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(1000 + seed)
    failures: list[str] = []
    for case in range(40):
        rust_ws = tmp_path / f"rust{case}"
        py_ws = tmp_path / f"py{case}"
        rust_ws.mkdir()
        gen_workspace(rng, rust_ws)
        shutil.copytree(rust_ws, py_ws, symlinks=True)
        patch = gen_patch(rng, rust_ws)
        rust = apply_patch_oracle.run([patch], rust_ws)
        old = os.getcwd()
        os.chdir(py_ws)
        try:
            code, out, err = run_cli([patch])
        finally:
            os.chdir(old)
        want = (rust.code, rust.stdout, rust.stderr.replace(str(rust_ws), "<ws>"))
        got = (code, out, err.replace(str(py_ws), "<ws>"))
        if want != got or tree(rust_ws) != tree(py_ws):
            failures.append(f"{patch!r}\n  rust: {want!r}\n  port: {got!r}")
    assert failures == []
