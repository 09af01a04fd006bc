"""Tool dispatch: turn one model tool call into events and one output item.

Each handler returns the text the model sees; the router wraps it in a
``function_call_output`` or ``custom_tool_call_output`` item with the call id.
Failures the model can act on (bad arguments, sandbox refusals, patch errors)
are outputs, not exceptions, exactly as upstream reports them.
"""

from __future__ import annotations

import json
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex.apply_patch import (
    ApplyPatchError,
    PathEscapeError,
    apply_verified,
    extract_apply_patch_invocation,
    parse_patch,
    verify_patch,
)
from pycodex.config.model import Config
from pycodex.config.shell_env import create_env
from pycodex.core.observer import (
    NULL_OBSERVER,
    ApprovalHandler,
    ExecBegin,
    ExecEnd,
    PatchBegin,
    PatchChange,
    PatchEnd,
    TurnObserver,
)
from pycodex.execpolicy import (
    AskForApproval,
    ExecAction,
    ExecDecision,
    Policy,
    SandboxPermissions,
    decide_exec,
    load_exec_policy,
)
from pycodex.execpolicy import SandboxMode as ExecSandboxMode
from pycodex.images import ImageError, image_data_url, input_image
from pycodex.prompt.permissions import network_enabled
from pycodex.sandbox import SandboxPolicy
from pycodex.sandbox.linux import launch_env, supervised_command
from pycodex.sandbox_roots import sandbox_policy
from pycodex.shell import default_user_shell
from pycodex.tools.arguments import ArgumentsError, parse_arguments
from pycodex.tools.goals import GoalError, GoalStore
from pycodex.tools.mcp_tools import McpTools
from pycodex.tools.shell_snapshot import ShellSnapshot
from pycodex.tools.specs import apply_patch_enabled, plan_tool_enabled
from pycodex.tools.unified_exec import (
    MIN_EMPTY_YIELD_TIME_MS,
    ExecResult,
    StdinClosed,
    UnifiedExecManager,
    display_command,
)

JsonObject = dict[str, Any]


# ferry: codex_core::tools::context::ToolInvocation @ 1d092cb66 -- what a handler gets besides the call
@dataclass(frozen=True)
class ToolContext:
    config: Config
    thread_id: str
    next_item_id: Callable[[], str]
    emit: Callable[[JsonObject], None]
    #: fine-grained events for the app server (no-op for exec)
    observer: TurnObserver = NULL_OBSERVER
    #: asks the user when the policy says so; ``None`` (exec) refuses instead
    approvals: ApprovalHandler | None = None
    #: set when the turn is interrupted
    interrupted: threading.Event = field(default_factory=threading.Event)


#: what the model is told when the user declines a command (codex 0.169.0's text).
COMMAND_DECLINED = (
    'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'
)
#: ... and a patch.
PATCH_DECLINED = "patch rejected by user"


PATCH_READ_ONLY = (
    "patch rejected: writing is blocked by read-only sandbox; rejected by user approval settings"
)
PATCH_OUTSIDE_PROJECT = (
    "patch rejected: writing outside of the project; rejected by user approval settings"
)
PATCH_EMPTY = "patch rejected: empty patch"
LOGIN_SHELL_DISABLED = "login shell is disabled by config; omit `login` or set it to false."
PATCH_ENVIRONMENT = "apply_patch environment selection is unavailable for this turn"


#: the output of a call whose payload does not fit the registered handler (see ``_function``).
ABORTED_OUTPUT = "aborted"


# ferry: codex_core::function_tool::FunctionCallError::RespondToModel @ 1d092cb66
class ToolError(Exception):
    """A failure reported to the model as the tool's output."""


#: What a tool hands back to the model: text, or content items (an image).
ToolOutput = str | list[JsonObject]


@dataclass
class _RunningCommand:
    item_id: str
    command: str


# ferry: codex_core::tools::router::ToolRouter @ 1d092cb66
# ferry: codex_core::tools::registry::ToolRegistry @ 1d092cb66
@dataclass
class ToolRouter:
    ctx: ToolContext
    unified_exec: UnifiedExecManager = field(default_factory=UnifiedExecManager)
    _policy: Policy | None = None
    _sandbox_policy: SandboxPolicy | None = None
    _mechanism_announced: bool = False
    goals: GoalStore = field(init=False)
    _running: dict[int, _RunningCommand] = field(default_factory=dict)
    _todo_item: str | None = None
    _todo_items: list[JsonObject] = field(default_factory=list)
    _snapshot: ShellSnapshot | None = None
    _snapshot_tried: bool = False
    #: the call being dispatched (its id names the command or patch for the observer)
    _call_id: str = ""
    #: messages for the history after this response's tool outputs (a saved approval rule)
    injected: list[JsonObject] = field(default_factory=list)
    #: MCP tool calls and resource tools (``None`` when no MCP server is configured).
    mcp: McpTools | None = None
    #: builds the ``tool_search`` index over what is deferred right now.
    tool_search: Callable[[], Any] | None = None
    #: the ``multi_agent_v1`` tools (``pycodex.tools.multi_agents.MultiAgentTools``).
    multi_agents: Any = None

    def __post_init__(self) -> None:
        self.goals = GoalStore(self.ctx.thread_id)
        # upstream never polls for less than the minimum empty-poll wait, whatever the config
        self.unified_exec.max_poll_ms = max(
            self.ctx.config.background_terminal_max_timeout_ms, MIN_EMPTY_YIELD_TIME_MS
        )
        self.unified_exec.policy = self.ctx.config.model_info.truncation

    # ------------------------------------------------------------------ dispatch

    # ferry: codex_core::tools::registry::ToolRegistry::dispatch_any @ 1d092cb66
    # ferry: codex_core::tools::parallel::ToolCallRuntime::handle_tool_call_with_source @ 1d092cb66
    def dispatch(self, item: JsonObject) -> JsonObject:
        kind = item.get("type")
        name = str(item.get("name", ""))
        call_id = str(item.get("call_id", ""))
        self._call_id = call_id
        if kind == "custom_tool_call":
            text = self._custom(name, str(item.get("input", "")))
            return {"type": "custom_tool_call_output", "call_id": call_id, "output": text}
        if kind == "tool_search_call":
            return self._tool_search(item)
        namespace = item.get("namespace")
        if kind == "function_call" and namespace == "multi_agent_v1" and self.multi_agents:
            answer = self.multi_agents.call(name, str(item.get("arguments") or ""), call_id)
            if answer is not None:
                return {"type": "function_call_output", "call_id": call_id, "output": answer}
        if kind == "function_call" and isinstance(namespace, str) and namespace:
            return {
                "type": "function_call_output",
                "call_id": call_id,
                "output": self._namespaced(namespace, name, str(item.get("arguments") or "")),
            }
        if kind == "local_shell_call":
            return {
                "type": "function_call_output",
                "call_id": call_id,
                "output": "unsupported call: local_shell",
            }
        try:
            output: ToolOutput = self._function(name, str(item.get("arguments") or "{}"))
        except ToolError as exc:
            output = str(exc)
        return {"type": "function_call_output", "call_id": call_id, "output": output}

    # ferry: codex_core::session::Session::record_conversation_items @ 1d092cb66
    def take_injected(self) -> list[JsonObject]:
        items, self.injected = self.injected, []
        return items

    def _tool_search(self, item: JsonObject) -> JsonObject:
        """Answer a ``tool_search_call`` with the matching deferred namespaces."""
        args = item.get("arguments")
        args = args if isinstance(args, dict) else {}
        tools: list[JsonObject] = []
        if self.tool_search is not None:
            limit = args.get("limit")
            try:
                tools = self.tool_search().search(
                    str(args.get("query") or ""),
                    int(limit) if isinstance(limit, (int, float)) else None,
                )
            except ValueError:
                tools = []
        return {
            "type": "tool_search_output",
            "call_id": item.get("call_id"),
            "status": "completed",
            "execution": "client",
            "tools": tools,
        }

    def _namespaced(self, namespace: str, name: str, arguments: str) -> ToolOutput:
        """A call of a deferred tool: ``mcp__<server>`` runs on that server."""
        if self.mcp is not None and namespace.startswith("mcp__"):
            output = self.mcp.call(namespace, name, arguments)
            if output is not None:
                return output
        return f"unsupported call: {namespace}{name}"

    def _function(self, name: str, arguments: str) -> ToolOutput:
        if name == "exec_command":
            return self.exec_command(self._args(arguments, "cmd"))
        if name == "write_stdin":
            return self.write_stdin(self._args(arguments, "session_id"))
        if name == "update_plan" and plan_tool_enabled(self.ctx.config):
            return self.update_plan(self._args(arguments, "plan"))
        if name == "apply_patch":
            # The tool is registered in the form the model's metadata names (freeform): a
            # JSON function call to it cannot be handed to that handler, and codex answers
            # such a call with "aborted" without running it.
            if apply_patch_enabled(self.ctx.config):
                return ABORTED_OUTPUT
            return f"unsupported call: {name}"
        if name == "request_user_input":
            # exec runs in the Default collaboration mode, where nobody can answer.
            return "request_user_input is unavailable in Default mode"
        if name in ("get_goal", "create_goal", "update_goal") and self.ctx.config.features.get(
            "goals", True
        ):
            return self._goal(name, arguments)
        if name == "view_image":
            return self.view_image(self._args(arguments, "path"))
        if self.mcp is not None and name == "list_mcp_resources":
            return self.mcp.list_resources(self._args(arguments))
        if self.mcp is not None and name == "list_mcp_resource_templates":
            return self.mcp.list_resource_templates(self._args(arguments))
        if self.mcp is not None and name == "read_mcp_resource":
            return self.mcp.read_resource(self._args(arguments))
        return f"unsupported call: {name}"

    def _custom(self, name: str, tool_input: str) -> str:
        if name == "apply_patch" and apply_patch_enabled(self.ctx.config):
            return self.apply_patch(tool_input)
        return f"unsupported custom tool call: {name}"

    @staticmethod
    def _args(arguments: str, *required: str) -> JsonObject:
        try:
            return parse_arguments(arguments, required)
        except ArgumentsError as exc:
            raise ToolError(str(exc)) from None

    # ------------------------------------------------------------------ exec

    def _sandbox_argv(self, argv: list[str], cwd: Path) -> list[str]:
        config = self.ctx.config
        if config.sandbox.mode == "danger-full-access":
            return supervised_command(argv)
        from pycodex.sandbox import SandboxUnavailable, sandbox_fallback_warning, wrap_command

        if self._sandbox_policy is None:
            self._sandbox_policy = sandbox_policy(config.sandbox)
        legacy = bool(config.features.get("use_legacy_landlock", False))
        try:
            if not self._mechanism_announced:
                # Never weaker silently: say which mechanism runs when it is not bubblewrap.
                self._mechanism_announced = True
                warning = sandbox_fallback_warning(use_legacy_landlock=legacy)
                if warning is not None:
                    print(f"warning: {warning}", file=sys.stderr, flush=True)
            # The policy's roots come from the session cwd; ``cwd`` (the model's
            # ``workdir``) is only where the command starts.
            return wrap_command(
                argv,
                self._sandbox_policy,
                config.cwd,
                command_cwd=cwd,
                use_legacy_landlock=legacy,
            )
        except SandboxUnavailable as exc:
            raise ToolError(f"sandbox error: {exc}") from exc

    def _with_snapshot(self, argv: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
        """Run a login-shell command through the session's shell snapshot (see
        :mod:`pycodex.tools.shell_snapshot`), taken on first use."""
        config = self.ctx.config
        if not config.features.get("shell_snapshot", True):
            return argv
        if self._snapshot is None and not self._snapshot_tried:
            self._snapshot_tried = True
            self._snapshot = ShellSnapshot.create(
                config.codex_home, self.ctx.thread_id, config.cwd, default_user_shell()
            )
        if self._snapshot is None:
            return argv
        return self._snapshot.wrap(argv, cwd, env)

    def _policy_for_patch(self) -> SandboxPolicy:
        if self._sandbox_policy is None:
            self._sandbox_policy = sandbox_policy(self.ctx.config.sandbox)
        return self._sandbox_policy

    def _env(self) -> dict[str, str]:
        """The command's environment: ``[shell_environment_policy]`` applied to ours."""
        env = create_env(self.ctx.config.shell_environment_policy, self.ctx.thread_id)
        if self.ctx.config.sandbox.mode != "danger-full-access" and not network_enabled(
            self.ctx.config.sandbox
        ):
            env["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
        return env

    # ferry: codex_core::session::Session::update_settings @ 1d092cb66 -- the sandbox follows a permissions change
    def reset_sandbox(self) -> None:
        """Forget the sandbox policy built from the old settings (rebuilt on next use)."""
        self._sandbox_policy = None

    # ferry: codex_core::exec_policy::ExecPolicyManager::load @ 1d092cb66
    def exec_policy(self) -> Policy:
        """The ``.rules`` of CODEX_HOME and the project, loaded once per session."""
        if self._policy is None:
            config = self.ctx.config
            if config.ignore_rules:
                self._policy = Policy.empty()
            else:
                # Project rules only from trusted projects' .codex folders.
                loaded = load_exec_policy(
                    config.codex_home, config.cwd, project_folders=config.project_folders
                )
                if loaded.warning:
                    self.ctx.emit(
                        {
                            "type": "item.completed",
                            "item": {
                                "id": self.ctx.next_item_id(),
                                "type": "error",
                                "message": loaded.warning,
                            },
                        }
                    )
                self._policy = loaded.policy
        return self._policy

    def _decide(self, argv: list[str], args: JsonObject) -> ExecDecision:
        config = self.ctx.config
        raw_permissions = args.get("sandbox_permissions") or "use_default"
        try:
            permissions = SandboxPermissions(raw_permissions)
        except ValueError:
            raise ToolError(
                f"failed to parse function arguments: unknown variant `{raw_permissions}`"
            ) from None
        prefix_rule = args.get("prefix_rule")
        return decide_exec(
            argv,
            self.exec_policy(),
            AskForApproval(config.approval_policy),
            ExecSandboxMode(config.sandbox.mode),
            sandbox_permissions=permissions,
            prefix_rule=[str(p) for p in prefix_rule] if isinstance(prefix_rule, list) else None,
        )

    # ferry: codex_core::session::Session::record_execpolicy_amendment_message @ 1d092cb66
    def _save_amendment(self, prefix: tuple[str, ...]) -> None:
        """Persist an approved prefix rule and tell the model it was saved."""
        from pycodex.execpolicy.amend import AmendError, append_allow_prefix_rule

        path = self.ctx.config.codex_home / "rules" / "default.rules"
        try:
            append_allow_prefix_rule(path, prefix)
        except AmendError:
            return
        self._policy = None  # the next command sees the new rule
        rendered = "[" + ", ".join(json.dumps(token) for token in prefix) + "]"
        self.injected.append(
            {
                "type": "message",
                "role": "developer",
                "content": [
                    {"type": "input_text", "text": f"Approved command prefix saved:\n- {rendered}"}
                ],
            }
        )

    # ferry: codex_core::tools::handlers::unified_exec::UnifiedExecHandler::handle @ 1d092cb66 -- its exec_command branch
    def exec_command(self, args: JsonObject) -> str:
        cmd = args.get("cmd")
        if not isinstance(cmd, str):
            raise ToolError("failed to parse function arguments: missing field `cmd`")
        config = self.ctx.config
        workdir = args.get("workdir")
        cwd = (
            (config.cwd / workdir).resolve() if isinstance(workdir, str) and workdir else config.cwd
        )
        login = args.get("login")
        if login is True and not config.allow_login_shell:
            return LOGIN_SHELL_DISABLED
        argv = self.unified_exec.shell_argv(
            cmd,
            args.get("shell") if isinstance(args.get("shell"), str) else None,
            config.allow_login_shell if login is None else bool(login),
        )
        invocation = extract_apply_patch_invocation(argv)
        if invocation is not None:
            started = time.monotonic()
            patch_cwd = cwd / invocation.workdir if invocation.workdir else cwd
            inner, ran = self._apply_patch(invocation.patch, patch_cwd)
            if not ran:
                return inner  # refused before anything ran: the reason on its own, as codex
            elapsed = time.monotonic() - started
            return f"Wall time: {elapsed:.4f} seconds\nOutput:\n{inner}"
        decision = self._decide(argv, args)
        approvals = self.ctx.approvals
        #: an approved request for escalated permissions runs outside the sandbox (codex's
        #: first attempt bypasses it); other approved commands still run sandboxed
        escalated = False
        if decision.action is ExecAction.ASK_USER and approvals is not None:
            justification = args.get("justification")
            verdict = approvals.approve_command(
                self._call_id,
                argv,
                display_command(argv),
                cwd,
                # codex shows the model's justification, else why the policy asks
                justification
                if isinstance(justification, str) and justification
                else decision.message,
                _amendment(decision),
            )
            if verdict not in ("accept", "acceptForSession", "acceptWithExecpolicyAmendment"):
                self.ctx.observer.exec_end(ExecEnd(self._call_id, None, "", 0.0, "declined"))
                return COMMAND_DECLINED
            amendment = _amendment(decision)
            if verdict == "acceptWithExecpolicyAmendment" and amendment:
                self._save_amendment(amendment)
            escalated = SandboxPermissions(
                args.get("sandbox_permissions") or "use_default"
            ).requires_escalation
        elif decision.action in (ExecAction.REJECT, ExecAction.ASK_USER):
            # exec never asks: a command that would need approval is refused with upstream's text.
            return decision.message or "exec command rejected by user"
        command_text = display_command(argv)
        item_id = self.ctx.next_item_id()
        started_item = {
            "id": item_id,
            "type": "command_execution",
            "command": command_text,
            "aggregated_output": "",
            "exit_code": None,
            "status": "in_progress",
        }
        started = time.monotonic()
        try:
            env = self._env()
            shell_argv = self._with_snapshot(argv, cwd, env)
            spawn_argv = (
                supervised_command(shell_argv)
                if decision.action is ExecAction.RUN_UNSANDBOXED or escalated
                else self._sandbox_argv(shell_argv, cwd)
            )
        except ToolError as exc:
            self.ctx.emit(
                {
                    "type": "item.completed",
                    "item": {
                        **started_item,
                        "aggregated_output": str(exc),
                        "exit_code": -1,
                        "status": "failed",
                    },
                }
            )
            return str(exc)
        self.ctx.emit({"type": "item.started", "item": started_item})
        call_id = self._call_id
        observer = self.ctx.observer
        begun = threading.Event()

        def stream(chunk: str) -> None:
            begun.wait(5)  # output follows the command's begin event
            observer.exec_output(call_id, chunk)

        try:
            process = self.unified_exec.spawn(
                spawn_argv,
                argv,
                cwd,
                launch_env(env),
                bool(args.get("tty")),
                on_output=stream,
            )
        except OSError as exc:
            reason = f"Failed to create unified exec process: {_io_error(exc)}"
            observer.exec_end(ExecEnd(call_id, -1, reason, 0.0, "failed"))
            self.ctx.emit(
                {
                    "type": "item.completed",
                    "item": {
                        **started_item,
                        "aggregated_output": reason,
                        "exit_code": -1,
                        "status": "failed",
                    },
                }
            )
            # the model sees the error's debug rendering, as codex prints it
            quoted = json.dumps(f"Rejected({json.dumps(reason)})")
            return f"exec_command failed: CreateProcess {{ message: {quoted} }}"
        observer.exec_begin(ExecBegin(call_id, tuple(argv), command_text, cwd, process.popen.pid))
        begun.set()
        result = self.unified_exec.run(
            process,
            started,
            _number(args.get("yield_time_ms")),
            _int(args.get("max_output_tokens")),
        )
        self._report(item_id, command_text, result)
        if result.output.exit_code is not None and not self.ctx.interrupted.is_set():
            observer.exec_end(
                ExecEnd(
                    call_id,
                    result.output.exit_code,
                    result.aggregated_output,
                    time.monotonic() - started,
                    "completed" if result.output.exit_code == 0 else "failed",
                    process.popen.pid,
                )
            )
        return result.output.response_text()

    # ferry: codex_core::tools::handlers::unified_exec::UnifiedExecHandler::handle @ 1d092cb66 -- its write_stdin branch
    def write_stdin(self, args: JsonObject) -> str:
        session_id = _int(args.get("session_id"))
        if session_id is None:
            raise ToolError("failed to parse function arguments: missing field `session_id`")
        chars = args.get("chars") or ""
        try:
            result = self.unified_exec.write_stdin(
                session_id,
                str(chars),
                _number(args.get("yield_time_ms")),
                _int(args.get("max_output_tokens")),
            )
        except KeyError:
            raise ToolError(f"write_stdin failed: Unknown process id {session_id}") from None
        except StdinClosed as exc:
            raise ToolError(f"write_stdin failed: {exc}") from None
        except OSError as exc:
            raise ToolError(f"write_stdin failed: {_io_error(exc)}") from exc
        running = self._running.get(session_id)
        if running is not None:
            self._report(running.item_id, running.command, result, session_id=session_id)
        return result.output.response_text()

    def _report(
        self, item_id: str, command: str, result: ExecResult, session_id: int | None = None
    ) -> None:
        out = result.output
        if out.exit_code is None:
            if out.session_id is not None:
                self._running[out.session_id] = _RunningCommand(item_id, command)
            return
        if session_id is not None:
            self._running.pop(session_id, None)
        self.ctx.emit(
            {
                "type": "item.completed",
                "item": {
                    "id": item_id,
                    "type": "command_execution",
                    "command": command,
                    "aggregated_output": result.aggregated_output,
                    "exit_code": out.exit_code,
                    "status": "completed" if out.exit_code == 0 else "failed",
                },
            }
        )

    # ------------------------------------------------------------------ apply_patch

    # ferry: codex_core::tools::handlers::apply_patch::ApplyPatchHandler::handle @ 1d092cb66
    # ferry: codex_core::safety::assess_patch_safety @ 1d092cb66
    def apply_patch(self, patch: str, cwd: Path | None = None) -> str:
        """Verify, check the sandbox, then apply; the model sees upstream's texts for each outcome.

        apply_patch runs in this process, outside any sandbox, so it enforces the
        sandbox's rules itself: every target must be writable under the session's
        policy (lexically, as upstream checks before applying), and every write must
        land, after resolving each symlink, in a writable root outside the protected
        sub-paths (what upstream's sandboxed apply_patch process gets from the kernel).
        """
        return self._apply_patch(patch, cwd)[0]

    def _apply_patch(self, patch: str, cwd: Path | None = None) -> tuple[str, bool]:
        """The output text, and whether the patch was applied (successfully or not) rather
        than refused before anything was written."""
        config = self.ctx.config
        started = time.monotonic()
        try:
            verified = verify_patch(patch, cwd or config.cwd, root="/")
        except PathEscapeError:
            return PATCH_OUTSIDE_PROJECT, False
        except ApplyPatchError as exc:
            return str(exc), False
        if verified.is_empty:
            return PATCH_EMPTY, False
        if parse_patch(patch).environment_id is not None:
            return PATCH_ENVIRONMENT, False
        observed = tuple(_patch_change(c) for c in verified.changes)
        policy = self._policy_for_patch()
        targets = [c.path for c in verified.changes] + [
            c.move_path for c in verified.changes if c.move_path is not None
        ]
        writable = config.sandbox.mode != "read-only" and all(
            policy.can_write_path(target, config.cwd) for target in targets
        )
        # With someone to ask (the UI, the app server), what the sandbox would refuse is put
        # to the user instead; an approved patch is applied unguarded, as codex then runs it
        # outside the sandbox.
        asks = (
            self.ctx.approvals is not None
            and config.approval_policy != "never"
            and (config.approval_policy == "untrusted" or not writable)
        )
        guard: Callable[[str], bool] | None = None
        if asks and self.ctx.approvals is not None:
            self.ctx.observer.patch_begin(PatchBegin(self._call_id, observed))
            verdict = self.ctx.approvals.approve_patch(self._call_id, observed, None)
            if verdict not in ("accept", "acceptForSession"):
                self.ctx.observer.patch_end(PatchEnd(self._call_id, "declined", observed))
                return PATCH_DECLINED, False
            if writable:
                guard = policy.physical_write_guard(config.cwd)
        elif config.sandbox.mode == "read-only":
            return PATCH_READ_ONLY, False
        elif not writable:
            return PATCH_OUTSIDE_PROJECT, False
        else:
            guard = policy.physical_write_guard(config.cwd)
            self.ctx.observer.patch_begin(PatchBegin(self._call_id, observed))
        changes = sorted(
            ({"path": str(c.path), "kind": c.kind} for c in verified.changes),
            key=lambda c: c["path"],
        )
        item_id = self.ctx.next_item_id()

        def file_change(event: str, status: str) -> None:
            item = {"id": item_id, "type": "file_change", "changes": changes, "status": status}
            self.ctx.emit({"type": event, "item": item})

        file_change("item.started", "in_progress")
        try:
            result = apply_verified(verified, root="/", guard=guard)
        except ApplyPatchError as exc:
            file_change("item.completed", "failed")
            self.ctx.observer.patch_end(PatchEnd(self._call_id, "failed", observed))
            # What upstream's apply_patch process prints on stderr (one line per error).
            exit_code, output = 1, f"{exc}\n"
        else:
            file_change("item.completed", "completed")
            self.ctx.observer.patch_end(PatchEnd(self._call_id, "completed", observed))
            exit_code, output = 0, result.output
        elapsed = round(time.monotonic() - started, 1)
        return f"Exit code: {exit_code}\nWall time: {elapsed:g} seconds\nOutput:\n{output}", True

    # ------------------------------------------------------------------ goals

    def _goal(self, name: str, arguments: str) -> str:
        try:
            if name == "get_goal":
                return self.goals.get()
            if name == "create_goal":
                args = self._args(arguments, "objective")
                return self.goals.create(str(args["objective"]), args.get("token_budget"))
            args = self._args(arguments, "status")
            return self.goals.update(str(args["status"]))
        except GoalError as exc:
            raise ToolError(str(exc)) from None

    # ------------------------------------------------------------------ view_image

    # ferry: codex_core::tools::handlers::view_image::ViewImageHandler::handle @ 1d092cb66
    def view_image(self, args: JsonObject) -> list[JsonObject]:
        """Attach a local image to the conversation (as a data URL), like upstream."""
        detail = args.get("detail")
        if detail is not None and detail not in ("high", "original"):
            raise ToolError(
                "view_image.detail only supports `high` or `original`; omit `detail` for "
                f"default high resized behavior, got `{detail}`"
            )
        raw = str(args.get("path", ""))
        path = (self.ctx.config.cwd / raw).resolve() if raw else self.ctx.config.cwd
        try:
            info = path.stat()
        except OSError as exc:
            raise ToolError(f"unable to locate image at `{path}`: {_io_error(exc)}") from None
        if not stat.S_ISREG(info.st_mode):
            raise ToolError(f"image path `{path}` is not a file")
        try:
            url = image_data_url(path)
        except ImageError as exc:
            if exc.kind == "read" and exc.os_error is not None:
                raise ToolError(
                    f"unable to locate image at `{path}`: {_io_error(exc.os_error)}"
                ) from None
            raise ToolError("unable to process image: invalid or unsupported image data") from None
        return [input_image(url)]

    # ------------------------------------------------------------------ plan

    # ferry: codex_core::tools::handlers::plan::handle_update_plan @ 1d092cb66
    # ferry: codex_exec::event_processor_with_jsonl_output::EventProcessorWithJsonOutput::map_todo_items @ 1d092cb66 -- the todo_list item events exec prints
    def update_plan(self, args: JsonObject) -> str:
        plan = args.get("plan")
        if not isinstance(plan, list):
            raise ToolError("failed to parse function arguments: missing field `plan`")
        items = [
            {"text": str(step.get("step", "")), "completed": step.get("status") == "completed"}
            for step in plan
            if isinstance(step, dict)
        ]
        self._todo_items = items
        if self._todo_item is None:
            self._todo_item = self.ctx.next_item_id()
            self.ctx.emit(
                {
                    "type": "item.started",
                    "item": {"id": self._todo_item, "type": "todo_list", "items": items},
                }
            )
        else:
            self.ctx.emit(
                {
                    "type": "item.updated",
                    "item": {"id": self._todo_item, "type": "todo_list", "items": items},
                }
            )
        return "Plan updated"

    # ferry: codex_exec::event_processor_with_jsonl_output::RunningTodoList @ 1d092cb66 -- the todo_list item completed at turn end
    def finish_turn(self) -> None:
        if self._todo_item is not None:
            self.ctx.emit(
                {
                    "type": "item.completed",
                    "item": {"id": self._todo_item, "type": "todo_list", "items": self._todo_items},
                }
            )
            self._todo_item = None

    # ferry: codex_core::unified_exec::process_manager::UnifiedExecProcessManager::terminate_all_processes @ 1d092cb66
    def shutdown(self) -> None:
        self.unified_exec.shutdown()
        if self._snapshot is not None:
            self._snapshot.remove()


def _io_error(exc: OSError) -> str:
    """An OS error as Rust's ``io::Error`` displays it: ``No such file or directory (os error 2)``."""
    if exc.errno is not None and exc.strerror:
        return f"{exc.strerror} (os error {exc.errno})"
    return str(exc)


def _amendment(decision: Any) -> tuple[str, ...] | None:
    requirement = decision.requirement
    amendment = getattr(requirement, "proposed_amendment", None)
    return tuple(amendment) if amendment else None


def _patch_change(change: Any) -> PatchChange:
    """A verified patch change as the observer sees it (upstream's FileChange)."""
    kind = str(change.kind)
    if kind == "add":
        diff = change.new_content or ""
    elif kind == "delete":
        diff = change.old_content or ""
    else:
        diff = change.unified_diff
    return PatchChange(
        path=change.path,
        kind=kind,
        diff=diff,
        move_path=change.move_path,
        old_content=change.old_content,
        new_content=change.new_content,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)
