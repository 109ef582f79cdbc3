#!/usr/bin/env bash
# README command 2: set up everything the tests need and run the whole suite:
# Python deps (.venv), Neo4j 5.26 from Maven Central (started by the tests themselves),
# Debian's Chromium for the browser tests, then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=test bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
python scripts/neo4j_server.py fetch
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing Chromium from Debian packages (browser tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install chromium' (needed by tests/ui/test_browser.py)" >&2
    exit 1
  fi
fi
# a fresh embedded store for the test run; tests make their own under tmp dirs as well
export CULTNET_DATA_DIR="${CULTNET_DATA_DIR:-$(mktemp -d)/cultnet}"
exec python -m pytest "$@"
