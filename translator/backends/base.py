"""The seam between the translation loop and whatever produces candidate Python."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from translator.plan import PlannedItem


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class TranslationRequest:
    """Everything a backend may use to translate one unit (or one repair attempt of it)."""

    unit_id: str
    python_module: str
    items: tuple[PlannedItem, ...]
    expected_names: tuple[str, ...]
    expected_methods: Mapping[str, tuple[str, ...]]
    messages: tuple[Message, ...]  # the rendered prompt (system, user, then repair turns)
    prompt_hash: str
    attempt: int = 1
    commit: str = ""
    target_names: tuple[str, ...] = ()  # names the target module already defines
    target_path: str = ""  # the module file the unit merges into


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens
        )


@dataclass(frozen=True)
class BackendAnswer:
    code: str
    model: str
    usage: Usage = field(default_factory=Usage)
    notes: str = ""
    extra_names: tuple[str, ...] = ()  # helper definitions the backend adds for the same items
    sources: Mapping[str, str] = field(default_factory=dict)  # Python name -> Rust qualified path
    raw: Mapping[str, Any] = field(default_factory=dict)
    #: problems found outside ``code`` (an agent's edits elsewhere in the worktree): the
    #: candidate is rejected with them, as with a failed static check
    problems: tuple[str, ...] = ()


class ModelBackend(Protocol):
    """Produces candidate Python for a request; raises BackendError when it cannot answer.

    Backends may also set ``accepts_feedback = True`` (a failed verdict's text is worth
    sending back: a model can use it, a deterministic rule cannot) and
    ``works_in_tree = True`` (the backend edits the worktree itself, so it is not reset
    between repair rounds). Both default to false.
    """

    name: str

    @property
    def model(self) -> str: ...

    def translate(self, request: TranslationRequest) -> BackendAnswer: ...
