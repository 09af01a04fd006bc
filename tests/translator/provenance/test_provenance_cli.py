"""``ferry provenance check|coverage|suggest|index`` on a small upstream and port."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ferry.cli import main

LIB = """\
pub mod sub;

/// A thing.
pub struct Foo {
    pub size: u32,
}

impl Foo {
    pub fn run(&self, times: u32) -> u32 {
        self.size * times
    }
}

impl Drop for Foo {
    fn drop(&mut self) {}
}

pub fn parse_thing(text: &str) -> u32 {
    if text.is_empty() {
        panic!("bad thing: unexpected end of input");
    }
    1
}

pub enum Kind {
    Alpha,
    Beta,
}

#[cfg(target_os = "macos")]
pub fn seatbelt_only() {}

#[cfg(test)]
mod tests {
    #[test]
    fn it_works() {}
}
"""
SUB = "pub const LIMIT: u32 = 3;\n\npub fn unported() {}\n"
CARGO = '[package]\nname = "codex-demo"\nversion = "0.1.0"\n'

PORT_DEMO = '''"""The demo crate, ported."""

from __future__ import annotations


# ferry: codex_demo::Foo @ {rev}
class Foo:
    """A thing."""

    def __init__(self, size: int) -> None:
        self.size = size

    # ferry: codex_demo::Foo::run @ {rev}
    def run(self, times: int) -> int:
        return self.size * times

    # ferry: codex_demo::Foo::drop @ {rev} -- Python has no destructor; kept for parity
    def drop(self) -> None:
        return None


# ferry: codex_demo::Kind @ {rev}
# ferry: codex_demo::Kind::Alpha @ {rev}
class Kind:
    ALPHA = "alpha"


# ferry: port-only -- Python glue: reads the size from the environment
def size_from_env() -> int:
    return 1


def parse_thing(text: str) -> int:
    if not text:
        raise ValueError("bad thing: unexpected end of input")
    return 1
'''

FERRY_TOML = """\
[upstream]
url = "{upstream}"
subtree = "codex-rs"

[translate]
upstream_git_dir = "{upstream}"
target_root = "port"
state_dir = ".ferry"

[translate.module_map]
"codex-rs/demo/src/**" = "pycodex.demo"

[[translate.decline]]
rule = "platform-specific"
reason = "macOS seatbelt"
items = ["codex_demo::seatbelt_*"]
"""


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, str]:
    upstream = tmp_path / "upstream"
    crate = upstream / "codex-rs" / "demo"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(CARGO)
    (crate / "src" / "lib.rs").write_text(LIB)
    (crate / "src" / "sub.rs").write_text(SUB)
    _git(upstream, "init", "-q", "-b", "main")
    _git(upstream, "add", "-A")
    _git(
        upstream,
        "-c",
        "user.name=u",
        "-c",
        "user.email=u@example.invalid",
        "commit",
        "-qm",
        "demo",
    )
    rev = _git(upstream, "rev-parse", "--short=9", "HEAD")
    root = tmp_path / "project"
    pkg = root / "port" / "pycodex"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""pycodex."""\n\nfrom pycodex import demo as demo\n')
    (pkg / "demo.py").write_text(PORT_DEMO.format(rev=rev))
    (root / "ferry.toml").write_text(FERRY_TOML.format(upstream=upstream))
    return root, rev


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["provenance", *args, "--config", str(root / "ferry.toml")])


def _mark_parse_thing(root: Path, rev: str) -> None:
    demo = root / "port" / "pycodex" / "demo.py"
    demo.write_text(
        demo.read_text().replace(
            "def parse_thing", f"# ferry: codex_demo::parse_thing @ {rev}\ndef parse_thing"
        )
    )


def test_check_names_the_unmarked_symbol_then_passes(project: tuple[Path, str]) -> None:
    root, rev = project
    result = _run(root, "check")
    assert result.exit_code == 1
    assert (
        "port/pycodex/demo.py:33: missing: public function pycodex.demo.parse_thing has no "
        "provenance marker" in result.output
    )
    _mark_parse_thing(root, rev)
    result = _run(root, "check")
    assert result.exit_code == 0, result.output
    assert "provenance check: ok; 6 public symbols in 2 modules: 5 linked, 1 port-only" in (
        result.stderr
    )
    assert "6 links, 6 verified against upstream" in result.stderr
    data = json.loads(_run(root, "check", "--json").output)
    assert data["format"] == "ferry.provenance-check/1" and data["ok"] and data["config"]


@pytest.mark.parametrize(
    ("edit", "code", "needle"),
    [
        (("# ferry: codex_demo::Foo @", "# ferry: codex_demo::Fooo @"), "unknown-item", "Fooo"),
        (("codex_demo::Foo::run @", "codex_demo::sub::Foo::run @"), "unknown-item", "did you mean codex_demo::Foo::run?"),
        (("::Foo::run @ {rev}", "::Foo::run @ 0000000"), "unknown-revision", "0000000"),
        (("# ferry: codex_demo::Kind @ {rev}", "# ferry: Kind"), "malformed", "no ' @ <rev>'"),
        (("# ferry: port-only -- Python glue", "#ferry: port-only -- Python glue"), "malformed", ""),
        (("class Kind:", "\nclass Kind:"), "stray", "directly above"),
        (("# ferry: port-only -- Python glue: reads the size from the environment\n", ""), "missing", "size_from_env"),
        (
            ("# ferry: codex_demo::Foo @ {rev}", "# ferry: codex_demo::Foo @ {rev}\n# ferry: port-only -- x"),
            "mixed",
            "both linked and marked port-only",
        ),
    ],
)  # fmt: skip
def test_check_rejects_bad_markers(
    project: tuple[Path, str], edit: tuple[str, str], code: str, needle: str
) -> None:
    root, rev = project
    _mark_parse_thing(root, rev)
    demo = root / "port" / "pycodex" / "demo.py"
    old, new = (part.format(rev=rev) for part in edit)
    assert old in demo.read_text()
    demo.write_text(demo.read_text().replace(old, new, 1))
    result = _run(root, "check")
    assert result.exit_code == 1
    assert f": {code}: " in result.output and needle in result.output
    assert "Traceback" not in result.output


def test_check_finds_orphan_modules(project: tuple[Path, str]) -> None:
    root, rev = project
    _mark_parse_thing(root, rev)
    (root / "port" / "pycodex" / "forgotten.py").write_text('"""Nobody imports me."""\n')
    result = _run(root, "check")
    assert result.exit_code == 1
    assert "orphan: module pycodex.forgotten is imported or named by nothing" in result.output
    assert _run(root, "check", "--no-orphans").exit_code == 0


def test_check_without_upstream_says_so_and_checks_the_rest(
    project: tuple[Path, str], tmp_path: Path
) -> None:
    root, rev = project
    _mark_parse_thing(root, rev)
    result = _run(root, "check", "--upstream", str(tmp_path / "nowhere"))
    assert result.exit_code == 0, result.output
    assert "upstream not available at" in result.stderr and "6 links were not checked" in (
        result.stderr
    )
    (root / "port" / "pycodex" / "demo.py").write_text("def broken() -> None:\n    return None\n")
    result = _run(root, "check", "--upstream", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "missing: public function pycodex.demo.broken" in result.output


def test_coverage_counts_linked_declined_and_undecided_items(project: tuple[Path, str]) -> None:
    root, _rev = project
    result = _run(root, "coverage", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["format"] == "ferry.provenance-coverage/1" and report["ferry_version"]
    (crate,) = report["crates"]
    # portable items: Foo, Foo::run, Foo::drop, parse_thing, Kind, seatbelt_only, LIMIT, unported
    assert crate == {
        "crate": "codex_demo",
        "items": 8,
        "linked": 4,  # Foo, Foo::run, <Foo as Drop>::drop, Kind (the variant link is extra)
        "declined": 1,  # seatbelt_only
        "undecided": 3,  # parse_thing, LIMIT, unported
    }
    packages = {p["package"]: p for p in report["packages"]}
    assert packages["pycodex.demo"]["public"] == 6
    assert packages["pycodex.demo"]["unmarked"] == 1 and packages["pycodex.demo"]["port_only"] == 1
    table = _run(root, "coverage")
    assert "codex_demo" in table.output and "50.0%" in table.output


def test_suggest_finds_the_counterpart_and_writes_it(project: tuple[Path, str]) -> None:
    root, rev = project
    result = _run(root, "suggest", "--json")
    assert result.exit_code == 0, result.output
    (suggestion,) = json.loads(result.output)["suggestions"]
    assert suggestion["symbol"] == "pycodex.demo.parse_thing"
    best = suggestion["candidates"][0]
    assert best["rust_path"] == "codex_demo::parse_thing"
    evidence = " ".join(best["evidence"])
    assert "name: parse_thing" in evidence and "literals: 1 shared" in evidence
    assert "place: " in evidence and "signature: ['text']" in evidence
    result = _run(root, "suggest", "--write", "--min-score", "6")
    assert result.exit_code == 0 and "wrote 1 marker(s) into 1 file(s)" in result.stderr
    text = (root / "port" / "pycodex" / "demo.py").read_text()
    assert f"# ferry: codex_demo::parse_thing @ {rev}\ndef parse_thing" in text
    assert _run(root, "check").exit_code == 0


def test_index_is_rebuilt_from_the_markers(project: tuple[Path, str]) -> None:
    root, _rev = project
    result = _run(root, "index")
    assert result.exit_code == 0, result.output
    assert "5 link(s) indexed" in result.output
    assert (root / ".ferry" / "provenance.sqlite").is_file()


def test_bad_provenance_config_names_the_key(project: tuple[Path, str]) -> None:
    root, _rev = project
    config = root / "ferry.toml"
    config.write_text(config.read_text() + '\n[provenance]\npackagez = ["x"]\n')
    result = _run(root, "check")
    assert result.exit_code == 1 and "[provenance].packagez" in result.output


def _commit(upstream: Path, path: str, text: str, message: str) -> None:
    (upstream / path).write_text(text)
    _git(upstream, "add", "-A")
    _git(
        upstream,
        "-c",
        "user.name=u",
        "-c",
        "user.email=u@example.invalid",
        "commit",
        "-qm",
        message,
    )


def test_plan_history_decides_every_item_of_real_commits(project: tuple[Path, str]) -> None:
    root, rev = project
    _mark_parse_thing(root, rev)
    upstream = root.parent / "upstream"
    lib = upstream / "codex-rs" / "demo" / "src" / "lib.rs"
    _commit(
        upstream,
        "codex-rs/demo/src/lib.rs",
        lib.read_text().replace("self.size * times", "self.size * times + 1")
        + "\npub fn brand_new() -> u32 {\n    2\n}\n",
        "demo: run counts one more, brand_new",
    )
    _commit(upstream, "codex-rs/demo/src/sub.rs", SUB + "\npub fn extra() {}\n", "sub: extra")
    report = root / "history.json"
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--history",
            "2",
            "--backend",
            "llm",
            "-o",
            str(report),
            "--config",
            str(root / "ferry.toml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "undecided 0, new modules 0" in result.output
    data = json.loads(report.read_text())
    assert data["format"] == "ferry.plan-history/1" and data["backend"] == "llm"
    first, second = data["commits"]
    # Foo::run is linked: it lands on its counterpart; brand_new joins the module's links
    assert (first["items"], first["on_counterpart"], first["new_in_module"]) == (2, 1, 1)
    # sub.rs maps to pycodex.demo too (the glob), so `extra` is a new item there
    assert (second["items"], second["new_in_module"]) == (1, 1)
    # a plan that would create a module fails the history check
    config = root / "ferry.toml"
    config.write_text(
        config.read_text()
        .replace('state_dir = ".ferry"', 'state_dir = ".ferry"\nnew_modules = "allow"')
        .replace(
            '"codex-rs/demo/src/**" = "pycodex.demo"',
            '"codex-rs/demo/src/**" = "pycodex.demo"\n"codex-rs/demo/src/sub.rs" = "pycodex.fresh"',
        )
    )
    result = CliRunner().invoke(
        main, ["plan", "--history", "1", "--backend", "llm", "--config", str(config)]
    )
    assert result.exit_code == 1 and "new modules 1" in result.output
