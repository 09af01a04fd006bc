"""Damaged Track state, through the real ``ferry`` CLI: a clear error naming the file and the
fix, never a traceback, and never a silent fresh start (issue 11)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from ferry_upstream_helpers import make_upstream, write_config

FERRY = str(Path(sys.executable).with_name("ferry"))


def ferry(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FERRY, *args], cwd=project, capture_output=True, text=True, timeout=120)


def assert_clean_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "Traceback" not in out, out
    for fragment in fragments:
        assert fragment in out, (fragment, out)
    return out


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A project tracking a small upstream, pinned at its base commit, ledger recorded."""
    shas = make_upstream(tmp_path / "upstream")
    project = tmp_path / "project"
    write_config(project, str(tmp_path / "upstream"))
    proc = ferry(project, "track", "--pin", shas["base"])
    assert proc.returncode == 0, proc.stderr
    return project, shas


def test_checkout_that_is_a_file(project: tuple[Path, dict[str, str]]) -> None:
    root, _ = project
    checkout = root / ".ferry" / "upstream"
    subprocess.run(["rm", "-rf", str(checkout)], check=True)
    checkout.write_text("left over\n")
    for args in (("track",), ("track", "--no-fetch"), ("diff",)):
        assert_clean_error(
            ferry(root, *args), str(checkout), "is a file, not a directory", "remove it"
        )
    assert checkout.read_text() == "left over\n"  # nothing deleted behind the user's back


def test_pinned_commit_missing_from_the_checkout(project: tuple[Path, dict[str, str]]) -> None:
    root, _ = project
    lock = root / "ferry.lock"
    missing = "0123456789abcdef0123456789abcdef01234567"
    lock.write_text(
        lock.read_text().replace(lock.read_text().split('"commit": "')[1][:40], missing)
    )
    for args in (("track",), ("diff",)):
        assert_clean_error(
            ferry(root, *args), str(lock), missing, "is not in the upstream checkout", "--pin"
        )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "is a directory"),
        ("[1,2,3]\n", "found list"),
        ("", "the lock file is empty"),
        ('{"format": "ferry.lock/1", "url": "u", "branch": "main", "commit": "HEAD~1", '
         '"updated": "x"}', "field commit: Value error, must be a full commit id"),
        ("{not json", "line 1: not valid JSON"),
    ],
)  # fmt: skip
def test_damaged_lock(
    project: tuple[Path, dict[str, str]], content: str | None, expected: str
) -> None:
    root, _ = project
    lock = root / "ferry.lock"
    lock.unlink()
    if content is None:
        lock.mkdir()
    else:
        lock.write_text(content)
    for args in (("track", "--no-fetch"), ("diff",), ("report", "-o", "out")):
        assert_clean_error(ferry(root, *args), str(lock), expected, "ferry track --pin")
    # an explicit revision does not need the pin
    assert ferry(root, "report", "-o", "out", "--rev", "HEAD").returncode == 0


def test_zero_length_ledger_is_an_error_not_a_fresh_start(
    project: tuple[Path, dict[str, str]],
) -> None:
    root, shas = project
    ledger = root / ".ferry" / "ledger.sqlite"
    for side in (".ferry/ledger.sqlite-wal", ".ferry/ledger.sqlite-shm"):
        (root / side).unlink(missing_ok=True)
    ledger.write_bytes(b"")
    for args in (("track", "--no-fetch"), ("ledger", "list"), ("ledger", "counts"),
                 ("ledger", "mark", shas["core"], "skipped")):  # fmt: skip
        assert_clean_error(ferry(root, *args), str(ledger), "empty (0 bytes)", "not a new ledger")
    assert ledger.stat().st_size == 0  # left as found: the user decides what to restore
    # moving it aside is the deliberate fresh start the message describes
    ledger.rename(ledger.with_name("ledger.sqlite.bad"))
    proc = ferry(root, "track", "--no-fetch", "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"new": 4' in proc.stdout


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("directory", "is a directory, not a ledger database"),
        ("garbage", "not an SQLite database"),
        ("other-program", "without a commits table (tables: settings)"),
        ("old-columns", "lacks column(s) first_seen, reason, status, updated"),
    ],
)
def test_unusable_ledger(project: tuple[Path, dict[str, str]], damage: str, expected: str) -> None:
    root, _ = project
    ledger = root / ".ferry" / "ledger.sqlite"
    for path in ledger.parent.glob("ledger.sqlite*"):
        path.unlink()
    if damage == "directory":
        ledger.mkdir()
    elif damage == "garbage":
        ledger.write_bytes(b"not a database\n" * 200)
    else:
        table = "settings (k TEXT)" if damage == "other-program" else "commits (sha TEXT, subject TEXT, authored TEXT)"  # fmt: skip
        with sqlite3.connect(ledger) as db:
            db.execute(f"CREATE TABLE {table}")
        db.close()
    for args in (("track", "--no-fetch"), ("ledger", "counts")):
        assert_clean_error(ferry(root, *args), str(ledger), expected, "restore")


def test_ferry_toml_damage_names_the_file(project: tuple[Path, dict[str, str]]) -> None:
    root, _ = project
    config = root / "ferry.toml"
    config.write_bytes(b'[upstream]\nurl = "\xff"\n')
    for args in (("track",), ("ledger", "list"), ("diff",), ("sync",)):
        assert_clean_error(ferry(root, *args), str(config), "not UTF-8")
    config.unlink()
    config.mkdir()
    for args in (("track",), ("diff",), ("report",)):
        assert_clean_error(ferry(root, *args), str(config), "is a directory")
