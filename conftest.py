"""Test session settings (tests/ and port/tests/).

``ferry diff`` keeps an on-disk cache (``$FERRY_DIFF_CACHE``, by default in the user's
cache directory); tests point it at a private temporary directory so they neither read
nor leave anything in the real one. Subprocesses inherit the variable.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_CACHE = tempfile.mkdtemp(prefix="ferry-test-diff-cache-")
atexit.register(shutil.rmtree, _CACHE, True)
os.environ["FERRY_DIFF_CACHE"] = _CACHE
