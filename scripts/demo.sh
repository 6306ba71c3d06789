#!/usr/bin/env bash
# The quick-start demo: copy the sample game into a scratch git repository, start the local
# Prefect server (so runs show in the UI), and run gameops' main job on it.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
gameops="$here/.venv/bin/gameops"
demo="${GAMEOPS_DEMO_DIR:-$here/.demo/sample-game}"  # GAMEOPS_DEMO_DIR: elsewhere (the tests)

rm -rf "$demo"
mkdir -p "$(dirname "$demo")"
cp -r "$here/examples/sample-game" "$demo"
(
  # A short, real history in conventional commits, so the release notes have something to say.
  cd "$demo"
  export GIT_AUTHOR_NAME="gameops demo" GIT_AUTHOR_EMAIL="demo@gameops.invalid"
  export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
  git init -q -b main
  git add -A
  git commit -q -m "chore: import the sample game"
  printf '\n## Controls\n\nNone yet: the game greets you and quits.\n' >> README.md
  git commit -qam "docs: say what the game does when it runs"
  printf '\n# VS_003: the title bar will show the engine version too.\n' >> Main.gd
  git commit -qam "feat(VS_003): plan the engine version in the title bar"
  printf '# BR_003: the label keeps a 32 px margin on every screen size.\n' >> Main.gd
  git commit -qam "fix(BR_003): keep the greeting inside small windows"
)
echo "== scratch repository: $demo"

# The UI's port: GAMEOPS_SERVER__PORT (make demo UI_PORT=...), default 4200. When the server
# cannot start (say the port is taken), the line above says why; the demo goes on, and the first
# flow command starts gameops' server on a free port instead.
if ! "$gameops" server start; then
  echo "(the Prefect UI did not start on port ${GAMEOPS_SERVER__PORT:-4200}: see the line above; pick another with"
  echo " make demo UI_PORT=NNNN. The demo goes on: gameops starts its server on a free port.)"
fi

echo "== gameops check"
"$gameops" --project "$demo" check

echo "== gameops release 0.1.0 (real Godot export, reproducible zip, SHA256SUMS, notes, tag)"
GIT_COMMITTER_NAME="gameops demo" GIT_COMMITTER_EMAIL="demo@gameops.invalid" \
  "$gameops" --project "$demo" release 0.1.0
echo "== release folder: $demo/dist/0.1.0"
ls -l "$demo/dist/0.1.0"
(cd "$demo/dist/0.1.0" && { sha256sum -c SHA256SUMS 2>/dev/null || true; })

ui="$("$gameops" server status --json 2>/dev/null | "$here/.venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin).get("url") or "")' || true)"
echo
echo "== done"
echo "   game repository: $demo"
if [ -n "$ui" ]; then
  echo "   Prefect UI:      $ui  (stop it with: .venv/bin/gameops server stop)"
fi
