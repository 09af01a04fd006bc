"""Open, clone and fetch the upstream repository with GitPython.

The upstream may be a git submodule or any existing clone at ``checkout``, a local
path or a URL (cloned into ``checkout`` on first use). Fetching always pulls
``branch`` from ``url`` into ``refs/remotes/ferry/<branch>`` plus the tags, so
the same code serves all three setups.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git

from upstream.config import Project
from upstream.errors import UpstreamError


@dataclass(frozen=True, slots=True)
class SyncTarget:
    """The commit to sync to: the branch head, or the merge base with the newest tag."""

    commit: str
    branch_head: str
    tag: str | None


def _git_error(action: str, exc: git.GitCommandError) -> UpstreamError:
    detail = (exc.stderr or str(exc)).strip().removeprefix("stderr:").strip().strip("'")
    return UpstreamError(f"{action}: {detail}")


class Upstream:
    """The upstream repository named by a project's ``[upstream]`` settings."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.config = project.upstream
        self._repo: git.Repo | None = None

    @property
    def url(self) -> str:
        local = self.project.local_url()
        return str(local) if local is not None else self.config.url

    @property
    def tracking_ref(self) -> str:
        return f"refs/remotes/ferry/{self.config.branch}"

    def repo(self, *, clone: bool = True) -> git.Repo:
        """The checkout (opened, or cloned from ``url`` when missing and ``clone``)."""
        if self._repo is not None:
            return self._repo
        path = self.project.checkout
        if path.exists() and not path.is_dir():
            raise UpstreamError(
                f"{path} (upstream.checkout in {self.project.config_file}) is a file, not a "
                "directory; remove it so ferry can clone the upstream there, or point "
                "upstream.checkout at an existing clone"
            )
        if path.exists() and any(path.iterdir()):
            try:
                self._repo = git.Repo(path)
                if Path(self._repo.git_dir).resolve() == path.resolve():
                    # the checkout is itself a git directory (bare clone or mirror): run git there
                    self._repo.git = git.Git(str(path))
            except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
                raise UpstreamError(
                    f"{path} (upstream.checkout in {self.project.config_file}) exists but is not "
                    "a git repository; remove it or point checkout elsewhere"
                ) from exc
            return self._repo
        if not clone:
            raise UpstreamError(
                f"no upstream checkout at {path}; run `ferry track` without --no-fetch to clone "
                f"{self.config.url}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._repo = git.Repo.clone_from(self.url, path, no_checkout=True)
        except git.GitCommandError as exc:
            raise _git_error(
                f"cannot clone {self.config.url} (upstream.url in {self.project.config_file})", exc
            ) from exc
        return self._repo

    def fetch(self) -> None:
        """Fetch ``branch`` and the tags from ``url``."""
        repo = self.repo()
        refspec = f"+refs/heads/{self.config.branch}:{self.tracking_ref}"
        try:
            repo.git.fetch("--quiet", "--tags", "--force", self.url, refspec)
        except git.GitCommandError as exc:
            raise _git_error(
                f"cannot fetch branch {self.config.branch!r} from {self.config.url} "
                f"(upstream.url/branch in {self.project.config_file})",
                exc,
            ) from exc

    def rev(self, name: str) -> str:
        """The full sha of a commit-ish in the checkout."""
        try:
            return str(self.repo().git.rev_parse("--verify", "--quiet", f"{name}^{{commit}}"))
        except git.GitCommandError as exc:
            raise UpstreamError(f"{name!r} is not a commit in {self.project.checkout}") from exc

    def has_commit(self, sha: str) -> bool:
        """Whether the checkout holds commit ``sha`` (objects included, not only a ref)."""
        try:
            self.repo().git.cat_file("-e", f"{sha}^{{commit}}")
        except git.GitCommandError:
            return False
        return True

    def require_pin(self, sha: str) -> None:
        """Fail, naming the lock file and the fix, when the pinned commit is not in the checkout."""
        if not self.has_commit(sha):
            raise UpstreamError(
                f"{self.project.lock_file}: the pinned commit {sha} is not in the upstream "
                f"checkout {self.project.checkout}; fetch it (`ferry track` without --no-fetch) "
                "or, if upstream rewrote its history, re-pin with `ferry track --pin <commit>`"
            )

    def git(self, action: str, *args: str) -> str:
        """Run ``git <args>`` in the checkout; a failure names ``action`` and the checkout."""
        try:
            return str(self.repo().git.execute(["git", *args]))
        except git.GitCommandError as exc:
            raise _git_error(f"{action} in {self.project.checkout}", exc) from exc

    def branch_head(self) -> str:
        """The tracked branch head (after fetch), else a local branch of that name."""
        for ref in (
            self.tracking_ref,
            f"refs/remotes/origin/{self.config.branch}",
            f"refs/heads/{self.config.branch}",
        ):
            try:
                return self.rev(ref)
            except UpstreamError:
                continue
        raise UpstreamError(
            f"branch {self.config.branch!r} (upstream.branch in {self.project.config_file}) "
            f"not found in {self.project.checkout}; run `ferry track` to fetch it"
        )

    def newest_tag(self) -> str | None:
        """The newest tag matching ``tag_pattern`` (highest version, pre-releases first), if set."""
        pattern = self.config.tag_pattern
        if pattern is None:
            return None
        out = self.git(
            "cannot list tags",
            "-c",
            "versionsort.suffix=-",
            "for-each-ref",
            "--sort=-version:refname",
            "--format=%(refname:short)",
            f"refs/tags/{pattern}",
        )
        tags = [line for line in str(out).splitlines() if line.strip()]
        if not tags:
            raise UpstreamError(
                f"no tag matches {pattern!r} (upstream.tag_pattern in {self.project.config_file})"
            )
        return tags[0]

    def sync_target(self) -> SyncTarget:
        """Where to sync to: ``merge-base <newest tag> <branch>`` or the branch head."""
        head = self.branch_head()
        tag = self.newest_tag()
        if tag is None:
            return SyncTarget(head, head, None)
        try:
            base = str(self.repo().git.merge_base(self.rev(tag), head)).strip()
        except git.GitCommandError as exc:
            raise UpstreamError(f"tag {tag} shares no history with {self.config.branch}") from exc
        return SyncTarget(base, head, tag)

    @property
    def git_dir(self) -> Path:
        return Path(self.repo().git_dir)
