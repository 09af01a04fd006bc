"""ferry.toml [upstream] validation, the lock file and the SQLite commit ledger."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from upstream.config import find_config, load_project
from upstream.errors import ConfigError, LedgerError
from upstream.ledger import Ledger
from upstream.lock import read_lock, write_lock


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    config = _write(tmp_path / "ferry.toml", '[upstream]\nurl = "../codex"\n')
    project = load_project(config)
    assert project.upstream.branch == "main"
    assert project.upstream.subtree == "codex-rs"
    assert project.upstream.tag_pattern is None
    assert project.checkout == tmp_path / ".ferry/upstream"
    assert project.ledger_file == tmp_path / ".ferry/ledger.sqlite"
    assert project.lock_file == tmp_path / "ferry.lock"
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == config


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[upstream]\nbranch = 'main'\n", "[upstream] url: required key is missing"),
        ("[upstream]\nurl = 'x'\nbranch = 3\n", "[upstream] branch:"),
        ("[upstream]\nurl = 'x'\nsubtre = 'codex-rs'\n", "[upstream] subtre: unknown key"),
        ("[upstream]\nurl = 'x'\nsubtree = '../up'\n", "[upstream] subtree:"),
        ("[translate]\nmodel = 'x'\n", "missing [upstream] table"),
        ("[upstream\nurl = 'x'\n", "not valid TOML"),
    ],
)
def test_config_errors_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    config = _write(tmp_path / "ferry.toml", text)
    with pytest.raises(ConfigError) as info:
        load_project(config)
    assert str(config) in str(info.value)
    assert message in str(info.value)


def test_other_sections_are_left_alone(tmp_path: Path) -> None:
    config = _write(
        tmp_path / "ferry.toml", "[upstream]\nurl = 'x'\n\n[translate]\nbackend = 'replay'\n"
    )
    assert load_project(config).upstream.url == "x"


def test_repository_ferry_toml_is_valid() -> None:
    config = Path(__file__).resolve().parents[2] / "ferry.toml"
    project = load_project(config)
    assert project.upstream.subtree == "codex-rs"
    assert project.upstream.tag_pattern == "rust-v*"


def test_lock_round_trip_and_bad_lock(tmp_path: Path) -> None:
    lock_file = tmp_path / "ferry.lock"
    assert read_lock(lock_file) is None
    written = write_lock(lock_file, "url", "main", "a" * 40)
    assert read_lock(lock_file) == written
    assert json.loads(lock_file.read_text())["format"] == "ferry.lock/1"
    assert [p.name for p in tmp_path.iterdir()] == ["ferry.lock"]  # no temp file left behind
    lock_file.write_text("{not json")
    with pytest.raises(ConfigError, match=r"ferry\.lock"):
        read_lock(lock_file)


def test_ledger_states_reasons_and_wal(tmp_path: Path) -> None:
    path = tmp_path / ".ferry" / "ledger.sqlite"
    shas = [f"{n:x}" * 40 for n in range(1, 4)]
    with Ledger(path) as ledger:
        assert (
            ledger.record_new((s[:40], f"commit {i}", "2025-01-01") for i, s in enumerate(shas))
            == 3
        )
        assert ledger.record_new([(shas[0][:40], "again", "")]) == 0
        entry = ledger.mark(shas[1][:8], "ported", "translated in PR 12")
        assert (entry.status, entry.reason) == ("ported", "translated in PR 12")
        ledger.mark(shas[2][:40], "failed", "mypy gate")
        assert ledger.counts() == {"new": 1, "ported": 1, "skipped": 0, "failed": 1}
        assert [e.sha for e in ledger.entries("failed")] == [shas[2][:40]]
        with pytest.raises(LedgerError, match="not in the ledger"):
            ledger.mark("abcdef12", "skipped")
        with pytest.raises(LedgerError, match="unknown status"):
            ledger.mark(shas[0][:8], "done")
    with Ledger(path) as reopened:  # state survives reopening
        assert reopened.get(shas[1][:40]) is not None
        assert reopened.counts()["ported"] == 1
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_ledger_cli_reports_a_corrupt_database(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from upstream.cli import ledger

    config = _write(tmp_path / "ferry.toml", '[upstream]\nurl = "x"\nledger = "broken.sqlite"\n')
    (tmp_path / "broken.sqlite").write_text("this is not sqlite " * 100)
    result = CliRunner().invoke(ledger, ["counts", "--config", str(config)])
    assert result.exit_code != 0
    assert "broken.sqlite" in result.output and "not an SQLite database" in result.output
