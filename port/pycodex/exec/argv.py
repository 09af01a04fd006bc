"""``exec`` command-line parsing with the rules (and error texts) of upstream's clap parser.

Scripts drive ``codex exec`` and read its exit status and stderr, so a drop-in must accept
and refuse exactly the same command lines: ``-i`` takes every following value up to the
next flag (``-i a.png b.png``), global flags may follow ``resume``, a prompt may come before
the subcommand, a flag given twice is an error, and a mistake exits 2 with clap's message
(``error: unexpected argument '--full-auto' found`` ...). Click, which renders ``--help``,
has different rules, so the parsing happens here and the result is a plain mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ROOT_USAGE = "codex exec [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] <COMMAND> [ARGS]"
RESUME_USAGE = "codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]"
FORK_USAGE = "codex exec fork [OPTIONS] <SESSION_ID> [PROMPT]"

#: the subcommands of ``exec`` (``resume`` and ``fork`` are implemented; the others are refused).
SUBCOMMANDS = ("resume", "fork", "review", "help")


# ferry: codex_exec::cli::Cli @ 1d092cb66 -- 0.169.0: the option set of `codex exec --help`
@dataclass(frozen=True)
class OptionSpec:
    """One option as clap declares it."""

    dest: str
    longs: tuple[str, ...]
    short: str | None = None
    #: clap's value name (``None``: a flag taking no value).
    value_name: str | None = None
    multiple: bool = False
    #: ``num_args = 1..``: every following value up to the next flag.
    greedy: bool = False
    #: ``value_delimiter = ','``
    comma: bool = False
    choices: tuple[str, ...] = ()
    #: accepted after ``resume`` too (clap ``global = true``).
    global_: bool = False
    #: shown in messages as ``--long <VALUE>`` (``--image <FILE>...`` for greedy ones).
    hidden_aliases: tuple[str, ...] = ()

    # ferry: port-only -- clap's rendering of an option in error messages
    @property
    def display(self) -> str:
        name = self.longs[0]
        if self.value_name is None:
            return name
        suffix = "..." if self.greedy else ""
        return f"{name} <{self.value_name}>{suffix}"


def _opt(dest: str, long: str, **kwargs: Any) -> OptionSpec:
    return OptionSpec(dest=dest, longs=(long,), **kwargs)


SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
COLORS = ("always", "never", "auto")
CYBER_PROGRAMS = ("standard", "daybreak_blue", "daybreak_red")

#: options of ``codex exec`` (0.169.0), in help order.
ROOT_OPTIONS: tuple[OptionSpec, ...] = (
    _opt(
        "config_overrides",
        "--config",
        short="c",
        value_name="key=value",
        multiple=True,
        global_=True,
    ),
    _opt("enable", "--enable", value_name="FEATURE", multiple=True, global_=True),
    _opt("disable", "--disable", value_name="FEATURE", multiple=True, global_=True),
    _opt("strict_config", "--strict-config", global_=True),
    _opt("images", "--image", short="i", value_name="FILE", multiple=True, greedy=True, comma=True),
    _opt("model", "--model", short="m", value_name="MODEL", global_=True),
    _opt("oss", "--oss"),
    _opt("local_provider", "--local-provider", value_name="OSS_PROVIDER"),
    _opt("profile", "--profile", short="p", value_name="CONFIG_PROFILE_V2"),
    _opt("sandbox_mode", "--sandbox", short="s", value_name="SANDBOX_MODE", choices=SANDBOX_MODES),
    _opt("approve_for_me", "--approve-for-me"),
    _opt(
        "bypass",
        "--dangerously-bypass-approvals-and-sandbox",
        global_=True,
        hidden_aliases=("--yolo",),
    ),
    _opt("bypass_hook_trust", "--dangerously-bypass-hook-trust", global_=True),
    _opt("cwd", "--cd", short="C", value_name="DIR"),
    _opt("worktree", "--worktree", global_=True),
    _opt("add_dirs", "--add-dir", value_name="DIR", multiple=True),
    _opt("thread_source", "--thread-source", value_name="SOURCE", global_=True),
    _opt(
        "cyber_access_program",
        "--cyber-access-program",
        value_name="PROGRAM",
        choices=CYBER_PROGRAMS,
        global_=True,
    ),
    _opt("skip_git_repo_check", "--skip-git-repo-check", global_=True),
    _opt("trust", "--trust", global_=True),
    _opt("ephemeral", "--ephemeral", global_=True),
    _opt("ignore_user_config", "--ignore-user-config", global_=True),
    _opt("ignore_rules", "--ignore-rules", global_=True),
    _opt("output_schema", "--output-schema", value_name="FILE", global_=True),
    _opt("color", "--color", value_name="COLOR", choices=COLORS),
    _opt("json_mode", "--json", global_=True, hidden_aliases=("--experimental-json",)),
    _opt(
        "last_message_file",
        "--output-last-message",
        short="o",
        value_name="FILE",
        global_=True,
    ),
    _opt("help", "--help", short="h", global_=True),
    _opt("version", "--version", short="V"),
)

#: options only ``exec resume`` has.
RESUME_OPTIONS: tuple[OptionSpec, ...] = (
    _opt("last", "--last"),
    _opt("all", "--all"),
    _opt("resume_images", "--image", short="i", value_name="FILE", multiple=True, comma=True),
)

#: options only ``exec fork`` has.
FORK_OPTIONS: tuple[OptionSpec, ...] = (
    _opt("resume_images", "--image", short="i", value_name="FILE", multiple=True, comma=True),
)


# ferry: port-only -- clap's error kinds as one exception carrying the rendered message
class ArgvError(Exception):
    """A command line clap would refuse; ``str()`` is clap's message, exit status 2."""

    exit_code = 2


# ferry: port-only -- the parsed exec command line, as plain values
@dataclass
class ParsedArgs:
    """Values by ``OptionSpec.dest``, positionals, and which subcommand (if any) was given."""

    values: dict[str, Any] = field(default_factory=dict)
    prompt: str | None = None
    subcommand: str | None = None
    session_id: str | None = None
    resume_prompt: str | None = None

    # ferry: port-only -- value lookup by option name
    def get(self, dest: str, default: Any = None) -> Any:
        return self.values.get(dest, default)


def _jaro(a: str, b: str) -> float:
    """Jaro similarity (what clap's suggestions use, through ``strsim::jaro``)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_flags = [False] * len(a)
    b_flags = [False] * len(b)
    matches = 0
    for i, ch in enumerate(a):
        lo, hi = max(0, i - window), min(len(b), i + window + 1)
        for j in range(lo, hi):
            if not b_flags[j] and b[j] == ch:
                a_flags[i] = b_flags[j] = True
                matches += 1
                break
    if matches == 0:
        return 0.0
    transpositions = 0
    j = 0
    for i, flagged in enumerate(a_flags):
        if flagged:
            while not b_flags[j]:
                j += 1
            if a[i] != b[j]:
                transpositions += 1
            j += 1
    t = transpositions / 2
    return (matches / len(a) + matches / len(b) + (matches - t) / matches) / 3


class _Parser:
    def __init__(self, usage: str, options: Sequence[OptionSpec]) -> None:
        self.usage = usage
        self.options = list(options)

    # ------------------------------------------------------------------ errors

    def _error(self, message: str, *, usage: bool = True) -> ArgvError:
        text = f"error: {message}\n\n"
        if usage:
            text += f"Usage: {self.usage}\n\n"
        text += "For more information, try '--help'."
        return ArgvError(text)

    # ferry: port-only -- clap's "unexpected argument" error with its tips
    def unexpected(self, token: str) -> ArgvError:
        if token.startswith("-") and token != "-":
            name = token.split("=", 1)[0]
            candidates = [
                long
                for spec in self.options
                for long in spec.longs
                if spec.dest not in ("help", "version")
            ]
            scored = sorted(
                ((_jaro(name.lstrip("-"), c.lstrip("-")), c) for c in candidates),
                reverse=True,
            )
            if name.startswith("--") and scored and scored[0][0] > 0.7:
                tip = f"a similar argument exists: '{scored[0][1]}'"
            else:
                tip = f"to pass '{name}' as a value, use '-- {name}'"
            return self._error(f"unexpected argument '{name}' found\n\n  tip: {tip}")
        return self._error(f"unexpected argument '{token}' found")

    def _missing_value(self, spec: OptionSpec) -> ArgvError:
        text = f"a value is required for '{spec.display}' but none was supplied"
        if spec.choices:
            text += f"\n  [possible values: {', '.join(spec.choices)}]"
        return self._error(text, usage=False)

    def _invalid(self, spec: OptionSpec, value: str) -> ArgvError:
        text = f"invalid value '{value}' for '{spec.display}'"
        text += f"\n  [possible values: {', '.join(spec.choices)}]"
        return self._error(text, usage=False)

    def _twice(self, spec: OptionSpec) -> ArgvError:
        return self._error(f"the argument '{spec.display}' cannot be used multiple times")

    # ------------------------------------------------------------------ lookup

    # ferry: port-only -- option lookup by long name or hidden alias
    def find_long(self, name: str) -> OptionSpec | None:
        for spec in self.options:
            if name in spec.longs or name in spec.hidden_aliases:
                return spec
        return None

    # ferry: port-only -- option lookup by short name
    def find_short(self, letter: str) -> OptionSpec | None:
        for spec in self.options:
            if spec.short == letter:
                return spec
        return None

    # ------------------------------------------------------------------ values

    # ferry: port-only -- clap's value storage with its duplicate and choice checks
    def store(
        self, parsed: ParsedArgs, spec: OptionSpec, value: str | None, seen: set[str]
    ) -> None:
        if spec.value_name is None:
            if spec.dest in seen and spec.dest not in ("help",):
                raise self._twice(spec)
            seen.add(spec.dest)
            parsed.values[spec.dest] = True
            return
        assert value is not None
        if spec.choices and value not in spec.choices:
            raise self._invalid(spec, value)
        if spec.multiple:
            values = value.split(",") if spec.comma else [value]
            parsed.values.setdefault(spec.dest, []).extend(values)
            return
        if spec.dest in seen:
            raise self._twice(spec)
        seen.add(spec.dest)
        parsed.values[spec.dest] = value


def _is_flag_like(token: str) -> bool:
    return token.startswith("-") and token != "-" and len(token) > 1


# ferry: codex_exec::cli::Cli @ 1d092cb66 -- 0.169.0: clap parsing of `exec` and `exec resume`
def parse_exec_argv(argv: Sequence[str]) -> ParsedArgs:
    """Parse ``exec``'s arguments (everything after ``exec``) the way clap does."""
    parsed = ParsedArgs()
    root = _Parser(ROOT_USAGE, ROOT_OPTIONS)
    resume = _Parser(RESUME_USAGE, [*RESUME_OPTIONS, *(o for o in ROOT_OPTIONS if o.global_)])
    fork = _Parser(FORK_USAGE, [*FORK_OPTIONS, *(o for o in ROOT_OPTIONS if o.global_)])
    parser = root
    seen: set[str] = set()
    positionals: list[str] = []
    tokens = list(argv)
    i = 0
    only_positionals = False
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if only_positionals or not _is_flag_like(token):
            if parser is root and not only_positionals and token in SUBCOMMANDS:
                parsed.subcommand = token
                if token not in ("resume", "fork"):
                    return parsed
                parser = resume if token == "resume" else fork
                seen = set()
                positionals_root = positionals
                parsed.prompt = positionals_root[0] if positionals_root else None
                positionals = []
                continue
            positionals.append(token)
            limit = 1 if parser is root else 2
            if len(positionals) > limit:
                raise parser.unexpected(token)
            continue
        if token == "--":
            only_positionals = True
            continue
        if token.startswith("--"):
            name, eq, inline = token.partition("=")
            spec = parser.find_long(name)
            if spec is None:
                raise parser.unexpected(token)
            if spec.value_name is None:
                if eq:
                    raise parser._error(
                        f"unexpected value '{inline}' for '{spec.display}' found; "
                        "no more were expected"
                    )
                parser.store(parsed, spec, None, seen)
                continue
            i = _take_values(parser, parsed, spec, inline if eq else None, tokens, i, seen)
            continue
        # short option(s): -x, -xVALUE, -x=VALUE, -abc (flags)
        body = token[1:]
        while body:
            letter, body = body[0], body[1:]
            spec = parser.find_short(letter)
            if spec is None:
                raise parser.unexpected(f"-{letter}")
            if spec.value_name is None:
                parser.store(parsed, spec, None, seen)
                continue
            inline_value = body[1:] if body.startswith("=") else body
            i = _take_values(parser, parsed, spec, inline_value or None, tokens, i, seen)
            body = ""
    if parser is fork and not positionals and not parsed.get("help"):
        raise ArgvError(
            "error: the following required arguments were not provided:\n  <SESSION_ID>\n\n"
            "Usage: codex exec fork <SESSION_ID> [PROMPT]\n\nFor more information, try '--help'."
        )
    if parser is not root:
        parsed.session_id = positionals[0] if positionals else None
        parsed.resume_prompt = positionals[1] if len(positionals) > 1 else None
    else:
        parsed.prompt = positionals[0] if positionals else None
    return parsed


def _take_values(
    parser: _Parser,
    parsed: ParsedArgs,
    spec: OptionSpec,
    inline: str | None,
    tokens: list[str],
    index: int,
    seen: set[str],
) -> int:
    """Consume the value(s) of ``spec``; returns the index of the next unread token."""
    if inline is not None:
        parser.store(parsed, spec, inline, seen)
        if not spec.greedy:
            return index
        taken = 1
    else:
        taken = 0
    while index < len(tokens) and not _is_flag_like(tokens[index]) and tokens[index] != "--":
        parser.store(parsed, spec, tokens[index], seen)
        index += 1
        taken += 1
        if not spec.greedy:
            return index
    if taken == 0:
        raise parser._missing_value(spec)
    return index
