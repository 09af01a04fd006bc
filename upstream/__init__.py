"""Track: the upstream repository, the pinned commit and the commits since (GitPython)."""
