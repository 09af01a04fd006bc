"""git's patch output as Diff reads it, and the parallel history path."""

from __future__ import annotations

import tempfile
from pathlib import Path

from translator.diff.engine import history_stats, iter_commit_changesets, stats_of
from translator.diff.gitdiff import CommitPatch, FilePatch, parse_patches
from translator.diff.synth import generate_history

PATCH = b"""\x00ferry-commit 1111111111111111111111111111111111111111 2222222222222222222222222222222222222222
diff --git a/src/a.rs b/src/a.rs
index 3333333333333333333333333333333333333333..4444444444444444444444444444444444444444 100644
--- a/src/a.rs
+++ b/src/a.rs
@@ -3 +3,2 @@ fn x() {
-    1
+    2
+    3
@@ -10,2 +11,0 @@
--- a/looks/like/a/header.rs
-+++ b/so/does/this.rs
\\ No newline at end of file
diff --git a/src/old name.rs b/src/new name.rs
similarity index 100%
rename from src/old name.rs
rename to src/new name.rs
diff --git a/src/gone.rs b/src/gone.rs
deleted file mode 100644
index 5555555555555555555555555555555555555555..0000000000000000000000000000000000000000
--- a/src/gone.rs
+++ /dev/null
@@ -1 +0,0 @@
-fn gone() {}
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000000000000000000000000000000000000..6666666666666666666666666666666666666666
Binary files /dev/null and b/logo.png differ
diff --git "a/src/t\\303\\251\\"x.rs" "b/src/t\\303\\251\\"x.rs"
index 7777777777777777777777777777777777777777..8888888888888888888888888888888888888888 100644
--- "a/src/t\\303\\251\\"x.rs"
+++ "b/src/t\\303\\251\\"x.rs"
@@ -0,0 +1 @@
+fn t() {}
"""


def test_parse_patches_reads_hunks_renames_deletions_binaries_and_quoted_paths() -> None:
    entries = list(parse_patches(PATCH.splitlines(keepends=True)))
    assert isinstance(entries[0], CommitPatch)
    assert entries[0].sha == "1" * 40 and entries[0].parents == ("2" * 40,)
    files = [e for e in entries if isinstance(e, FilePatch)]
    modified, renamed, deleted, binary, quoted = files
    assert (modified.status, modified.removed, modified.added) == ("modified", [3, 10, 11], [3, 4])
    assert modified.hunks == [(3, 1, 3, 2), (10, 2, 11, 0)]
    assert modified.old_blob == "3" * 40 and modified.new_blob == "4" * 40
    assert (renamed.status, renamed.old_path, renamed.new_path) == (
        "renamed",
        "src/old name.rs",
        "src/new name.rs",
    )
    assert renamed.old_blob is None and renamed.removed == []
    assert (deleted.status, deleted.new_blob, deleted.removed) == ("removed", None, [1])
    assert binary.binary and binary.status == "added"
    assert quoted.path == 'src/t\u00e9"x.rs' and quoted.added == [1]
    # removed lines that start like headers are content, in whatever chunks git's output comes
    assert (modified.old_path, modified.new_path) == ("src/a.rs", "src/a.rs")
    for size in (1, 7, 64, len(PATCH)):
        chunks = [PATCH[i : i + size] for i in range(0, len(PATCH), size)]
        again = [e for e in parse_patches(chunks, block=16) if isinstance(e, FilePatch)]
        assert [(f.old_path, f.new_path, f.hunks, f.binary) for f in again] == [
            (f.old_path, f.new_path, f.hunks, f.binary) for f in files
        ]


def test_parallel_history_stats_equal_the_serial_ones() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        commits = [c.sha for c in generate_history(root, seed=3, commits=20)]
        serial = [stats_of(c) for c in iter_commit_changesets(root, commits, "")]
        total = serial[0]
        for part in serial[1:]:
            total = total + part
        parallel = history_stats(root, commits, "", workers=2)
        assert parallel == total
        assert parallel.commits == 20 and parallel.items > 0 and parallel.coverage == 1.0
        # the same through the on-disk cache, cold then warm
        cache = Path(tmp) / "cache"
        assert history_stats(root, commits, "", workers=2, cache_dir=cache) == total
        assert history_stats(root, commits, "", workers=2, cache_dir=cache) == total
