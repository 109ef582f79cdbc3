"""The embedded store's server life cycle: durability across kill -9, one server shared by several
processes, stale pid / socket recovery, interrupted loads, ``stop_server``; and its local exposure:
private files and directories (also for an existing store), a socket in a private directory that
no other user can plant or replace, and a watchdog of its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cultnet.errors import StoreUnavailable
from cultnet.settings import Settings
from cultnet.graph import _falkordb_server as srv
from cultnet.graph.embedded_store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
#: A query FalkorDB cannot interrupt: one expression, quadratic in 300,000 (minutes of CPU).
RUNAWAY = "RETURN size(reduce(l = [], x IN range(1, 300000) | l + [x])) AS n"


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    yield d
    srv.stop_server(d)


def _wait_gone(pid: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and srv._pid_alive(pid):
        time.sleep(0.05)
    assert not srv._pid_alive(pid)


def test_last_completed_load_survives_kill_9(data_dir, make_bundle):
    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    counts = st.counts()
    pid = st.info.pid
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    st.close()
    st2 = EmbeddedStore(Settings(data_dir=data_dir))  # detects the dead server, starts a new one
    try:
        assert st2.info.pid != pid
        assert st2.counts() == counts
        assert st2.datasets()["status"].tolist() == ["complete"]
    finally:
        st2.close()


def test_store_reconnects_when_the_server_dies_under_it(data_dir, make_bundle):
    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    os.kill(st.info.pid, signal.SIGKILL)
    _wait_gone(st.info.pid)
    assert st.counts()["labels"]["City"] == 3  # same object: restarts the server and retries
    st.close()


def test_two_processes_share_one_server(data_dir, make_bundle):
    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    code = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from cultnet.settings import Settings
        from cultnet.graph.embedded_store import EmbeddedStore
        s = EmbeddedStore(Settings(data_dir=Path({str(data_dir)!r})))
        print(json.dumps({{"pid": s.info.pid, "cities": s.counts()["labels"].get("City", 0)}}))
        s.close()
    """)
    outs = []
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        outs.append(json.loads(out.strip().splitlines()[-1]))
    assert outs == [{"pid": st.info.pid, "cities": 3}] * 2
    # the server outlives the processes that used it
    assert srv._pid_alive(st.info.pid)
    st.close()


def test_concurrent_first_starts_start_one_server(data_dir):
    code = textwrap.dedent(f"""
        from pathlib import Path
        from cultnet.graph._falkordb_server import ensure_server
        print(ensure_server(Path({str(data_dir)!r})).pid)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    pids = set()
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        pids.add(int(out.strip()))
    assert len(pids) == 1


def test_stale_pid_and_socket_files_are_replaced(data_dir):
    info = srv.ensure_server(data_dir)
    os.kill(info.pid, signal.SIGKILL)
    _wait_gone(info.pid)
    Path(info.socket).touch(exist_ok=True)  # a leftover socket file
    info2 = srv.ensure_server(data_dir)
    assert info2.pid != info.pid and srv._ping(info2.socket)


def test_long_data_dir_socket_is_in_a_private_directory(tmp_path):
    """A data dir path too long for a Unix socket: the socket goes into a fresh private directory
    (mode 0700, unpredictable name, ours), not to a predictable shared /tmp path; a squatter on
    the old predictable path changes nothing; stop removes the directory."""
    import hashlib
    import stat

    deep = tmp_path / ("x" * 60) / ("y" * 60) / "data"
    sdir = srv.server_dir(deep)
    legacy = f"/tmp/cultnet-{hashlib.sha1(str(sdir).encode()).hexdigest()[:16]}.sock"
    os.makedirs(legacy, exist_ok=True)  # what a squatter did to the old scheme: the store broke
    try:
        info = srv.ensure_server(deep)
        assert len(info.socket) <= srv.SOCKET_PATH_MAX and info.socket != legacy
        d = os.path.dirname(info.socket)
        st = os.lstat(d)
        assert os.path.basename(d).startswith("cultnet-") and stat.S_ISDIR(st.st_mode)
        assert stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.geteuid()
        assert json.loads((sdir / "server.json").read_text())["socket"] == info.socket
        store = EmbeddedStore(Settings(data_dir=deep))
        assert store.query("RETURN 1 AS one").columns in ([], ["one"])  # answers (empty graph)
        store.close()
    finally:
        srv.stop_server(deep)
        os.rmdir(legacy)
    assert not os.path.exists(d)


def test_a_socket_that_is_not_ours_is_never_used(tmp_path):
    """server.json pointing at a socket in a directory other users can write to (as the old
    /tmp scheme did) is not trusted: nothing connects to it, and a server of our own starts.
    A socket owned by another user is refused too (checked when running as root)."""
    import socket
    import threading

    data_dir = tmp_path / "data"
    sdir = srv.make_private(data_dir)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    squat_path = str(shared / "redis.sock")
    squatter = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    squatter.bind(squat_path)
    squatter.listen(5)
    squatter.settimeout(0.2)
    seen = []

    def accept():
        while not stop.is_set():
            try:
                c, _ = squatter.accept()
                seen.append(c.recv(100))
                c.close()
            except OSError:
                pass

    stop = threading.Event()
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    (sdir / "server.json").write_text(json.dumps({"pid": os.getpid(), "socket": squat_path}))
    try:
        with pytest.raises(StoreUnavailable, match="other users can write"):
            srv.check_socket(squat_path)
        info = srv.ensure_server(data_dir)
        assert info.socket != squat_path and srv._ping(info.socket)
        assert os.path.exists(squat_path)  # not ours to remove
        if os.geteuid() == 0:  # only root can make a socket that belongs to someone else
            private = tmp_path / "private"
            private.mkdir(mode=0o700)
            other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            other.bind(str(private / "redis.sock"))
            os.chown(private / "redis.sock", 65534, 65534)
            try:
                with pytest.raises(StoreUnavailable, match="not the embedded store's socket"):
                    srv.check_socket(str(private / "redis.sock"))
            finally:
                other.close()
    finally:
        stop.set()
        t.join(2)
        squatter.close()
        srv.stop_server(data_dir)
    assert seen == [], f"a client connected to the squatter's socket: {seen}"


def test_store_files_are_private(data_dir, make_bundle):
    """The data dir and everything below falkordb/ are 0700 (dirs) / 0600 (files, the socket,
    the AOF, server.json, the logs), the server runs with umask 077, and files it writes
    later (an AOF rewrite) are 0600 too."""
    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    st._r.execute_command("BGREWRITEAOF")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and int(st._r.info("persistence")["aof_rewrite_in_progress"]):
        time.sleep(0.1)
    umask = next(ln.split()[1] for ln in Path(f"/proc/{st.info.pid}/status").read_text().splitlines()
                 if ln.startswith("Umask:"))
    st.close()
    assert umask == "0077"
    assert _loose_modes(data_dir) == {}


def test_permissions_of_an_existing_store_are_fixed_on_open(data_dir, make_bundle):
    """A store made by an older version (0755 directories, 0644 files) is made private when it
    is opened again."""
    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    counts = st.counts()
    st.close()
    srv.stop_server(data_dir)
    for root, dirs, files in os.walk(data_dir):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    assert _loose_modes(data_dir)  # the old state
    st = EmbeddedStore(Settings(data_dir=data_dir))
    try:
        assert st.counts() == counts
        assert _loose_modes(data_dir) == {}
    finally:
        st.close()


def _loose_modes(data_dir: Path) -> dict[str, str]:
    """Paths under ``data_dir`` (itself included) that group or others may use: {path: mode}."""
    import stat

    loose = {}
    for root, dirs, files in os.walk(data_dir):
        for p in [root] + [os.path.join(root, f) for f in files]:
            st = os.lstat(p)
            want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
            if stat.S_IMODE(st.st_mode) & 0o077 or (stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) != want):
                loose[p] = oct(stat.S_IMODE(st.st_mode))
    return loose


def test_server_dir_of_another_user_is_a_clear_error(tmp_path):
    """A falkordb/ directory that belongs to someone else is refused with a message (checked when
    running as root, the only user who can hand a directory to another)."""
    data_dir = tmp_path / "data"
    (data_dir / "falkordb").mkdir(parents=True)
    if os.geteuid() != 0:
        assert srv.make_private(data_dir) == srv.server_dir(data_dir)
        return
    os.chown(data_dir / "falkordb", 65534, 65534)
    with pytest.raises(StoreUnavailable, match="not a directory of yours"):
        srv.ensure_server(data_dir)


def test_stop_server(data_dir):
    assert srv.stop_server(data_dir) is False  # nothing running yet
    info = srv.ensure_server(data_dir)
    watchdog = json.loads((srv.server_dir(data_dir) / "server.json").read_text())["watchdog"]
    assert srv._watchdog_alive(watchdog)
    assert srv.stop_server(data_dir) is True
    assert not srv._pid_alive(info.pid)  # gone when stop returns, not later
    assert not Path(info.socket).exists()
    _wait_watchdog_gone(watchdog)
    assert srv.stop_server(data_dir) is False


def _wait_watchdog_gone(pid: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and srv._watchdog_alive(pid):
        time.sleep(0.05)
    assert not srv._watchdog_alive(pid)


def test_stop_while_a_query_runs_reports_only_an_exited_server(data_dir, make_bundle):
    """``cultnet stop`` while FalkorDB evaluates a query it cannot interrupt: SHUTDOWN does not
    end the process at once, so stop waits (SIGKILL after its timeout) and returns only when the
    pid is gone; the CLI says so."""
    import threading

    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    pid = st.info.pid
    t = threading.Thread(target=lambda: _swallow(lambda: st.query(RUNAWAY, timeout_s=60)), daemon=True)
    t.start()
    time.sleep(1.0)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CULTNET_", "NEO4J_"))}
    env.update(CULTNET_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    p = subprocess.run([sys.executable, "-m", "cultnet.ui.cli", "stop"], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "stopped the embedded store" in p.stdout
    assert not srv._pid_alive(pid), "stop reported success while the server still runs"
    t.join(30)
    st.close()


def test_watchdog_is_restarted_when_it_died(data_dir):
    srv.ensure_server(data_dir)
    state = json.loads((srv.server_dir(data_dir) / "server.json").read_text())
    os.kill(state["watchdog"], signal.SIGKILL)
    _wait_watchdog_gone(state["watchdog"])
    srv.ensure_server(data_dir)
    new = json.loads((srv.server_dir(data_dir) / "server.json").read_text())["watchdog"]
    assert new != state["watchdog"] and srv._watchdog_alive(new)


def _swallow(fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 - the query is expected to fail when its server stops
        pass


def test_interrupted_load_is_cleaned_up_at_next_open(data_dir, make_bundle):
    """A writer killed mid-load leaves a staging graph and a Dataset 'loading': the next store
    that opens drops the staging graph and marks the Dataset failed; live data is untouched."""
    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle("ds1"))
    before = st.counts()
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO / 'tests' / 'contract')!r})
        from pathlib import Path
        from conftest import small_bundle
        from cultnet.settings import Settings
        from cultnet.graph.embedded_store import EmbeddedStore
        s = EmbeddedStore(Settings(data_dir=Path({str(data_dir)!r})), batch_size=1)
        def progress(done, total, what):
            if done == 5:
                os.kill(os.getpid(), signal.SIGKILL)
        s.load_bundle(small_bundle("ds2"), progress=progress)
    """)
    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert p.returncode == -signal.SIGKILL, p.stderr
    raw = st._r
    assert raw.exists(st.staging_name)  # left behind by the killed writer
    st.close()
    st2 = EmbeddedStore(Settings(data_dir=data_dir))
    try:
        assert not st2._r.exists(st2.staging_name)
        ds = st2.datasets().set_index("id")
        assert ds.loc["ds1", "status"] == "complete" and ds.loc["ds2", "status"] == "failed"
        after = st2.counts()
        assert after["relationships"] == before["relationships"]
        assert after["labels"] == {**before["labels"], "Dataset": 2}
        st2.load_bundle(make_bundle("ds2"))  # the lock of the dead writer does not block
        assert st2.datasets().set_index("id").loc["ds2", "status"] == "complete"
    finally:
        st2.close()


def test_write_lock_serializes_writers(data_dir, make_bundle):
    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    token = st._acquire(1.0)
    try:
        from cultnet.errors import StoreUnavailable

        other = EmbeddedStore(Settings(data_dir=data_dir))
        with pytest.raises(StoreUnavailable, match="Another cultnet process"):
            with other._writer(wait_s=0.3):
                pass
        other.close()
    finally:
        st._r.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end",
                   1, st.lock_key, token)
    st.close()


def test_memory_bomb_kills_only_the_server_and_is_not_resent(data_dir, make_bundle):
    """FalkorDB 4.16 allocates range(1, 1e10) in one piece (~22 GB). Under RLIMIT_AS the server
    aborts at once; the store restarts it from its AOF and does not re-send the query."""
    import resource

    from cultnet.errors import QueryRejected

    st = EmbeddedStore(Settings(data_dir=data_dir))
    st.load_bundle(make_bundle())
    soft, hard = resource.prlimit(st.info.pid, resource.RLIMIT_AS)
    assert soft == srv.address_space_limit() != resource.RLIM_INFINITY
    pid = st.info.pid
    with pytest.raises(QueryRejected, match="was not run again"):
        st.query("UNWIND range(1, 10000000000) AS x RETURN sum(x) AS s", timeout_s=3)
    assert st.info.pid != pid
    assert st.counts()["labels"]["City"] == 3 and st.datasets()["status"].tolist() == ["complete"]
    st.close()


def test_a_load_copies_the_graph_only_when_the_indexer_is_done_with_it(data_dir, make_bundle):
    """GRAPH.COPY while FalkorDB's indexer still populates an index of the copied graph can
    deadlock the server (seen once in CI: no command answered again). An index on 300,000 nodes
    takes ~2 s to populate (measured: '[Indexing] 0/300000: UNDER CONSTRUCTION' right after
    CREATE INDEX); a load started at once must copy the live graph only after it is OPERATIONAL."""
    st = EmbeddedStore(Settings(data_dir=data_dir))
    try:
        st.load_bundle(make_bundle())
        live = st._db.select_graph(st.graph_name)
        live.query("UNWIND range(1, 300000) AS i CREATE (:Scratch {v: i})")
        live.query("CREATE INDEX FOR (n:Scratch) ON (n.v)")
        pending_q = ("CALL db.indexes() YIELD label, status WHERE status <> 'OPERATIONAL' "
                     "RETURN label, status")
        assert live.ro_query(pending_q).result_set, "the index was populated before the check"
        seen: list = []
        send = st._r.execute_command

        def spy(*args, **kw):
            if args and args[0] == "GRAPH.COPY":
                seen.append(live.ro_query(pending_q).result_set)
            return send(*args, **kw)

        st._r.execute_command = spy
        second = make_bundle("ds2")
        second.study = "second"
        st.load_bundle(second)
        assert seen == [[]], f"GRAPH.COPY ran while indexes were pending: {seen}"
        assert set(st.studies()["name"]) >= {"default", "second"}
        assert live.ro_query(pending_q).result_set == []
    finally:
        st.close()
