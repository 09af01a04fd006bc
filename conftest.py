"""Test session settings (tests/ and port/tests/).

``ferry diff`` keeps an on-disk cache (``$FERRY_DIFF_CACHE``, by default in the user's
cache directory); tests point it at a private temporary directory so they neither read
nor leave anything in the real one. Subprocesses inherit the variable.

Commands the agents run go through ``bash -lc``, and a login shell on a machine with
pyenv in its ``~/.bashrc`` runs ``pyenv rehash``, which waits up to 60 s for a lock file
that a killed shell (tests interrupt commands on purpose) leaves behind. Tests cap that
wait at one second (``PYENV_REHASH_TIMEOUT``) so a stale lock cannot stall every later
command past its yield time.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_CACHE = tempfile.mkdtemp(prefix="ferry-test-diff-cache-")
atexit.register(shutil.rmtree, _CACHE, True)
os.environ["FERRY_DIFF_CACHE"] = _CACHE
os.environ.setdefault("PYENV_REHASH_TIMEOUT", "1")
