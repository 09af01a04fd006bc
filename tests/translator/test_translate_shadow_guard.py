"""A translation never writes a module that shadows (or is hidden by) another one."""

from __future__ import annotations

from pathlib import Path

from translator.translate import shadowing


def test_new_package_beside_a_module_is_refused(tmp_path: Path) -> None:
    core = tmp_path / "port/pycodex/core"
    core.mkdir(parents=True)
    (core / "session.py").write_text("class Session: ...\n")
    problem = shadowing(core / "session/turn.py", "pycodex.core.session.turn")
    assert problem is not None and "shadows the existing module" in problem
    assert str(core / "session.py") in problem
    assert shadowing(core / "session/__init__.py", "pycodex.core.session") is not None


def test_module_beside_a_package_is_refused(tmp_path: Path) -> None:
    pkg = tmp_path / "port/pycodex/tools/handlers"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    problem = shadowing(tmp_path / "port/pycodex/tools/handlers.py", "pycodex.tools.handlers")
    assert problem is not None and "would be hidden by the existing package" in problem


def test_ordinary_new_module_is_fine(tmp_path: Path) -> None:
    core = tmp_path / "port/pycodex/core"
    core.mkdir(parents=True)
    (core / "session.py").write_text("")
    assert shadowing(core / "history.py", "pycodex.core.history") is None
    assert shadowing(core / "session.py", "pycodex.core.session") is None
