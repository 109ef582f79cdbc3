"""The real Neo4j 5.26 started from the Maven jars (or NEO4J_URI) behaves as cultnet relies on.

Each test cleans up the nodes it made (label ``NeoServerProbe``), so it can run against a shared
server too.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import neo4j
import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = "NeoServerProbe"  # a label no other test uses


@pytest.fixture(scope="module")
def driver(neo4j_server):
    drv = neo4j.GraphDatabase.driver(neo4j_server.uri,
                                     auth=(neo4j_server.user, neo4j_server.password))
    drv.verify_connectivity()
    yield drv
    drv.execute_query("MATCH (n:NeoServerProbe) DETACH DELETE n", database_=neo4j_server.database)
    drv.close()


@pytest.mark.neo4j
def test_write_then_read(driver, neo4j_server):
    db = neo4j_server.database
    driver.execute_query("MATCH (n:NeoServerProbe) DETACH DELETE n", database_=db)
    driver.execute_query(
        "UNWIND $rows AS row CREATE (:NeoServerProbe {name: row.name, w: row.w})",
        rows=[{"name": "a", "w": 1.5}, {"name": "b", "w": 2.5}], database_=db)
    records, _, _ = driver.execute_query(
        "MATCH (n:NeoServerProbe) RETURN count(n) AS n, sum(n.w) AS total",
        database_=db, routing_=neo4j.RoutingControl.READ)
    assert records[0]["n"] == 2
    assert records[0]["total"] == pytest.approx(4.0)


@pytest.mark.neo4j
def test_write_in_read_session_is_refused(driver, neo4j_server):
    with driver.session(database=neo4j_server.database,
                        default_access_mode=neo4j.READ_ACCESS) as s:
        with pytest.raises(neo4j.exceptions.ClientError) as info:
            s.execute_read(lambda tx: tx.run("CREATE (:NeoServerProbe {name: 'sneaky'})").consume())
    assert info.value.code == "Neo.ClientError.Statement.AccessMode"
    records, _, _ = driver.execute_query(
        "MATCH (n:NeoServerProbe {name: 'sneaky'}) RETURN count(n) AS n",
        database_=neo4j_server.database)
    assert records[0]["n"] == 0


@pytest.mark.neo4j
def test_transaction_timeout_stops_a_runaway_query(driver, neo4j_server):
    # The server checks timeouts every db.transaction.monitor.check.interval (2 s), so a 1 s
    # limit fires after 1-3 s; allow 8 s on a busy 2-core machine.
    query = neo4j.Query("UNWIND range(1, 100000000000) AS x RETURN count(x)", timeout=1)
    t0 = time.monotonic()
    with driver.session(database=neo4j_server.database) as s:
        with pytest.raises(neo4j.exceptions.ClientError) as info:
            s.run(query).consume()
    elapsed = time.monotonic() - t0
    assert info.value.code in ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                               "Neo.ClientError.Transaction.TransactionTimedOut")
    assert elapsed < 8.0, f"the 1 s timeout took {elapsed:.1f} s to stop the query"


@pytest.mark.neo4j
def test_load_csv_from_file_url_is_refused(driver, neo4j_server):
    with driver.session(database=neo4j_server.database) as s:
        with pytest.raises(neo4j.exceptions.ClientError) as info:
            s.run("LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l").data()
    assert info.value.code == "Neo.ClientError.Statement.ExternalResourceFailed"
    assert "allow_csv_import_from_file_urls" in info.value.message


@pytest.mark.neo4j
def test_wrong_password_is_refused(neo4j_server):
    with neo4j.GraphDatabase.driver(neo4j_server.uri,
                                    auth=(neo4j_server.user, neo4j_server.password + "x")) as d:
        with pytest.raises(neo4j.exceptions.AuthError):
            d.verify_connectivity()


def test_cli_status_reports_stopped_for_an_empty_home(tmp_path):
    # The CLI's cheap path: no Java needed to learn that nothing runs there.
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "neo4j_server.py"), "status",
                           "--home", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert "stopped" in proc.stdout


def _script_module():
    """scripts/neo4j_server.py, imported once under the name tests/conftest.py uses."""
    name = "cultnet_neo4j_server_script"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "neo4j_server.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


@pytest.mark.neo4j
def test_start_failure_is_reported_with_the_log_tail(tmp_path):
    # A heap the JVM refuses: Java exits at once; the error must say so and show the log.
    mod = _script_module()
    server = mod.Neo4jServer(tmp_path / "home", mod.DEFAULT_LIB, heap="1k", start_timeout=120)
    with pytest.raises(mod.Neo4jServerError) as info:
        server.start()
    message = str(info.value)
    assert "Neo4j exited with code" in message
    assert "console.log" in message and "heap" in message.lower()
    assert not server.is_running()


def test_missing_jars_are_reported_without_fetching(tmp_path):
    mod = _script_module()
    server = mod.Neo4jServer(tmp_path / "home", tmp_path / "no-lib", fetch=False)
    with pytest.raises(mod.Neo4jServerError, match="has no Neo4j jars"):
        server.start()


@pytest.mark.neo4j
@pytest.mark.slow
def test_cli_start_status_stop_round_trip(tmp_path):
    # A second server of its own (~30-90 s on 2 cores): the CLI a developer or CI script uses.
    script = [sys.executable, str(REPO / "scripts" / "neo4j_server.py")]
    home = tmp_path / "home"
    start = subprocess.run([*script, "start", "--home", str(home), "--http"],
                           capture_output=True, text=True, timeout=400)
    try:
        assert start.returncode == 0, start.stderr
        exports = dict(line.removeprefix("export ").split("=", 1)
                       for line in start.stdout.splitlines())
        assert set(exports) == {"NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE",
                                "NEO4J_HTTP_PORT"}
        assert len(exports["NEO4J_PASSWORD"]) >= 8
        conn = json.loads((home / "connection.json").read_text())
        assert conn["uri"] == exports["NEO4J_URI"] and conn["password"] == exports["NEO4J_PASSWORD"]
        with neo4j.GraphDatabase.driver(conn["uri"], auth=(conn["user"], conn["password"])) as d:
            records, _, _ = d.execute_query("RETURN 1 AS one", database_=conn["database"])
            assert records[0]["one"] == 1
        # the HTTP discovery document, on loopback
        with urllib.request.urlopen(f"http://127.0.0.1:{conn['http_port']}/", timeout=30) as r:
            discovery = json.loads(r.read())
        assert discovery["neo4j_edition"] == "community"
        assert discovery["neo4j_version"].startswith("5.26.")
        status = subprocess.run([*script, "status", "--home", str(home)], capture_output=True,
                                text=True, timeout=60)
        assert status.returncode == 0 and "running" in status.stdout
    finally:
        stop = subprocess.run([*script, "stop", "--home", str(home)], capture_output=True,
                              text=True, timeout=120)
    assert stop.returncode == 0, stop.stderr
    status = subprocess.run([*script, "status", "--home", str(home)], capture_output=True,
                            text=True, timeout=60)
    assert status.returncode == 3


def test_java_command_uses_the_cds_archive_only_when_present(tmp_path):
    # No Java needed: the command line is built from the lib folder's contents.
    mod = _script_module()
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in ("b.jar", "a.jar"):
        (lib / name).write_bytes(b"")
    server = mod.Neo4jServer(tmp_path / "home", lib, fetch=False, use_cds=True)
    cmd = server.java_command()
    assert cmd[cmd.index("-cp") + 1] == f"{lib / 'a.jar'}:{lib / 'b.jar'}"
    assert not any(a.startswith("-XX:SharedArchiveFile") for a in cmd)
    assert "org.neo4j.server.CommunityEntryPoint" in cmd and "-Xmx512m" in cmd
    mod.cds_archive(lib).parent.mkdir()
    mod.cds_archive(lib).write_bytes(b"")
    assert f"-XX:SharedArchiveFile={mod.cds_archive(lib)}" in server.java_command()
    off = mod.Neo4jServer(tmp_path / "home", lib, fetch=False, use_cds=False)
    assert not any(a.startswith("-XX:SharedArchiveFile") for a in off.java_command())
