#!/usr/bin/env bash
# Make sure a headless Godot is on PATH: Debian's godot3-server plus godot3-runner (the
# custom export template the sample game uses). Installs them with apt when missing and
# allowed (root or passwordless sudo, and GAMEOPS_NO_APT unset).
set -euo pipefail
if command -v godot3-server >/dev/null && command -v godot3-runner >/dev/null; then
  exit 0
fi
if [ -n "${GAMEOPS_NO_APT:-}" ]; then
  echo "godot3-server/godot3-runner missing and GAMEOPS_NO_APT is set: install them (apt-get install godot3-server godot3-runner) or set GODOT_BIN" >&2
  exit 2
fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get here: install a headless Godot yourself and set GODOT_BIN (see README)" >&2
  exit 2
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "installing Godot needs root: sudo apt-get install godot3-server godot3-runner" >&2
    exit 2
  fi
fi
# apt holds a lock while another install or an unattended upgrade runs: wait for it (up to
# GAMEOPS_APT_WAIT seconds, default 600) instead of failing. The dpkg lock is waited for by apt
# itself (DPkg::Lock::Timeout); the package lists' lock is retried here.
wait_s="${GAMEOPS_APT_WAIT:-600}"
apt_waiting() {
  local deadline=$(( $(date +%s) + wait_s )) out rc
  out="$(mktemp)"
  while true; do
    rc=0
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$wait_s" "$@" >"$out" 2>&1 || rc=$?
    if [ "$rc" = 0 ]; then rm -f "$out"; return 0; fi
    if grep -qiE "could not get lock|unable to lock|unable to acquire the dpkg frontend lock" "$out" \
       && [ "$(date +%s)" -lt "$deadline" ]; then
      echo "apt is busy (another program holds its lock); waiting ..." >&2
      sleep 5
      continue
    fi
    cat "$out" >&2; rm -f "$out"; return "$rc"
  done
}
echo "installing godot3-server godot3-runner with apt-get ..." >&2
apt_waiting update -qq
apt_waiting install -y -qq godot3-server godot3-runner
