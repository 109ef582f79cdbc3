"""Hostile queries in the Cypher console and ``cultnet query`` (issue 6, "Reliability and security").

Every query below goes to both real backends (embedded FalkorDB in a tmp CULTNET_DATA_DIR, and the
session's Maven Neo4j), once through ``store.query(...)`` (what the Streamlit console calls) and
once through the CLI (``python -m cultnet.ui.cli query ...`` in a subprocess). Each must be

* refused by the database (``QueryRejected``), or stopped by the time limit (``QueryTimeout``) /
  the row cap (``truncated=True``); a few harmless reads may simply be answered, within the bound;
* answered within a bounded time (the timeout is 3 s here; Neo4j checks timeouts every 2 s);
* reported with a clear message: a CultnetError subclass from the store; from the CLI a non-zero
  exit code and no Python traceback;

and afterwards the store still answers and its data (node / relationship counts, the sum of the
weights, every enterprise name, the Dataset rows, Neo4j's user list) is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _benchload import bench_module

from cultnet.errors import CultnetError, QueryRejected, QueryTimeout
from cultnet.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 3.0
ROW_CAP = 1000
# Neo4j checks transaction timeouts every 2 s (db.transaction.monitor.check.interval); the CLI
# adds a Python start-up (~1-3 s on 2 busy cores). Generous, because CI machines are noisy.
BOUND_S = 25.0
PREFIX = "hq-"
DATASET = "hostile-fixture"


_bench = bench_module


# (id, cypher, expectation)
#   "reject": must raise QueryRejected (a write, a forbidden or unknown procedure, a file read)
#   "stop":   must raise QueryRejected or QueryTimeout (it would run for minutes or exhaust memory)
#   "bound":  may be answered (then truncated at the row cap, or small), rejected or stopped
HOSTILE = [
    ("create", "CREATE (:Enterprise {id: 'mallory', name: 'pwned'})", "reject"),
    ("merge", "MERGE (c:City {name: 'Atlantis'}) RETURN c.name AS name", "reject"),
    ("set", "MATCH (e:Enterprise) SET e.name = 'pwned' RETURN count(e) AS n", "reject"),
    ("delete", "MATCH ()-[r:COOPERATES]->() DELETE r", "reject"),
    ("detach-delete", "MATCH (n) DETACH DELETE n", "reject"),
    ("remove", "MATCH (e:Enterprise) REMOVE e.name RETURN count(e) AS n", "reject"),
    ("foreach-create", "FOREACH (i IN range(1, 3) | CREATE (:Mallory {i: i}))", "reject"),
    ("create-index", "CREATE INDEX FOR (n:Enterprise) ON (n.name)", "reject"),
    ("two-statements", "MATCH (n) RETURN count(n) AS n; MATCH (n) DETACH DELETE n", "reject"),
    ("in-transactions", "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS", "reject"),
    ("dbms-create-user", "CALL dbms.security.createUser('mallory', 'secret-password', false)", "reject"),
    ("create-user", "CREATE USER mallory SET PASSWORD 'secret-password'", "reject"),
    ("dbms-kill-queries", "CALL dbms.killQueries(['query-1'])", "reject"),
    ("terminate-transactions", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "reject"),
    ("show-transactions", "SHOW TRANSACTIONS", "reject"),
    ("dbms-list-config", "CALL dbms.listConfig() YIELD name, value RETURN name, value", "reject"),
    ("clear-query-caches", "CALL db.clearQueryCaches()", "reject"),
    ("apoc-procedure", "CALL apoc.create.node(['Mallory'], {name: 'pwned'})", "reject"),
    ("apoc-function", "RETURN apoc.version() AS v", "reject"),
    ("load-csv-passwd", "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "reject"),
    ("load-csv-traversal", "LOAD CSV FROM 'file:///../../../../etc/passwd' AS row RETURN row", "reject"),
    ("cartesian-count", "MATCH (a), (b), (c), (d) RETURN count(*) AS n", "bound"),
    ("cartesian-filtered", "MATCH (a), (b), (c), (d) WHERE a <> b AND c <> d RETURN count(*) AS n", "stop"),
    ("unwind-sum", "UNWIND range(1, 10000000000) AS x RETURN sum(x) AS s", "stop"),
    ("unwind-rows", "UNWIND range(1, 10000000000) AS x RETURN x", "bound"),
]
# Queries that make FalkorDB 4.16 allocate the whole list up front (~22 GB for 1e10 elements;
# QUERY_MEM_CAPACITY does not catch one allocation): without an address-space limit on the
# server they take the host's memory until the kernel's OOM killer acts.
MEMORY_BOMBS = {"unwind-sum", "unwind-rows"}
IDS = [h[0] for h in HOSTILE]
# The CLI adds a Python start-up per call (1-2 s on a quiet machine, ~10 s on a loaded one), so it
# gets one query per kind of attack; store.query gets all of them (the CLI calls store.query).
CLI_IDS = ["detach-delete", "foreach-create", "create-user", "dbms-create-user", "terminate-transactions",
           "apoc-procedure", "load-csv-passwd", "cartesian-filtered", "unwind-sum", "unwind-rows"]
CLI_HOSTILE = [h for h in HOSTILE if h[0] in CLI_IDS]


# ------------------------------------------------------------------------------------------------
# fixtures


class Backend:
    """One backend under attack: a store, the CLI environment and a fingerprint of the data."""

    def __init__(self, name: str, settings: Settings, env: dict[str, str], server=None):
        from cultnet.graph.store import open_store

        self.name = name
        self.settings = settings
        self.env = env
        self.server = server
        self.store = open_store(settings)

    # the data a hostile query must not change
    def fingerprint(self) -> dict:
        q = self.store.query
        nodes = q("MATCH (n) RETURN count(n) AS n", row_cap=1).rows[0]["n"]
        rels = q("MATCH ()-[r]->() RETURN count(r) AS n, sum(coalesce(r.weight, 0)) AS w", row_cap=1).rows[0]
        names = q("MATCH (e:Enterprise) RETURN e.id AS id, e.name AS name ORDER BY id", row_cap=100_000).rows
        ds = q("MATCH (d:Dataset) RETURN d.id AS id, d.status AS status ORDER BY id", row_cap=100_000).rows
        fp = {
            "nodes": int(nodes), "rels": int(rels["n"]), "weight": float(rels["w"] or 0),
            "names": hashlib.sha256(json.dumps(names, sort_keys=True).encode()).hexdigest(),
            "n_enterprises": len(names), "datasets": ds,
            "labels": sorted(r["label"] for r in
                             q("CALL db.labels() YIELD label RETURN label", row_cap=1000).rows),
        }
        if self.name == "neo4j":
            fp["users"] = neo4j_users(self.server)
        return fp

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cultnet.ui.cli", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)


def neo4j_users(server) -> list[str]:
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
        recs, _, _ = d.execute_query("SHOW USERS YIELD user RETURN user ORDER BY user",
                                     database_="system")
    return [r["user"] for r in recs]


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CULTNET_", "NEO4J_"))}
    env.update(CULTNET_QUERY_TIMEOUT=str(TIMEOUT_S), CULTNET_ROW_CAP=str(ROW_CAP),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(extra)
    return env


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request, tmp_path_factory):
    bundle = _bench().synthetic_bundle(3000, seed=7, dataset_id=DATASET, prefix=PREFIX)  # 300 enterprises
    if request.param == "embedded":
        data_dir = tmp_path_factory.mktemp("hostile") / "data"
        settings = Settings(backend="embedded", data_dir=data_dir, query_timeout_s=TIMEOUT_S,
                            row_cap=ROW_CAP)
        env = base_env(CULTNET_BACKEND="embedded", CULTNET_DATA_DIR=str(data_dir))
        b = Backend("embedded", settings, env)
    else:
        srv = request.getfixturevalue("neo4j_server")
        settings = Settings(backend="neo4j", neo4j_uri=srv.uri, neo4j_user=srv.user,
                            neo4j_password=srv.password, neo4j_database=srv.database,
                            query_timeout_s=TIMEOUT_S, row_cap=ROW_CAP)
        env = base_env(CULTNET_BACKEND="neo4j", NEO4J_URI=srv.uri, NEO4J_USER=srv.user,
                       NEO4J_PASSWORD=srv.password, NEO4J_DATABASE=srv.database)
        b = Backend("neo4j", settings, env, server=srv)
    b.store.ensure_schema()
    b.store.load_bundle(bundle)
    b.before = b.fingerprint()
    assert b.before["n_enterprises"] >= 300
    yield b
    try:
        if request.param == "neo4j":
            b.store.delete_dataset(DATASET)
    finally:
        b.store.close()
        if request.param == "embedded":
            from cultnet.graph import _falkordb_server

            _falkordb_server.stop_server(b.settings.data_dir)


def _server_pid(b: Backend) -> int:
    from cultnet.graph import _falkordb_server

    info = _falkordb_server.running_server(b.settings.data_dir)
    assert info is not None, "the embedded store's server is not running"
    return info.pid


def _address_space_limit(pid: int) -> int:
    soft, _hard = resource.prlimit(pid, resource.RLIMIT_AS)
    return soft


def guard_memory_bomb(b: Backend, qid: str) -> None:
    """Never send a FalkorDB memory bomb to a server without an address-space limit."""
    if b.name != "embedded" or qid not in MEMORY_BOMBS:
        return
    limit = _address_space_limit(_server_pid(b))
    if limit == resource.RLIM_INFINITY:
        pytest.fail(
            "NOT SENT: the embedded FalkorDB server runs without an address-space limit, and "
            f"{dict((h[0], h[1]) for h in HOSTILE)[qid]!r} makes FalkorDB 4.16 allocate ~22 GB at once "
            "(QUERY_MEM_CAPACITY does not catch it): the host would swap or the OOM killer would "
            "pick a process. graph/_falkordb_server.py must start redis-server with RLIMIT_AS set "
            "(see docs/guarantees.md), and EmbeddedStore.query must not re-send a user query after "
            "the server died.")


def check_store_ok(b: Backend) -> None:
    """The store still answers, and the data is unchanged."""
    t0 = time.monotonic()
    r = b.store.query("MATCH (e:Enterprise) RETURN count(e) AS n", row_cap=1)
    assert int(r.rows[0]["n"]) == b.before["n_enterprises"]
    assert time.monotonic() - t0 < BOUND_S
    assert b.fingerprint() == b.before


def _outcome_ok(expect: str, exc: BaseException | None, result) -> str | None:
    """None if the outcome meets the expectation, else what went wrong."""
    if exc is not None:
        if not isinstance(exc, CultnetError):
            return f"raised {type(exc).__name__} (not a CultnetError): {exc}"
        if not exc.user_message.strip():
            return "empty error message"
        if expect == "reject" and not isinstance(exc, QueryRejected):
            return f"expected QueryRejected, got {type(exc).__name__}: {exc.user_message}"
        if expect in ("stop", "bound") and not isinstance(exc, (QueryRejected, QueryTimeout)):
            return f"expected QueryRejected or QueryTimeout, got {type(exc).__name__}: {exc.user_message}"
        return None
    if expect in ("reject", "stop"):
        return f"was ANSWERED (should be refused or stopped): {result.rows[:3]!r}"
    if len(result.rows) > ROW_CAP:
        return f"{len(result.rows)} rows returned past the row cap {ROW_CAP}"
    return None


# ------------------------------------------------------------------------------------------------
# tests


@pytest.mark.slow
@pytest.mark.parametrize("qid,cypher,expect", HOSTILE, ids=IDS)
def test_hostile_query_store(backend: Backend, qid: str, cypher: str, expect: str):
    guard_memory_bomb(backend, qid)
    exc = result = None
    t0 = time.monotonic()
    try:
        result = backend.store.query(cypher, timeout_s=TIMEOUT_S, row_cap=ROW_CAP)
    except BaseException as e:  # noqa: BLE001 - judged below
        exc = e
    elapsed = time.monotonic() - t0
    problem = _outcome_ok(expect, exc, result)
    assert problem is None, f"[{backend.name}] {qid}: {problem}"
    assert elapsed < BOUND_S, f"[{backend.name}] {qid}: took {elapsed:.1f} s"
    check_store_ok(backend)


@pytest.mark.slow
@pytest.mark.parametrize("qid,cypher,expect", CLI_HOSTILE, ids=[h[0] for h in CLI_HOSTILE])
def test_hostile_query_cli(backend: Backend, qid: str, cypher: str, expect: str):
    guard_memory_bomb(backend, qid)
    t0 = time.monotonic()
    p = backend.cli("query", cypher, "--json", timeout=120)
    elapsed = time.monotonic() - t0
    output = p.stdout + p.stderr
    assert "Traceback" not in output, f"[{backend.name}] {qid}: traceback shown:\n{output[-3000:]}"
    assert elapsed < BOUND_S + 10, f"[{backend.name}] {qid}: CLI took {elapsed:.1f} s"
    if expect in ("reject", "stop"):
        assert p.returncode not in (0, None), (
            f"[{backend.name}] {qid}: CLI exited 0 (query was answered):\n{p.stdout[:500]}")
        assert p.returncode in (QueryRejected.exit_code, QueryTimeout.exit_code), (
            f"[{backend.name}] {qid}: exit {p.returncode}, expected {QueryRejected.exit_code} "
            f"(rejected) or {QueryTimeout.exit_code} (timeout):\n{output[-1000:]}")
        assert p.stderr.strip(), f"[{backend.name}] {qid}: no message on stderr"
    else:
        assert p.returncode in (0, QueryRejected.exit_code, QueryTimeout.exit_code), \
            f"[{backend.name}] {qid}: exit {p.returncode}:\n{output[-1000:]}"
        if p.returncode == 0:
            rows = json.loads(p.stdout)
            rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
            assert len(rows) <= ROW_CAP
    check_store_ok(backend)


def test_embedded_server_has_memory_limit(tmp_path):
    """The embedded server must not be able to take the host's memory (see MEMORY_BOMBS)."""
    from cultnet.graph.store import open_store
    from cultnet.graph import _falkordb_server

    data_dir = tmp_path / "data"
    store = open_store(Settings(backend="embedded", data_dir=data_dir))
    try:
        info = _falkordb_server.running_server(data_dir)
        limit = _address_space_limit(info.pid)
        assert limit != resource.RLIM_INFINITY, (
            "redis-server (FalkorDB) runs without RLIMIT_AS: a query like "
            "UNWIND range(1, 10000000000) AS x RETURN sum(x) makes it allocate ~22 GB at once")
    finally:
        store.close()
        _falkordb_server.stop_server(data_dir)
