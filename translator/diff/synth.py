"""Generate small Rust git histories with known item-level changes.

Used by the property tests (does every changed line land on exactly one item or
glue, and are exactly the touched items reported?) and by ``benchmarks/bench_diff.py``
(throughput on a reproducible history). Each commit applies a few random
mutations to a model of a crate and records which qualified paths it touched.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

CRATE_DIR = "crates/demo-core"
CRATE = "demo_core"
FILES = ("alpha", "beta", "gamma")
_GIT_ID = ("-c", "user.name=ferry", "-c", "user.email=ferry@example.invalid")


@dataclass
class _Fn:
    name: str
    body: list[str]
    doc: str | None = None
    inline: bool = False


@dataclass
class _Struct:
    name: str
    fields: list[str]
    methods: list[_Fn] = field(default_factory=list)
    field_doc: str | None = None  # a doc comment on the first field


@dataclass
class _Entry:
    """One entry of an RPC-style table invoked through a macro (``method_table! { ... }``)."""

    name: str
    method: str
    limit: int


@dataclass
class _File:
    uses: list[str] = field(default_factory=lambda: ["use std::collections::HashMap;"])
    # top-level entries in order: ("fn", _Fn) | ("struct", _Struct) | ("const", (name, value))
    # | ("comment", text)
    entries: list[tuple[str, object]] = field(default_factory=list)
    tests: list[_Fn] = field(default_factory=list)
    table: list[_Entry] = field(default_factory=list)  # method_table! { ... }
    statics: list[tuple[str, int]] = field(default_factory=list)  # lazy_static! { ... }


@dataclass(frozen=True, slots=True)
class SynthCommit:
    sha: str
    touched: frozenset[str]  # qualified paths added, removed, modified, renamed or moved
    renames: frozenset[tuple[str, str]] = frozenset()  # (old path, new path)
    doc_only: frozenset[str] = frozenset()  # items whose only change is a doc comment


@dataclass
class _Truth:
    """What one commit's mutations did, for the property tests to compare against."""

    touched: set[str] = field(default_factory=set)
    renames: set[tuple[str, str]] = field(default_factory=set)
    doc_only: set[str] = field(default_factory=set)


def _render_fn(f: _Fn, indent: str, sig: str) -> list[str]:
    lines = []
    if f.doc is not None:
        lines.append(f"{indent}/// {f.doc}")
    if f.inline:
        lines.append(f"{indent}#[inline]")
    lines.append(f"{indent}{sig} {{")
    lines.extend(f"{indent}    {b}" for b in f.body)
    lines.append(f"{indent}}}")
    return lines


def render(model: _File) -> str:
    out: list[str] = [*model.uses, ""]
    for kind, value in model.entries:
        if kind == "fn":
            assert isinstance(value, _Fn)
            out += _render_fn(value, "", f"pub fn {value.name}(x: u64) -> u64")
        elif kind == "struct":
            assert isinstance(value, _Struct)
            out.append("#[derive(Debug, Clone)]")
            out.append(f"pub struct {value.name} {{")
            for n, fld in enumerate(value.fields):
                if n == 0 and value.field_doc is not None:
                    out.append(f"    /// {value.field_doc}")
                out.append(f"    pub {fld}: u64,")
            out.append("}")
            if value.methods:
                out.append("")
                out.append(f"impl {value.name} {{")
                for i, m in enumerate(value.methods):
                    if i:
                        out.append("")
                    out += _render_fn(m, "    ", f"pub fn {m.name}(&self, x: u64) -> u64")
                out.append("}")
        elif kind == "const":
            assert isinstance(value, tuple)
            out.append(f"pub const {value[0]}: u64 = {value[1]};")
        else:
            out.append(f"// {value}")
        out.append("")
    if model.table:
        out.append("method_table! {")
        for n, entry in enumerate(model.table):
            if n:
                out.append("")
            out += [
                f'    {entry.name} => "{entry.method}" {{',
                "        params: u64,",
                f"        limit: {entry.limit},",
                "    },",
            ]
        out += ["}", ""]
    if model.statics:
        out.append("lazy_static! {")
        out += [f"    static ref {name}: u64 = {value} + 1;" for name, value in model.statics]
        out += ["}", ""]
    if model.tests:
        out += ["#[cfg(test)]", "mod tests {", "    use super::*;", ""]
        for i, t in enumerate(model.tests):
            if i:
                out.append("")
            out.append("    #[test]")
            out += _render_fn(t, "    ", f"fn {t.name}()")[0:]
        out.append("}")
    return "\n".join(out) + "\n"


class HistoryGenerator:
    """A random but reproducible sequence of commits to a three-module crate."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counter = 0
        self.files = {name: _File() for name in FILES}
        for name in FILES:
            for _ in range(self.rng.randint(2, 4)):
                self.files[name].entries.append(("fn", self._new_fn()))
            self.files[name].entries.append(("struct", self._new_struct()))
            self.files[name].entries.append(("const", (self._name("LIMIT").upper(), self._num())))
            self.files[name].tests = [self._new_fn("check") for _ in range(2)]
            self.files[name].table = [self._new_entry() for _ in range(2)]
            self.files[name].statics = [(self._name("LAZY").upper(), self._num())]

    def _num(self) -> int:
        self.counter += 1
        return self.counter * 7 + 3

    def _name(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def _new_fn(self, stem: str = "compute") -> _Fn:
        body = [f"let v{i} = x + {self._num()};" for i in range(self.rng.randint(1, 4))]
        body.append(f"v0 * {self._num()}")
        return _Fn(
            self._name(stem), body, doc="Computes a value." if self.rng.random() < 0.5 else None
        )

    def _new_entry(self) -> _Entry:
        self.counter += 1
        name = f"Method{self.counter}"
        return _Entry(name, f"demo/{name.lower()}", self._num())

    def _new_struct(self) -> _Struct:
        self.counter += 1
        name = f"Record{self.counter}"
        methods = [self._new_fn("get") for _ in range(self.rng.randint(1, 3))]
        return _Struct(name, [f"field_{self._num()}" for _ in range(2)], methods)

    def _path(self, file: str, *rest: str) -> str:
        return "::".join([CRATE, file, *rest])

    def mutate(self) -> _Truth:
        """Apply one to three mutations; return what they touched, renamed, re-documented."""
        truth = _Truth()
        busy: set[int] = set()
        for _ in range(self.rng.randint(1, 3)):
            self._mutation(truth, busy)
        return truth

    def _pick_fn(self, busy: set[int]) -> tuple[str, int, _Fn] | None:
        choices = [
            (f, i, v)
            for f, model in self.files.items()
            for i, (k, v) in enumerate(model.entries)
            if k == "fn" and isinstance(v, _Fn) and id(v) not in busy
        ]
        return self.rng.choice(choices) if choices else None

    def _mutation(self, truth: _Truth, busy: set[int]) -> None:
        touched = truth.touched
        op = self.rng.choice(
            [
                "body",
                "add",
                "remove",
                "rename",
                "rename_edit",
                "entry_add",
                "entry_edit",
                "entry_remove",
                "static_edit",
                "field_doc",
                "doc",
                "attr",
                "move",
                "use",
                "comment",
                "swap",
                "field",
                "method",
                "method_body",
                "test",
                "test_body",
            ]
        )
        file = self.rng.choice(FILES)
        model = self.files[file]
        if op in ("body", "remove", "rename", "rename_edit", "doc", "attr", "move"):
            picked = self._pick_fn(busy)
            if picked is None:
                return
            file, index, fn = picked
            model = self.files[file]
            busy.add(id(fn))
            path = self._path(file, fn.name)
            if op == "body":
                fn.body.insert(0, f"let w = x * {self._num()};")
            elif op == "remove":
                del model.entries[index]
            elif op in ("rename", "rename_edit"):
                fn.name = self._name("renamed")
                if op == "rename_edit":  # renamed and edited: still a rename (by similarity)
                    fn.body.insert(0, f"let w = x * {self._num()};")
                touched.add(self._path(file, fn.name))
                truth.renames.add((path, self._path(file, fn.name)))
            elif op == "doc":
                fn.doc = None if fn.doc is not None else f"Doc {self._num()}."
            elif op == "attr":
                fn.inline = not fn.inline
            else:
                target = self.rng.choice([f for f in FILES if f != file])
                del model.entries[index]
                self.files[target].entries.append(("fn", fn))
                touched.add(self._path(target, fn.name))
            touched.add(path)
        elif op == "add":
            fn = self._new_fn()
            busy.add(id(fn))
            model.entries.insert(self.rng.randint(0, len(model.entries)), ("fn", fn))
            touched.add(self._path(file, fn.name))
        elif op == "use":
            if len(model.uses) > 1 and self.rng.random() < 0.5:
                model.uses.pop()
            else:
                model.uses.append(f"use std::sync::atomic::AtomicU{self.rng.choice([8, 16, 32])};")
        elif op == "comment":
            model.entries.insert(
                self.rng.randint(0, len(model.entries)), ("comment", f"note {self._num()}")
            )
        elif op == "swap" and len(model.entries) >= 2:
            i = self.rng.randrange(len(model.entries) - 1)
            if any(id(v) in busy for _, v in model.entries[i : i + 2]):
                return
            model.entries[i], model.entries[i + 1] = model.entries[i + 1], model.entries[i]
        elif op in ("field", "method", "method_body"):
            structs = [v for k, v in model.entries if k == "struct" and isinstance(v, _Struct)]
            if not structs:
                return
            struct = self.rng.choice(structs)
            if op == "field" and id(struct) not in busy:
                busy.add(id(struct))
                struct.fields.append(f"field_{self._num()}")
                touched.add(self._path(file, struct.name))
            elif op == "method":
                method = self._new_fn("get")
                busy.add(id(method))
                struct.methods.append(method)
                touched.add(self._path(file, struct.name, method.name))
            elif op == "method_body":
                free = [m for m in struct.methods if id(m) not in busy]
                if free:
                    method = self.rng.choice(free)
                    busy.add(id(method))
                    method.body.insert(0, f"let w = x + {self._num()};")
                    touched.add(self._path(file, struct.name, method.name))
        elif op in ("entry_add", "entry_edit", "entry_remove"):
            table = model.table
            if op == "entry_add" or len(table) < 2:  # the table itself never disappears
                entry = self._new_entry()
                table.insert(self.rng.randint(0, len(table)), entry)
            else:
                entry = self.rng.choice(table)
                if id(entry) in busy:
                    return
                if op == "entry_edit":
                    entry.limit = self._num()
                else:
                    table.remove(entry)
            busy.add(id(entry))
            touched.add(self._path(file, "method_table!{}", entry.name))
        elif op == "static_edit" and model.statics:
            index = self.rng.randrange(len(model.statics))
            name, _value = model.statics[index]
            model.statics[index] = (name, self._num())
            touched.add(self._path(file, name))
        elif op == "field_doc":
            undocumented: list[_Struct] = [
                v
                for k, v in model.entries
                if k == "struct" and isinstance(v, _Struct) and id(v) not in busy
            ]
            if not undocumented:
                return
            documented = self.rng.choice(undocumented)
            busy.add(id(documented))
            documented.field_doc = (
                None if documented.field_doc is not None else f"Doc {self._num()}."
            )
            touched.add(self._path(file, documented.name))
            truth.doc_only.add(self._path(file, documented.name))
        elif op == "test":
            test = self._new_fn("check")
            busy.add(id(test))
            model.tests.append(test)
            touched.add(self._path(file, "tests", test.name))
        elif op == "test_body" and model.tests:
            free = [t for t in model.tests if id(t) not in busy]
            if free:
                test = self.rng.choice(free)
                busy.add(id(test))
                test.body.insert(0, f"assert_eq!(x_{self._num()}, 0);")
                touched.add(self._path(file, "tests", test.name))

    def write(self, root: Path) -> None:
        crate = root / CRATE_DIR
        (crate / "src").mkdir(parents=True, exist_ok=True)
        (crate / "Cargo.toml").write_text(
            '[package]\nname = "demo-core"\nversion = "0.1.0"\nedition = "2021"\n'
        )
        lib = "".join(f"pub mod {name};\n" for name in FILES)
        (crate / "src" / "lib.rs").write_text(lib)
        for name, model in self.files.items():
            (crate / "src" / f"{name}.rs").write_text(render(model))


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *_GIT_ID, "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def generate_history(root: Path, seed: int, commits: int) -> list[SynthCommit]:
    """Create a git repo at ``root``: an initial commit then ``commits`` mutated ones."""
    root.mkdir(parents=True, exist_ok=True)
    _git(root, "init", "-q", "-b", "main")
    gen = HistoryGenerator(seed)
    gen.write(root)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "initial")
    history: list[SynthCommit] = []
    for n in range(commits):
        truth = gen.mutate()
        gen.write(root)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "--allow-empty", "-m", f"change {n}")
        history.append(
            SynthCommit(
                _git(root, "rev-parse", "HEAD"),
                frozenset(truth.touched),
                frozenset(truth.renames),
                frozenset(truth.doc_only),
            )
        )
    return history
