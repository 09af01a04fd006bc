"""Console-script entry point.

``pycodex --version`` is answered before anything heavy is imported, so that the
start-up cost of the port stays close to that of a bare interpreter.
"""

import sys


# ferry: codex_cli::main @ 1d092cb66 -- the `pycodex` console script
def main() -> None:
    argv = sys.argv[1:]
    if argv in (["--version"], ["-V"]):
        from pycodex import UPSTREAM_VERSION, __version__

        sys.stdout.write(f"pycodex {__version__} (codex-cli {UPSTREAM_VERSION})\n")
        return
    from pycodex.cli import main as cli_main

    cli_main()
