"""A main checkout with its own venv (port installed editable), and worktrees to judge.

``main_venv`` builds what a developer has: a virtual environment whose ``pycodex`` is an
editable install of the *main checkout* (a setuptools-style ``__editable__`` finder, as
``pip install -e`` writes it), ferry importable from this repository and the test
venv's third-party packages. A gate that trusts ``sys.executable`` from there judges the
main checkout, whatever worktree it was pointed at.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

CALC = '''"""A tiny port package."""

import sys


def double(x: int) -> int:
    return x * 2


def main() -> int:
    print(double(int(sys.argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''
BROKEN_CALC = CALC.replace("return x * 2", "return x * 3")
UNIT_TEST = (
    "from pycodex.calc import double\n\n\ndef test_double() -> None:\n    assert double(2) == 4\n"
)
CLI_TEST = """import subprocess
import sys


def test_cli_prints_double() -> None:
    out = subprocess.run([sys.executable, "-m", "pycodex.calc", "3"], capture_output=True, text=True)
    assert out.stdout.strip() == "6", out.stderr
"""
FERRY_TOML = """[validate]
gates = {gates}
source_roots = ["port"]
tests = ["port/tests"]
"""
FINDER = """import sys
from importlib.machinery import ModuleSpec, PathFinder

MAPPING = {mapping!r}


class _EditableFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if top not in MAPPING:
            return None
        return PathFinder.find_spec(fullname, [str(__import__("pathlib").Path(MAPPING[top]).parent)] if path is None else path)


def install():
    if _EditableFinder not in sys.meta_path:
        sys.meta_path.append(_EditableFinder)
"""


def make_port(root: Path, *, calc: str = CALC, gates: str = '["imports", "pytest"]') -> Path:
    """A project at ``root``: ``port/pycodex`` (a console script), unit and CLI tests."""
    files = {
        "ferry.toml": FERRY_TOML.format(gates=gates),
        "port/pyproject.toml": '[project]\nname = "pycodex"\nversion = "0"\n\n'
        '[project.scripts]\npycodex = "pycodex.calc:main"\n',
        "port/pycodex/__init__.py": '"""pycodex."""\n',
        "port/pycodex/calc.py": calc,
        "port/tests/test_calc.py": UNIT_TEST,
        "port/tests/cli/test_calc_cli.py": CLI_TEST,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _site_packages() -> list[str]:
    return [p for p in site.getsitepackages() if Path(p).is_dir()]


def main_venv(venv: Path, main_checkout: Path, *, extra_site: Path | None = None) -> Path:
    """A venv whose pycodex is an editable install of ``main_checkout``; returns its python."""
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    site_dir = Path(purelib)
    mapping = {"pycodex": str(main_checkout / "port" / "pycodex")}
    (site_dir / "__editable___pycodex_0_finder.py").write_text(FINDER.format(mapping=mapping))
    (site_dir / "__editable__.pycodex-0.pth").write_text(
        "import __editable___pycodex_0_finder; __editable___pycodex_0_finder.install()\n"
    )
    lines = [str(REPO_ROOT), *_site_packages()]
    if extra_site is not None:
        lines.insert(0, str(extra_site))
    (site_dir / "zz-deps.pth").write_text("".join(f"{line}\n" for line in lines))
    return python


def run_validate(python: Path, project: Path, *args: str) -> tuple[int, dict[str, object], str]:
    """``ferry validate`` run by ``python`` against ``project``: exit code, verdict, output."""
    out = project / "verdict.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [str(python), "-c", "from ferry.cli import main; main()", "validate",
         "--config", str(project / "ferry.toml"), "-o", str(out), *args],
        capture_output=True, text=True, env=env, cwd=project, timeout=600,
    )  # fmt: skip
    verdict = json.loads(out.read_text()) if out.is_file() else {}
    return proc.returncode, verdict, proc.stdout + proc.stderr


def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".ferry"))
    return dest
