"""Impacted-test selection never selects fewer tests than a change can break.

A small package with every kind of dependency (direct, transitive, relative, re-exported
through ``__init__``, through a conftest fixture, through a test helper, by string, through
a CLI subprocess) is broken one way at a time; the whole suite is run on each broken copy
and every test that fails must be among the selected ones.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.validate.selection import select_tests

REPO_ROOT = Path(__file__).resolve().parents[2]

PACKAGE = {
    "port/pkg/__init__.py": '"""pkg."""\n',
    "port/pkg/base.py": "def value() -> int:\n    return 1\n",
    "port/pkg/mid.py": "from pkg.base import value\n\n\ndef twice() -> int:\n    return value() * 2\n",
    "port/pkg/top.py": "from . import mid\n\n\ndef four() -> int:\n    return mid.twice() * 2\n",
    "port/pkg/sub/__init__.py": "from pkg.sub.leaf import leaf_value\n\n__all__ = ['leaf_value']\n",
    "port/pkg/sub/leaf.py": "def leaf_value() -> int:\n    return 7\n",
    "port/pkg/lonely.py": "def alone() -> int:\n    return 0\n",
    "port/pkg/cli.py": "from pkg.top import four\n\nif __name__ == '__main__':\n    print(four())\n",
}
TESTS = {
    "port/tests/test_base.py": "from pkg.base import value\n\n\ndef test_value():\n    assert value() == 1\n",
    "port/tests/test_mid.py": "import pkg.mid\n\n\ndef test_twice():\n    assert pkg.mid.twice() == 2\n",
    "port/tests/test_top.py": "from pkg import top\n\n\ndef test_four():\n    assert top.four() == 4\n",
    "port/tests/test_sub.py": "from pkg.sub import leaf_value\n\n\ndef test_leaf():\n    assert leaf_value() == 7\n",
    "port/tests/test_lonely.py": "from pkg.lonely import alone\n\n\ndef test_alone():\n    assert alone() == 0\n",
    "port/tests/fix/conftest.py": "import pytest\nimport pkg.sub.leaf\n\n\n@pytest.fixture\ndef leaf():\n    return pkg.sub.leaf.leaf_value()\n",
    "port/tests/fix/test_fixture_user.py": "def test_uses_fixture(leaf):\n    assert leaf == 7\n",
    "port/tests/helper_mod.py": "from pkg.mid import twice\n\n\ndef compute() -> int:\n    return twice() + 1\n",
    "port/tests/test_helper_user.py": "from helper_mod import compute\n\n\ndef test_compute():\n    assert compute() == 3\n",
    "port/tests/test_cli_e2e.py": (
        "import os, subprocess, sys\n\n\ndef test_cli():\n"
        "    env = {**os.environ, 'PYTHONPATH': 'port'}\n"
        "    out = subprocess.run([sys.executable, '-m', 'pkg.cli'], capture_output=True, text=True, env=env)\n"
        "    assert out.stdout.strip() == '4', out.stderr\n"
    ),
    "port/tests/test_by_name.py": (
        "import importlib\n\n\ndef test_by_name():\n"
        "    assert importlib.import_module('pkg.lonely').alone() == 0\n"
    ),
    "port/tests/test_unrelated.py": "def test_arith():\n    assert 1 + 1 == 2\n",
}
BROKEN = 'raise RuntimeError("broken by the selection test")\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _break(rel: str) -> Callable[[Path], list[str]]:
    def apply(root: Path) -> list[str]:
        (root / rel).write_text(BROKEN)
        return [rel]

    return apply


def _signature(root: Path) -> list[str]:
    (root / "port/pkg/base.py").write_text("def value(scale: int) -> int:\n    return scale\n")
    return ["port/pkg/base.py"]


def _shadow(root: Path) -> list[str]:
    (root / "port/pkg/mid").mkdir()
    (root / "port/pkg/mid/__init__.py").write_text('"""shadows mid.py"""\n')
    return ["port/pkg/mid/__init__.py"]


def _delete(root: Path) -> list[str]:
    (root / "port/pkg/sub/leaf.py").unlink()
    return ["port/pkg/sub/leaf.py"]


MUTATIONS: dict[str, Callable[[Path], list[str]]] = {
    **{f"break {rel.removeprefix('port/')}": _break(rel) for rel in PACKAGE},
    "change base.value's signature": _signature,
    "shadow mid.py with a package": _shadow,
    "delete sub/leaf.py": _delete,
}

_FAILED = re.compile(r"^(?:FAILED|ERROR) (port/tests/[^\s:]+)", re.MULTILINE)


def _failing_files(root: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", "port/tests"],
        cwd=root, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "port", "PYTHONDONTWRITEBYTECODE": "1",
             "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )  # fmt: skip
    failing: set[str] = set()
    for rel in _FAILED.findall(proc.stdout):
        path = root / rel
        if path.is_dir():  # a conftest that fails to import is reported against its directory
            failing.update(str(p.relative_to(root)) for p in path.rglob("test_*.py"))
        else:
            failing.add(rel)
    return failing


def _select(root: Path, changed: list[str]) -> set[str]:
    selection = select_tests(
        root,
        test_paths=["port/tests"],
        source_roots=["port"],
        packages=["pkg"],
        changed=changed,
        mode="impacted",
        e2e=["port/tests/test_cli_e2e.py"],
    )
    assert not selection.everything
    return set(selection.tests)


def test_selection_covers_every_test_each_change_breaks(tmp_path: Path) -> None:
    pristine = tmp_path / "pristine"
    _write(pristine, {**PACKAGE, **TESTS})
    assert _failing_files(pristine) == set()

    def one(name: str) -> tuple[str, set[str], set[str]]:
        root = tmp_path / re.sub(r"\W+", "-", name)
        shutil.copytree(pristine, root)
        changed = MUTATIONS[name](root)
        return name, _failing_files(root), _select(root, changed)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(one, MUTATIONS))
    for name, failing, selected in outcomes:
        assert failing, f"{name}: the mutation broke nothing, so it proves nothing"
        assert failing <= selected, f"{name}: breaks {sorted(failing - selected)} not selected"
        # a selection is not the whole suite: the unrelated test is never chosen
        assert "port/tests/test_unrelated.py" not in selected, name
    selected_for_lonely = next(s for n, _, s in outcomes if n == "break pkg/lonely.py")
    assert "port/tests/test_base.py" not in selected_for_lonely


def test_non_module_change_selects_the_whole_suite(tmp_path: Path) -> None:
    _write(tmp_path, {**PACKAGE, **TESTS, "port/pkg/data.json": "{}"})
    selection = select_tests(
        tmp_path, test_paths=["port/tests"], source_roots=["port"], packages=["pkg"],
        changed=["port/pkg/data.json"], mode="impacted",
    )  # fmt: skip
    assert selection.everything and selection.tests == ("port/tests",)
    assert "data.json is not a module of pkg" in selection.reasons[0]
    default = select_tests(
        tmp_path, test_paths=["port/tests"], source_roots=["port"], packages=["pkg"],
        changed=["port/pkg/lonely.py"],
    )  # fmt: skip
    assert default.everything, "the default mode runs the whole suite"


def test_real_port_session_change_selects_the_cli_end_to_end_tests() -> None:
    if not (REPO_ROOT / "port/pycodex/core/session.py").is_file():
        pytest.skip("the port has no pycodex/core/session.py")
    selection = select_tests(
        REPO_ROOT,
        test_paths=["port/tests"],
        source_roots=["port"],
        packages=["pycodex"],
        changed=["port/pycodex/core/session.py"],
        mode="impacted",
    )
    chosen = set(selection.tests)
    exec_tests = {
        str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "port/tests/exec").glob("test_*.py")
    }
    assert exec_tests and exec_tests <= chosen
    assert "port/tests/test_cli_entry.py" in chosen
