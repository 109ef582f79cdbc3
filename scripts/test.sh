#!/usr/bin/env bash
# README command 2: set up everything the tests need and run the whole suite:
# Python deps (.venv), Neo4j 5.26 from Maven Central (started by the tests themselves),
# Debian's Chromium for the browser tests, then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=test bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
python scripts/neo4j_server.py fetch
# Debian packages the tests use: Chromium (browser tests), docker-compose (docker-compose.yml),
# shellcheck (container entrypoints), a CJK font (Chinese city names in the screenshots and in
# PNG/SVG exports drawn by headless Chromium), and for the Docker test (scripts/compose_test.sh,
# marker docker): docker.io (a private dockerd; the docker CLI) and debootstrap (the stand-in base
# image), and Pango (WeasyPrint's text layout: the replication report's PDF, cultnet report)
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
{ command -v dockerd && command -v docker; } >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing from Debian packages: ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need[*]} (sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
# a fresh embedded store for the test run; tests make their own under tmp dirs as well
export CULTNET_DATA_DIR="${CULTNET_DATA_DIR:-$(mktemp -d)/cultnet}"
exec python -m pytest "$@"
