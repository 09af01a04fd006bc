"""codex's SQLite state beside the rollouts: threads, goals and logs (see :mod:`.store`)."""
