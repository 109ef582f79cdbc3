"""The README is true: its command 1 works from the repo, and every command and setting is documented.

Command 1 (``bash scripts/demo.sh``) is run with ``CULTNET_NO_UI=1`` (so it stops after the
summary instead of serving the explorer) against a fresh embedded store, then the acceptance
query of issue 2 must print ``[{"n": 14}]``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _cli_commands() -> list[str]:
    from typer.main import get_command

    from cultnet.ui.cli import app

    return sorted(get_command(app).commands)


def test_every_cli_command_is_in_the_readme():
    missing = [c for c in _cli_commands() if not re.search(rf"cultnet {re.escape(c)}\b", README)]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_setting_is_in_the_readme():
    import cultnet.settings as s

    names = set(re.findall(r"``((?:CULTNET|NEO4J)_[A-Z_]+)``", s.__doc__))
    assert {"CULTNET_BACKEND", "NEO4J_URI", "CULTNET_QUERY_TIMEOUT"} <= names
    missing = sorted(n for n in names if n not in README)
    assert not missing, f"settings missing from README.md: {missing}"


def test_the_two_readme_commands_exist():
    assert "bash scripts/demo.sh" in README and "bash scripts/test.sh" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci, "CI must run the README's test command"


@pytest.mark.slow
def test_readme_command_1_then_the_acceptance_query(tmp_path):
    env = {**os.environ, "CULTNET_NO_UI": "1", "CULTNET_DATA_DIR": str(tmp_path / "store"),
           "CULTNET_BACKEND": "embedded", "COLUMNS": "120"}
    cultnet = ROOT / ".venv" / "bin" / "cultnet"
    try:
        run = subprocess.run(["bash", str(ROOT / "scripts" / "demo.sh")], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "SIMULATED" in run.stdout + run.stderr
        assert "Shenyang" in run.stdout  # the network summary names the cities
        q = subprocess.run([str(cultnet), "query", "MATCH (c:City) RETURN count(c) AS n", "--json"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert q.returncode == 0, q.stderr
        assert json.loads(q.stdout) == [{"n": 14}]
        assert q.stdout.strip() == '[{"n": 14}]'
    finally:
        subprocess.run([str(cultnet), "stop"], env=env, capture_output=True, timeout=60)
