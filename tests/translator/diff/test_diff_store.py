"""The on-disk Diff cache: warm runs give the same ChangeSets, damage is survived loudly."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from translator.changeset import ChangeSet
from translator.diff.engine import iter_commit_changesets
from translator.diff.store import DiffStore, default_cache_dir, store_name
from translator.diff.synth import SynthCommit, generate_history

FERRY = str(Path(sys.executable).with_name("ferry"))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SynthCommit]]:
    root = tmp_path_factory.mktemp("store") / "repo"
    return root, generate_history(root, seed=11, commits=14)


def _run(root: Path, history: list[SynthCommit], cache: Path | None) -> list[ChangeSet]:
    return list(iter_commit_changesets(root, [c.sha for c in history], "", cache_dir=cache))


def _rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        counts = {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("items", "files")
        }
    conn.close()
    return counts


def test_cold_and_warm_runs_equal_the_uncached_one(
    history: tuple[Path, list[SynthCommit]], tmp_path: Path
) -> None:
    root, commits = history
    reference = [c.model_dump() for c in _run(root, commits, None)]
    cache = tmp_path / "cache"
    assert [c.model_dump() for c in _run(root, commits, cache)] == reference
    db = cache / store_name()
    filled = _rows(db)
    assert filled["items"] > 0 and filled["files"] > 0
    assert [c.model_dump() for c in _run(root, commits, cache)] == reference
    assert _rows(db) == filled  # warm: everything was found, nothing new written


def test_damaged_entries_are_recomputed_with_a_warning(
    history: tuple[Path, list[SynthCommit]], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root, commits = history
    reference = [c.model_dump() for c in _run(root, commits, None)]
    cache = tmp_path / "cache"
    _run(root, commits, cache)
    db = cache / store_name()
    with sqlite3.connect(db) as conn:
        for table in ("items", "files"):
            conn.execute(
                f"UPDATE {table} SET value = CAST(substr(value, 1, 10) || x'deadbeef' AS BLOB)"
            )
    conn.close()
    capfd.readouterr()
    assert [c.model_dump() for c in _run(root, commits, cache)] == reference
    err = capfd.readouterr().err
    assert "a damaged entry in the diff cache" in err and str(db) in err


@pytest.mark.parametrize("damage", ["garbage", "directory"])
def test_an_unreadable_cache_is_moved_aside_and_rebuilt(
    history: tuple[Path, list[SynthCommit]],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    damage: str,
) -> None:
    root, commits = history
    reference = [c.model_dump() for c in _run(root, commits[:4], None)]
    cache = tmp_path / "cache"
    db = cache / store_name()
    cache.mkdir()
    if damage == "garbage":
        db.write_bytes(b"not a database at all\n" * 100)
    else:
        (db / "child").mkdir(parents=True)
    assert [c.model_dump() for c in _run(root, commits[:4], cache)] == reference
    err = capfd.readouterr().err
    assert f"the diff cache {db} is unreadable" in err and "rebuilding" in err
    assert (cache / (store_name() + ".unreadable")).exists()
    assert _rows(db)["files"] > 0


def test_default_directory_and_switching_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERRY_DIFF_CACHE", "off")
    assert default_cache_dir() is None
    assert DiffStore(default_cache_dir()).path is None
    monkeypatch.setenv("FERRY_DIFF_CACHE", "/some/where")
    assert default_cache_dir() == Path("/some/where")
    monkeypatch.delenv("FERRY_DIFF_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert default_cache_dir() == Path("/xdg/ferry/diff")


def test_ferry_diff_uses_the_cache_unless_told_not_to(
    history: tuple[Path, list[SynthCommit]], tmp_path: Path
) -> None:
    root, commits = history
    spec = f"{commits[0].sha}..{commits[-1].sha}"

    def ferry_diff(cache: str, *extra: str) -> str:
        env = {**os.environ, "FERRY_DIFF_CACHE": cache}
        proc = subprocess.run(
            [FERRY, "diff", "--repo", str(root), spec, "--json", *extra],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    used = tmp_path / "used"
    first = ferry_diff(str(used))
    assert (used / store_name()).is_file()
    assert ferry_diff(str(used)) == first
    skipped = tmp_path / "skipped"
    assert ferry_diff(str(skipped), "--no-cache") == first
    assert ferry_diff("off") == first
    assert not skipped.exists()
