"""User queries reach neither the network nor the file system, and are bounded in time, rows and
bytes, on both real backends (issue 11, items 4, 7 and 8).

* **No network, no files.** A real TCP listener and a real TLS listener (self-signed certificate,
  made with ``openssl`` here) on 127.0.0.1 record every connection. ``LOAD CSV`` from ``https``
  (the TLS port, and the plain port), ``http``, ``ftp`` and ``file://host:port`` URLs, written
  literally, computed, passed as a parameter or inside ``CALL { }``, must be refused and the
  listeners must see **no** connection, through ``store.query`` and also straight at the
  database (raw ``GRAPH.RO_QUERY`` / a raw driver session, bypassing cultnet's plan check): the
  database's own configuration stops it (FalkorDB under seccomp, Neo4j's IP blocklist). A file
  outside the store (a canary with a secret) is never read, by path or by ``../``.
* **Time.** A query the databases cannot interrupt (one ``reduce`` expression, quadratic in
  300,000) returns ``QueryTimeout`` within its limit plus a few seconds; a plain count answers
  within seconds afterwards. Embedded: the server that ran it is gone and the new one is idle;
  two at once do not block a count; a load running meanwhile completes with exact counts.
  Neo4j: the transaction is terminated (Neo4j 5.26 keeps evaluating the expression: measured and
  documented in docs/guarantees.md); other queries are answered meanwhile.
* **Rows and bytes.** ``UNWIND range(1, 20000000) AS x RETURN x`` through ``cultnet query`` stops
  at the row cap (or the time limit) with a bounded peak RSS; one huge value
  (``range(1, 5000000)``) and many wide rows are cut at ``CULTNET_RESULT_MAX_MB``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from _benchload import bench_module

from cultnet.errors import QueryRejected, QueryTimeout
from cultnet.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DATASET = "security-fixture"
N_EDGES = 600
#: One expression neither database interrupts: the red team's query (FalkorDB: minutes; Neo4j 5.26
#: evaluates it for about an hour on a busy 2-core machine, whatever cultnet does).
RUNAWAY = "RETURN size(reduce(l = [], x IN range(1, 300000) | l + [x])) AS n"
#: A runaway Neo4j itself stops: it checks for termination between rows, so a long row stream is
#: ended at its time limit. 2e9 rows take minutes on any machine.
RUNAWAY_NEO4J_ROWS = "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 8 RETURN count(*) AS n"
#: A runaway Neo4j does not stop: one expression is evaluated to its end even after the
#: transaction is terminated. Its size is calibrated to the machine (see _neo4j_expression_runaway)
#: so that it outlives its 2 s limit on a fast machine and does not keep the session's shared
#: test server busy for an hour on a slow one (a fixed 20,000 took 4.7 s here and under 2 s on
#: a faster CI machine, where the test then saw no timeout at all).
RUNAWAY_NEO4J_EXPR = "RETURN size(reduce(l = [], x IN range(1, {n}) | l + [x])) AS n"
#: Seconds the calibrated expression should take on the server (well beyond 2 s + grace).
NEO4J_EXPR_TARGET_S = 20.0
#: Neo4j keeps evaluating the expression after cultnet has terminated its transaction; it must be
#: gone within this many seconds (the expression's own cost, with a margin for a loaded machine).
NEO4J_IDLE_WITHIN_S = 180
COUNT = "MATCH (n) RETURN count(n) AS n"
SECRET = "cultnet-canary-7f3a9c"


# ------------------------------------------------------------------------------------------------
# listeners


class Listener:
    """A TCP server on 127.0.0.1 that records every connection (and serves a CSV if asked)."""

    def __init__(self, context: ssl.SSLContext | None = None):
        self.context = context
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.connections.append(addr)
            with contextlib.suppress(OSError, ssl.SSLError):
                if self.context is not None:
                    conn = self.context.wrap_socket(conn, server_side=True)
                conn.settimeout(2)
                conn.recv(4096)
                body = f"name\n{SECRET}\n".encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                             % (len(body), body))
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listeners(tmp_path_factory):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make the test's self-signed certificate "
                    "(apt-get install openssl)")
    d = tmp_path_factory.mktemp("tls")
    proc = subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-keyout", str(d / "key.pem"),
                           "-out", str(d / "cert.pem")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    tls, tcp = Listener(ctx), Listener()
    yield {"tls": tls, "tcp": tcp}
    tls.close()
    tcp.close()


def _url_queries(tls: int, tcp: int) -> list[tuple[str, str, dict]]:
    return [
        ("https", f"LOAD CSV FROM 'https://127.0.0.1:{tls}/p.csv' AS row RETURN row", {}),
        ("https-untrusted-plain-port", f"LOAD CSV FROM 'https://127.0.0.1:{tcp}/p.csv' AS row RETURN row", {}),
        ("http", f"LOAD CSV FROM 'http://127.0.0.1:{tcp}/p.csv' AS row RETURN row", {}),
        ("ftp", f"LOAD CSV FROM 'ftp://127.0.0.1:{tcp}/p.csv' AS row RETURN row", {}),
        ("file-with-host", f"LOAD CSV FROM 'file://127.0.0.1:{tcp}/p.csv' AS row RETURN row", {}),
        ("localhost-name", f"LOAD CSV FROM 'https://localhost:{tls}/p.csv' AS row RETURN row", {}),
        ("computed", f"WITH 'https://127.0.0.1:' + toString({tls}) + '/p.csv' AS u "
                     "LOAD CSV FROM u AS row RETURN row", {}),
        ("parameter", "LOAD CSV FROM $url AS row RETURN row", {"url": f"https://127.0.0.1:{tls}/p.csv"}),
        ("subquery", f"CALL {{ LOAD CSV FROM 'https://127.0.0.1:{tls}/p.csv' AS row RETURN row }} "
                     "RETURN row", {}),
        ("headers", f"LOAD CSV WITH HEADERS FROM 'https://127.0.0.1:{tls}/p.csv' AS row RETURN row", {}),
    ]


URL_IDS = [q[0] for q in _url_queries(1, 2)]


# ------------------------------------------------------------------------------------------------
# stores


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def target(request, tmp_path_factory):
    """(backend name, store, settings, expected node count, the Neo4j connection or None)."""
    from cultnet.graph.store import open_store

    bundle = bench_module().synthetic_bundle(N_EDGES, seed=5, dataset_id=DATASET, prefix="sec-")
    server = None
    if request.param == "embedded":
        settings = Settings(backend="embedded", data_dir=tmp_path_factory.mktemp("sec") / "data",
                            query_timeout_s=3.0, row_cap=1000)
    else:
        server = request.getfixturevalue("neo4j_server")
        settings = Settings(backend="neo4j", neo4j_uri=server.uri, neo4j_user=server.user,
                            neo4j_password=server.password, neo4j_database=server.database,
                            query_timeout_s=3.0, row_cap=1000)
    store = open_store(settings)
    store.ensure_schema()
    store.load_bundle(bundle)
    nodes = int(store.query(COUNT).rows[0]["n"])
    yield request.param, store, settings, nodes, server
    try:
        if request.param == "neo4j":
            store.delete_dataset(DATASET)
    finally:
        store.close()
        if request.param == "embedded":
            from cultnet.graph import _falkordb_server

            _falkordb_server.stop_server(settings.data_dir)


def _raw_database_query(target, cypher: str, params: dict):
    """Run ``cypher`` straight at the database, read-only, without cultnet's checks: what the
    database's own configuration allows. Returns the rows, or the error text."""
    name, store, settings, _, server = target
    if name == "embedded":
        import redis

        from cultnet.graph import _falkordb_server

        info = _falkordb_server.running_server(settings.data_dir)
        r = redis.Redis(unix_socket_path=info.socket, socket_timeout=30)
        header = store._db.select_graph(settings.graph_name)._build_params_header(params) if params else ""
        try:
            return r.execute_command("GRAPH.RO_QUERY", settings.graph_name, header + cypher,
                                     "timeout", 10_000)
        except redis.exceptions.ResponseError as e:
            return f"error: {e}"
        finally:
            r.close()
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
        with d.session(database=server.database, default_access_mode=neo4j.READ_ACCESS) as s:
            try:
                return s.run(cypher, params).data()
            except neo4j.exceptions.Neo4jError as e:
                return f"error: {e.code}: {e.message}"


def _quiet(listeners, before: dict[str, int]) -> dict[str, list]:
    time.sleep(0.5)  # a connection attempt in flight would be accepted by now
    return {k: lst.connections[before[k]:] for k, lst in listeners.items()
            if len(lst.connections) > before[k]}


# ------------------------------------------------------------------------------------------------
# no network


@pytest.mark.parametrize("qid", URL_IDS)
def test_user_query_opens_no_connection(target, listeners, qid):
    name, store, *_ = target
    qid_, cypher, params = next(q for q in _url_queries(listeners["tls"].port, listeners["tcp"].port)
                                if q[0] == qid)
    before = {k: len(v.connections) for k, v in listeners.items()}
    with pytest.raises(QueryRejected) as ei:
        store.query(cypher, params)
    assert "LOAD CSV" in ei.value.user_message or "LoadCSV" in ei.value.user_message
    assert _quiet(listeners, before) == {}, f"[{name}] {qid}: the database connected"


@pytest.mark.parametrize("qid", URL_IDS)
def test_database_itself_opens_no_connection(target, listeners, qid):
    """Without cultnet's plan check, straight at the database: still no connection (FalkorDB:
    the server's seccomp filter; Neo4j: internal.dbms.cypher_ip_blocklist)."""
    name = target[0]
    _, cypher, params = next(q for q in _url_queries(listeners["tls"].port, listeners["tcp"].port)
                             if q[0] == qid)
    before = {k: len(v.connections) for k, v in listeners.items()}
    out = _raw_database_query(target, cypher, params)
    assert SECRET not in str(out), f"[{name}] {qid}: the database fetched the URL: {out}"
    assert _quiet(listeners, before) == {}, f"[{name}] {qid}: the database connected"
    if name == "neo4j":
        assert isinstance(out, str) and "ExternalResourceFailed" in out, out


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    p = tmp_path_factory.mktemp("canary") / "secret.csv"
    p.write_text(f"name\n{SECRET}\n")
    p.chmod(0o644)
    return p


def _file_queries(path: Path) -> list[tuple[str, str]]:
    up = "../" * 12
    return [("absolute", f"LOAD CSV FROM 'file://{path}' AS row RETURN row"),
            ("absolute-3-slashes", f"LOAD CSV FROM 'file:///{str(path).lstrip('/')}' AS row RETURN row"),
            ("traversal", f"LOAD CSV FROM 'file://{up}{str(path).lstrip('/')}' AS row RETURN row"),
            ("passwd", "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row")]


@pytest.mark.parametrize("qid", ["absolute", "absolute-3-slashes", "traversal", "passwd"])
def test_no_file_is_read(target, canary, qid):
    name, store, settings, *_ = target
    cypher = dict(_file_queries(canary))[qid]
    with pytest.raises(QueryRejected):
        store.query(cypher)
    out = _raw_database_query(target, cypher, {})
    assert SECRET not in str(out) and "root:" not in str(out), f"[{name}] {qid}: read a file: {out}"
    assert isinstance(out, str) and out.startswith("error"), out
    if name == "embedded":  # FalkorDB reads only below its import folder: empty and private
        from cultnet.graph._falkordb_server import server_dir

        folder = server_dir(settings.data_dir) / "import"
        assert list(folder.iterdir()) == [] and (folder.stat().st_mode & 0o777) == 0o700


def test_embedded_server_runs_under_the_network_filter(target):
    """The embedded server process has the seccomp filter; under it, an AF_INET socket cannot
    even be created (checked in a child process that installs the same filter)."""
    name, _store, settings, *_ = target
    if name != "embedded":
        return
    from cultnet.graph import _falkordb_server

    info = _falkordb_server.running_server(settings.data_dir)
    assert _falkordb_server.sandbox_of(info.pid) == "seccomp"
    state = json.loads((_falkordb_server.server_dir(settings.data_dir) / "server.json").read_text())
    assert state["sandbox"] == "seccomp"
    code = ("import socket; from cultnet.graph._falkordb_server import deny_network\n"
            "assert deny_network()\n"
            "socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()\n"
            "try:\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\nexcept PermissionError:\n"
            "    print('refused')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "refused", p.stderr


# ------------------------------------------------------------------------------------------------
# time


def _cpu_seconds(pid: int) -> float:
    f = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def _embedded_pid(settings) -> int:
    from cultnet.graph import _falkordb_server

    info = _falkordb_server.running_server(settings.data_dir)
    assert info is not None
    return info.pid


def _runaway(name: str, server=None) -> str:
    return RUNAWAY if name == "embedded" else _neo4j_expression_runaway(server)


_CALIBRATED: dict[str, str] = {}


def _neo4j_expression_runaway(server) -> str:
    """RUNAWAY_NEO4J_EXPR sized to take about NEO4J_EXPR_TARGET_S on this server: its cost is
    quadratic in n, so n = n0 * sqrt(target / t(n0)), timed on n0 = 4,000 after one warm-up."""
    if "q" not in _CALIBRATED:
        import neo4j

        n0 = 4000
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
            d.execute_query(RUNAWAY_NEO4J_EXPR.format(n=n0), database_=server.database)
            t0 = time.monotonic()
            d.execute_query(RUNAWAY_NEO4J_EXPR.format(n=n0), database_=server.database)
            took = max(time.monotonic() - t0, 0.01)
        n = max(20000, int(n0 * (NEO4J_EXPR_TARGET_S / took) ** 0.5))
        _CALIBRATED["q"] = RUNAWAY_NEO4J_EXPR.format(n=n)
        print(f"[neo4j] expression runaway: n = {n} ({n0} took {took:.2f} s)")
    return _CALIBRATED["q"]


@pytest.mark.slow
def test_runaway_query_is_stopped_and_the_store_answers_next(target):
    """QueryTimeout within the limit + 8 s; a count within 10 s. Embedded: the server that ran
    it is gone and the new one idle (< 0.5 s of CPU in 2 s). Neo4j: its transaction is marked
    terminated at once and is gone within NEO4J_IDLE_WITHIN_S (Neo4j finishes the expression)."""
    name, store, settings, nodes, server = target
    pid = _embedded_pid(settings) if name == "embedded" else None
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout) as ei:
        store.query(_runaway(name, server), timeout_s=2)
    took = time.monotonic() - t0
    assert took < 2 + 8, f"[{name}] the caller waited {took:.1f} s"
    assert "time limit" in ei.value.user_message
    t1 = time.monotonic()
    assert int(store.query(COUNT).rows[0]["n"]) == nodes
    answered = time.monotonic() - t1
    assert answered < 10, f"[{name}] a plain count took {answered:.1f} s after the timeout"
    if name == "embedded":
        from cultnet.graph._falkordb_server import _pid_alive

        assert not _pid_alive(pid), "the server that ran the runaway query still runs"
        new = _embedded_pid(settings)
        c0 = _cpu_seconds(new)
        time.sleep(2.0)
        busy = _cpu_seconds(new) - c0
        assert busy < 0.5, f"the embedded server used {busy:.2f} s of CPU in 2 s after the timeout"
        print(f"[embedded] runaway: QueryTimeout after {took:.1f} s; count in {answered:.2f} s; "
              f"new server {busy:.2f} s CPU in 2 s")
    else:
        states = _neo4j_runaways(server, _runaway(name, server))
        assert states and all(st.startswith("Terminated") for st in states), states
        gone = _wait_neo4j_idle(server, _runaway(name, server), NEO4J_IDLE_WITHIN_S)
        print(f"[neo4j] runaway: QueryTimeout after {took:.1f} s; count in {answered:.2f} s; "
              f"the server evaluated it {gone:.0f} s longer")


def _wait_neo4j_idle(server, query: str, within_s: float) -> float:
    t0 = time.monotonic()
    while _neo4j_runaways(server, query):
        assert time.monotonic() - t0 < within_s, f"Neo4j still evaluates it after {within_s} s"
        time.sleep(1.0)
    return time.monotonic() - t0


def _neo4j_runaways(server, query: str) -> list[str]:
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
        recs, _, _ = d.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery, status WHERE currentQuery CONTAINS $q "
            "RETURN status", q=query, database_=server.database)
    return [r["status"] for r in recs]


@pytest.mark.slow
def test_two_runaways_do_not_block_a_count(target):
    """Two at once (FalkorDB has two query threads here): both stopped, then a count answers.
    On Neo4j a row-streaming runaway, which Neo4j itself ends: the server is idle again within
    30 s (the expression kind, which it evaluates to the end, is the test above)."""
    name, store, settings, nodes, server = target
    errors: list[BaseException] = []
    query = RUNAWAY if name == "embedded" else RUNAWAY_NEO4J_ROWS

    def run() -> None:
        try:
            store.query(query, timeout_s=2)
        except BaseException as e:  # noqa: BLE001 - judged below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    took = time.monotonic() - t0
    assert len(errors) == 2 and all(isinstance(e, QueryTimeout) for e in errors), errors
    assert took < 2 + 10
    t1 = time.monotonic()
    assert int(store.query(COUNT).rows[0]["n"]) == nodes
    assert time.monotonic() - t1 < 10
    if name == "neo4j":
        _wait_neo4j_idle(server, query, 30)


@pytest.mark.slow
def test_load_completes_while_a_runaway_query_is_stopped(target):
    """Embedded: stopping a runaway query restarts the server; a load running at that moment
    re-sends its interrupted statement and completes with exactly its rows."""
    name, store, settings, nodes, _ = target
    if name != "embedded":
        return
    from cultnet.graph.store import open_store

    loader = open_store(settings)
    bundle = bench_module().synthetic_bundle(6000, seed=9, dataset_id="sec-load", prefix="sl-")
    halfway = threading.Event()
    outcome: list = []

    def progress(done: int, total: int, label: str) -> None:
        if total and done >= 0.3 * total:
            halfway.set()

    def load() -> None:
        try:
            outcome.append(loader.load_bundle(bundle, progress=progress))
        except BaseException as e:  # noqa: BLE001 - judged below
            outcome.append(e)

    t = threading.Thread(target=load)
    t.start()
    assert halfway.wait(300), "the load did not get going"
    with pytest.raises(QueryTimeout):
        store.query(RUNAWAY, timeout_s=1)
    t.join(600)
    loader.close()
    assert outcome and isinstance(outcome[0], dict), f"the load failed: {outcome}"
    n = store.query("MATCH (a:Enterprise)-[r:COOPERATES]->() WHERE a.id STARTS WITH 'sl-' "
                    "RETURN count(r) AS n").rows[0]["n"]
    assert int(n) == 6000
    status = store.query("MATCH (d:Dataset {id: 'sec-load'}) RETURN d.status AS s").rows
    assert status == [{"s": "complete"}]
    store.delete_dataset("sec-load")
    assert int(store.query(COUNT).rows[0]["n"]) == nodes


# ------------------------------------------------------------------------------------------------
# rows and bytes


def _cli(target, *args: str, **env_extra: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``cultnet`` in a child; returns (process, seconds, the child's peak RSS in MB)."""
    name, _store, settings, _, server = target
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CULTNET_", "NEO4J_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    if name == "embedded":
        env.update(CULTNET_BACKEND="embedded", CULTNET_DATA_DIR=str(settings.data_dir))
    else:
        env.update(CULTNET_BACKEND="neo4j", NEO4J_URI=server.uri, NEO4J_USER=server.user,
                   NEO4J_PASSWORD=server.password, NEO4J_DATABASE=server.database)
    env.update(env_extra)
    t0 = time.monotonic()
    # a wrapper whose only child is the CLI: its RUSAGE_CHILDREN peak is the CLI's peak RSS
    wrapper = ("import resource, subprocess, sys\n"
               "p = subprocess.run(sys.argv[1:])\n"
               "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
               "sys.exit(p.returncode)\n")
    p = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "cultnet.ui.cli", *args],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    took = time.monotonic() - t0
    lines = p.stderr.splitlines()
    rss = float(lines[-1].split()[1]) / 1024 if lines and lines[-1].startswith("MAXRSS_KB") else float("nan")
    err = "\n".join(ln for ln in lines if not ln.startswith("MAXRSS_KB"))
    return subprocess.CompletedProcess(p.args, p.returncode, p.stdout, err), took, rss


@pytest.mark.slow
def test_row_cap_bounds_the_cli(target):
    """The red team's ``UNWIND range(1, 20000000) AS x RETURN x`` (90 s and 6 GB in the CLI
    before): the CLI prints at most the row cap, or stops at the time limit, within a bounded
    time and memory."""
    name = target[0]
    p, took, rss = _cli(target, "query", "UNWIND range(1, 20000000) AS x RETURN x", "--json",
                        CULTNET_ROW_CAP="1000", CULTNET_QUERY_TIMEOUT="10")
    print(f"[{name}] UNWIND 2e7: exit {p.returncode}, {took:.1f} s, peak RSS {rss:.0f} MB")
    assert "Traceback" not in p.stderr
    assert p.returncode in (0, QueryTimeout.exit_code), p.stderr
    if p.returncode == 0:
        assert len(json.loads(p.stdout)) == 1000
        assert "truncated" in p.stderr
    assert took < 10 + 60, f"took {took:.0f} s"
    assert rss < 600, f"peak RSS {rss:.0f} MB"


def test_one_huge_value_is_cut_at_the_size_limit(target):
    name, store, *_ = target
    t0 = time.monotonic()
    res = store.query("RETURN range(1, 5000000) AS r", max_mb=8, timeout_s=20)
    assert res.truncated and res.truncated_by == "bytes" and res.rows == []
    assert time.monotonic() - t0 < 30


def test_wide_rows_are_cut_at_the_size_limit(target):
    """5,000 rows of ~1 KB (5 MB) under a 1 MB limit: the rows kept fit in about 1 MB."""
    name, store, *_ = target
    res = store.query("UNWIND range(1, 5000) AS i RETURN i, reduce(s = '', x IN range(1, 100) | "
                      "s + 'abcdefghij') AS pad", max_mb=1, row_cap=10_000, timeout_s=20)
    assert res.truncated and res.truncated_by == "bytes"
    assert 100 < len(res.rows) < 1100, len(res.rows)
    assert all(len(r["pad"]) == 1000 for r in res.rows)
    assert [r["i"] for r in res.rows] == list(range(1, len(res.rows) + 1))


def test_small_results_are_not_cut(target):
    name, store, *_ = target
    res = store.query("UNWIND range(1, 500) AS i RETURN i", max_mb=1, row_cap=1000)
    assert not res.truncated and res.truncated_by is None and len(res.rows) == 500
    res = store.query("UNWIND range(1, 500) AS i RETURN i", row_cap=499)
    assert res.truncated and res.truncated_by == "rows" and len(res.rows) == 499
