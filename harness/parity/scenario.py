"""Scenario files: what to put in the workspace, how to call ``exec`` and what the model says.

A scenario is data (YAML). Loading validates it with pydantic and turns any problem into a
:class:`ScenarioError` naming the file and the offending field, so a typo in one scenario
never surfaces as a traceback deep inside a run.
"""

from __future__ import annotations

import binascii
import json
import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harness.parity.appserver import ClientStep
from harness.parity.errors import ScenarioError

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
#: ``$agent:NAME`` in scripted arguments (the id of the agent scripted as NAME).
AGENT_REF_RE = re.compile(r"\$agent:([a-z0-9][a-z0-9_\-]*)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FunctionCallEvent(_Strict):
    call_id: str
    name: str
    #: a mapping is JSON-encoded; a string is sent verbatim (to script malformed arguments).
    #: ``$agent:NAME`` anywhere in it stands for the id of the agent scripted as ``NAME``.
    arguments: dict[str, Any] | str = Field(default_factory=dict)
    #: a deferred tool's namespace (``multi_agent_v1``, ``mcp__<server>``).
    namespace: str | None = None


class CustomToolCallEvent(_Strict):
    call_id: str
    name: str
    input: str


class ApplyPatchEvent(_Strict):
    call_id: str
    patch: str


class AssistantMessageEvent(_Strict):
    text: str
    id: str | None = None


class ReasoningEvent(_Strict):
    summary: list[str] = Field(default_factory=list)
    content: list[str] = Field(default_factory=list)
    id: str | None = None


class FileSpec(_Strict):
    """A fixture file that plain text cannot describe: binary bytes, a symlink or a mode.

    Exactly one of ``text``, ``base64`` and ``symlink`` is set; ``mode`` is octal
    (``"755"``) and applies to regular files only.
    """

    text: str | None = None
    base64: str | None = None
    symlink: str | None = None
    mode: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> FileSpec:
        kinds = [k for k in ("text", "base64", "symlink") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a file needs exactly one of text, base64, symlink (got {kinds})")
        if self.base64 is not None:
            try:
                binascii.a2b_base64(self.base64)
            except binascii.Error as exc:
                raise ValueError(f"base64: {exc}") from None
        if self.mode is not None:
            if self.symlink is not None:
                raise ValueError("a symlink has no mode of its own")
            if not re.fullmatch(r"[0-7]{3,4}", self.mode):
                raise ValueError(f"mode {self.mode!r}: give an octal mode such as '755'")
        return self

    def payload(self) -> bytes:
        if self.base64 is not None:
            return binascii.a2b_base64(self.base64)
        return (self.text or "").encode("utf-8")


#: a fixture: plain UTF-8 text, or a :class:`FileSpec`.
FileValue = str | FileSpec


class Invocation(_Strict):
    """A further ``exec`` run on the same side after the first (``exec resume --last`` ...).

    It shares the workspace, CODEX_HOME and the model script (turns are consumed in
    order across runs). ``$thread_id`` in ``args`` or ``prompt`` stands for the thread id
    the previous run reported in ``thread.started``. ``argv`` (the arguments after the
    binary, verbatim) replaces the ``exec --json ... PROMPT`` form.
    """

    argv: list[str] | None = None
    args: list[str] = Field(default_factory=list)
    prompt: str | None = None
    stdin: str | None = None
    #: stdin as base64 (bytes that are not UTF-8: a UTF-16 prompt, invalid bytes).
    stdin_base64: str | None = None
    stdin_tty: bool = False
    skip_git_repo_check: bool = True
    json_output: bool = True
    env: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=60.0, gt=0)


class Event(_Strict):
    """One scripted SSE event; exactly one field is set."""

    function_call: FunctionCallEvent | None = None
    custom_tool_call: CustomToolCallEvent | None = None
    apply_patch: ApplyPatchEvent | None = None
    assistant_message: AssistantMessageEvent | str | None = None
    reasoning: ReasoningEvent | None = None
    output_text_delta: str | None = None
    raw: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Event:
        present = [name for name, value in self if value is not None]
        if len(present) != 1:
            kinds = ", ".join(type(self).model_fields)
            raise ValueError(f"an event needs exactly one of: {kinds} (got {present or 'none'})")
        return self


class After(_Strict):
    """Hold an answer until the conversation ``agent`` has sent ``requests`` requests."""

    agent: str
    requests: int = Field(default=1, ge=1)


class Turn(_Strict):
    """One answer of the scripted model: a normal SSE response or a fault.

    ``events`` are wrapped in ``response.created`` / ``response.completed`` unless
    ``complete`` is false (then the stream ends without ``response.completed``).
    """

    events: list[Event] = Field(default_factory=list)
    id: str | None = None
    tokens: int = 0
    input_tokens: int | None = None
    output_tokens: int = 0
    cached_input_tokens: int | None = None
    reasoning_output_tokens: int | None = None
    complete: bool = True
    #: start the stream with ``response.created`` (false: the first event is the first listed).
    created: bool = True
    status: int = 200
    message: str = ""
    retry_after: float | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    cut_after_bytes: int | None = Field(default=None, ge=0)
    malformed: bool = False
    failed: dict[str, str] | None = None
    delay_s: float = Field(default=0.0, ge=0)
    #: answer with this JSON document instead of an SSE stream (token endpoints, ...).
    json_body: dict[str, Any] | None = None
    #: answer only once another conversation got this far (orders concurrent agents).
    after: After | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Turn:
        if self.status != 200 and (
            self.events or self.malformed or self.cut_after_bytes is not None
        ):
            raise ValueError(
                "an error status (status != 200) cannot also carry events, malformed or cut_after_bytes"
            )
        if self.json_body is not None and (self.events or self.failed or self.malformed):
            raise ValueError("json_body replaces the SSE stream: no events, failed or malformed")
        if self.failed is not None and set(self.failed) - {"code", "message"}:
            raise ValueError("failed takes only 'code' and 'message'")
        return self


def _bare_turns(value: Any) -> Any:
    """A bare list of events is shorthand for ``{events: [...]}``."""
    if isinstance(value, list):
        return [{"events": t} if isinstance(t, list) else t for t in value]
    return value


#: the conversation of the thread ``exec`` starts (the scenario's own ``turns``).
ROOT_CONVERSATION = "root"


class AgentScript(_Strict):
    """The model's answers to one sub-agent: the thread whose first request's last user
    message contains ``match`` gets these ``turns``, in order."""

    match: str = Field(min_length=1)
    turns: list[Turn] = Field(min_length=1)

    @field_validator("turns", mode="before")
    @classmethod
    def _bare_event_lists(cls, value: Any) -> Any:
        return _bare_turns(value)


class Step(_Strict):
    """A further invocation after the main one, in the same workspace, home and model server.

    ``argv`` follows the binary verbatim (``["exec", "--json", "resume", "--last", "go on"]``,
    ``["archive", "$thread"]``); ``$thread`` stands for the thread id the previous runs
    reported last (``thread.started``) and ``$threadN`` for the N-th distinct one, which
    neither side can know in advance.
    """

    argv: list[str] = Field(min_length=1)
    stdin: str | None = None


class Scenario(_Strict):
    """A differential run: the same workspace, arguments and model script for both binaries."""

    name: str
    description: str = ""
    prompt: str | None = None
    stdin: str | None = None
    stdin_base64: str | None = None
    args: list[str] = Field(default_factory=list)
    git: bool = False
    skip_git_repo_check: bool = True
    config: dict[str, Any] = Field(default_factory=dict)
    #: TOML text appended verbatim to config.toml (a syntax error, a table header).
    config_raw: str = ""
    env: dict[str, str] = Field(default_factory=dict)
    files: dict[str, FileValue] = Field(default_factory=dict)
    outside_files: dict[str, FileValue] = Field(default_factory=dict)
    home_files: dict[str, FileValue] = Field(default_factory=dict)
    #: run ``exec`` with a terminal (a pty) as stdin instead of a pipe.
    stdin_tty: bool = False
    #: ``--json`` (events compared as JSON); false compares the human output's lines.
    json_output: bool = True
    turns: list[Turn] = Field(default_factory=list)
    #: argv after the binary instead of ``exec --json ... PROMPT`` (``["login", "status"]``).
    command: list[str] | None = None
    #: further invocations, run in order after the main one.
    steps: list[Step] = Field(default_factory=list)
    #: files under CODEX_HOME (globs) compared with their permission bits (``auth.json``).
    home_snapshot: list[str] = Field(default_factory=list)
    #: ``{"state_5.sqlite": "SELECT ..."}``: query results compared row by row.
    home_sqlite: dict[str, str] = Field(default_factory=dict)
    #: requests left out of the comparison on both sides, as ``METHOD /path`` globs; the
    #: description must say why (e.g. codex's model-catalog discovery with ChatGPT auth).
    ignore_requests: list[str] = Field(default_factory=list)
    timeout_s: float = Field(default=60.0, gt=0)
    #: compare the event stream per item (for races such as parallel tool calls): the
    #: order of items may differ, the order of each item's own events may not.
    unordered_events: bool = False
    #: further ``exec`` invocations on the same side, after the first.
    then: list[Invocation] = Field(default_factory=list)
    #: the rollout records compared: ``history`` (the conversation items, default),
    #: ``full`` (every record after normalisation) or ``none``.
    compare_rollout: Literal["history", "full", "none"] = "history"
    #: background processes started for each side before the run (for example an MCP server
    #: over HTTP), by name -> argv. ``${port:NAME}`` in any string stands for a free port
    #: allocated for that side; ``${python}``, ``${ws}`` and ``${home}`` are also expanded in
    #: ``config``, ``args``, ``env`` and these argvs (see ``harness.parity.workspace.expand``).
    servers: dict[str, list[str]] = Field(default_factory=dict)
    #: further scripted conversations, one per sub-agent, by name (see :class:`AgentScript`).
    #: With agents, every request is answered from the script of the thread that sent it and
    #: requests are compared per conversation (concurrent threads interleave freely).
    agents: dict[str, AgentScript] = Field(default_factory=dict)

    @field_validator("agents")
    @classmethod
    def _agent_names(cls, value: dict[str, AgentScript]) -> dict[str, AgentScript]:
        markers: dict[str, str] = {}
        for name, script in value.items():
            if not _NAME_RE.match(name) or name == ROOT_CONVERSATION:
                raise ValueError(
                    f"agent name {name!r}: use lower-case letters, digits, '_', '-' "
                    f"(and not {ROOT_CONVERSATION!r})"
                )
            for other, marker in markers.items():
                if marker in script.match or script.match in marker:
                    raise ValueError(
                        f"agents {other!r} and {name!r}: markers {marker!r} and "
                        f"{script.match!r} overlap, a thread could match both"
                    )
            markers[name] = script.match
        return value

    @model_validator(mode="after")
    def _agent_references(self) -> Scenario:
        known = {ROOT_CONVERSATION, *self.agents}
        conversations = {ROOT_CONVERSATION: self.turns} | {
            name: script.turns for name, script in self.agents.items()
        }
        for name, turns in conversations.items():
            for index, turn in enumerate(turns):
                if turn.after is not None and turn.after.agent not in known:
                    raise ValueError(
                        f"{name} turn {index}: after.agent {turn.after.agent!r} is not a "
                        f"conversation (known: {', '.join(sorted(known))})"
                    )
                for event in turn.events:
                    call = event.function_call
                    if call is None:
                        continue
                    text = (
                        call.arguments
                        if isinstance(call.arguments, str)
                        else json.dumps(call.arguments)
                    )
                    for ref in AGENT_REF_RE.findall(text):
                        if ref not in self.agents:
                            raise ValueError(
                                f"{name} turn {index}: $agent:{ref} names no agent "
                                f"(known: {', '.join(sorted(self.agents)) or 'none'})"
                            )
        return self

    #: ``appserver``: drive ``<binary> app-server`` with the JSON-RPC ``client`` script
    #: (see :mod:`harness.parity.appserver`); names of such scenarios start ``appserver_``.
    kind: Literal["exec", "appserver"] = "exec"
    client: list[ClientStep] = Field(default_factory=list)

    @field_validator("servers")
    @classmethod
    def _server_argv(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, argv in value.items():
            if not _NAME_RE.match(name):
                raise ValueError(f"server name {name!r}: use lower-case letters, digits, '_', '-'")
            if not argv:
                raise ValueError(f"server {name!r}: argv must not be empty")
        return value

    @field_validator("turns", mode="before")
    @classmethod
    def _bare_event_lists(cls, value: Any) -> Any:
        return _bare_turns(value)

    @field_validator("name")
    @classmethod
    def _name_ok(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError("use lower-case letters, digits, '_' and '-' only")
        return value

    @field_validator("files", "outside_files", "home_files")
    @classmethod
    def _relative_paths(cls, value: dict[str, FileValue]) -> dict[str, FileValue]:
        for path in value:
            parts = Path(path).parts
            if Path(path).is_absolute() or ".." in parts or not parts:
                raise ValueError(
                    f"file path {path!r} must be relative and stay inside its directory"
                )
        return value

    @model_validator(mode="after")
    def _has_prompt(self) -> Scenario:
        if self.kind == "appserver":
            if not self.name.startswith("appserver_"):
                raise ValueError("an appserver scenario's name must start with 'appserver_'")
            if not self.client:
                raise ValueError("an appserver scenario needs a client script")
            if self.prompt is not None or self.stdin is not None or self.command is not None:
                raise ValueError(
                    "an appserver scenario sends its input through client, not prompt/stdin/command"
                )
            return self
        if self.client:
            raise ValueError("client is for kind: appserver scenarios")
        if (
            self.command is None
            and self.prompt is None
            and self.stdin is None
            and self.stdin_base64 is None
            and not self.stdin_tty
            and "prompt" not in self.model_fields_set
        ):
            raise ValueError("give a prompt, stdin, or both (or stdin_tty)")
        if self.command is None and "turns" not in self.model_fields_set:
            raise ValueError(
                "an exec scenario needs scripted turns (write `turns: []` for one that must "
                "stop before calling the model)"
            )
        return self

    @field_validator("home_snapshot")
    @classmethod
    def _home_relative(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                raise ValueError(f"home_snapshot entry {pattern!r} must be relative to CODEX_HOME")
        return value

    def invocations(self) -> list[Invocation]:
        """Every run of the scenario in order: the main one (``exec`` from the top-level
        fields, or ``command``), then ``steps``, then ``then``."""
        first = Invocation(
            argv=self.command,
            args=self.args,
            prompt=self.prompt,
            stdin=self.stdin,
            stdin_base64=self.stdin_base64,
            stdin_tty=self.stdin_tty,
            skip_git_repo_check=self.skip_git_repo_check and not self.git,
            json_output=self.json_output,
            timeout_s=self.timeout_s,
        )
        steps = [
            Invocation(argv=step.argv, stdin=step.stdin, timeout_s=self.timeout_s)
            for step in self.steps
        ]
        return [first, *steps, *self.then]


def _format_error(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid scenario"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "<top level>"
        lines.append(f"  field {where}: {err['msg']}")
    lines.append("  fix the field(s) above (see harness/parity/README section 'Parity oracle')")
    return "\n".join(lines)


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file; the name defaults to the file stem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario ({exc.strerror})") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{path}:{where} not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario must be a YAML mapping, got {type(raw).__name__}")
    raw.setdefault("name", path.stem)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_format_error(path, exc)) from exc


def load_scenarios(directory: Path, only: tuple[str, ...] | list[str] = ()) -> list[Scenario]:
    """Load every ``*.yaml`` under ``directory`` (sorted), keeping only ``only`` names if given."""
    if not directory.is_dir():
        raise ScenarioError(f"{directory}: scenario directory does not exist")
    scenarios = [load_scenario(p) for p in sorted(directory.glob("*.yaml"))]
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ScenarioError(f"{directory}: duplicate scenario names {duplicates}")
    if only:
        # names or globs (``agents_*``)
        unknown = sorted(p for p in only if not any(fnmatchcase(n, p) for n in names))
        if unknown:
            raise ScenarioError(
                f"{directory}: no scenario named {unknown}; known: {', '.join(names)}"
            )
        scenarios = [s for s in scenarios if any(fnmatchcase(s.name, p) for p in only)]
    if not scenarios:
        raise ScenarioError(f"{directory}: no *.yaml scenarios found")
    return scenarios


#: the scenarios ``make test`` runs against the Rust binary.
CI_SUBSET = Path(__file__).with_name("ci_subset.txt")


def read_subset(path: Path = CI_SUBSET) -> list[str]:
    """Scenario names listed in ``path`` (one a line; blank lines and ``#`` comments ignored)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read subset ({exc.strerror})") from exc
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
