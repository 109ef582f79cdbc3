"""The wheel installs one top-level package, ``cultnet`` (issue: one installed namespace).

The repository keeps its folders graph/, etl/, analysis/, ui/; pyproject's package-dir mapping
installs them as cultnet.graph, cultnet.etl, cultnet.analysis, cultnet.ui. A wheel that also
installed a top-level ``ui`` or ``graph`` would shadow (or be shadowed by) another distribution's.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _uv() -> str:
    """uv on PATH, else the one scripts/setup.sh bootstrapped into .cache/uv-bootstrap."""
    found = shutil.which("uv") or ROOT / ".cache" / "uv-bootstrap" / "bin" / "uv"
    assert Path(found).exists(), "uv not found: run bash scripts/setup.sh"
    return str(found)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([_uv(), "build", "--wheel", "-q", "-o", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("cultnet-*.whl")
    return whl


def test_wheel_has_one_top_level_package(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert top == {"cultnet"}
    for sub in ("graph", "etl", "analysis", "ui", "ui/commands", "ui/views"):
        assert any(n.startswith(f"cultnet/{sub}/") and n.endswith(".py") for n in names), sub
    # the Cypher files, the explorer's pages and its theme travel with the package
    assert "cultnet/graph/queries/read_cities.cypher" in names
    assert "cultnet/ui/views/overview.py" in names
    assert "cultnet/ui/.streamlit/config.toml" in names
    with zipfile.ZipFile(wheel) as z:
        entry = next(n for n in names if n.endswith("entry_points.txt"))
        assert "cultnet = cultnet.ui.cli:main" in z.read(entry).decode()


def test_source_tree_imports_only_through_the_namespace():
    """No module of the package imports a bare ``graph``/``etl``/``analysis``/``ui``."""
    import ast

    offenders = []
    for folder in ("cultnet", "graph", "etl", "analysis", "ui"):
        for p in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(p.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                mods = []
                if isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    mods = [node.module]
                offenders += [f"{p.relative_to(ROOT)}: {m}" for m in mods
                              if m.split(".")[0] in ("graph", "etl", "analysis", "ui")]
    assert not offenders, offenders


def test_lock_matches_pyproject_and_pip_exports():
    """uv.lock satisfies pyproject.toml (``uv lock --locked`` fails otherwise) and the hashed pip
    exports in requirements/ are exactly what the lock exports (scripts/lock.sh writes both)."""
    uv = _uv()
    check = subprocess.run([uv, "lock", "--locked", "-q"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 0, "uv.lock is stale; run bash scripts/lock.sh\n" + check.stderr
    for extra in ("main", "test"):
        args = [uv, "export", "--frozen", "--format", "requirements-txt", "--no-emit-project",
                "--no-header", "-q"] + ([] if extra == "main" else ["--extra", extra])
        out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        committed = (ROOT / "requirements" / f"{extra}.txt").read_text(encoding="utf-8")
        assert out.stdout == committed, f"requirements/{extra}.txt is stale; run bash scripts/lock.sh"
        assert "--hash=sha256:" in committed
