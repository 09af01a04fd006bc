"""The UI's plain helpers: number formats, output truncation, slash parsing, history, mentions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pycodex.client.events import TokenUsage
from pycodex.tui import history, mentions, slash
from pycodex.tui.sessions import time_ago
from pycodex.tui.status import StatusSnapshot, permissions_label, status_card, status_line
from pycodex.tui.text import (
    exec_snippet,
    exit_messages,
    final_output_line,
    format_si_suffix,
    percent_context_left,
    strip_bash_lc,
    truncate_output,
)


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0"),
        (999, "999"),
        (1200, "1.20K"),
        (4345, "4.35K"),  # halves round up, as Rust's f64::round
        (12345, "12.3K"),
        (99999, "100K"),
        (999_500, "1.00M"),
        (123_456_789, "123M"),
        (2_000_000_000_000, "2,000G"),
        (-5, "0"),
    ],
)
def test_format_si_suffix_matches_codex(n: int, shown: str) -> None:
    assert format_si_suffix(n) == shown


def test_context_left_leaves_the_baseline_out() -> None:
    assert percent_context_left(1234, 258_400) == 100  # below the 12k baseline
    assert percent_context_left(135_200, 258_400) == 50
    assert percent_context_left(300_000, 258_400) == 0
    assert percent_context_left(10, 12_000) == 0  # a window no bigger than the baseline


def test_exit_summary_is_codex_s() -> None:
    usage = TokenUsage(
        input_tokens=10_000,
        cached_input_tokens=4_000,
        output_tokens=1_500,
        reasoning_output_tokens=300,
        total_tokens=11_500,
    )
    assert final_output_line(usage) == (
        "Token usage: total=7,500 input=6,000 (+ 4,000 cached) output=1,500 (reasoning 300)"
    )
    assert exit_messages(usage, "t-1") == [
        final_output_line(usage),
        "To continue this session, run:",
        "  pycodex resume t-1",
    ]
    assert exit_messages(TokenUsage(), None) == []


def test_command_display_and_truncation() -> None:
    assert strip_bash_lc(["/bin/bash", "-lc", "ls -la && pwd"]) == "ls -la && pwd"
    assert strip_bash_lc(["git", "commit", "-m", "two words"]) == "git commit -m 'two words'"
    assert exec_snippet("echo one\necho two") == "echo one ..."
    assert len(exec_snippet("x" * 200)) == 80
    lines = truncate_output("\n".join(f"line {i}" for i in range(1, 21)))
    assert lines == [
        "line 1",
        "line 2",
        "… +16 lines (ctrl + t to view transcript)",
        "line 19",
        "line 20",
    ]
    assert truncate_output("a\nb\n") == ["a", "b"]


def test_slash_parsing_and_popup_order() -> None:
    assert slash.parse("/model gpt-5.5 high") == ("model", "gpt-5.5 high")
    assert slash.parse("/status") == ("status", "")
    assert slash.parse("/tmp/file is broken") is None  # a path, not a command
    assert slash.parse("hello /status") is None
    assert slash.parse("/") is None
    assert [c.name for c in slash.matching("st")] == ["status"]
    assert "approvals" not in [c.name for c in slash.matching("")]  # hidden alias
    assert slash.lookup("approvals") is not None
    assert slash.lookup("review") is None


def test_history_file_is_shared_owner_only_and_tolerates_bad_lines(tmp_path: Path) -> None:
    history.append_entry(tmp_path, "t1", "first")
    history.append_entry(tmp_path, "t1", "second ünïcode")
    path = tmp_path / "history.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with path.open("a") as f:
        f.write("not json\n")
        f.write(json.dumps({"conversation_id": "old", "ts": 1, "text": "from codex"}) + "\n")
    entries = history.load_entries(tmp_path)
    assert [e.text for e in entries] == ["first", "second ünïcode", "from codex"]
    assert entries[-1].session_id == "old"
    assert history.load_entries(tmp_path / "missing") == []


def test_composer_history_navigation() -> None:
    nav = history.ComposerHistory(persistent=["a", "b"])
    nav.record("c")
    nav.record("c")  # a repeat is kept once
    assert [nav.older(), nav.older(), nav.older(), nav.older()] == ["c", "b", "a", "a"]
    assert [nav.newer(), nav.newer(), nav.newer()] == ["b", "c", ""]
    assert nav.newer() is None and not nav.browsing


def test_mentions_token_and_ranking(tmp_path: Path) -> None:
    assert mentions.token_at("see @src/pa", 11) == mentions.MentionToken(4, 11, "src/pa")
    assert mentions.token_at("email a@b", 9) is None  # @ inside a word
    assert mentions.token_at("no mention", 3) is None
    files = ["docs/parser-notes.md", "src/parser.py", "src/other/paragraph.py", "README.md"]
    assert mentions.search(files, "parser")[:2] == ["src/parser.py", "docs/parser-notes.md"]
    assert mentions.search(files, "zzz") == []
    (tmp_path / "visible.txt").write_text("")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text("")
    assert mentions.list_files(tmp_path) == ["visible.txt"]  # not a repo: hidden dirs skipped


def test_time_ago() -> None:
    now = 10_000_000
    assert [time_ago(now - d * 1000, now) for d in (5, 120, 7200, 3 * 86400)] == [
        "5s ago",
        "2m ago",
        "2h ago",
        "3d ago",
    ]


def test_status_texts() -> None:
    snapshot = StatusSnapshot(
        model="gpt-5.5",
        reasoning_effort="high",
        reasoning_summary=None,
        provider="mock",
        cwd=Path("/w"),
        sandbox="workspace-write",
        approval="on-request",
        thread_id="t",
        total_tokens=7468,
        input_tokens=7468,
        output_tokens=0,
        cached_input_tokens=0,
        tokens_in_window=1234,
        context_window=258_400,
        agents_md=("AGENTS.md",),
    )
    assert permissions_label("read-only", "never") == "Read Only (Never ask)"
    assert status_line(snapshot) == (
        "gpt-5.5 high · 100% context left · 7.47K tokens used · workspace-write/on-request · /w"
    )
    card = status_card(snapshot, "HEADER").splitlines()
    assert card[2] == "Model:               gpt-5.5 (reasoning high, summaries auto)"
    assert "Agents.md:           AGENTS.md" in card
    assert card[-2] == "Token usage:         7.47K total  (7.47K input + 0 output)"
    assert card[-1] == "Context window:      100% left (1.23K used / 258K)"
