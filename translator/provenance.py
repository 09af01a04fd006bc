"""Provenance: which Python symbol renders which Rust item, at which upstream revision.

The source of truth is the inline marker written in the comment lines directly above a
definition (above its decorators), so an engineer reviews it in the same diff as the code
and it moves with the code through refactors::

    # ferry: codex_core::exec::ExecParams @ 1d092cb66
    # ferry: codex_core::exec::process_exec_tool_call @ 1d092cb66 a1b2c3d4 -- 0.169.0: adds X
    # ferry: port-only -- Python glue: click wiring

A link names a Rust item (``<crate>::<module path>::<Item>[::method]``), the upstream
revision the code follows, optionally the item's content hash (written by the translator)
and a ``-- note``. ``port-only`` needs a reason. Several links may sit above one symbol.

The SQLite index (``.ferry/provenance.sqlite``) is derived from the markers (WAL, one
transaction per batch) so the planner can look counterparts up by Rust path; it is rebuilt
whenever its schema changes or ``--reindex`` asks for it.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from translator.errors import InputError

MARKER_PREFIX = "# ferry: "
PORT_ONLY = "port-only"
#: a comment that looks meant as a marker (``#ferry:``, ``# Ferry :``, ``# ferry port-only``)
_LOOSE = re.compile(r"^#\s*ferry\b", re.IGNORECASE)
#: an identifier, a ``macro_rules!`` name (``mac!``, last segment only) or an item-level
#: macro invocation as the Diff extractor names it (``mac!{}``, its entries below it)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:!|!\{\})?\Z")
_REV = re.compile(r"[0-9a-f]{7,40}\Z")
_HASH = re.compile(r"[0-9a-f]{8,64}\Z")
_NOTE = re.compile(r"\s+--(?:\s+|\Z)")
_MARKER_HELP = (
    "write `# ferry: <crate>::<path>::<Item> @ <rev>` or `# ferry: port-only -- <reason>`"
)

_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS provenance (
    python_module TEXT NOT NULL,
    python_symbol TEXT NOT NULL,
    rust_path     TEXT NOT NULL,
    commit_sha    TEXT NOT NULL,
    rust_hash     TEXT NOT NULL,
    python_hash   TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    rust_key      TEXT NOT NULL,
    PRIMARY KEY (python_module, python_symbol, rust_path)
);
CREATE INDEX IF NOT EXISTS provenance_rust ON provenance (rust_key);
"""


@dataclass(frozen=True)
class Link:
    """``# ferry: <rust path> @ <rev> [<hash>] [-- <note>]``."""

    rust_path: str
    rev: str
    content_hash: str = ""
    note: str = ""

    def render(self) -> str:
        text = f"{MARKER_PREFIX}{self.rust_path} @ {self.rev}"
        if self.content_hash:
            text += f" {self.content_hash}"
        return text + (f" -- {self.note}" if self.note else "")


@dataclass(frozen=True)
class PortOnly:
    """``# ferry: port-only -- <reason>``: no Rust counterpart, on purpose."""

    reason: str

    def render(self) -> str:
        return f"{MARKER_PREFIX}{PORT_ONLY} -- {self.reason}"


Marker = Link | PortOnly


class MarkerSyntaxError(ValueError):
    """A ``# ferry`` comment that is not a valid marker; the message says what to write."""


def split_rust_path(path: str) -> list[str]:
    """``a::b::<T as Tr<U>>::m`` -> ``["a", "b", "<T as Tr<U>>", "m"]`` (``<...>`` kept whole)."""
    segments: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
            if depth < 0:
                raise MarkerSyntaxError(f"unbalanced '>' in Rust path {path!r}")
        elif depth == 0 and path.startswith("::", i):
            segments.append(path[start:i])
            i += 2
            start = i
            continue
        i += 1
    if depth != 0:
        raise MarkerSyntaxError(f"unbalanced '<' in Rust path {path!r}")
    segments.append(path[start:])
    return segments


def canonical_rust_path(path: str) -> str:
    """The lookup key of a Rust path: ``<T as Trait>`` and ``<impl T>`` segments become ``T``.

    Markers name methods as ``Type::method`` whichever impl block holds them; the diff names
    trait-impl methods ``<Type as Trait>::method``. Both meet on this key.
    """
    try:
        segments = split_rust_path(path)
    except MarkerSyntaxError:
        return path
    out: list[str] = []
    for seg in segments:
        if seg.startswith("<impl ") and seg.endswith(">"):
            seg = seg[len("<impl ") : -1]
        elif seg.startswith("<") and seg.endswith(">") and " as " in seg:
            seg = seg[1:-1].split(" as ", 1)[0]
        out.append(_strip_generics(seg))
    return "::".join(out)


def _strip_generics(segment: str) -> str:
    cut = segment.find("<")
    return segment[:cut] if cut > 0 else segment


def _check_rust_path(path: str) -> None:
    segments = split_rust_path(path)
    if len(segments) < 2:
        raise MarkerSyntaxError(
            f"Rust path {path!r} needs the crate and the item (e.g. codex_core::exec::ExecParams)"
        )
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", segments[0]):
        raise MarkerSyntaxError(
            f"Rust path {path!r} must start with the crate name from Cargo.toml "
            "(codex-core -> codex_core)"
        )
    for seg in segments[1:]:
        if seg.startswith("<") and seg.endswith(">"):
            continue
        if not _IDENT.match(seg) or (seg.endswith("!") and seg is not segments[-1]):
            raise MarkerSyntaxError(f"Rust path {path!r}: {seg!r} is not a Rust identifier")


def parse_marker(comment: str) -> Marker | None:
    """The marker in ``comment``; None for an unrelated comment.

    Raises :class:`MarkerSyntaxError` for a comment meant as a marker that is malformed.
    """
    text = comment.strip()
    if not _LOOSE.match(text):
        return None
    if not text.startswith(MARKER_PREFIX):
        raise MarkerSyntaxError(f"{text!r} is not a marker: {_MARKER_HELP}")
    body = text[len(MARKER_PREFIX) :].strip()
    parts = _NOTE.split(body, maxsplit=1)
    main, note = parts[0].strip(), (parts[1].strip() if len(parts) == 2 else "")
    if len(parts) == 2 and not note:
        raise MarkerSyntaxError(f"{text!r}: nothing after ' -- ' (give the note or reason)")
    if main == PORT_ONLY or main.startswith(PORT_ONLY + " "):
        if main != PORT_ONLY:
            raise MarkerSyntaxError(f"{text!r}: write `# ferry: port-only -- <reason>`")
        if not note:
            raise MarkerSyntaxError(
                f"{text!r}: port-only needs a reason (`# ferry: port-only -- <why>`)"
            )
        return PortOnly(note)
    path, at, rest = main.rpartition(" @ ")
    if not at or not path.strip():
        raise MarkerSyntaxError(f"{text!r}: no ' @ <rev>' after the Rust path; {_MARKER_HELP}")
    path = path.strip()
    _check_rust_path(path)
    tokens = rest.split()
    if not tokens or not _REV.match(tokens[0]):
        raise MarkerSyntaxError(
            f"{text!r}: {rest.strip() or '(nothing)'!r} is not an upstream revision "
            "(7-40 lowercase hex digits)"
        )
    if len(tokens) > 2 or (len(tokens) == 2 and not _HASH.match(tokens[1])):
        raise MarkerSyntaxError(
            f"{text!r}: after the revision only a content hash (8+ hex digits) and "
            "' -- <note>' may follow"
        )
    return Link(path, tokens[0], tokens[1] if len(tokens) == 2 else "", note)


@dataclass(frozen=True)
class ProvenanceRecord:
    """One link of the index: a Python symbol and one Rust item it renders."""

    python_module: str
    python_symbol: str
    rust_path: str
    commit: str
    rust_hash: str
    python_hash: str = ""
    updated_at: str = ""
    note: str = ""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ProvenanceIndex:
    """A SQLite file mapping Python symbols to Rust items (use as a context manager)."""

    def __init__(self, path: Path) -> None:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{path}: not a usable provenance database ({exc}); move it away to rebuild"
            ) from exc
        self.path = path

    def _migrate(self) -> None:
        """The index is derived data: an older schema is dropped and rebuilt from markers."""
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version != _SCHEMA_VERSION:
            self._db.execute("DROP TABLE IF EXISTS provenance")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        else:
            self._db.executescript(_SCHEMA)

    def __enter__(self) -> ProvenanceIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @staticmethod
    def _row(r: ProvenanceRecord, now: str) -> tuple[str, ...]:
        return (
            r.python_module,
            r.python_symbol,
            r.rust_path,
            r.commit,
            r.rust_hash,
            r.python_hash,
            r.updated_at or now,
            r.note,
            canonical_rust_path(r.rust_path),
        )

    def record(self, records: Iterable[ProvenanceRecord]) -> int:
        """Insert or update links in one transaction; returns how many were written."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [self._row(r, now) for r in records]
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(python_module, python_symbol, rust_path) DO UPDATE SET "
                "commit_sha=excluded.commit_sha, rust_hash=excluded.rust_hash, "
                "python_hash=excluded.python_hash, updated_at=excluded.updated_at, "
                "note=excluded.note",
                rows,
            )
        return len(rows)

    def replace_all(self, records: Iterable[ProvenanceRecord]) -> int:
        """Make the index hold exactly ``records`` (one transaction: readers see old or new)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [self._row(r, now) for r in records]
        with self.transaction() as db:
            db.execute("DELETE FROM provenance")
            db.executemany(
                "INSERT OR REPLACE INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        return len(rows)

    def remove(self, python_module: str, python_symbol: str) -> None:
        """Forget every link of one Python symbol."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM provenance WHERE python_module = ? AND python_symbol = ?",
                (python_module, python_symbol),
            )

    _COLUMNS = (
        "python_module, python_symbol, rust_path, commit_sha, rust_hash, python_hash, "
        "updated_at, note"
    )

    def _rows(self, where: str, args: tuple[str, ...]) -> list[ProvenanceRecord]:
        sql = f"SELECT {self._COLUMNS} FROM provenance {where} ORDER BY python_module, python_symbol, rust_path"
        return [ProvenanceRecord(*row) for row in self._db.execute(sql, args).fetchall()]

    def for_rust(self, rust_path: str) -> list[ProvenanceRecord]:
        """Every Python symbol linked to ``rust_path`` (``<T as Trait>::m`` finds ``T::m``)."""
        return self._rows("WHERE rust_key = ?", (canonical_rust_path(rust_path),))

    def under_rust_prefix(self, prefix: str) -> list[ProvenanceRecord]:
        """Links to items below ``prefix`` (``codex_core::exec`` -> ``codex_core::exec::*``)."""
        key = canonical_rust_path(prefix) + "::"
        return self._rows("WHERE substr(rust_key, 1, ?) = ?", (str(len(key)), key))

    def for_python(self, python_module: str, python_symbol: str) -> ProvenanceRecord | None:
        rows = self.links_of(python_module, python_symbol)
        return rows[0] if rows else None

    def links_of(self, python_module: str, python_symbol: str) -> list[ProvenanceRecord]:
        return self._rows(
            "WHERE python_module = ? AND python_symbol = ?", (python_module, python_symbol)
        )

    def all(self) -> list[ProvenanceRecord]:
        return self._rows("", ())

    def crates(self) -> set[str]:
        """Crates at least one Python symbol is linked to: the crates the port covers."""
        return {
            str(key).split("::", 1)[0]
            for (key,) in self._db.execute("SELECT DISTINCT rust_key FROM provenance")
        }

    def scan_module(self, python_module: str, source: str) -> int:
        """Record every link marker of ``source`` (a module's text) under ``python_module``."""
        from translator.port_scan import scan_source

        scanned = scan_source(source, python_module=python_module, path=Path(python_module))
        if scanned.syntax_error is not None:
            raise InputError(
                f"{python_module}: cannot parse to read provenance markers: {scanned.syntax_error}"
            )
        return self.record(scanned.records())

    def rebuild(self, target_root: Path, packages: Iterable[str] = ()) -> int:
        """Rebuild the whole index from the markers under ``target_root`` (one transaction)."""
        from translator.port_scan import scan_tree

        scans = scan_tree(target_root, packages, marked_only=True)
        for scan in scans:
            if scan.syntax_error is not None:
                raise InputError(
                    f"{scan.path}: cannot parse to read provenance markers: {scan.syntax_error}"
                )
        return self.replace_all(r for scan in scans for r in scan.records())
