#!/usr/bin/env bash
# Create .venv (if missing) and install cultnet into it. Used by demo.sh and test.sh.
#   EXTRAS=test bash scripts/setup.sh   -> also the test dependencies
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.cultnet-installed${EXTRAS:+-$EXTRAS}
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing cultnet${EXTRAS:+[$EXTRAS]} into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${EXTRAS:+[$EXTRAS]}"
  touch "$stamp"
fi
