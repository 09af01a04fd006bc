"""Every Rust item of the upstream at one revision: what a provenance link may name.

Built with the Diff stage's extractor (the same qualified paths the ChangeSets carry) over
every ``.rs`` file of the subtree, plus enum variants (a Python class may render one), and
cached as JSON per revision under the state directory: the tree at a commit never changes.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from tree_sitter import Node, Tree

from ferry import __version__
from ferry.fsutil import write_text_atomic
from translator.diff.engine import SourceCache
from translator.diff.modpath import is_test_path, locate
from translator.diff.rust_items import Item, parse
from translator.errors import InputError
from translator.provenance import canonical_rust_path

INVENTORY_FORMAT = "ferry.rust-items/2"
_STRING = re.compile(rb'"((?:[^"\\\n]|\\.){6,200})"')
#: item kinds counted as portable (containers and tests are covered by their members)
PORTABLE_KINDS = frozenset(
    {
        "fn",
        "method",
        "struct",
        "enum",
        "union",
        "trait",
        "const",
        "static",
        "type_alias",
        "macro_rules",
    }
)


@dataclass(frozen=True)
class RustItem:
    path: str
    kind: str
    file: str
    line: int
    is_test: bool
    crate: str
    params: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.rsplit("::", 1)[-1]

    @property
    def portable(self) -> bool:
        return self.kind in PORTABLE_KINDS and not self.is_test


@dataclass
class RustInventory:
    """The items of one revision, addressable by qualified path or by its canonical key."""

    rev: str
    subtree: str
    items: list[RustItem]
    crates: dict[str, str]  # crate name -> crate directory
    modules: set[str] = field(default_factory=set)  # module paths of files (crate roots too)

    @cached_property
    def by_key(self) -> dict[str, list[RustItem]]:
        out: dict[str, list[RustItem]] = {}
        for item in self.items:
            out.setdefault(canonical_rust_path(item.path), []).append(item)
        return out

    def resolve(self, rust_path: str) -> list[RustItem]:
        """Items a link names: exact path, or ``Type::method`` for a trait-impl method."""
        return self.by_key.get(canonical_rust_path(rust_path), [])

    def exists(self, rust_path: str) -> bool:
        return bool(self.resolve(rust_path)) or canonical_rust_path(rust_path) in self.modules

    def in_crate(self, crate: str) -> list[RustItem]:
        return [i for i in self.items if i.crate == crate]


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise InputError(f"git {' '.join(args)} failed in {repo}: {message}")
    return proc.stdout.decode("utf-8", "replace")


def resolve_rev(repo: Path, rev: str) -> str | None:
    """The full commit sha of ``rev`` in ``repo`` (None when the commit is unknown there)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return proc.stdout.decode().strip() or None if proc.returncode == 0 else None


def is_git_repo(path: Path) -> bool:
    return path.exists() and (
        subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--git-dir"], capture_output=True, check=False
        ).returncode
        == 0
    )


def _details(node: Node | None, text: bytes, kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    params: list[str] = []
    if kind in ("fn", "method", "test_fn") and node is not None:
        parameters = node.child_by_field_name("parameters")
        for child in parameters.named_children if parameters is not None else ():
            if child.type == "parameter":
                pattern = child.child_by_field_name("pattern")
                if pattern is not None and pattern.text:
                    params.append(pattern.text.decode("utf-8", "replace").removeprefix("mut "))
            elif child.type == "self_parameter":
                params.append("self")
    literals = tuple(
        dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in _STRING.finditer(text))
    )[:40]
    return tuple(params), literals


def _node_of(tree: Tree, item: Item) -> Node | None:
    """The syntax node of ``item`` (its own span: after docs and attributes)."""
    node = tree.root_node.descendant_for_byte_range(item.node_start, item.end_byte)
    # the smallest node covering the span can be a child with the same extent
    while (
        node is not None
        and node.parent is not None
        and (node.parent.start_byte, node.parent.end_byte) == (node.start_byte, node.end_byte)
        and node.child_by_field_name("parameters") is None
        and node.child_by_field_name("body") is None
    ):
        node = node.parent
    return node


def _variants(node: Node | None, prefix: str) -> list[str]:
    body = node.child_by_field_name("body") if node is not None else None
    out: list[str] = []
    for child in body.named_children if body is not None else ():
        if child.type == "enum_variant":
            name = child.child_by_field_name("name")
            if name is not None and name.text:
                out.append(f"{prefix}::{name.text.decode()}")
    return out


def build_inventory(repo: Path, rev: str, subtree: str) -> RustInventory:
    """Parse every ``.rs`` file of ``subtree`` at ``rev`` (a few seconds for codex-rs)."""
    full = resolve_rev(repo, rev)
    if full is None:
        raise InputError(f"revision {rev} is not a commit of {repo}")
    listing = _git(repo, "ls-tree", "-r", full, "--", subtree or ".")
    cache = SourceCache(repo, subtree, size=4)
    items: list[RustItem] = []
    crates: dict[str, str] = {}
    modules: set[str] = set()
    try:
        for line in listing.splitlines():
            meta, _, path = line.partition("\t")
            if not path.endswith(".rs"):
                continue
            blob = meta.split()[2]
            crate, module = cache.module_of(full, path)
            crates.setdefault(crate, locate(path).crate_dir)
            modules.add(module)
            parsed = cache.parse(blob, full, path)
            if parsed is None:
                continue
            test_file = is_test_path(path)
            # Items keep byte spans, not syntax nodes (the Diff cache stores them without a
            # tree): parameters and enum variants are read from a tree of the same source.
            tree = parsed.tree if parsed.tree is not None else parse(parsed.source)
            for item in parsed.walk():
                node = _node_of(tree, item)
                params, literals = _details(node, item.text(parsed.source).encode(), item.kind)
                items.append(
                    RustItem(
                        item.path,
                        item.kind,
                        path,
                        item.start_line,
                        item.is_test or test_file,
                        crate,
                        params,
                        literals,
                    )
                )
                if item.kind == "enum":
                    items.extend(
                        RustItem(v, "variant", path, item.start_line, item.is_test, crate)
                        for v in _variants(node, item.path)
                    )
    finally:
        cache.close()
    return RustInventory(full, subtree, items, crates, modules)


def load_inventory(repo: Path, rev: str, subtree: str, cache_dir: Path | None) -> RustInventory:
    """The inventory of ``rev``, from ``cache_dir`` when it was built before."""
    full = resolve_rev(repo, rev)
    if full is None:
        raise InputError(f"revision {rev} is not a commit of {repo}")
    safe = PurePosixPath(subtree or "root").as_posix().replace("/", "_")
    cached = cache_dir / f"{full}-{safe}.json" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            if data.get("format") == INVENTORY_FORMAT:
                return RustInventory(
                    data["rev"],
                    data["subtree"],
                    [
                        RustItem(p, k, f, ln, t, c, tuple(pa), tuple(li))
                        for p, k, f, ln, t, c, pa, li in data["items"]
                    ],
                    dict(data["crates"]),
                    set(data["modules"]),
                )
        except (OSError, ValueError, KeyError, TypeError):
            pass  # an unreadable cache is rebuilt
    inventory = build_inventory(repo, full, subtree)
    if cached is not None:
        payload = {
            "format": INVENTORY_FORMAT,
            "ferry_version": __version__,
            "rev": inventory.rev,
            "subtree": subtree,
            "crates": inventory.crates,
            "modules": sorted(inventory.modules),
            "items": [
                [
                    i.path,
                    i.kind,
                    i.file,
                    i.line,
                    i.is_test,
                    i.crate,
                    list(i.params),
                    list(i.literals),
                ]
                for i in inventory.items
            ],
        }
        write_text_atomic(cached, json.dumps(payload, separators=(",", ":")))
    return inventory


def crates_of(paths: Iterable[str]) -> set[str]:
    return {p.split("::", 1)[0] for p in paths}
