"""The gate environment: an interpreter that sees the candidate worktree's code and no other copy.

A gate that runs ``sys.executable -m pytest`` in a sync worktree imports pycodex from
wherever the *calling* interpreter finds it: with ferry installed editable from the main
checkout, that is the main checkout, and the gate judges the wrong tree. Every gate
therefore runs in a small virtual environment per worktree:

* made with ``venv`` from the base interpreter, system site-packages off;
* ``00-ferry-candidate.pth`` puts the worktree's source roots (``port``, the project
  directory) first on ``sys.path``;
* ``50-ferry-deps.pth`` adds the calling interpreter's third-party directories as plain
  path entries. Their own ``.pth`` files are not processed, so setuptools' editable
  finders (``__editable__*.pth``) never run, and a directory holding one of the judged
  packages (an old-style editable install) is left out altogether;
* launchers in ``bin/`` for the worktree's console scripts (``pycodex``, ``ferry``) and
  for pytest/mypy, so a subprocess started by a test also lands in this environment;
* ``zz-ferry-hook.pth`` starts coverage in every process of the environment while a gate
  asks for it (see :mod:`harness.validate.exercise`).

:meth:`GateEnv.verify` runs in the environment before any gate and fails loudly when a
judged package resolves outside the worktree or an editable finder is active.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ferry.fsutil import write_text_atomic

#: ferry's own top-level packages: judged when the worktree holds them (ferry syncing itself)
TOOLCHAIN_PACKAGES = ("ferry", "upstream", "translator", "harness", "reports")
COVERAGE_RC = "ferry-coverage.rc"
ENV_FORMAT = "ferry.gate-env/1"

_HOOK = '''"""Started by zz-ferry-hook.pth: coverage for every process while a gate asks for it."""
import os
import sys

_rc = os.path.join(sys.prefix, "{rc}")
if os.path.exists(_rc):
    try:
        import coverage
    except ImportError:
        pass
    else:
        os.environ["COVERAGE_PROCESS_START"] = _rc
        coverage.process_startup()
'''

_VERIFY = r"""
import importlib.util, json, sys
names = json.loads(sys.argv[1])
found = {}
for name in names:
    try:
        spec = importlib.util.find_spec(name)
    except Exception as exc:
        found[name] = {"error": f"{type(exc).__name__}: {exc}"}
        continue
    if spec is None:
        found[name] = {"error": "not importable"}
        continue
    found[name] = {"origin": spec.origin, "locations": list(spec.submodule_search_locations or [])}
finders = [type(f).__module__ + "." + getattr(f, "__name__", type(f).__name__) for f in sys.meta_path]
print(json.dumps({"executable": sys.executable, "path": sys.path, "modules": found, "finders": finders}))
"""

_LAUNCHER = """#!{python}
import sys
from {module} import {attr}
sys.exit({attr}())
"""


class GateEnvError(Exception):
    """The gate environment cannot be built or does not isolate the worktree."""


def top_level_packages(directory: Path) -> list[str]:
    """Packages (directories with ``__init__.py``) directly under ``directory``."""
    if not directory.is_dir():
        return []
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and p.name.isidentifier()
    )


def _holds_any(directory: Path, names: Iterable[str]) -> bool:
    return any(
        (directory / name / "__init__.py").is_file() or (directory / f"{name}.py").is_file()
        for name in names
    )


def _stdlib_dirs() -> set[Path]:
    paths = sysconfig.get_paths()
    dirs = {Path(paths[k]).resolve() for k in ("stdlib", "platstdlib") if k in paths}
    dirs |= {d / "lib-dynload" for d in list(dirs)}
    return dirs


def dependency_dirs(judged: Sequence[str]) -> list[Path]:
    """The calling interpreter's third-party import directories, minus any holding our code.

    Only installation directories (``site-packages``/``dist-packages``) count: the script
    directory, ``PYTHONPATH`` entries and source trees added by ``.pth`` files are other
    checkouts as far as a gate is concerned. A directory that holds a judged package or
    one of ferry's packages (a non-editable install of them) is left out as well.
    """
    stdlib = _stdlib_dirs()
    out: list[Path] = []
    for entry in sys.path:
        if not entry:
            continue
        path = Path(entry).resolve()
        if not path.is_dir() or path in stdlib or path in out:
            continue
        if not {"site-packages", "dist-packages"} & set(path.parts):
            continue
        if _holds_any(path, [*judged, *TOOLCHAIN_PACKAGES]):
            continue
        out.append(path)
    return out


def _console_scripts(pyproject: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    scripts = data.get("project", {}).get("scripts", {})
    return {str(k): str(v) for k, v in scripts.items()} if isinstance(scripts, dict) else {}


@dataclass(frozen=True)
class GateEnv:
    """A per-worktree interpreter for the gates; build it with :func:`prepare_gate_env`."""

    root: Path  # the project directory inside the worktree (gates run here)
    venv: Path
    search: tuple[Path, ...]  # worktree directories first on sys.path
    judged: tuple[str, ...]  # top-level packages that must resolve inside ``root``

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def executable(self, name: str) -> Path:
        return self.bin / name

    @property
    def coverage_rc(self) -> Path:
        return self.venv / COVERAGE_RC

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The process environment of a gate: this venv first on PATH, no Python overrides."""
        env = dict(os.environ if base is None else base)
        for key in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
                    "PYTHONEXECUTABLE", "PYTHONSAFEPATH", "COVERAGE_PROCESS_START",
                    "__PYVENV_LAUNCHER__"):  # fmt: skip
            env.pop(key, None)
        path = [p for p in env.get("PATH", "").split(os.pathsep) if p and not _is_venv_bin(p)]
        env["PATH"] = os.pathsep.join([str(self.bin), *path])
        env["VIRTUAL_ENV"] = str(self.venv)
        env["PYTHONNOUSERSITE"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def verify(self, timeout_s: float = 120.0) -> list[str]:
        """Problems that make this environment unfit to judge the worktree (empty = fit)."""
        if not self.judged:
            return [f"no package to judge: no directory with __init__.py under {', '.join(map(str, self.search))}"]  # fmt: skip
        try:
            proc = subprocess.run(
                [str(self.python), "-c", _VERIFY, json.dumps(list(self.judged))],
                cwd=self.root,
                env=self.environ(),
                capture_output=True,
                text=True,
                timeout=timeout_s,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return [f"the gate interpreter {self.python} did not start: {exc}"]
        if proc.returncode != 0:
            return [f"the gate interpreter {self.python} failed: {proc.stderr.strip()[-2000:]}"]
        report = json.loads(proc.stdout)
        problems: list[str] = []
        root = self.root.resolve()
        for name, info in report["modules"].items():
            if "error" in info:
                problems.append(f"{name}: {info['error']} in the gate environment")
                continue
            places = [p for p in [info.get("origin"), *info.get("locations", [])] if p]
            outside = [p for p in places if not Path(p).resolve().is_relative_to(root)]
            if outside or not places:
                problems.append(
                    f"{name} resolves to {', '.join(outside) or 'nothing'}, outside the candidate "
                    f"worktree {root}"
                )
        editable = [f for f in report["finders"] if "editable" in f.lower()]
        if editable:
            problems.append(f"editable-install finders are active: {', '.join(editable)}")
        return problems


def _is_venv_bin(entry: str) -> bool:
    path = Path(entry)
    return path.name in ("bin", "Scripts") and (path.parent / "pyvenv.cfg").is_file()


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:16]


def _base_python() -> str:
    base = getattr(sys, "_base_executable", None) or sys.executable
    return str(base)


def prepare_gate_env(
    root: Path, source_roots: Sequence[str], env_root: Path, *, judged: Sequence[str] | None = None
) -> GateEnv:
    """Build (or refresh) the gate environment of the worktree project at ``root``.

    ``source_roots`` are directories relative to ``root`` put first on ``sys.path``
    (``port`` for pycodex, ``.`` for ferry's own packages); the judged packages are the
    top-level packages found in them, unless given.
    """
    root = root.resolve()
    search = tuple(dict.fromkeys((root / s).resolve() for s in source_roots))
    names = (
        list(judged)
        if judged is not None
        else [n for d in search for n in top_level_packages(d) if n not in ("tests", "test")]
    )
    deps = dependency_dirs(names)
    venv = env_root / _key(root, sys.version, _base_python())
    if not (venv / "pyvenv.cfg").is_file() or not (venv / "bin" / "python").exists():
        venv.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [_base_python(), "-m", "venv", "--without-pip", "--clear", str(venv)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise GateEnvError(f"cannot create the gate environment {venv}: {proc.stderr.strip()}")
    site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    site.mkdir(parents=True, exist_ok=True)
    _write_if_changed(site / "00-ferry-candidate.pth", "".join(f"{p}\n" for p in search))
    _write_if_changed(site / "50-ferry-deps.pth", "".join(f"{p}\n" for p in deps))
    _write_if_changed(site / "_ferry_gate_hook.py", _HOOK.format(rc=COVERAGE_RC))
    _write_if_changed(site / "zz-ferry-hook.pth", "import _ferry_gate_hook\n")
    python = venv / "bin" / "python"
    scripts = {"pytest": "pytest:console_main", "mypy": "mypy.__main__:console_entry"}
    for directory in (root, *search):
        scripts.update(_console_scripts(directory / "pyproject.toml"))
    for name, target in scripts.items():
        module, _, attr = target.partition(":")
        launcher = venv / "bin" / name
        if launcher.is_symlink() or name.startswith("python"):
            continue
        _write_if_changed(launcher, _LAUNCHER.format(python=python, module=module, attr=attr))
        launcher.chmod(0o755)
    write_text_atomic(
        venv / "ferry-gate-env.json",
        json.dumps({"format": ENV_FORMAT, "root": str(root), "search": [str(p) for p in search],
                    "deps": [str(p) for p in deps], "judged": names}, indent=2) + "\n",
    )  # fmt: skip
    return GateEnv(root=root, venv=venv, search=search, judged=tuple(names))


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_text_atomic(path, text)
