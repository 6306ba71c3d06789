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
echo "installing godot3-server godot3-runner with apt-get ..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq godot3-server godot3-runner >/dev/null
