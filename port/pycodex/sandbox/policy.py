"""Sandbox policy values: the three legacy modes and their effective writable roots.

Mirrors upstream's ``SandboxPolicy`` / ``WritableRoot`` (codex-rs/protocol) for
``read-only``, ``workspace-write`` and ``danger-full-access``: which directories a
sandboxed command may write, and which sub-paths of those stay read-only so the
agent cannot rewrite its own guard rails (``.git`` hooks, ``.codex`` config).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


# ferry: codex_core::config::Config::load_config_with_layer_stack @ 1d092cb66 -- its sandbox settings errors
class SandboxConfigError(ValueError):
    """A sandbox setting has the wrong shape; the message names the field and the fix."""


# ferry: codex_protocol::config_types::SandboxMode @ 1d092cb66
class SandboxMode(enum.Enum):
    """The values accepted by ``sandbox_mode`` / ``--sandbox``."""

    READ_ONLY = "read-only"
    WORKSPACE_WRITE = "workspace-write"
    DANGER_FULL_ACCESS = "danger-full-access"

    # ferry: codex_protocol::config_types::SandboxMode @ 1d092cb66 -- its serde kebab-case names
    @classmethod
    def parse(cls, value: str) -> SandboxMode:
        for mode in cls:
            if mode.value == value:
                return mode
        allowed = ", ".join(m.value for m in cls)
        raise SandboxConfigError(f"unknown sandbox mode {value!r}: expected one of {allowed}")


# ferry: codex_protocol::protocol::WritableRoot @ 1d092cb66
@dataclass(frozen=True)
class WritableRoot:
    """A directory the sandbox may write, minus sub-paths that stay read-only."""

    root: Path
    read_only_subpaths: tuple[Path, ...] = ()

    # ferry: codex_protocol::protocol::WritableRoot::is_path_writable @ 1d092cb66
    def is_path_writable(self, path: Path) -> bool:
        if not path.is_relative_to(self.root):
            return False
        return not any(path.is_relative_to(sub) for sub in self.read_only_subpaths)


_WORKSPACE_WRITE_KEYS = (
    "writable_roots",
    "network_access",
    "exclude_tmpdir_env_var",
    "exclude_slash_tmp",
)


# ferry: codex_protocol::protocol::SandboxPolicy @ 1d092cb66
@dataclass(frozen=True)
class SandboxPolicy:
    """What a sandboxed command may touch. Full disk read access in every mode."""

    mode: SandboxMode
    writable_roots: tuple[Path, ...] = ()
    network_access: bool = False
    exclude_tmpdir_env_var: bool = False
    exclude_slash_tmp: bool = False
    #: TMPDIR as seen when the policy is applied; ``None`` reads the environment.
    tmpdir: str | None = field(default=None, compare=False)

    # ferry: codex_protocol::protocol::SandboxPolicy::new_read_only_policy @ 1d092cb66
    @classmethod
    def read_only(cls, *, network_access: bool = False) -> SandboxPolicy:
        return cls(SandboxMode.READ_ONLY, network_access=network_access)

    # ferry: codex_protocol::protocol::SandboxPolicy::new_workspace_write_policy @ 1d092cb66
    @classmethod
    def workspace_write(
        cls,
        writable_roots: Iterable[Path] = (),
        *,
        network_access: bool = False,
        exclude_tmpdir_env_var: bool = False,
        exclude_slash_tmp: bool = False,
    ) -> SandboxPolicy:
        return cls(
            SandboxMode.WORKSPACE_WRITE,
            tuple(writable_roots),
            network_access,
            exclude_tmpdir_env_var,
            exclude_slash_tmp,
        )

    # ferry: codex_protocol::protocol::SandboxPolicy::DangerFullAccess @ 1d092cb66
    @classmethod
    def danger_full_access(cls) -> SandboxPolicy:
        return cls(SandboxMode.DANGER_FULL_ACCESS)

    # ferry: codex_core::config::Config::load_config_with_layer_stack @ 1d092cb66 -- the sandbox_mode and [sandbox_workspace_write] part
    @classmethod
    def from_config(
        cls,
        mode: SandboxMode | str,
        table: Mapping[str, object] | None = None,
        *,
        add_dirs: Iterable[Path] = (),
        base_dir: Path | None = None,
        source: str = "sandbox_workspace_write",
    ) -> SandboxPolicy:
        """Build a policy from ``sandbox_mode`` and the ``[sandbox_workspace_write]`` table.

        ``add_dirs`` are ``--add-dir`` directories; relative paths (in either place)
        resolve against ``base_dir``. As upstream, the table only matters for
        ``workspace-write``; ``read-only`` and ``danger-full-access`` ignore it.
        """
        parsed_mode = mode if isinstance(mode, SandboxMode) else SandboxMode.parse(mode)
        table = table or {}
        if not isinstance(table, Mapping):
            raise SandboxConfigError(f"{source}: expected a table, got {type(table).__name__}")
        unknown = sorted(set(table) - set(_WORKSPACE_WRITE_KEYS))
        if unknown:
            raise SandboxConfigError(
                f"{source}.{unknown[0]}: unknown field; expected one of {', '.join(_WORKSPACE_WRITE_KEYS)}"
            )
        raw_roots = table.get("writable_roots", [])
        if not isinstance(raw_roots, list | tuple):
            raise SandboxConfigError(
                f"{source}.writable_roots: expected an array of paths, got {type(raw_roots).__name__}"
            )
        roots: list[Path] = []
        for index, raw in enumerate(raw_roots):
            if not isinstance(raw, str | os.PathLike):
                raise SandboxConfigError(
                    f"{source}.writable_roots[{index}]: expected a path string, got {type(raw).__name__}"
                )
            roots.append(_absolutize(Path(raw), base_dir, f"{source}.writable_roots[{index}]"))
        for raw_dir in add_dirs:
            roots.append(_absolutize(Path(raw_dir), base_dir, "--add-dir"))
        network_access = _bool_field(table, "network_access", source)
        exclude_tmpdir_env_var = _bool_field(table, "exclude_tmpdir_env_var", source)
        exclude_slash_tmp = _bool_field(table, "exclude_slash_tmp", source)
        if parsed_mode is SandboxMode.WORKSPACE_WRITE:
            return cls(
                parsed_mode,
                tuple(roots),
                network_access=network_access,
                exclude_tmpdir_env_var=exclude_tmpdir_env_var,
                exclude_slash_tmp=exclude_slash_tmp,
            )
        return cls(parsed_mode)

    # ferry: codex_protocol::protocol::SandboxPolicy::has_full_disk_write_access @ 1d092cb66
    @property
    def has_full_disk_write_access(self) -> bool:
        return self.mode is SandboxMode.DANGER_FULL_ACCESS

    # ferry: codex_protocol::protocol::SandboxPolicy::has_full_network_access @ 1d092cb66
    @property
    def has_full_network_access(self) -> bool:
        return self.mode is SandboxMode.DANGER_FULL_ACCESS or self.network_access

    # ferry: codex_protocol::protocol::SandboxPolicy::get_writable_roots_with_cwd @ 1d092cb66
    def writable_roots_for(self, cwd: Path) -> tuple[WritableRoot, ...]:
        """Effective writable roots for ``cwd``: extra roots, cwd, /tmp, $TMPDIR.

        Roots are canonicalised and de-duplicated; each carries the protected
        sub-paths upstream keeps read-only (``.git`` and its ``gitdir:`` target,
        ``.agents``, ``.codex`` — the latter even when missing for the cwd).
        Empty for ``read-only`` and ``danger-full-access``.
        """
        if self.mode is not SandboxMode.WORKSPACE_WRITE:
            return ()
        cwd = _normalize(cwd)
        candidates: list[Path] = [_normalize(p) for p in self.writable_roots]
        candidates.append(cwd)
        if not self.exclude_slash_tmp and Path("/tmp").is_dir():
            candidates.append(Path("/tmp"))
        tmpdir = self.tmpdir if self.tmpdir is not None else os.environ.get("TMPDIR", "")
        if not self.exclude_tmpdir_env_var and tmpdir and os.path.isabs(tmpdir):
            candidates.append(_normalize(Path(tmpdir)))

        roots: list[Path] = []
        for candidate in candidates:
            effective = _effective(candidate)
            if effective not in roots:
                roots.append(effective)

        # Protected paths of the cwd and of explicit roots also carve out any
        # broader writable root that contains them (e.g. a workspace under /tmp).
        protected: list[Path] = list(
            default_read_only_subpaths(cwd, protect_missing_dot_codex=True)
        )
        for extra in self.writable_roots:
            protected.extend(
                default_read_only_subpaths(_normalize(extra), protect_missing_dot_codex=False)
            )

        result: list[WritableRoot] = []
        for root in roots:
            subpaths = list(
                default_read_only_subpaths(root, protect_missing_dot_codex=root == _effective(cwd))
            )
            subpaths.extend(p for p in protected if p != root and p.is_relative_to(root))
            result.append(WritableRoot(root, tuple(dict.fromkeys(subpaths))))
        return tuple(result)

    # ferry: codex_protocol::permissions::FileSystemSandboxPolicy::can_write_path_with_cwd @ 1d092cb66
    def can_write_path(self, path: Path, cwd: Path) -> bool:
        """Whether the sandbox lets a command write ``path`` (lexically normalised, no symlinks).

        The check upstream runs on every apply_patch target before applying it.
        """
        if self.has_full_disk_write_access:
            return True
        target = _normalize(path)
        return any(root.is_path_writable(target) for root in self.writable_roots_for(cwd))

    # ferry: port-only -- apply_patch runs in-process, so it re-checks where writes physically land
    def physical_write_guard(self, cwd: Path) -> Callable[[str], bool] | None:
        """A predicate on *resolved* paths: may an in-process write land there?

        Roots and protected sub-paths are compared in both their spelled and
        symlink-resolved forms, so ``gl -> .git`` cannot smuggle a write into
        ``.git``. ``None`` for ``danger-full-access`` (nothing to guard).
        """
        if self.has_full_disk_write_access:
            return None
        physical: list[tuple[tuple[Path, ...], tuple[Path, ...]]] = []
        for root in self.writable_roots_for(cwd):
            roots = tuple(dict.fromkeys((root.root, Path(os.path.realpath(root.root)))))
            subs: list[Path] = []
            for sub in root.read_only_subpaths:
                subs += [sub, Path(os.path.realpath(sub))]
            physical.append((roots, tuple(dict.fromkeys(subs))))

        def allowed(real: str) -> bool:
            target = Path(real)
            return any(
                any(target.is_relative_to(r) for r in roots)
                and not any(target.is_relative_to(s) for s in subs)
                for roots, subs in physical
            )

        return allowed


# ferry: codex_protocol::permissions::default_read_only_subpaths_for_writable_root @ 1d092cb66 -- 0.169.0: also masks missing .codex/.agents in the cwd
def default_read_only_subpaths(root: Path, *, protect_missing_dot_codex: bool) -> tuple[Path, ...]:
    """The sub-paths of a writable root that stay read-only (upstream's defaults).

    For the cwd (``protect_missing_dot_codex``) codex 0.169 also masks the ones that
    do not exist yet (``.git``, ``.agents``, ``.codex``, ``.aws``), so a command
    cannot create them behind the user's back (a fake ``.git`` with hooks, say).
    """
    subpaths: list[Path] = []
    dot_git = root / ".git"
    if dot_git.is_file() or dot_git.is_dir():
        if dot_git.is_file():
            gitdir = resolve_gitdir_from_file(dot_git)
            if gitdir is not None:
                subpaths.append(gitdir)
        subpaths.append(dot_git)
    elif protect_missing_dot_codex and not dot_git.is_symlink():
        subpaths.append(dot_git)
    for name in (".agents", ".codex", ".aws"):
        candidate = root / name
        missing = not candidate.exists() and not candidate.is_symlink()
        if candidate.is_dir() or (protect_missing_dot_codex and missing):
            subpaths.append(candidate)
    return tuple(dict.fromkeys(subpaths))


# ferry: codex_protocol::permissions::resolve_gitdir_from_file @ 1d092cb66
def resolve_gitdir_from_file(dot_git: Path) -> Path | None:
    """Follow a worktree/submodule ``.git`` file (``gitdir: <path>``) to its directory."""
    try:
        contents = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    _, sep, raw = contents.partition(":")
    raw = raw.strip()
    if not sep or not raw:
        return None
    gitdir = _normalize(dot_git.parent / Path(os.path.expanduser(raw)))
    return gitdir if gitdir.exists() else None


def _bool_field(table: Mapping[str, object], key: str, source: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise SandboxConfigError(f"{source}.{key}: expected true or false, got {value!r}")
    return value


def _absolutize(path: Path, base_dir: Path | None, what: str) -> Path:
    path = Path(os.path.expanduser(path))
    if not path.is_absolute():
        if base_dir is None:
            raise SandboxConfigError(f"{what}: {str(path)!r} is relative; use an absolute path")
        path = base_dir / path
    return _normalize(path)


def _normalize(path: Path) -> Path:
    """Absolute, lexically normalised (``.``/``..`` removed), ``~`` expanded."""
    return Path(os.path.normpath(os.path.abspath(os.path.expanduser(path))))


def _effective(path: Path) -> Path:
    """Resolve symlinks when the path exists, as upstream's effective-path normalisation."""
    return Path(os.path.realpath(path)) if path.exists() else path
