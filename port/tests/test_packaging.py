"""The built wheel carries every data file pycodex reads at run time.

A missing prompt or schema file only shows when pycodex runs from a wheel (as the
benchmark harness installs it), so the wheel is built and inspected here.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

PORT = Path(__file__).resolve().parents[1]


def test_wheel_contains_runtime_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(PORT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("pycodex-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    package = PORT / "pycodex"
    data_files = [
        p
        for p in package.rglob("*")
        if p.is_file()
        and p.suffix in {".md", ".json", ".lark", ".typed", ".sql"}
        and "__pycache__" not in p.parts
    ]
    assert data_files, "expected data files in the package"
    missing = sorted(
        str(p.relative_to(PORT)) for p in data_files if str(p.relative_to(PORT)) not in names
    )
    assert missing == [], (
        f"not packaged: {missing} (fix [tool.setuptools.package-data] in port/pyproject.toml)"
    )
