"""Start the interactive UI and print codex's exit summary (no click: bare ``pycodex`` comes
here straight from the entry point, so the first frame does not wait for the CLI parser)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

NO_TTY = "stdin is not a terminal"


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"Error: {message}\n")
    sys.exit(1)


# ferry: codex_tui::run_main @ 1d092cb66
def run_tui(
    params: Mapping[str, Any],
    prompt: str | None,
    *,
    choice: Any = None,
    picker: str | None = None,
    picker_all: bool = False,
    include_non_interactive: bool = False,
) -> int:
    """Run the UI and print codex's exit summary; the exit code.

    Only the terminal and the image files are checked here: the configuration is loaded
    by the session worker once the first frame is on screen (a bad one ends the UI with
    its error and exit code 1).
    """
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        _fail(NO_TTY)
    images = tuple(Path(p) for value in params.get("images") or () for p in value.split(",") if p)
    for image in images:
        if not image.is_file():
            _fail(f"failed to read image {image}: No such file or directory")
    cwd = Path(params["cwd"]).resolve() if params.get("cwd") else Path.cwd()

    from pycodex.tui.app import CodexApp, TuiOptions

    options = TuiOptions(
        params=dict(params),
        cwd=cwd,
        prompt=prompt,
        images=images,
        choice=choice,
        picker=picker,
        picker_all=picker_all,
        include_non_interactive=include_non_interactive,
    )
    app = CodexApp(options)
    app.run(inline=bool(params.get("no_alt_screen")))
    info = app.exit_info
    if info.error is not None:
        sys.stderr.write(f"Error: {info.error}\n")
        return 1
    from pycodex.client.events import TokenUsage
    from pycodex.tui.text import exit_messages

    usage = info.usage if isinstance(info.usage, TokenUsage) else TokenUsage()
    for line in exit_messages(usage, info.thread_id):
        sys.stdout.write(line + "\n")
    return app.return_code or 0
