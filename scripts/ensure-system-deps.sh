#!/usr/bin/env bash
# Installs the Debian packages the test suite exercises (sandbox, git, tmux). Best effort:
# where apt is unavailable or we are not root, the tests that need a package skip
# with a message naming it.
set -u
need=()
command -v git   >/dev/null 2>&1 || need+=(git)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # the review page browser test
command -v tmux  >/dev/null 2>&1 || need+=(tmux)      # the TUI real-terminal test
[ -x /usr/bin/time ] || need+=(time)  # GNU time: peak RSS of measured commands (make bench, ferry report --measure)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: missing ${need[*]} (install them with your package manager); dependent tests will skip" >&2
  exit 0
fi
echo "ensure-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || echo "ensure-system-deps: could not install ${need[*]}; dependent tests will skip" >&2
exit 0
