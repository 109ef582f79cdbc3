"""The embedded store's server life cycle: durability across kill -9, one server shared by several
processes, stale pid / socket recovery, interrupted loads, and ``stop_server``."""

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

from cultnet.settings import Settings
from cultnet.graph import _falkordb_server as srv
from cultnet.graph.embedded_store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]


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


def test_long_data_dir_uses_a_short_socket_path(tmp_path):
    deep = tmp_path / ("x" * 60) / ("y" * 60) / "data"
    try:
        info = srv.ensure_server(deep)
        assert len(info.socket) <= srv.SOCKET_PATH_MAX and info.socket.startswith("/tmp/cultnet-")
        assert json.loads((srv.server_dir(deep) / "server.json").read_text())["socket"] == info.socket
    finally:
        srv.stop_server(deep)


def test_stop_server(data_dir):
    assert srv.stop_server(data_dir) is False  # nothing running yet
    info = srv.ensure_server(data_dir)
    assert srv.stop_server(data_dir) is True
    _wait_gone(info.pid)
    assert not Path(info.socket).exists()
    assert srv.stop_server(data_dir) is False


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
