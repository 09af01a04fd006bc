"""The stub guard: constant-returning bodies are rejected where the Rust item has logic."""

from __future__ import annotations

import pytest

from translator.cst.check import check_candidate, rust_has_logic

RUST_LOGIC = "pub fn recent(&self, n: usize) -> Vec<String> {\n    self.items.iter().rev().take(n).cloned().collect()\n}"
RUST_CONST = "pub fn default_retries() -> u32 {\n    5\n}"


@pytest.mark.parametrize(
    ("rust", "has"),
    [
        (RUST_LOGIC, True),
        (RUST_CONST, False),
        ("fn empty() -> Vec<String> { Vec::new() }", False),
        ('fn name() -> String { "codex".to_string() }', False),
        ("fn ok() -> Result<(), E> { Ok(()) }", False),
        ("fn field(&self) -> bool { self.enabled }", True),
        ("fn two(x: u32) -> u32 { let y = x + 1; y }", True),
        ("pub struct Settings { pub retries: u32 }", False),
        (None, False),
    ],
)
def test_rust_has_logic(rust: str | None, has: bool) -> None:
    assert rust_has_logic(rust) is has


@pytest.mark.parametrize(
    "body",
    ["return []", "return {}", "return None", "return", "return 0", "return ''",
     "return list()", "return ()", "return False", "return -1"],
)  # fmt: skip
def test_constant_return_is_a_stub_where_rust_has_logic(body: str) -> None:
    code = f'def recent(n: int) -> list[str]:\n    """The n newest items."""\n    {body}\n'
    report = check_candidate(code, ["recent"], logic={"recent": "codex_core::history::recent"})
    assert not report.ok
    assert "recent is a stub" in report.text() and "codex_core::history::recent" in report.text()


def test_method_stub_is_rejected_and_real_logic_passes() -> None:
    stub = "class History:\n    def recent(self, n: int) -> list[str]:\n        return []\n"
    logic = {"History.recent": "codex_core::history::History::recent"}
    report = check_candidate(stub, ["History"], logic=logic)
    assert not report.ok and "History.recent is a stub (`return []`)" in report.text()
    real = "class History:\n    def recent(self, n: int) -> list[str]:\n        return list(reversed(self.items))[:n]\n"
    assert check_candidate(real, ["History"], logic=logic).ok


def test_constant_is_fine_where_rust_is_constant() -> None:
    code = "def default_retries() -> int:\n    return 5\n"
    assert check_candidate(code, ["default_retries"], logic={}).ok
    assert not rust_has_logic(RUST_CONST)


@pytest.mark.parametrize(
    "body",
    ["pass", "...", "raise NotImplementedError", "raise NotImplementedError('later')",
     '"""TODO: port this"""\n    return 1', "return 1  # FIXME"],
)  # fmt: skip
def test_placeholders_are_rejected_whatever_the_rust(body: str) -> None:
    report = check_candidate(f"def f() -> int:\n    {body}\n", ["f"])
    assert not report.ok, body


def test_signature_kept_when_rust_changed_only_the_body() -> None:
    from translator.cst.check import signature_problems

    current = "    def run_turn(self, prompt: str) -> list[str]:\n        return [prompt]\n"
    kept = {"Session.run_turn": ("codex_core::session::Session::run_turn", current)}
    changed = "class Session:\n    def run_turn(self, prompt: str, limit: int) -> list[str]:\n        return [prompt][:limit]\n"
    problems = signature_problems(changed, kept)
    assert len(problems) == 1 and "(self, prompt: str) -> list[str]" in problems[0]
    same = "class Session:\n    def run_turn(\n        self,\n        prompt: str,\n    ) -> list[str]:\n        return [prompt, prompt]\n"
    assert signature_problems(same, kept) == []
