#!/usr/bin/env bash
# The one test command (README): installs what the suite needs on a fresh
# Debian machine, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nfs-ls >/dev/null 2>&1 || missing+=(libnfs-utils)
# Debian's Chromium, for the admin page's browser test (test/admin/browser.test.ts).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: not root, cannot install ${missing[*]}; interop tests that need them will fail" >&2
  fi
fi

[ -d node_modules/typescript ] || npm ci
[ -f build/Release/nfsnode.node ] || npx --no-install node-gyp rebuild
npm run build
node --test --test-reporter=spec "$@" $(find dist/test -name '*.test.js' | sort)
