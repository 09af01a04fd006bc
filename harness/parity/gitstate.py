"""The state of the workspace's git repository after a run, in a comparable shape.

An agent's ``git commit``, ``git add`` or branch switch is part of what it did, so the
oracle compares HEAD, the refs, the index and every commit reachable from a ref. Commit
ids depend on timestamps (a commit made during the run gets the clock's time), so commits
are named by their position (``C0`` is the oldest) and described by what does not depend
on the clock: tree id, parents, author/committer identity and message. Tree and blob ids
are content hashes and are compared as they are.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

#: the git configuration a snapshot may not depend on (the caller's ~/.gitconfig).
_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, **_GIT_ENV}
    proc = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=30, check=False
    )
    if proc.returncode != 0:
        return f"<git {args[0]} failed: {proc.stderr.strip()}>"
    return proc.stdout


def _commits(repo: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    raw = _git(
        repo,
        "log",
        "--all",
        "--topo-order",
        "--reverse",
        "-z",
        "--format=%H%x01%T%x01%P%x01%an <%ae>%x01%cn <%ce>%x01%B",
    )
    if raw.startswith("<git "):
        return [], {}
    labels: dict[str, str] = {}
    commits: list[dict[str, Any]] = []
    for record in (r for r in raw.split("\0") if r.strip()):
        sha, tree, parents, author, committer, message = record.split("\x01", 5)
        labels[sha.strip()] = f"C{len(commits)}"
        commits.append(
            {
                "tree": tree,
                "parents": [labels.get(p, p) for p in parents.split()],
                "author": author,
                "committer": committer,
                "message": message.rstrip("\n"),
            }
        )
    return commits, labels


def git_state(workspace: Path) -> dict[str, Any] | None:
    """HEAD, refs, index, status and commits of ``workspace``'s repository (``None``: no repo)."""
    if not (workspace / ".git").exists():
        return None
    commits, labels = _commits(workspace)

    def label(sha: str) -> str:
        return labels.get(sha, sha)

    symbolic = _git(workspace, "symbolic-ref", "-q", "HEAD").strip()
    head_sha = _git(workspace, "rev-parse", "-q", "--verify", "HEAD").strip()
    refs: dict[str, str] = {}
    for line in _git(workspace, "for-each-ref", "--format=%(refname) %(objectname)").splitlines():
        name, _, sha = line.partition(" ")
        refs[name] = label(sha)
    return {
        "head": {
            "ref": symbolic or "<detached>",
            "commit": label(head_sha) if head_sha and not head_sha.startswith("<") else None,
        },
        "refs": refs,
        "commits": commits,
        "index": _git(workspace, "ls-files", "-s").splitlines(),
        "status": _git(workspace, "status", "--porcelain=v1", "--untracked-files=all").splitlines(),
    }
