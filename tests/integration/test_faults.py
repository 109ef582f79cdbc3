"""Faults during loads and sessions (issue 6, "Reliability"), on real servers only.

Neo4j (a server of this module's own, from the Maven jars, because these tests stop and kill it):
* stopped before a load: a clear StoreUnavailable, and ``cultnet load`` exits non-zero without a
  traceback;
* killed (SIGKILL of the java process) in the middle of a large load, then restarted: the Dataset
  of the half load is never ``complete``, the previously completed load is intact, and loading
  again succeeds;
* restarted while a long-lived store object (as the UI holds) is open: the next query succeeds,
  or fails once with a clear CultnetError and then succeeds.

Embedded (FalkorDB child process in a tmp data dir):
* ``kill -9`` of redis-server after a completed load: reopening brings the load back intact;
* ``kill -9`` of redis-server and of the loading process in the middle of a load: reopening
  brings back the last completed load intact, the half load is marked failed, no edge of it is
  visible, and loading again succeeds;
* ``kill -9`` of redis-server while the loading process lives on: the load either completes
  (the store restarts the server and resumes) or fails cleanly; never a half dataset.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from _benchload import bench_module

from cultnet.errors import CultnetError, LoadFailed, StoreUnavailable
from cultnet.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
A_EDGES = 2_000  # the "previous complete load"
B_EDGES_NEO4J = 20_000  # the load that gets killed
B_EDGES_EMBEDDED = 30_000


_bench = bench_module


def bundle(n: int, ds: str, prefix: str):
    return _bench().synthetic_bundle(n, seed=11, dataset_id=ds, prefix=prefix)


# ------------------------------------------------------------------------------------------------
# helpers


def dataset_state(store, ds: str, prefix: str) -> dict:
    """Status of Dataset ``ds`` and how many COOPERATES between ``prefix`` enterprises are visible
    to the store's reads: those of complete datasets (every ``Study`` read filters by them; a
    batched Neo4j load's committed rows are invisible until its Dataset is complete)."""
    st = store.query("MATCH (d:Dataset {id: $id}) RETURN d.status AS status", {"id": ds},
                     timeout_s=60, row_cap=5).rows
    n = store.query(
        "OPTIONAL MATCH (v:Dataset) WHERE v.status = 'complete' WITH collect(v.id) AS vis "
        "MATCH (a:Enterprise)-[r:COOPERATES]->(:Enterprise) WHERE a.id STARTS WITH $p "
        "AND r.dataset IN vis RETURN count(r) AS n", {"p": prefix}, timeout_s=60, row_cap=1).rows[0]["n"]
    return {"status": st[0]["status"] if st else None, "edges": int(n)}


def raw_edges(store, prefix: str) -> int:
    """Every COOPERATES of the ``prefix`` enterprises, complete dataset or not (a raw query)."""
    return int(store.query("MATCH (a:Enterprise)-[r:COOPERATES]->(:Enterprise) WHERE a.id STARTS "
                           "WITH $p RETURN count(r) AS n", {"p": prefix}, timeout_s=60,
                           row_cap=1).rows[0]["n"])


def study_edges(store, prefix: str) -> int:
    """The ``prefix`` enterprises' edges in the default study's enterprise edge list (the API)."""
    names = store.study_names()
    if "default" not in names:
        return 0
    e = store.study("default").edges(level="enterprise")
    return int(e["source"].astype(str).str.startswith(prefix).sum()) if len(e) else 0


LOADER = textwrap.dedent("""
    import json, sys, time, importlib.util
    from pathlib import Path
    cfg = json.loads(sys.argv[1])
    sys.path.insert(0, cfg["root"])
    spec = importlib.util.spec_from_file_location("bench", Path(cfg["root"]) / "benchmarks" / "load.py")
    bench = importlib.util.module_from_spec(spec); sys.modules["bench"] = bench; spec.loader.exec_module(bench)
    from cultnet.settings import Settings
    from cultnet.graph.store import open_store
    s = cfg["settings"]
    if s.get("data_dir"):
        s["data_dir"] = Path(s["data_dir"])
    store = open_store(Settings(**s))
    b = bench.synthetic_bundle(cfg["n"], seed=11, dataset_id=cfg["dataset"], prefix=cfg["prefix"])
    marker = Path(cfg["marker"])
    def progress(done, total, label):
        if total and done >= cfg["at"] * total and not marker.exists():
            marker.write_text(str(done))
            time.sleep(cfg["pause"])
    try:
        r = store.load_bundle(b, progress=progress)
        print(json.dumps({"ok": True}), flush=True)
    except BaseException as e:
        print(json.dumps({"ok": False, "type": type(e).__name__, "message": str(e)[:500]}), flush=True)
        sys.exit(1)
""")


def start_loader(settings: dict, n: int, ds: str, prefix: str, marker: Path, at: float = 0.4,
                 pause: float = 3600.0) -> subprocess.Popen:
    cfg = {"root": str(ROOT), "settings": settings, "n": n, "dataset": ds, "prefix": prefix,
           "marker": str(marker), "at": at, "pause": pause}
    return subprocess.Popen([sys.executable, "-c", LOADER, json.dumps(cfg)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the loader exited ({proc.returncode}) before reaching the kill point:\n{out}\n{err[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the loader did not reach the kill point within {timeout:.0f} s")
        time.sleep(0.05)


def sigkill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                return
        except OSError:
            return
        time.sleep(0.05)


def run_cli(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("CULTNET_", "NEO4J_"))}
    e.update(env)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "cultnet.ui.cli", *args], cwd=ROOT, env=e,
                          capture_output=True, text=True, timeout=timeout)


def write_csvs(b, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"cities": folder / "cities.csv", "enterprises": folder / "enterprises.csv",
             "edges": folder / "cooperation.csv"}
    b.cities.to_csv(paths["cities"], index=False)
    b.enterprises.to_csv(paths["enterprises"], index=False)
    b.cooperation.to_csv(paths["edges"], index=False)
    return paths


# ------------------------------------------------------------------------------------------------
# Neo4j


def _neo4j_server_module():
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    import neo4j_server

    return neo4j_server


@contextlib.contextmanager
def _same_port(mod, port: int):
    """Make Neo4jServer.start() reuse ``port`` (it picks a free port at every start), so a
    long-lived client sees the *same* server come back, as after a service restart."""
    orig = mod.free_port
    mod.free_port = lambda host="127.0.0.1": port
    try:
        yield
    finally:
        mod.free_port = orig


def restart(server, kill: bool = False) -> None:
    mod = _neo4j_server_module()
    port = int(server.uri.rsplit(":", 1)[1])
    if kill:
        sigkill(server.pid())
        server.stop()  # tidies the pid file; the process is gone
    else:
        server.stop()
    with _same_port(mod, port):
        server.start()
    assert server.uri.endswith(f":{port}")


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory):
    mod = _neo4j_server_module()
    server = mod.Neo4jServer(tmp_path_factory.mktemp("neo4j-faults") / "home", heap="768m",
                             pagecache="256m")
    server.start()
    yield server
    server.stop()


def neo4j_settings(server, **kw) -> Settings:
    return Settings(backend="neo4j", neo4j_uri=server.uri, neo4j_user=server.user,
                    neo4j_password=server.password, neo4j_database=server.database, **kw)


def _free_port() -> int:
    return _neo4j_server_module().free_port()


@pytest.mark.neo4j
def test_neo4j_stopped_before_load(tmp_path):
    """Nothing listens on the configured port (Neo4j stopped): clear StoreUnavailable, exit 3."""
    from cultnet.graph.store import open_store

    uri = f"bolt://127.0.0.1:{_free_port()}"
    settings = Settings(backend="neo4j", neo4j_uri=uri, neo4j_password="not-used-123")
    b = bundle(200, "stopped-before", "sb-")
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable) as ei:
        store = open_store(settings)
        try:
            store.load_bundle(b)
        finally:
            store.close()
    assert time.monotonic() - t0 < 60
    msg = ei.value.user_message
    assert "127.0.0.1" in msg or "Neo4j" in msg, msg

    paths = write_csvs(b, tmp_path / "csv")
    p = run_cli(["load", "--cities", str(paths["cities"]), "--enterprises", str(paths["enterprises"]),
                 "--edges", str(paths["edges"])],
                {"CULTNET_BACKEND": "neo4j", "NEO4J_URI": uri, "NEO4J_PASSWORD": "not-used-123"})
    out = p.stdout + p.stderr
    assert p.returncode == StoreUnavailable.exit_code, out
    assert "Traceback" not in out, out
    assert "error" in p.stderr.lower(), out


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_killed_mid_load_then_restarted(own_neo4j, tmp_path):
    from cultnet.graph.store import open_store

    srv = own_neo4j
    store = open_store(neo4j_settings(srv))
    store.ensure_schema()
    store.load_bundle(bundle(A_EDGES, "ds-A", "A-"))
    a_before = dataset_state(store, "ds-A", "A-")
    assert a_before == {"status": "complete", "edges": A_EDGES}
    store.close()

    marker = tmp_path / "reached"
    s = neo4j_settings(srv).__dict__.copy()
    s["data_dir"] = str(s["data_dir"])
    loader = start_loader(s, B_EDGES_NEO4J, "ds-B", "B-", marker, at=0.4)
    wait_for(marker, loader, timeout=300)
    # the load is 40 % through (its progress callback holds it there): kill the server
    restart(srv, kill=True)
    sigkill(loader.pid)
    loader.communicate()

    store = open_store(neo4j_settings(srv))
    try:
        a_after = dataset_state(store, "ds-A", "A-")
        b_after = dataset_state(store, "ds-B", "B-")
        assert a_after == a_before, "the previous complete load changed"
        assert b_after["status"] != "complete", f"a half load shows complete: {b_after}"
        print(f"after kill + restart: ds-B {b_after}")
        datasets = store.datasets()
        assert "complete" not in set(datasets.loc[datasets["id"] == "ds-B", "status"])
        # ... and the next load succeeds
        store.load_bundle(bundle(B_EDGES_NEO4J, "ds-B", "B-"))
        assert dataset_state(store, "ds-B", "B-") == {"status": "complete", "edges": B_EDGES_NEO4J}
        assert dataset_state(store, "ds-A", "A-") == a_before
    finally:
        store.close()


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_half_load_edges_not_visible(own_neo4j, tmp_path):
    """While a load is held half-way, and after it is killed, none of its edges are visible to
    the store's reads (the batches it committed belong to a Dataset that is not complete)."""
    from cultnet.graph.store import open_store

    srv = own_neo4j
    marker = tmp_path / "reached"
    s = neo4j_settings(srv).__dict__.copy()
    s["data_dir"] = str(s["data_dir"])
    loader = start_loader(s, 10_000, "ds-C", "C-", marker, at=0.5)
    store = open_store(neo4j_settings(srv))
    try:
        wait_for(marker, loader, timeout=300)
        during = dataset_state(store, "ds-C", "C-")
        during_api = study_edges(store, "C-")
        during_raw = raw_edges(store, "C-")
        os.kill(loader.pid, signal.SIGKILL)
        loader.communicate()
        time.sleep(1.0)
        after = dataset_state(store, "ds-C", "C-")
        after_api = study_edges(store, "C-")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(loader.pid, signal.SIGKILL)
        store.close()
    assert during["status"] != "complete" and after["status"] != "complete"
    assert during["edges"] == 0, f"half a load is visible to readers during the load: {during}"
    assert after["edges"] == 0, f"half a load stays visible after its loader died: {after}"
    assert during_api == 0 and after_api == 0, (during_api, after_api)
    # 11,014 rows: one transaction (Neo4jStore.single_tx_max_rows), so not even a raw query sees
    # its rows before it commits
    assert during_raw == 0, f"a single-transaction load's rows are visible to a raw query: {during_raw}"
    # a new dataset's small load commits nothing before its one transaction ends: not even its
    # Dataset node is there, during the load or after its loader was killed
    assert during["status"] is None and after["status"] is None, (during, after)


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_restart_during_session(own_neo4j):
    from cultnet.graph.store import open_store

    srv = own_neo4j
    store = open_store(neo4j_settings(srv))  # the UI holds one store for its whole session
    try:
        q = "MATCH (e:Enterprise) WHERE e.id STARTS WITH 'A-' RETURN count(e) AS n"
        before = store.query(q).rows[0]["n"]
        restart(srv, kill=False)
        errors: list[CultnetError] = []
        for _ in range(2):
            try:
                after = store.query(q).rows[0]["n"]
                break
            except CultnetError as e:  # at most once, with a clear message
                assert e.user_message.strip()
                errors.append(e)
        else:
            pytest.fail(f"no answer after the restart: {[e.user_message for e in errors]}")
        assert after == before
        assert len(errors) <= 1
        # and it keeps answering
        assert store.query(q).rows[0]["n"] == before
    finally:
        store.close()


# ------------------------------------------------------------------------------------------------
# embedded


@pytest.fixture
def embedded_dir(tmp_path):
    from cultnet.graph import _falkordb_server

    d = tmp_path / "data"
    yield d
    _falkordb_server.stop_server(d)


def _embedded_pid(data_dir: Path) -> int:
    from cultnet.graph import _falkordb_server

    info = _falkordb_server.running_server(data_dir)
    assert info is not None
    return info.pid


def test_embedded_kill9_after_complete_load(embedded_dir):
    from cultnet.graph.store import open_store

    settings = Settings(backend="embedded", data_dir=embedded_dir)
    store = open_store(settings)
    store.load_bundle(bundle(A_EDGES, "ds-A", "A-"))
    before = dataset_state(store, "ds-A", "A-")
    assert before == {"status": "complete", "edges": A_EDGES}
    fp_before = store.counts()
    store.close()
    sigkill(_embedded_pid(embedded_dir))

    store = open_store(settings)  # restarts the server from its append-only file
    try:
        assert dataset_state(store, "ds-A", "A-") == before
        assert store.counts() == fp_before
    finally:
        store.close()


@pytest.mark.slow
def test_embedded_kill9_mid_load(embedded_dir, tmp_path):
    from cultnet.graph.store import open_store

    settings = Settings(backend="embedded", data_dir=embedded_dir)
    store = open_store(settings)
    store.load_bundle(bundle(A_EDGES, "ds-A", "A-"))
    before = dataset_state(store, "ds-A", "A-")
    counts_before = store.counts()
    store.close()

    marker = tmp_path / "reached"
    loader = start_loader({"backend": "embedded", "data_dir": str(embedded_dir)}, B_EDGES_EMBEDDED,
                          "ds-B", "B-", marker, at=0.4)
    wait_for(marker, loader, timeout=300)
    # the load is 40 % through: kill the server and the loading process (a machine crash)
    sigkill(_embedded_pid(embedded_dir))
    sigkill(loader.pid)
    loader.communicate()

    store = open_store(settings)
    try:
        assert dataset_state(store, "ds-A", "A-") == before
        b = dataset_state(store, "ds-B", "B-")
        assert b["status"] != "complete" and b["edges"] == 0, b
        c = store.counts()
        # nothing of ds-B but (at most) its Dataset node, marked failed
        assert c["relationships"] == counts_before["relationships"], (c, counts_before)
        assert c["labels"].get("Enterprise") == counts_before["labels"].get("Enterprise")
        store.load_bundle(bundle(B_EDGES_EMBEDDED, "ds-B", "B-"))
        assert dataset_state(store, "ds-B", "B-") == {"status": "complete", "edges": B_EDGES_EMBEDDED}
        assert dataset_state(store, "ds-A", "A-") == before
    finally:
        store.close()


@pytest.mark.slow
def test_embedded_server_killed_loader_lives(embedded_dir):
    """The server dies under a live loader: the load completes (after the store restarts the
    server) or fails cleanly; either way no half dataset, and the previous load is intact."""
    from cultnet.graph.store import open_store

    settings = Settings(backend="embedded", data_dir=embedded_dir)
    store = open_store(settings)
    store.load_bundle(bundle(A_EDGES, "ds-A", "A-"))
    before = dataset_state(store, "ds-A", "A-")
    killed = threading.Event()

    def progress(done: int, total: int, label: str) -> None:
        if total and done >= 0.4 * total and not killed.is_set():
            killed.set()
            sigkill(_embedded_pid(embedded_dir))

    outcome: BaseException | None = None
    try:
        store.load_bundle(bundle(B_EDGES_EMBEDDED // 3, "ds-B", "B-"), progress=progress)
    except BaseException as e:  # noqa: BLE001 - judged below
        outcome = e
    assert killed.is_set()
    store.close()
    if outcome is not None:
        assert isinstance(outcome, (LoadFailed, StoreUnavailable)), repr(outcome)
        assert outcome.user_message.strip()
    store = open_store(settings)
    try:
        assert dataset_state(store, "ds-A", "A-") == before
        b = dataset_state(store, "ds-B", "B-")
        if outcome is None:
            assert b == {"status": "complete", "edges": B_EDGES_EMBEDDED // 3}
        else:
            assert b["status"] != "complete" and b["edges"] == 0, b
        print(f"server killed under a live loader: {'completed' if outcome is None else repr(outcome)}; {b}")
    finally:
        store.close()
