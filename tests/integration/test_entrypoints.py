"""The Docker entrypoints, run outside Docker against the real Neo4j (the ``neo4j_server`` fixture).

* ``docker/entrypoint-etl.sh`` waits for Neo4j and loads the bundled sample (14 cities) when the
  import folder is empty, or the files in it when there are any.
* ``docker/entrypoint-app.sh`` gives up with a clear message and a non-zero exit when Neo4j is
  unreachable, and never starts the explorer then.
* ``docker/wait_for_neo4j.py`` exits 2 at once on a wrong password or a missing one.

Each test that writes wipes the database before and after (the contract tests do the same).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import neo4j
import pytest

REPO = Path(__file__).resolve().parents[2]
ETL = REPO / "docker" / "entrypoint-etl.sh"
APP = REPO / "docker" / "entrypoint-app.sh"
WAIT = REPO / "docker" / "wait_for_neo4j.py"
GOOD = REPO / "tests" / "data" / "good"


def base_env(**extra: str) -> dict[str, str]:
    """This interpreter's bin dir first on PATH, so ``python`` and ``cultnet`` are the project's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEO4J_", "CULTNET_"))}
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    env.update(extra)
    return env


def server_env(server, **extra: str) -> dict[str, str]:
    env = dict(NEO4J_URI=server.uri, NEO4J_USER=server.user, NEO4J_PASSWORD=server.password,
               NEO4J_DATABASE=server.database, CULTNET_WAIT_TIMEOUT="60")
    env.update(extra)
    return base_env(**env)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def driver(neo4j_server):
    drv = neo4j.GraphDatabase.driver(neo4j_server.uri,
                                     auth=(neo4j_server.user, neo4j_server.password))
    wipe = lambda: drv.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_server.database)
    wipe()
    yield drv
    wipe()
    drv.close()


def count(drv, server, label: str) -> int:
    records, _, _ = drv.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n",
                                      database_=server.database)
    return records[0]["n"]


# ------------------------------------------------------------------------------------------- etl


@pytest.mark.neo4j
@pytest.mark.slow  # loads the whole sample (15k cooperation rows): 30-130 s on a busy 2-core box
def test_etl_entrypoint_loads_the_sample_when_the_import_dir_is_empty(neo4j_server, driver, tmp_path):
    empty = tmp_path / "import"
    empty.mkdir()
    proc = subprocess.run(["sh", str(ETL)], env=server_env(neo4j_server, CULTNET_IMPORT_DIR=str(empty)),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "loading the bundled sample" in proc.stderr
    assert count(driver, neo4j_server, "City") == 14  # the paper's 14 Liaoning cities


@pytest.mark.neo4j
def test_etl_entrypoint_loads_files_from_the_import_dir(neo4j_server, driver, tmp_path):
    imp = tmp_path / "import"
    imp.mkdir()
    for name in ("cities.csv", "indicators.csv", "enterprises.csv", "cooperation.csv"):
        shutil.copy(GOOD / name, imp / name)
    proc = subprocess.run(["sh", str(ETL)], env=server_env(neo4j_server, CULTNET_IMPORT_DIR=str(imp)),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"loading from {imp}" in proc.stderr
    for flag in ("--cities", "--indicators", "--enterprises", "--edges"):
        assert flag in proc.stderr
    n_cities = len((GOOD / "cities.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
    assert count(driver, neo4j_server, "City") == n_cities
    n_ent = len((GOOD / "enterprises.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
    assert count(driver, neo4j_server, "Enterprise") == n_ent


def test_etl_entrypoint_fails_cleanly_when_neo4j_is_unreachable(tmp_path):
    env = base_env(NEO4J_URI=f"bolt://127.0.0.1:{closed_port()}", NEO4J_PASSWORD="whatever1",
                   CULTNET_WAIT_TIMEOUT="1", CULTNET_WAIT_INTERVAL="0.2",
                   CULTNET_IMPORT_DIR=str(tmp_path / "missing"))
    proc = subprocess.run(["sh", str(ETL)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "did not answer within 1 s" in proc.stderr
    assert "nothing loaded" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_etl_entrypoint_with_unrecognised_files_exits_2_before_waiting(tmp_path):
    imp = tmp_path / "import"
    imp.mkdir()
    (imp / "notes.csv").write_text("a,b\n1,2\n")
    env = base_env(NEO4J_URI=f"bolt://127.0.0.1:{closed_port()}", NEO4J_PASSWORD="whatever1",
                   CULTNET_WAIT_TIMEOUT="30", CULTNET_IMPORT_DIR=str(imp))
    t0 = time.monotonic()
    proc = subprocess.run(["sh", str(ETL)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "none is named cities.*" in proc.stderr
    assert "notes.csv" in proc.stderr
    assert time.monotonic() - t0 < 20  # did not wait for Neo4j first


# ------------------------------------------------------------------------------------------- app


def test_app_entrypoint_fails_cleanly_when_neo4j_is_unreachable(tmp_path):
    port = closed_port()
    env = base_env(NEO4J_URI=f"bolt://127.0.0.1:{port}", NEO4J_USER="neo4j",
                   NEO4J_PASSWORD="not-used-here", CULTNET_WAIT_TIMEOUT="3",
                   CULTNET_WAIT_INTERVAL="0.5")
    t0 = time.monotonic()
    proc = subprocess.run(["sh", str(APP)], env=env, capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "did not answer within 3 s" in proc.stderr
    assert f"bolt://127.0.0.1:{port}" in proc.stderr
    assert "not starting the explorer" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "streamlit" not in (proc.stdout + proc.stderr).lower()
    assert 2.5 <= elapsed < 30, elapsed


def test_wait_step_needs_a_password(tmp_path):
    env = base_env(NEO4J_URI=f"bolt://127.0.0.1:{closed_port()}")
    proc = subprocess.run([sys.executable, str(WAIT)], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "NEO4J_PASSWORD is not set" in proc.stderr


@pytest.mark.neo4j
def test_wait_step_stops_at_once_on_a_wrong_password(neo4j_server):
    env = server_env(neo4j_server, NEO4J_PASSWORD=neo4j_server.password + "-wrong")
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, str(WAIT)], env=env, capture_output=True, text=True,
                          timeout=90)
    assert proc.returncode == 2, proc.stderr
    assert "rejected user 'neo4j'" in proc.stderr
    assert time.monotonic() - t0 < 30  # did not wait for the 60 s timeout


@pytest.mark.neo4j
def test_wait_step_succeeds_against_the_running_server(neo4j_server):
    proc = subprocess.run([sys.executable, str(WAIT)], env=server_env(neo4j_server),
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert "is up" in proc.stderr
