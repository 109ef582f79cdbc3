#!/usr/bin/env bash
# Regenerate uv.lock from pyproject.toml and its hashed pip exports in requirements/.
#   bash scripts/lock.sh              -> keep every locked version that still fits pyproject.toml
#   bash scripts/lock.sh --upgrade    -> move every package to the newest version that fits
#   bash scripts/lock.sh --upgrade-package numpy   -> move one package
# Then run the test suite (bash scripts/test.sh) and commit uv.lock and requirements/ together.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=$(command -v uv || echo .cache/uv-bootstrap/bin/uv)
"$UV" lock "$@"
for extra in main test; do
  args=(--frozen --format requirements-txt --no-emit-project --no-header -q)
  [ "$extra" = main ] || args+=(--extra "$extra")
  "$UV" export "${args[@]}" -o "requirements/$extra.txt"
done
echo "uv.lock and requirements/{main,test}.txt updated ($(grep -c '^name = ' uv.lock) packages)"
