"""BM25 ranking with the tokenizer of the Rust ``bm25`` crate, which ``tool_search`` uses.

The order of ``tool_search`` results is visible to the model, so it has to be the same as
upstream's: the same tokens (ASCII folding, lower case, Unicode word boundaries, NLTK
English stop words, Snowball English stems), the same BM25 weights (k1 = 1.2, b = 0.75,
average document length fitted to the corpus) and the same sums (a query token counted as
often as it occurs). Scores are computed in single precision like the crate, so near-ties
break the same way.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

K1 = 1.2
B = 0.75

#: NLTK's English stop words (the list the ``stop-words`` crate ships as ``nltk``).
STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "you're",
        "you've",
        "you'll",
        "you'd",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "she's",
        "her",
        "hers",
        "herself",
        "it",
        "it's",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "that'll",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "don't",
        "should",
        "should've",
        "now",
        "d",
        "ll",
        "m",
        "o",
        "re",
        "ve",
        "y",
        "ain",
        "aren",
        "aren't",
        "couldn",
        "couldn't",
        "didn",
        "didn't",
        "doesn",
        "doesn't",
        "hadn",
        "hadn't",
        "hasn",
        "hasn't",
        "haven",
        "haven't",
        "isn",
        "isn't",
        "ma",
        "mightn",
        "mightn't",
        "mustn",
        "mustn't",
        "needn",
        "needn't",
        "shan",
        "shan't",
        "shouldn",
        "shouldn't",
        "wasn",
        "wasn't",
        "weren",
        "weren't",
        "won",
        "won't",
        "wouldn",
        "wouldn't",
    ]
)

#: Unicode word boundaries (UAX #29) for the ASCII text left after folding: letters, digits
#: and underscores joined by a single ``'``, ``.`` or ``:`` between letters, or ``.``, ``,``,
#: ``;`` or ``'`` between digits.
_WORD = re.compile(
    r"[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z_])['.:](?=[A-Za-z_])|(?<=[0-9])[.,;'](?=[0-9]))[A-Za-z0-9_]+)*"
)

_FOLD = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "--",
    "\u2026": "...",
}


@cache
def _stemmer() -> Any:
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("english")


def _fold(text: str) -> str:
    """Unicode to ASCII, as the crate's ``deunicode`` step (accents dropped, quotes straightened)."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        mapped = _FOLD.get(char)
        if mapped is None:
            decomposed = unicodedata.normalize("NFKD", char)
            mapped = "".join(c for c in decomposed if c.isascii()) or "[?]"
        out.append(mapped)
    return "".join(out)


# ferry: port-only -- reimplements the bm25 crate (a Rust dependency of codex 0.169.0, not codex-rs) that tool_search ranks with
def tokenize(text: str) -> list[str]:
    """Fold, lower-case, split on word boundaries, drop stop words, stem."""
    if not text:
        return []
    words = [w for w in _WORD.findall(_fold(text).lower()) if w not in STOP_WORDS]
    stems: list[str] = _stemmer().stemWords(words)
    return stems


def _f32(value: float) -> float:
    result: float = struct.unpack("f", struct.pack("f", value))[0]
    return result


@dataclass(frozen=True)
class _Doc:
    length: int
    counts: Counter[str]


# ferry: port-only -- reimplements the bm25 crate (a Rust dependency of codex 0.169.0, not codex-rs) that tool_search ranks with
class SearchEngine:
    """Documents are indexed by position; :meth:`search` returns positions, best first."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._docs = [self._embed(tokenize(text)) for text in documents]
        total = sum(doc.length for doc in self._docs)
        self._avgdl = _f32(total / len(self._docs)) if self._docs and total else 256.0
        self._doc_freq: Counter[str] = Counter()
        for doc in self._docs:
            self._doc_freq.update(doc.counts.keys())

    @staticmethod
    def _embed(tokens: list[str]) -> _Doc:
        return _Doc(len(tokens), Counter(tokens))

    def _idf(self, token: str) -> float:
        n = self._doc_freq.get(token, 0)
        return _f32(math.log(1.0 + (len(self._docs) - n + 0.5) / (n + 0.5)))

    def _weight(self, doc: _Doc, token: str) -> float:
        tf = doc.counts.get(token, 0)
        if not tf:
            return 0.0
        norm = K1 * (1.0 - B + B * (doc.length / self._avgdl))
        return _f32(tf * (K1 + 1.0) / (tf + norm))

    # ferry: port-only -- reimplements the bm25 crate (a Rust dependency of codex 0.169.0, not codex-rs) that tool_search ranks with
    def search(self, query: str, limit: int) -> list[int]:
        """Indices of documents sharing a token with ``query``, highest score first.

        Upstream breaks ties in hash-map order (unspecified); here ties keep index order.
        """
        tokens = tokenize(query)
        wanted = set(tokens)
        scored: list[tuple[float, int]] = []
        for index, doc in enumerate(self._docs):
            if not wanted & doc.counts.keys():
                continue
            score = 0.0
            for token in tokens:
                score = _f32(score + _f32(self._idf(token) * self._weight(doc, token)))
            scored.append((score, index))
        scored.sort(key=lambda pair: -pair[0])
        return [index for _, index in scored[:limit]]
