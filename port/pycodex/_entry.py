"""Console-script entry point.

``pycodex --version`` is answered before anything heavy is imported, so that the
start-up cost of the port stays close to that of a bare interpreter; bare ``pycodex``
goes straight to the interactive UI (its first frame should not wait for click). A frozen
bundle (PyInstaller) also enters here for its sandbox helper stages, which a
source install runs as ``python -I -S <script>`` (see ``pycodex.sandbox.linux``).
"""

import sys


# ferry: codex_cli::main @ 1d092cb66 -- console script; bundle helper stages dispatch here (arg0)
def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] == "--pycodex-internal-launch":
        from pycodex.sandbox import _launch

        raise SystemExit(_launch.main(argv[1:]))
    if argv and argv[0] == "--pycodex-internal-landlock":
        from pycodex.sandbox import landlock

        raise SystemExit(landlock.main(argv[1:]))
    if argv in (["--version"], ["-V"]):
        from pycodex import UPSTREAM_VERSION, __version__

        sys.stdout.write(f"pycodex {__version__} (codex-cli {UPSTREAM_VERSION})\n")
        return
    if not argv:  # bare `pycodex`: the interactive UI, without loading the CLI parser
        from pycodex.tui.launch import run_tui

        sys.exit(run_tui({}, None))
    from pycodex.cli import main as cli_main

    cli_main()
