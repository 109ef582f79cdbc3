#!/usr/bin/env bash
# README command 1: set up, load the (simulated) sample into the embedded store, print a summary,
# then start the explorer on http://localhost:8501 (set CULTNET_NO_UI=1 to stop after the summary).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
cultnet load --sample
cultnet info                        # says SIMULATED (the sample is simulated) ...
cultnet network --year 2024 2> >(grep -v '^SIMULATED DATA' >&2)   # ... once in this summary
if [ -z "${CULTNET_NO_UI:-}" ]; then
  exec cultnet ui                   # port: CULTNET_PORT (default 8501)
fi
