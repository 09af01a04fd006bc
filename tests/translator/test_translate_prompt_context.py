"""Prompt context: budget priorities, conventions measured on the port, callees, layout."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from translator.backends.prompt import render_prompt
from translator.context import ContextBuilder, PromptContext, fit_budget
from translator.plan import PlannedItem

ITEM = PlannedItem(
    qualified_path="codex_exec::run::run_main", item_kind="fn", status="modified",
    change_kind="body", file="codex-rs/exec/src/run.rs", action="translate",
    python_symbol="run_main",
    old_text="pub async fn run_main(prompt: &str) -> i32 {\n    let s = Session::new();\n    0\n}",
    new_text="pub async fn run_main(prompt: &str) -> i32 {\n    let s = Session::new();\n    s.run_turn(prompt).await;\n    0\n}",
)  # fmt: skip


def _port(root: Path, *, asynchronous: bool) -> Path:
    kw = "async def" if asynchronous else "def"
    files = {
        "pyproject.toml": '[project]\nname = "pycodex"\ndependencies = ["click>=8", "httpx>=0.27"]\n',
        "pycodex/__init__.py": "",
        "pycodex/errors.py": "class PycodexError(Exception):\n    pass\n",
        "pycodex/core/__init__.py": "",
        "pycodex/core/session.py": (
            f"class Session:\n    {kw} run_turn(self, prompt: str) -> list[str]:\n        return [prompt]\n"
            f"\n    {kw} close(self) -> None:\n        self.closed = True\n"
        ),
        "tests/test_session.py": (
            "from pycodex.core.session import Session\n\n\n"
            "def test_run_turn() -> None:\n    assert Session().run_turn('x') == ['x']\n"
        ),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_budget_keeps_sections_in_priority_order() -> None:
    full = PromptContext(
        rust="R" * 1000, current="C" * 1000, conventions="V" * 300, commit="M" * 500,
        callees="S" * 400, imports="I" * 400, tests="T" * 2000, neighbours="N" * 3000,
    )  # fmt: skip
    fitted = fit_budget(full, 3700)
    assert fitted.rust == full.rust and fitted.current == full.current
    assert fitted.conventions and fitted.commit and fitted.callees and fitted.imports
    assert fitted.neighbours == "" and "neighbours (3000 chars)" in fitted.omitted
    assert fitted.tests == "" and any(o.startswith("tests") for o in fitted.omitted)
    tiny = fit_budget(full, 100)
    assert tiny.rust.startswith("R" * 100) and "cut for the prompt budget" in tiny.rust


def test_sync_port_gets_sync_idioms_and_its_own_conventions(tmp_path: Path) -> None:
    port = _port(tmp_path / "port", asynchronous=False)
    builder = ContextBuilder(target_root=port, test_roots=[port / "tests"])
    ctx = builder.build(
        python_module="pycodex.exec.run", items=[ITEM], target=cst.parse_module(""),
        current_python="def run_main(prompt: str) -> int:\n    return 0\n", symbols=["run_main"],
    )  # fmt: skip
    assert "The port is synchronous" in ctx.conventions and "0 async" in ctx.conventions
    assert "pycodex.errors.PycodexError" in ctx.conventions
    assert "Runtime dependencies of the port: click, httpx" in ctx.conventions
    assert "pycodex.core.session.Session.run_turn(self, prompt: str) -> list[str]" in ctx.callees
    system, user = render_prompt(
        unit_id="u", python_module="pycodex.exec.run", items=[ITEM], expected_names=["run_main"],
        expected_methods={}, current_python="", neighbours="", context=ctx,
    )  # fmt: skip
    assert "asyncio" not in system.content.replace("never asyncio", "")
    assert "\n- Option<T> -> T | None\n" in system.content  # one idiom per line, not flattened
    assert "+    s.run_turn(prompt).await;" in user.content
    assert "## Port symbols the Rust code calls" in user.content


def test_async_port_is_recognised(tmp_path: Path) -> None:
    port = _port(tmp_path / "port", asynchronous=True)
    builder = ContextBuilder(target_root=port)
    assert "The port uses asyncio" in builder.conventions
    assert "Session.run_turn async (self" in builder.callees([ITEM])


def test_tests_that_exercise_the_counterpart_are_listed(tmp_path: Path) -> None:
    port = _port(tmp_path / "port", asynchronous=False)
    builder = ContextBuilder(target_root=port, test_roots=[port / "tests"])
    text = builder.tests_for("pycodex.core.session", ["Session.run_turn"])
    assert "tests/test_session.py::test_run_turn" in text
    assert "assert Session().run_turn('x') == ['x']" in text
