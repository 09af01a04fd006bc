"""Render the Jinja2 prompt for a unit; its hash keys replay recordings and the answer cache.

The user message is built from a :class:`~translator.context.PromptContext` (Rust diff
hunks, commit message, current counterpart, imports, neighbours, callee signatures,
tests, the port's conventions, within a size budget). The idiom table follows the port:
when the port is synchronous, tokio maps to threads, never to asyncio.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache

import jinja2

from translator.backends.base import Message
from translator.context import PromptContext, focused_diff
from translator.plan import PlannedItem

IDIOMS: tuple[tuple[str, str], ...] = (
    (
        "Result<T, E> / ?",
        "return T; raise a specific exception subclass for E (the port's error types)",
    ),
    ("Option<T>", "T | None"),
    ("enum with data", "frozen dataclasses (or pydantic models) joined in a Union; match on type"),
    ("C-like enum", "enum.Enum / enum.StrEnum with the serialized values"),
    ("trait", "typing.Protocol"),
    ("impl Display", "__str__"),
    ("clap derive", "click commands and options"),
    ("Vec<T> / HashMap<K, V>", "list[T] / dict[K, V]"),
    ("PathBuf", "pathlib.Path"),
    ("tracing::debug!/warn!", "logging.getLogger(__name__).debug/warning"),
)
SYNC_IDIOMS: tuple[tuple[str, str], ...] = (
    (
        "tokio async fn / .await",
        "a plain def (the port is synchronous); .await disappears",
    ),
    ("tokio::spawn / select! / join!", "threads (concurrent.futures) or subprocess; never asyncio"),
    ("tokio::sync::mpsc / Mutex", "queue.Queue / threading.Lock"),
    ("reqwest", "httpx.Client (synchronous)"),
)
ASYNC_IDIOMS: tuple[tuple[str, str], ...] = (
    (
        "tokio async fn / spawn / select!",
        "async def / asyncio.create_task / asyncio.wait(FIRST_COMPLETED)",
    ),
    ("tokio::sync::mpsc", "asyncio.Queue"),
    ("reqwest", "httpx.AsyncClient"),
)


PYDANTIC_IDIOMS: tuple[tuple[str, str], ...] = (
    (
        "serde Serialize/Deserialize",
        "pydantic v2 BaseModel; rename/rename_all -> Field(alias=...); tag -> Literal field + discriminated union",
    ),
    ("struct", "@dataclass(frozen=True) for plain values, pydantic model when serialized"),
)
DATACLASS_IDIOMS: tuple[tuple[str, str], ...] = (
    (
        "serde Serialize/Deserialize",
        "@dataclass with explicit to/from JSON dict conversion keeping serde's names (rename/rename_all, tag)",
    ),
    ("struct", "@dataclass(frozen=True), or a plain @dataclass when mutated"),
)


def idioms(conventions: str) -> tuple[tuple[str, str], ...]:
    """The idiom table for a port whose measured conventions are ``conventions``."""
    asynchronous = "The port uses asyncio" in conventions
    no_pydantic = "no pydantic model in the port" in conventions
    return (
        *IDIOMS,
        *(DATACLASS_IDIOMS if no_pydantic else PYDANTIC_IDIOMS),
        *(ASYNC_IDIOMS if asynchronous else SYNC_IDIOMS),
    )


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("translator", "prompts"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render_prompt(
    *,
    unit_id: str,
    python_module: str,
    items: Sequence[PlannedItem],
    expected_names: Sequence[str],
    expected_methods: Mapping[str, Sequence[str]],
    current_python: str,
    neighbours: str,
    context: PromptContext | None = None,
) -> tuple[Message, ...]:
    """The system and user messages for the first attempt of a unit.

    Without a ``context`` (no port tree to read), the prompt carries the focused Rust diff,
    the current counterpart and the neighbours only.
    """
    ctx = context or PromptContext(
        rust="\n\n".join(
            f"### {i.qualified_path} ({i.item_kind}, {i.status}, {i.change_kind}) -> `{i.python_symbol}`\n"
            f"```diff\n{focused_diff(i)}\n```"
            for i in items
        ),
        current=current_python,
        neighbours=neighbours,
    )
    env = _env()
    system = env.get_template("system.md.j2").render(
        expected_names=list(expected_names),
        expected_methods={k: list(v) for k, v in expected_methods.items()},
        idioms=idioms(ctx.conventions),
    )
    user = env.get_template("unit.md.j2").render(
        unit_id=unit_id, python_module=python_module, ctx=ctx
    )
    return (Message("system", system), Message("user", user))


def repair_messages(
    previous: Sequence[Message], answer_json: str, feedback: str, attempt: int
) -> tuple[Message, ...]:
    """Extend a conversation with the rejected answer and the failure text."""
    text = _env().get_template("repair.md.j2").render(feedback=feedback, attempt=attempt)
    return (*previous, Message("assistant", answer_json), Message("user", text))


def prompt_hash(messages: Sequence[Message], model: str) -> str:
    """Content address of a prompt: same messages and model -> same answer."""
    payload = json.dumps(
        {"model": model, "messages": [m.as_dict() for m in messages]}, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()
