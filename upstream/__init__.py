"""Track: the upstream repository, the pinned commit and the commits since (GitPython).

Public API: ``upstream.config.load_project(path) -> Project``,
``upstream.repo.Upstream(project)`` (``fetch``, ``sync_target``, ``rev``),
``upstream.lock.read_lock/write_lock``, ``upstream.ledger.Ledger(path)``
(``record_new``, ``mark``, ``entries``, ``counts``) and
``upstream.cli.run_track(project, fetch=..., pin=...) -> TrackReport`` whose
``range`` is the ``CommitRange`` handed to Diff.
"""
