"""Item extraction and qualified paths from tree-sitter-rust."""

from __future__ import annotations

import textwrap

import pytest

from translator.diff.modpath import crate_name_from_manifest, is_test_path, locate, module_path
from translator.diff.normalize import normalize
from translator.diff.rust_items import extract, reparse

SOURCE = textwrap.dedent(
    """
    use std::fmt;

    /// A record.
    #[derive(Debug)]
    pub struct Record<T> { value: T }

    pub enum Mode { A, B }
    union Bits { a: u32, b: f32 }
    pub const LIMIT: u32 = 3;
    static COUNT: u32 = 0;
    type Alias = Vec<u8>;

    macro_rules! square { ($x:expr) => { $x * $x }; }

    pub trait Show {
        fn show(&self) -> String;
        type Out;
    }

    impl<T> Record<T> {
        pub fn new(value: T) -> Self { Self { value } }
        const SIZE: usize = 1;
    }

    impl<T: fmt::Debug> Show for Record<T> {
        fn show(&self) -> String { format!("{:?}", self.value) }
        type Out = String;
    }

    impl From<u8> for Mode { fn from(_: u8) -> Self { Mode::A } }

    mod inner {
        pub fn helper() {}
    }

    mod declared;

    pub fn free() -> u32 { square!(2) }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn it_works() { assert_eq!(free(), 4); }

        #[tokio::test]
        async fn async_works() {}

        fn util() {}
    }
    """
).encode()


def test_extracts_every_item_kind_with_qualified_paths() -> None:
    parsed = extract(SOURCE, "demo::records")
    got = {(item.kind, item.path) for item in parsed.walk()}
    expected = {
        ("struct", "demo::records::Record"),
        ("enum", "demo::records::Mode"),
        ("union", "demo::records::Bits"),
        ("const", "demo::records::LIMIT"),
        ("static", "demo::records::COUNT"),
        ("type_alias", "demo::records::Alias"),
        ("macro_rules", "demo::records::square!"),
        ("trait", "demo::records::Show"),
        ("method", "demo::records::Show::show"),
        ("type_alias", "demo::records::Show::Out"),
        ("impl", "demo::records::<impl Record<T>>"),
        ("method", "demo::records::Record::new"),
        ("const", "demo::records::Record::SIZE"),
        ("impl", "demo::records::<Record as Show>"),
        ("method", "demo::records::<Record as Show>::show"),
        ("type_alias", "demo::records::<Record as Show>::Out"),
        ("impl", "demo::records::<Mode as From<u8>>"),
        ("method", "demo::records::<Mode as From<u8>>::from"),
        ("mod", "demo::records::inner"),
        ("fn", "demo::records::inner::helper"),
        ("mod", "demo::records::declared"),
        ("fn", "demo::records::free"),
        ("mod", "demo::records::tests"),
        ("test_fn", "demo::records::tests::it_works"),
        ("test_fn", "demo::records::tests::async_works"),
        ("fn", "demo::records::tests::util"),
    }
    assert got == expected
    assert parsed.parse_error is None


def test_spans_include_docs_and_attributes_and_tests_are_flagged() -> None:
    parsed = extract(SOURCE, "demo")
    items = {item.path: item for item in parsed.walk()}
    record = items["demo::Record"]
    assert record.text(SOURCE).startswith("/// A record.\n#[derive(Debug)]\npub struct Record")
    assert (record.start_line, record.end_line) == (4, 6)  # SOURCE starts with a blank line
    assert items["demo::tests"].is_test and items["demo::tests::util"].is_test
    assert not items["demo::free"].is_test


def test_duplicate_paths_get_distinct_keys() -> None:
    src = b"#[cfg(unix)]\nfn run() {}\n#[cfg(windows)]\nfn run() {}\n"
    keys = [item.key for item in extract(src, "c").walk()]
    assert keys == ["c::run", "c::run#2"]


def test_syntax_errors_are_reported_with_a_line() -> None:
    parsed = extract(b"fn ok() {}\n\nfn broken( {\n", "c")
    assert parsed.parse_error is not None and "line 3" in parsed.parse_error
    assert [item.path for item in parsed.walk()] == ["c::ok"]


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("core/src/lib.rs", "codex_core"),
        ("core/src/main.rs", "codex_core"),
        ("core/src/exec.rs", "codex_core::exec"),
        ("core/src/tools/mod.rs", "codex_core::tools"),
        ("core/src/tools/spec.rs", "codex_core::tools::spec"),
        ("core/tests/suite/mod.rs", "codex_core::tests::suite"),
        ("core/src/bin/helper.rs", "helper"),
        ("core/build.rs", "codex_core::build"),
    ],
)
def test_module_paths_from_file_paths(path: str, module: str) -> None:
    assert module_path("codex_core", locate(path)) == module


def test_crate_name_prefers_lib_name_and_replaces_dashes() -> None:
    assert crate_name_from_manifest('[package]\nname = "codex-core"\n', "core") == "codex_core"
    lib = '[package]\nname = "codex-cli"\n[lib]\nname = "codex_cli_lib"\n'
    assert crate_name_from_manifest(lib, "cli") == "codex_cli_lib"
    assert crate_name_from_manifest(None, "utils/git-tool") == "git_tool"
    assert crate_name_from_manifest("not toml [", "x-y") == "x_y"
    # a [[bin]] name is not the crate's; an inline table still parses
    binary = '[[bin]]\nname = "codex-exec-bin"\n[package]\nname = "codex-exec"\n'
    assert crate_name_from_manifest(binary, "exec") == "codex_exec"
    assert crate_name_from_manifest('package = { name = "inline-name" }\n', "x") == "inline_name"
    assert is_test_path("core/tests/suite/exec.rs") and is_test_path("core/src/foo_tests.rs")
    assert not is_test_path("core/src/exec.rs")


def test_normalize_ignores_comments_and_whitespace_but_not_literals() -> None:
    a = b"fn f(a: u8, b: u8) -> u8 {\n    // sum\n    a + b\n}"
    b = b"fn f(a:u8,b:u8)->u8{ a+b /* c */ }"
    assert normalize(a) == normalize(b)
    assert normalize(b'let s = "a  b";') != normalize(b'let s = "a b";')
    assert normalize(b"let x = y;") != normalize(b"let x = z;")
    assert normalize(b'let s = "// not a comment";') != normalize(b'let s = "";')


def test_incremental_reparse_matches_a_full_parse() -> None:
    old = b"fn a() {\n    1\n}\n\nfn b() {\n    2\n}\n"
    new = b"fn a() {\n    1\n}\n\nfn c() {\n    3\n}\n\nfn b() {\n    2\n    4\n}\n"
    # git -U0 hunks for this edit: insert 4 lines after old line 4, insert 1 after old line 6
    tree = reparse(extract(old, "c").tree, old, new, [(4, 0, 5, 4), (6, 0, 11, 1)])
    assert str(tree.root_node) == str(extract(new, "c").tree.root_node)
