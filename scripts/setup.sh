#!/usr/bin/env bash
# Create .venv and install cultnet with exactly the versions in uv.lock. Used by demo.sh, test.sh
# and CI, so README command 1, command 2 and CI install the same bits.
#   bash scripts/setup.sh               -> cultnet and its dependencies
#   EXTRAS=test bash scripts/setup.sh   -> also the test dependencies
# Installer: uv when it is on PATH; otherwise a pinned uv (requirements/uv.txt, hash-checked) is
# bootstrapped from PyPI with pip into .cache/uv-bootstrap. CULTNET_INSTALLER=pip installs with
# pip instead, from the hashed export of the same lock (requirements/*.txt; slower).
# Regenerate the lock and its exports after changing pyproject.toml: bash scripts/lock.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
installer=${CULTNET_INSTALLER:-uv}
t0=$(date +%s)

if [ "$installer" = uv ]; then
  UV=$(command -v uv || true)
  if [ -z "$UV" ]; then
    boot=.cache/uv-bootstrap
    if [ ! -x "$boot/bin/uv" ]; then
      echo "==> bootstrapping uv ($(sed -n 's/^\(uv==[^ ;]*\).*/\1/p' requirements/uv.txt)) from PyPI"
      rm -rf "$boot"
      # uv is one binary: unpack its wheel with the interpreter's own pip (--target: no venv, no
      # ensurepip; measured 15-17 s instead of 31-38 s on a busy 2-core machine, benchmarks/setup.py).
      # Without a pip for $PY (Debian's python3 without python3-pip): a venv as before.
      if "$PY" -m pip --version >/dev/null 2>&1; then
        PIP_ROOT_USER_ACTION=ignore "$PY" -m pip install -q --disable-pip-version-check \
          --require-hashes --target "$boot" -r requirements/uv.txt
      else
        "$PY" -m venv "$boot"
        "$boot/bin/python" -m pip install -q --disable-pip-version-check --require-hashes \
          -r requirements/uv.txt
      fi
    fi
    UV=$PWD/$boot/bin/uv
  fi
  echo "==> installing cultnet${EXTRAS:+[$EXTRAS]} from uv.lock with $("$UV" --version)"
  # --locked: fail when uv.lock no longer matches pyproject.toml (run scripts/lock.sh).
  # Without EXTRAS the sync is --inexact: README command 1 run inside a test run (test_readme)
  # must not uninstall the test dependencies from the same .venv.
  if [ -n "${EXTRAS:-}" ]; then mode=(--extra "$EXTRAS"); else mode=(--inexact); fi
  UV_PYTHON_DOWNLOADS=never "$UV" sync --locked --quiet --python "$PY" "${mode[@]}"
else
  req=requirements/${EXTRAS:-main}.txt
  stamp=.venv/.cultnet-installed-$(sha256sum "$req" | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    [ -x .venv/bin/python ] || "$PY" -m venv .venv
    echo "==> installing cultnet${EXTRAS:+[$EXTRAS]} with pip from $req (hash-checked)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r "$req"
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . \
      2>/dev/null || .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
    rm -f .venv/.cultnet-installed-*
    touch "$stamp"
  fi
fi
echo "==> .venv ready ($(( $(date +%s) - t0 )) s)"
