"""Offline stand-ins for what task scripts download at run time.

Real Terminal-Bench verifiers start with ``curl -LsSf https://astral.sh/uv/0.7.13/install.sh
| sh``; that host is not reachable here (only package registries are), and a task run
offline reaches nothing at all. Rather than editing tasks, the harness gives every
environment a read-only *kit* at ``/ferry-offline`` and puts its ``bin`` first on
``PATH``:

* ``bin/curl`` and ``bin/wget`` recognise the uv installer URLs
  (``astral.sh/uv[/VERSION]/install.sh``) and answer with a stand-in installer that
  installs the same uv release, taken from PyPI's ``uv`` wheel (the wheel carries the
  very binaries the installer would download), into the same place (``$UV_INSTALL_DIR``,
  ``$XDG_BIN_HOME`` or ``~/.local/bin``) with the same ``env`` script. Every other URL is
  passed to the real tool untouched. Each answer is announced on stderr, so the trial's
  log shows what was served.
* ``simple/`` over ``wheels/`` (offline runs): a PEP 503 index of the PyPI
  distributions the task's scripts install (``uv add``, ``pip install``, ``uvx
  --with``), with every dependency a universal resolver asks for. ``uv`` and ``pip``
  are pointed at it as their default index, so they resolve as they would online.

Decision: a ``PATH`` shim over a local HTTP mirror, because HTTPS interception would
need a certificate planted in the task's trust store (the image changed), while the
shim leaves the image alone and works in a network-less namespace.
"""

from __future__ import annotations

import email.parser
import itertools
import logging
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import EnvironmentStartError
from harness.tasks.model import Task

log = logging.getLogger(__name__)

KIT_MOUNT = "/ferry-offline"
#: uv releases asked for without a version get this one (the newest the kit knows).
DEFAULT_UV_VERSION = "0.7.13"
UV_URL = re.compile(r"https?://astral\.sh/uv/(?:(\d+\.\d+\.\d+)/)?install\.sh")
_INSTALL = re.compile(
    r"(?:\buv\s+add|\buv\s+pip\s+install|\bpip3?\s+install|\bpython3?\s+-m\s+pip\s+install)"
    r"([^\n;&|]*)"
)
_UVX_WITH = re.compile(r"\b(?:uvx|uv\s+run|uv\s+tool\s+run)\b[^\n;&|]*")
_REQ = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?([<>=!~]=?[^\s]+)?$")

_SHIM = r"""#!/bin/sh
# ferry offline stand-in for {tool}: serves the uv installer from the kit, passes the rest on.
kit={kit}
url=""; out=""; prev=""
for arg in "$@"; do
  case "$prev" in -o|--output|-O) out="$arg" ;; esac
  case "$arg" in -O*) [ "{tool}" = wget ] && [ "$arg" != "-O" ] && out="${{arg#-O}}" ;; esac
  case "$arg" in http://astral.sh/uv/*install.sh|https://astral.sh/uv/*install.sh) url="$arg" ;; esac
  prev="$arg"
done
if [ -n "$url" ]; then
  version=$(printf '%s' "$url" | sed -n 's#.*/uv/\([0-9][0-9.]*\)/install.sh#\1#p')
  [ -n "$version" ] || version=$(cat "$kit/uv/default")
  script="$kit/uv/$version/install.sh"
  if [ ! -f "$script" ]; then
    echo "ferry: no offline stand-in for uv $version (prepare it with the harness)" >&2
    exit 22
  fi
  echo "ferry: served $url from the offline kit (uv $version from PyPI)" >&2
  if [ -n "$out" ] && [ "$out" != "-" ]; then cat "$script" > "$out"; else cat "$script"; fi
  exit 0
fi
IFS=:
for dir in $PATH; do
  [ "$dir" = "$kit/bin" ] && continue
  [ -x "$dir/{tool}" ] && exec "$dir/{tool}" "$@"
done
echo "{tool}: command not found" >&2
exit 127
"""

_INSTALLER = r"""#!/bin/sh
# ferry offline stand-in for the uv {version} installer: the same binaries, from PyPI's wheel.
set -e
src={kit}/uv/{version}
if [ -n "${{UV_INSTALL_DIR:-}}" ]; then dest="$UV_INSTALL_DIR"
elif [ -n "${{XDG_BIN_HOME:-}}" ]; then dest="$XDG_BIN_HOME"
else dest="$HOME/.local/bin"; fi
echo "downloading uv {version} {target}"
mkdir -p "$dest"
cp "$src/uv" "$src/uvx" "$dest/"
chmod 755 "$dest/uv" "$dest/uvx"
cat > "$dest/env" <<EOF
#!/bin/sh
# add binaries to PATH if they aren't added yet
case ":\${{PATH}}:" in
    *:"$dest":*) ;;
    *) export PATH="$dest:\$PATH" ;;
esac
EOF
echo "installing to $dest"
echo "  uv"
echo "  uvx"
echo "everything's installed!"
if [ -z "${{UV_NO_MODIFY_PATH:-}}" ] && [ -z "${{INSTALLER_NO_MODIFY_PATH:-}}" ]; then
  for rc in "$HOME/.profile" "$HOME/.bashrc"; do
    grep -qs "$dest/env" "$rc" || echo ". \"$dest/env\"" >> "$rc"
  done
fi
"""


@dataclass(frozen=True)
class StandinKit:
    """A prepared kit on the host; environments mount it read-only at :data:`KIT_MOUNT`."""

    root: Path
    offline: bool = False
    uv_versions: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def env(self, base_path: str) -> dict[str, str]:
        """Variables every command of a trial gets (``PATH`` first, offline index settings)."""
        out = {"PATH": f"{KIT_MOUNT}/bin:{base_path}"}
        if self.offline:
            index = f"file://{KIT_MOUNT}/simple"
            out.update(
                UV_DEFAULT_INDEX=index,
                UV_INDEX_URL=index,
                UV_PYTHON_DOWNLOADS="never",
                PIP_INDEX_URL=index,
            )
        return out


def task_scripts(task: Task) -> Iterable[str]:
    """The text of every script a task runs (tests, solution, Dockerfile)."""
    paths = [task.test_script, *sorted(task.tests_dir.glob("*.sh"))]
    if task.solution is not None:
        paths.append(task.solution)
    if task.dockerfile is not None:
        paths.append(task.dockerfile)
    for path in dict.fromkeys(paths):
        try:
            yield path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue


def uv_versions(texts: Iterable[str]) -> set[str]:
    """uv releases the scripts' installer URLs name (``""`` for an unversioned URL)."""
    return {m.group(1) or "" for text in texts for m in UV_URL.finditer(text)}


def requirements(texts: Iterable[str]) -> set[str]:
    """PyPI requirements the scripts install (``uv add X``, ``pip install X``, ``uvx --with X``)."""
    found: set[str] = set()
    for text in texts:
        text = text.replace("\\\n", " ")
        for match in _INSTALL.finditer(text):
            found.update(_requirement_words(match.group(1)))
        for match in _UVX_WITH.finditer(text):
            words = _split(match.group(0))
            for flag, value in itertools.pairwise(words):
                if flag in ("--with", "-w"):
                    found.update(w for w in value.split(",") if _REQ.match(w))
    return found


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def _requirement_words(text: str) -> set[str]:
    words = _split(text)
    out: set[str] = set()
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word in ("-r", "-c", "-e", "--index-url", "-i", "--extra-index-url", "--target",
                    "-t", "--python", "-p", "--group", "--find-links", "-f"):  # fmt: skip
            skip = True
            continue
        if word.startswith("-") or "$" in word or "/" in word:
            continue
        if _REQ.match(word):
            out.add(word)
    return out


def prepare_kit(tasks: Iterable[Task], root: Path, *, offline: bool = False) -> StandinKit:
    """Build (or reuse) the kit the tasks need under ``root``; downloads go through pip."""
    tasks = list(tasks)
    texts = [text for task in tasks for text in task_scripts(task)]
    versions = {v or DEFAULT_UV_VERSION for v in uv_versions(texts)} | {DEFAULT_UV_VERSION}
    root.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    for version in sorted(versions):
        _ensure_uv(root / "uv" / version, version)
    (root / "uv" / "default").write_text(DEFAULT_UV_VERSION + "\n", encoding="utf-8")
    for tool in ("curl", "wget"):
        shim = root / "bin" / tool
        shim.parent.mkdir(parents=True, exist_ok=True)
        shim.write_text(_SHIM.format(tool=tool, kit=KIT_MOUNT), encoding="utf-8")
        shim.chmod(0o755)
    reqs: set[str] = set()
    if offline:
        reqs = requirements(texts)
        wheels = root / "wheels"
        wheels.mkdir(exist_ok=True)
        if reqs:
            notes.append(f"offline wheelhouse for {', '.join(sorted(reqs))}")
            _wheelhouse(sorted(reqs), wheels)
        _simple_index(wheels, root / "simple")
    return StandinKit(root, offline, tuple(sorted(versions)), tuple(sorted(reqs)), tuple(notes))


def _target() -> tuple[str, str]:
    machine = platform.machine()
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
        machine.lower(), machine
    )
    return arch, f"{arch}-unknown-linux-gnu"


def _pip(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if proc.returncode != 0:
        raise EnvironmentStartError(
            f"pip download {' '.join(args)} failed: {proc.stderr.strip()[-800:]}"
        )


def _ensure_uv(dest: Path, version: str) -> None:
    """``uv``/``uvx`` of ``version`` from PyPI's manylinux wheel, plus its stand-in installer."""
    arch, target = _target()
    installer = dest / "install.sh"
    if (dest / "uv").is_file() and (dest / "uvx").is_file():
        _write_installer(installer, version, target)
        return
    with tempfile.TemporaryDirectory(prefix="ferry-uv-") as tmp:
        _pip([f"uv=={version}", "--no-deps", "--only-binary=:all:", "--dest", tmp,
              "--platform", f"manylinux_2_17_{arch}", "--python-version", "3.11"])  # fmt: skip
        wheel = next(Path(tmp).glob("uv-*.whl"), None)
        if wheel is None:
            raise EnvironmentStartError(f"pip found no uv {version} wheel for {arch}")
        dest.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            for name in ("uv", "uvx"):
                member = f"uv-{version}.data/scripts/{name}"
                try:
                    data = archive.read(member)
                except KeyError:
                    raise EnvironmentStartError(f"{wheel.name} has no {member}") from None
                binary = dest / name
                binary.write_bytes(data)
                binary.chmod(0o755)
    _write_installer(installer, version, target)
    log.info("offline kit: uv %s from PyPI", version)


def _write_installer(path: Path, version: str, target: str) -> None:
    """Written on every run (cheap), so a kit from an older harness never serves stale text."""
    text = _INSTALLER.format(kit=KIT_MOUNT, version=version, target=target)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        partial = path.with_suffix(".partial")
        partial.write_text(text, encoding="utf-8")
        partial.chmod(0o644)
        partial.replace(path)


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _wheelhouse(reqs: list[str], wheels: Path) -> None:
    """Download ``reqs`` and, transitively, every distribution their metadata names.

    Markers are ignored on purpose: ``uv`` locks for every platform and Python version
    the project allows, so it asks for ``colorama`` (Windows) or ``tomli`` (old Pythons)
    even where they will not be installed.
    """
    seen: set[str] = set()
    explicit = set(reqs)
    queue = list(reqs)
    while queue:
        req = queue.pop()
        head = _NAME.match(req)
        name = _canonical(head.group(0) if head else req)
        if name in seen and req not in explicit:
            continue
        seen.add(name)
        present = any(_canonical(w.name.split("-")[0]) == name for w in wheels.glob("*.whl"))
        # A pinned request is always asked of pip (it skips files it already has); a
        # dependency met by any version already in the wheelhouse is not.
        if req in explicit or not present:
            # Pure-Python wheels first; a platform wheel for the interpreters in use otherwise.
            try:
                _pip([req, "--no-deps", "--only-binary=:all:", "--dest", str(wheels)])
            except EnvironmentStartError:
                _pip([req, "--no-deps", "--dest", str(wheels)])
        for wheel in wheels.glob("*.whl"):
            if _canonical(wheel.name.split("-")[0]) == name:
                queue.extend(_requires(wheel))


def _simple_index(wheels: Path, simple: Path) -> None:
    """A PEP 503 page per project, linking (relatively) to the files in ``wheels``."""
    projects: dict[str, list[str]] = {}
    for dist in sorted(wheels.iterdir()):
        if dist.suffix in (".whl", ".gz", ".zip"):
            name = re.sub(r"[-_.]+", "-", dist.name.split("-")[0]).lower()
            projects.setdefault(name, []).append(dist.name)
    for name, files in projects.items():
        page = simple / name / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        links = "".join(f'<a href="../../wheels/{f}">{f}</a><br>\n' for f in files)
        page.write_text(f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n", encoding="utf-8")
    root_links = "".join(f'<a href="{n}/">{n}</a><br>\n' for n in sorted(projects))
    simple.mkdir(parents=True, exist_ok=True)
    (simple / "index.html").write_text(
        f"<!DOCTYPE html>\n<html><body>\n{root_links}</body></html>\n", encoding="utf-8"
    )


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        meta = next((n for n in archive.namelist() if n.endswith(".dist-info/METADATA")), None)
        if meta is None:
            return []
        message = email.parser.Parser().parsestr(archive.read(meta).decode("utf-8", "replace"))
    out: list[str] = []
    for value in message.get_all("Requires-Dist") or []:
        spec, _, marker = value.partition(";")
        if "extra ==" in marker or "extra==" in marker:
            continue
        match = _NAME.match(spec.strip())
        if match:
            out.append(match.group(0))
    return out


def standin_kit(
    tasks: Iterable[Task], *, offline: bool = False, root: Path | None = None
) -> StandinKit | None:
    """The kit for a run: ``None`` when no task downloads an installer and the run is online."""
    tasks = list(tasks)
    if not offline and not uv_versions(t for task in tasks for t in task_scripts(task)):
        return None
    if root is None:
        from pycodex.testing.rust_oracle import cache_root

        root = cache_root() / "offline-kit"
    return prepare_kit(tasks, root, offline=offline)


def kit_env(kit: StandinKit | None, base_path: str) -> Mapping[str, str]:
    return kit.env(base_path) if kit is not None else {}
