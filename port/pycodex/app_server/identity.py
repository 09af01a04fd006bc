"""Who the server says it is: the user agent, the OS and terminal tokens in it, the host.

codex builds ``<originator>/<version> (<os> <os version>; <arch>) <terminal> (<client>;
<client version>)`` where the originator and the suffix come from the client's
``initialize`` and the rest from the machine (``os_info`` and codex's terminal
detection), and sends it both in ``initialize``'s answer and on model requests.
"""

from __future__ import annotations

import os
import platform
import re
import socket
from collections.abc import Mapping
from pathlib import Path

from pycodex import UPSTREAM_VERSION

#: ``/etc/os-release`` ``ID`` -> the name ``os_info`` gives the distribution.
_OS_NAMES = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "fedora": "Fedora",
    "arch": "Arch Linux",
    "alpine": "Alpine Linux",
    "centos": "CentOS",
    "rhel": "Red Hat Enterprise Linux",
    "rocky": "Rocky Linux",
    "almalinux": "AlmaLinux",
    "amzn": "Amazon Linux AMI",
    "opensuse-leap": "openSUSE",
    "opensuse-tumbleweed": "openSUSE",
    "linuxmint": "Mint",
    "nixos": "NixOS",
    "gentoo": "Gentoo Linux",
    "manjaro": "Manjaro",
    "pop": "Pop!_OS",
}


def _os_release(path: Path = Path("/etc/os-release")) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip().strip('"').strip("'")
    return out


# ferry: port-only -- reimplements os_info::get (a Rust dependency, not codex-rs): the distribution and version codex's user agent names
def os_type_and_version(release: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(``Debian``, ``12.0.0``): the distribution and its version as ``os_info`` shows them."""
    if platform.system() != "Linux" and release is None:
        return platform.system() or "Unknown", platform.release() or "Unknown"
    info = _os_release() if release is None else dict(release)
    name = _OS_NAMES.get(info.get("ID", "").lower(), "Linux")
    raw = info.get("VERSION_ID", "")
    semantic = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", raw)
    if semantic:
        major, minor, patch = (int(g) if g else 0 for g in semantic.groups())
        return name, f"{major}.{minor}.{patch}"
    return name, raw or "Unknown"


def _format(name: str, version: str | None) -> str:
    return f"{name}/{version}" if version else name


def _non_empty(env: Mapping[str, str], key: str) -> str | None:
    value = env.get(key)
    return value if value is not None and value.strip() else None


# ferry: codex_terminal_detection::user_agent @ 1d092cb66
def terminal_token(env: Mapping[str, str] | None = None) -> str:
    """The terminal part of the user agent (``xterm``, ``iTerm.app/3.5``, ``unknown``)."""
    env = os.environ if env is None else env
    program = _non_empty(env, "TERM_PROGRAM")
    if program is not None:
        raw = _format(program, _non_empty(env, "TERM_PROGRAM_VERSION"))
    elif "WEZTERM_VERSION" in env:
        raw = _format("WezTerm", _non_empty(env, "WEZTERM_VERSION"))
    elif any(k in env for k in ("ITERM_SESSION_ID", "ITERM_PROFILE", "ITERM_PROFILE_NAME")):
        raw = "iTerm.app"
    elif "TERM_SESSION_ID" in env:
        raw = "Apple_Terminal"
    elif "KITTY_WINDOW_ID" in env or "kitty" in env.get("TERM", ""):
        raw = "kitty"
    elif "ALACRITTY_SOCKET" in env or env.get("TERM") == "alacritty":
        raw = "Alacritty"
    elif "KONSOLE_VERSION" in env:
        raw = _format("Konsole", _non_empty(env, "KONSOLE_VERSION"))
    elif "GNOME_TERMINAL_SCREEN" in env:
        raw = "gnome-terminal"
    elif "VTE_VERSION" in env:
        raw = _format("VTE", _non_empty(env, "VTE_VERSION"))
    elif "WT_SESSION" in env:
        raw = "WindowsTerminal"
    else:
        raw = _non_empty(env, "TERM") or "unknown"
    return _header_safe(raw)


def _header_safe(value: str) -> str:
    return "".join(ch if " " <= ch <= "~" else "_" for ch in value)


# ferry: codex_login::auth::default_client::get_codex_user_agent @ 1d092cb66
def user_agent(originator: str, suffix: str | None = None) -> str:
    """codex's user agent for a client that introduced itself as ``originator``."""
    os_name, os_version = os_type_and_version()
    prefix = (
        f"{originator}/{UPSTREAM_VERSION} ({os_name} {os_version}; "
        f"{platform.machine() or 'unknown'}) {terminal_token()}"
    )
    tail = f" ({suffix.strip()})" if suffix and suffix.strip() else ""
    return _header_safe(prefix + tail)


# ferry: codex_config::host_name::host_name @ 1d092cb66 -- 0.169.0: the short host name, localhost when empty
def server_name() -> str:
    """The name this machine goes by (the host name)."""
    return socket.gethostname().split(".", 1)[0] or "localhost"
