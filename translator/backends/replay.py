"""The ``replay`` backend: recorded answers keyed by prompt hash (tests, CI, reproducible reruns).

In record mode every answer of an inner backend is written to ``<dir>/<hash>.json``; in
replay mode the answer is read back and no model is called. A prompt without a recording
is an error that says how to record it.
"""

from __future__ import annotations

import json
from pathlib import Path

from ferry.fsutil import write_text_atomic
from translator.backends.base import BackendAnswer, ModelBackend, TranslationRequest, Usage
from translator.errors import BackendError

RECORDING_FORMAT = "ferry.recording/1"


class ReplayBackend:
    name = "replay"
    #: a recorded run's repair rounds replay too; without their recording the verdict stands
    accepts_feedback = True

    def __init__(
        self, directory: Path, *, inner: ModelBackend | None = None, model: str = "replay"
    ) -> None:
        self.directory = directory
        self.inner = inner
        self._model = inner.model if inner is not None else model

    @property
    def model(self) -> str:
        return self._model

    @property
    def recording(self) -> bool:
        return self.inner is not None

    def path_for(self, prompt_hash: str) -> Path:
        return self.directory / f"{prompt_hash}.json"

    def translate(self, request: TranslationRequest) -> BackendAnswer:
        path = self.path_for(request.prompt_hash)
        if self.inner is not None:
            answer = self.inner.translate(request)
            record = {
                "format": RECORDING_FORMAT,
                "prompt_hash": request.prompt_hash,
                "unit": request.unit_id,
                "attempt": request.attempt,
                "messages": [m.as_dict() for m in request.messages],
                "answer": {
                    "code": answer.code,
                    "notes": answer.notes,
                    "model": answer.model,
                    "input_tokens": answer.usage.input_tokens,
                    "output_tokens": answer.usage.output_tokens,
                },
            }
            write_text_atomic(path, json.dumps(record, indent=2) + "\n")
            return answer
        if not path.is_file():
            raise BackendError(
                f"no recorded answer for {request.unit_id} attempt {request.attempt} "
                f"(prompt hash {request.prompt_hash[:12]}) in {self.directory}; "
                "record one with [translate.replay] record = true and the llm backend"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            answer_data = data["answer"]
            return BackendAnswer(
                code=str(answer_data["code"]),
                model=str(answer_data.get("model", self._model)),
                usage=Usage(
                    int(answer_data.get("input_tokens", 0)),
                    int(answer_data.get("output_tokens", 0)),
                ),
                notes=str(answer_data.get("notes", "")),
                raw={"recording": str(path)},
            )
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise BackendError(
                f"{path}: unreadable recording ({exc}); delete it and record again"
            ) from exc
