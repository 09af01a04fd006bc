"""A content-addressed cache of accepted answers: an unchanged prompt costs no model call."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ferry.fsutil import write_text_atomic
from translator.backends.base import BackendAnswer, Usage


def cache_key(backend: str, model: str, content_address: str) -> str:
    """Key of an accepted answer: backend, model and the unit's content address."""
    return hashlib.sha256(f"{backend}\0{model}\0{content_address}".encode()).hexdigest()


class AnswerCache:
    """``<dir>/<k[:2]>/<k>.json`` files holding answers that passed every check."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> BackendAnswer | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return BackendAnswer(
                code=str(data["code"]),
                model=str(data["model"]),
                usage=Usage(),
                notes=str(data.get("notes", "")),
                extra_names=tuple(data.get("extra_names", ())),
                sources=dict(data.get("sources", {})),
            )
        except (OSError, json.JSONDecodeError, KeyError, TypeError):
            return None  # a damaged entry is a miss; it is rewritten on the next accept

    def put(self, key: str, answer: BackendAnswer) -> None:
        payload = {
            "code": answer.code,
            "model": answer.model,
            "notes": answer.notes,
            "extra_names": list(answer.extra_names),
            "sources": dict(answer.sources),
            "original_usage": [answer.usage.input_tokens, answer.usage.output_tokens],
        }
        write_text_atomic(self._path(key), json.dumps(payload, indent=2) + "\n")
