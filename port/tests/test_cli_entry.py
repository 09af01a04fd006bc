import subprocess
import sys

from pycodex import UPSTREAM_VERSION, __version__


def test_version_fast_path_prints_port_and_upstream_version() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['pycodex','--version']; from pycodex._entry import main; main()",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == f"pycodex {__version__} (codex-cli {UPSTREAM_VERSION})\n"
