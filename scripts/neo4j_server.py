#!/usr/bin/env python3
"""Run a real Neo4j Community 5.26 server from the Maven Central jars, without Docker.

Used by the test suite (``tests/conftest.py``), by CI and by developers who want a local Neo4j::

    python scripts/neo4j_server.py fetch                 # mvn: fill neo4j/lib/ (once, ~125 MB)
    python scripts/neo4j_server.py cds                   # optional, once: 2-3x faster starts
    eval "$(python scripts/neo4j_server.py start)"       # start in neo4j/run/, export NEO4J_*
    python scripts/neo4j_server.py status
    python scripts/neo4j_server.py stop

``start`` writes ``neo4j.conf`` into ``<home>/conf`` (Bolt and, with ``--http``, HTTP on free
127.0.0.1 ports; auth on with a generated password; small heap and page cache; ``LOAD CSV`` from
``file:`` URLs off and every IP address blocked for URL loads; usage reports off; a 120 s
transaction timeout), starts
``java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint`` detached from the terminal, waits until
the official driver's ``verify_connectivity()`` succeeds, then writes ``<home>/connection.json``
and ``<home>/connection.env`` and prints ``export NEO4J_URI=...`` lines on stdout (messages go to
stderr, so ``eval "$(...)"`` works).

From Python::

    from neo4j_server import Neo4jServer          # with scripts/ on sys.path
    with Neo4jServer(home) as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password))

This module needs only the standard library and the ``neo4j`` driver; it does not import cultnet.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POM = REPO / "neo4j" / "pom.xml"
DEFAULT_LIB = REPO / "neo4j" / "lib"
DEFAULT_HOME = REPO / "neo4j" / "run"

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
USER = "neo4j"
DATABASE = "neo4j"
INITIAL_PASSWORD = "neo4j"  # what Neo4j gives the neo4j user before it is changed

#: Defaults, overridable per server (keyword arguments) or per environment variable.
HEAP = os.environ.get("CULTNET_NEO4J_HEAP", "512m")
PAGECACHE = os.environ.get("CULTNET_NEO4J_PAGECACHE", "128m")
START_TIMEOUT_S = float(os.environ.get("CULTNET_NEO4J_START_TIMEOUT", "300"))
#: C1-only JIT (-XX:TieredStopAtLevel=1): measured ~20 % faster start-up and much faster first
#: queries on a busy 2-core machine; peak speed of long queries is lower. CULTNET_NEO4J_FULL_JIT=1
#: turns it off (e.g. for benchmarks).
QUICK_JIT = os.environ.get("CULTNET_NEO4J_FULL_JIT", "") not in ("1", "true", "yes")
#: Use the class-data-sharing archive ``<lib>/cds/neo4j.jsa`` when it exists (``cds`` command):
#: measured 2-3x faster start-up. CULTNET_NEO4J_CDS=0 ignores it.
USE_CDS = os.environ.get("CULTNET_NEO4J_CDS", "1") not in ("0", "false", "no")
STOP_TIMEOUT_S = 60.0

#: JVM options of Neo4j's own default neo4j.conf (server.jvm.additional) that matter here, plus
#: explicit heap sizes: the Java entry point does not read server.memory.heap.* (only the
#: ``neo4j`` shell launcher turns those into -Xms/-Xmx).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-modules=jdk.incubator.vector",
]


class Neo4jServerError(RuntimeError):
    """Neo4j could not be fetched, started or stopped; the message says why (with log tails)."""


def _log(msg: str) -> None:
    print(f"neo4j_server: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# fetch


def pinned_version(pom: Path = POM) -> str:
    """The Neo4j version pinned in neo4j/pom.xml (``<neo4j.version>``)."""
    m = re.search(r"<neo4j\.version>\s*([^<\s]+)\s*</neo4j\.version>", pom.read_text())
    if not m:
        raise Neo4jServerError(f"{pom}: no <neo4j.version> property")
    return m.group(1)


def lib_complete(lib: Path = DEFAULT_LIB, pom: Path = POM) -> bool:
    """True when ``lib`` holds the jars of the pinned version (``neo4j-<version>.jar`` is there)."""
    return (lib / f"neo4j-{pinned_version(pom)}.jar").is_file()


def fetch(lib: Path = DEFAULT_LIB, pom: Path = POM, quiet: bool = True, force: bool = False) -> Path:
    """Fill ``lib`` with Neo4j's runtime jars from Maven Central (``mvn dependency:copy-dependencies``).

    Does nothing when ``lib`` already has the pinned version. Downloads into ``<lib>.partial`` and
    renames it at the end, so an interrupted download never looks complete.
    """
    lib = Path(lib).resolve()
    if not force and lib_complete(lib, pom):
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError("Maven (mvn) is not installed: apt-get install -y maven (needs Java 17)")
    partial = lib.with_name(lib.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    cmd = [mvn, "-B", *(["-q"] if quiet else []), "-f", str(pom),
           "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={partial}"]
    _log(f"fetching Neo4j {pinned_version(pom)} jars: {shlex.join(cmd)}")
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise Neo4jServerError(f"mvn failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}")
    if not (partial / f"neo4j-{pinned_version(pom)}.jar").is_file():
        raise Neo4jServerError(f"mvn finished but {partial} has no neo4j-{pinned_version(pom)}.jar")
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    jars = list(lib.glob("*.jar"))
    size = sum(j.stat().st_size for j in jars) / 1e6
    _log(f"fetched {len(jars)} jars, {size:.0f} MB, in {time.monotonic() - t0:.0f} s into {lib}")
    return lib


# --------------------------------------------------------------------------------------------
# helpers


def generate_password(length: int = 24) -> str:
    """Letters and digits only: never starts with ``-`` (which neo4j-admin would take for an option)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def java_executable() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise Neo4jServerError("Java is not installed: Neo4j 5.26 needs Java 17 or 21 "
                               "(apt-get install -y openjdk-17-jre-headless)")
    return java


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return f"({path} not found)"
    return "\n".join(text[-lines:])


def _pid_is_our_server(pid: int, home: Path) -> bool:
    """True when ``pid`` is alive and is a Neo4j entry point for ``home`` (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (not Linux): trust the pid file
    args = [a.decode(errors="replace") for a in cmdline]
    return MAIN_CLASS in args and f"--home-dir={home}" in args


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False


def classpath(lib: Path) -> str:
    """Every jar of ``lib``, sorted: an explicit, stable class path (a CDS archive records it)."""
    jars = sorted(str(j) for j in Path(lib).glob("*.jar"))
    return os.pathsep.join(jars) if jars else str(Path(lib) / "*")


def cds_archive(lib: Path = DEFAULT_LIB) -> Path:
    return Path(lib) / "cds" / "neo4j.jsa"


def build_cds(lib: Path = DEFAULT_LIB) -> Path:
    """Build a class-data-sharing archive of the classes a Neo4j start and a first query load.

    Starts a throw-away server with ``-XX:DumpLoadedClassList``, runs a write and a read, stops
    it, then ``java -Xshare:dump`` writes ``<lib>/cds/neo4j.jsa`` (~130 MB; it lives in ``lib``, so
    a new ``fetch`` drops it). Takes a few minutes on 2 cores; later starts are 2-3x faster.
    """
    import tempfile

    import neo4j

    lib = Path(lib).resolve()
    if not lib_complete(lib):
        fetch(lib)
    out = cds_archive(lib)
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = out.parent / "classes.raw"
    raw.unlink(missing_ok=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cultnet-neo4j-cds-") as home:
        srv = Neo4jServer(home, lib, use_cds=False)
        srv.extra_jvm_flags = [f"-XX:DumpLoadedClassList={raw}"]
        with srv:
            with neo4j.GraphDatabase.driver(srv.uri, auth=(srv.user, srv.password)) as d:
                d.execute_query("UNWIND range(1, 10) AS i CREATE (:CdsWarmup {i: i})", database_=srv.database)
                d.execute_query("MATCH (n:CdsWarmup) RETURN count(n) AS n", database_=srv.database)
    # keep plain class names; lambda proxies and generated proxies cannot be listed statically
    names = [ln for ln in raw.read_text(errors="replace").splitlines()
             if ln and not ln.startswith("@") and " " not in ln and ";" not in ln
             and "$$Lambda" not in ln and "$Proxy" not in ln]
    classes = out.parent / "classes.lst"
    classes.write_text("\n".join(names) + "\n")
    raw.unlink(missing_ok=True)
    tmp = out.with_suffix(".tmp")
    cmd = [java_executable(), "-Xshare:dump", f"-XX:SharedClassListFile={classes}",
           f"-XX:SharedArchiveFile={tmp}", "-XX:+UseG1GC", "--add-modules=jdk.incubator.vector",
           "-cp", classpath(lib)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not tmp.is_file():
        raise Neo4jServerError(f"java -Xshare:dump failed (exit {proc.returncode}):\n"
                               f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    tmp.rename(out)
    _log(f"CDS archive of {len(names)} classes, {out.stat().st_size / 1e6:.0f} MB, in "
         f"{time.monotonic() - t0:.0f} s: {out}")
    return out


@dataclass(frozen=True)
class Connection:
    """How to reach a running server: what ``connection.json`` holds."""

    uri: str
    user: str
    password: str
    database: str
    http_port: int | None = None

    def env(self) -> dict[str, str]:
        return {"NEO4J_URI": self.uri, "NEO4J_USER": self.user,
                "NEO4J_PASSWORD": self.password, "NEO4J_DATABASE": self.database}


# --------------------------------------------------------------------------------------------
# the server


class Neo4jServer:
    """One Neo4j Community server process with its own home directory.

    Parameters
    ----------
    home : path, default ``neo4j/run``
        Gets ``conf/neo4j.conf``, ``data/``, ``logs/``, ``import/``, ``neo4j.pid``,
        ``connection.json`` and ``connection.env``. An existing home is reused (its data and
        password are kept; new free ports are chosen).
    lib : path, default ``neo4j/lib``
        The jars; fetched with Maven when missing (``fetch=True``).
    http : bool
        Also open the HTTP API (and Browser, if its jar is added) on a free 127.0.0.1 port.
    password : str, optional
        Password for the ``neo4j`` user on a new home; generated (24 characters) when omitted.
    password_method : {"alter", "admin"}
        ``alter`` (default, fastest): start with the initial password and run
        ``ALTER CURRENT USER SET PASSWORD`` on ``system`` before anything else can connect
        (credentials-expired sessions may do nothing else). ``admin``: run
        ``neo4j-admin dbms set-initial-password`` from the same jars before the first start
        (one more JVM start, ~5-10 s).
    quick_jit : bool
        Run the JVM with the C1 compiler only (``-XX:TieredStopAtLevel=1``): faster start-up and
        first queries, slower peak. Default on; ``CULTNET_NEO4J_FULL_JIT=1`` turns it off.
    detach : bool
        Start Java in a session of its own, so it outlives this process and the terminal (the
        CLI's ``start`` does). Off by default: then a Ctrl+C that stops the caller (pytest)
        reaches Neo4j too, which shuts down cleanly.
    use_cds : bool
        Start with the class-data-sharing archive ``<lib>/cds/neo4j.jsa`` if ``build_cds`` made
        one (default; ``CULTNET_NEO4J_CDS=0`` turns it off). If Java finds the archive stale it
        warns in console.log and starts without it.
    """

    def __init__(self, home: str | os.PathLike = DEFAULT_HOME, lib: str | os.PathLike = DEFAULT_LIB,
                 *, http: bool = False, password: str | None = None, heap: str = HEAP,
                 pagecache: str = PAGECACHE, start_timeout: float = START_TIMEOUT_S,
                 password_method: str = "alter", fetch: bool = True,
                 transaction_timeout: str = "120s", quick_jit: bool = QUICK_JIT,
                 detach: bool = False, use_cds: bool = USE_CDS):
        self.home = Path(home).resolve()
        self.lib = Path(lib).resolve()
        self.http = http
        self._password = password
        self.heap = heap
        self.pagecache = pagecache
        self.start_timeout = start_timeout
        if password_method not in ("alter", "admin"):
            raise ValueError("password_method must be 'alter' or 'admin'")
        self.password_method = password_method
        self.fetch = fetch
        self.transaction_timeout = transaction_timeout
        self.quick_jit = quick_jit
        self.detach = detach
        self.use_cds = use_cds
        self.extra_jvm_flags: list[str] = []
        self.proc: subprocess.Popen | None = None
        self.connection: Connection | None = None
        self.startup_seconds: float | None = None

    # paths ----------------------------------------------------------------------------------
    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def import_dir(self) -> Path:
        return self.home / "import"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def connection_file(self) -> Path:
        return self.home / "connection.json"

    @property
    def env_file(self) -> Path:
        return self.home / "connection.env"

    # connection details --------------------------------------------------------------------
    def _conn(self) -> Connection:
        if self.connection is None:
            saved = self.saved_connection()
            if saved is None:
                raise Neo4jServerError(f"no server started in {self.home}")
            self.connection = saved
        return self.connection

    @property
    def uri(self) -> str:
        return self._conn().uri

    @property
    def user(self) -> str:
        return self._conn().user

    @property
    def password(self) -> str:
        return self._conn().password

    @property
    def database(self) -> str:
        return self._conn().database

    @property
    def http_port(self) -> int | None:
        return self._conn().http_port

    def saved_connection(self) -> Connection | None:
        try:
            return Connection(**json.loads(self.connection_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    # state ----------------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of this home's running server, or None."""
        if self.proc is not None and self.proc.poll() is None:
            return self.proc.pid
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_is_our_server(pid, self.home) and not _is_zombie(pid) else None

    def is_running(self) -> bool:
        return self.pid() is not None

    # start ----------------------------------------------------------------------------------
    def _existing_store(self) -> bool:
        return (self.home / "data" / "databases" / "system").exists() or \
            (self.home / "data" / "dbms" / "auth.ini").exists()

    def write_conf(self, bolt_port: int, http_port: int | None) -> Path:
        """Write ``<home>/conf/neo4j.conf`` (strict validation is on: every key must exist)."""
        for d in (self.conf_dir, self.logs_dir, self.import_dir, self.home / "data",
                  self.home / "plugins", self.home / "run"):
            d.mkdir(parents=True, exist_ok=True)
        lines = [
            "# written by scripts/neo4j_server.py; rewritten at every start",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{bolt_port}",
            f"server.http.enabled={'true' if http_port else 'false'}",
            *( [f"server.http.listen_address=127.0.0.1:{http_port}",
                f"server.http.advertised_address=127.0.0.1:{http_port}"] if http_port else []),
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            f"server.directories.data={self.home / 'data'}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.import={self.import_dir}",
            f"server.directories.plugins={self.home / 'plugins'}",
            f"server.directories.run={self.home / 'run'}",
            # Hostile LOAD CSV FROM 'file:///etc/passwd' must fail; the import dir is ours alone.
            "dbms.security.allow_csv_import_from_file_urls=false",
            # ... and LOAD CSV FROM 'http(s)://...' / 'ftp://...' must not connect anywhere: every
            # IPv4 and IPv6 address is blocked (Neo4j checks the resolved address before it connects)
            "internal.dbms.cypher_ip_blocklist=0.0.0.0/0,::/0",
            # Memory: the heap is set with -Xms/-Xmx on the java command line (see JVM_FLAGS);
            # these keep Neo4j's own checks and transaction memory consistent with it.
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            f"server.memory.pagecache.size={self.pagecache}",
            "dbms.usage_report.enabled=false",
            f"db.transaction.timeout={self.transaction_timeout}",
            "db.tx_log.rotation.retention_policy=2 files",
            "server.logs.gc.enabled=false",
        ]
        path = self.conf_dir / "neo4j.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def java_command(self, extra: list[str] | None = None) -> list[str]:
        jit = ["-XX:TieredStopAtLevel=1"] if self.quick_jit else []
        archive = cds_archive(self.lib)
        cds = [f"-XX:SharedArchiveFile={archive}"] if self.use_cds and archive.is_file() else []
        return [java_executable(), f"-Xms{self.heap}", f"-Xmx{self.heap}", *jit, *cds,
                *JVM_FLAGS, *(extra or []), "-cp", classpath(self.lib), MAIN_CLASS,
                f"--home-dir={self.home}", f"--config-dir={self.conf_dir}"]

    def _set_initial_password_admin(self, password: str) -> None:
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.conf_dir))
        cmd = [java_executable(), "-Xmx256m", "-cp", str(self.lib / "*"), ADMIN_CLASS,
               "dbms", "set-initial-password", "--", password]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise Neo4jServerError("neo4j-admin dbms set-initial-password failed "
                                   f"(exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")

    def _failure(self, reason: str) -> Neo4jServerError:
        return Neo4jServerError(
            f"{reason}\n--- tail of {self.logs_dir / 'neo4j.log'} ---\n{tail(self.logs_dir / 'neo4j.log')}"
            f"\n--- tail of {self.logs_dir / 'console.log'} ---\n{tail(self.logs_dir / 'console.log', 20)}"
            f"\n--- tail of {self.logs_dir / 'debug.log'} ---\n{tail(self.logs_dir / 'debug.log', 15)}")

    def start(self) -> "Neo4jServer":
        """Start the server and wait until Bolt accepts the password; return self."""
        import neo4j  # the official driver; imported late so `fetch`/`stop` work without it

        if self.is_running():
            raise Neo4jServerError(f"a Neo4j server is already running in {self.home} "
                                   f"(pid {self.pid()}); stop it first")
        if self.fetch:
            fetch(self.lib)
        elif not any(self.lib.glob("neo4j-*.jar")):
            raise Neo4jServerError(f"{self.lib} has no Neo4j jars: run scripts/neo4j_server.py fetch")

        existing = self._existing_store()
        if existing:
            saved = self.saved_connection()
            if saved is None:
                raise Neo4jServerError(f"{self.home} has a database but no connection.json "
                                       "with its password: delete the folder or restore the file")
            password = saved.password
        else:
            password = self._password or generate_password()
        if len(password) < 8:
            raise Neo4jServerError("Neo4j requires a password of at least 8 characters")

        first_password = password
        if not existing:
            if self.password_method == "admin":
                self.write_conf(free_port(), None)  # the admin tool reads the directories from it
                self._set_initial_password_admin(password)
            else:
                first_password = INITIAL_PASSWORD

        t0 = time.monotonic()
        for attempt in (1, 2, 3):  # a free port can be taken by someone else before Java binds it
            bolt_port = free_port()
            http_port = free_port() if self.http else None
            while http_port == bolt_port:
                http_port = free_port()
            self.write_conf(bolt_port, http_port)
            uri = f"bolt://127.0.0.1:{bolt_port}"
            try:
                self._launch(neo4j, uri, first_password, t0)
                break
            except Neo4jServerError as e:
                if attempt < 3 and "Address already in use" in str(e):
                    _log(f"port taken while starting (attempt {attempt}); retrying on new ports")
                    continue
                raise
        try:
            if first_password != password:
                with neo4j.GraphDatabase.driver(uri, auth=(USER, first_password)) as drv:
                    drv.execute_query("ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                                      old=first_password, new=password, database_="system")
                with neo4j.GraphDatabase.driver(uri, auth=(USER, password)) as drv:
                    drv.verify_connectivity()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as e:
            self.stop()
            raise self._failure(f"could not set the password of {USER!r} on {uri}: {e}") from e
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        self.connection = Connection(uri=uri, user=USER, password=password, database=DATABASE,
                                     http_port=http_port)
        self.connection_file.write_text(json.dumps(self.connection.__dict__, indent=2) + "\n")
        self.connection_file.chmod(0o600)
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in self.connection.env().items()))
        self.env_file.chmod(0o600)
        return self

    def _launch(self, neo4j, uri: str, password: str, t0: float) -> None:
        """Start Java and wait until ``uri`` accepts ``password``; stop it again on failure."""
        console = open(self.logs_dir / "console.log", "ab")
        try:
            self.proc = subprocess.Popen(self.java_command(self.extra_jvm_flags), cwd=self.home, stdin=subprocess.DEVNULL,
                                         stdout=console, stderr=subprocess.STDOUT,
                                         start_new_session=self.detach)
        finally:
            console.close()
        self.pid_file.write_text(f"{self.proc.pid}\n")
        try:
            self._wait_ready(neo4j, uri, password, t0)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, neo4j, uri: str, password: str, t0: float) -> None:
        last: Exception | None = None
        while True:
            if self.proc.poll() is not None:
                raise self._failure(f"Neo4j exited with code {self.proc.returncode} during start-up")
            try:
                with neo4j.GraphDatabase.driver(uri, auth=(USER, password),
                                                connection_timeout=5) as drv:
                    drv.verify_connectivity()
                return
            except neo4j.exceptions.AuthError as e:
                raise self._failure(f"Neo4j at {uri} rejected the password: {e}") from e
            except Exception as e:  # not listening yet / still starting
                last = e
            if time.monotonic() - t0 > self.start_timeout:
                raise self._failure(f"Neo4j did not accept Bolt connections on {uri} within "
                                    f"{self.start_timeout:.0f} s (last error: {last})")
            time.sleep(0.25)

    # stop -----------------------------------------------------------------------------------
    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """SIGTERM the server and wait (SIGKILL after ``timeout``). False when none was running."""
        pid = self.pid()
        if pid is None:
            if self.proc is not None:
                self.proc.poll()
            self.pid_file.unlink(missing_ok=True)
            return False
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.pid == pid:
                if self.proc.poll() is not None:
                    break
            elif not _pid_is_our_server(pid, self.home) or _is_zombie(pid):
                break
            time.sleep(0.1)
        else:
            _log(f"Neo4j (pid {pid}) did not stop within {timeout:.0f} s: SIGKILL")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if self.proc is not None:
                self.proc.wait(10)
        self.pid_file.unlink(missing_ok=True)
        self.proc = None
        return True

    def __enter__(self) -> "Neo4jServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------------------------
# CLI


def _exports(conn: Connection) -> str:
    lines = [f"export {k}={shlex.quote(v)}" for k, v in conn.env().items()]
    if conn.http_port:
        lines.append(f"export NEO4J_HTTP_PORT={conn.http_port}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="neo4j_server.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="fill neo4j/lib with the Maven jars (no-op when present)")
    f.add_argument("--lib", default=str(DEFAULT_LIB))
    f.add_argument("--force", action="store_true", help="download again")
    c = sub.add_parser("cds", help="build a class-data-sharing archive in <lib>/cds: 2-3x faster "
                                   "starts afterwards (takes a few minutes once)")
    c.add_argument("--lib", default=str(DEFAULT_LIB))
    for name, text in (("start", "start a server and print export lines"),
                       ("stop", "SIGTERM the server and wait"),
                       ("status", "exit 0 when running, 3 when not")):
        s = sub.add_parser(name, help=text)
        s.add_argument("--home", default=str(DEFAULT_HOME), help="server folder (default neo4j/run)")
        if name == "start":
            s.add_argument("--lib", default=str(DEFAULT_LIB))
            s.add_argument("--http", action="store_true", help="also open HTTP on a free port")
            s.add_argument("--password", help="password for a new home (default: generated)")
            s.add_argument("--heap", default=HEAP)
            s.add_argument("--pagecache", default=PAGECACHE)
            s.add_argument("--timeout", type=float, default=START_TIMEOUT_S,
                           help="seconds to wait for Bolt")
            s.add_argument("--password-method", choices=("alter", "admin"), default="alter")
    a = p.parse_args(argv)
    try:
        if a.cmd == "fetch":
            lib = fetch(Path(a.lib), force=a.force)
            _log(f"{lib}: {len(list(lib.glob('*.jar')))} jars")
            return 0
        if a.cmd == "cds":
            build_cds(Path(a.lib))
            return 0
        if a.cmd == "start":
            srv = Neo4jServer(a.home, a.lib, http=a.http, password=a.password, heap=a.heap,
                              pagecache=a.pagecache, start_timeout=a.timeout,
                              password_method=a.password_method, detach=True)
            if srv.is_running() and srv.saved_connection() is not None:
                _log(f"already running (pid {srv.pid()}) in {srv.home}")
                print(_exports(srv.saved_connection()))
                return 0
            srv.start()
            _log(f"Neo4j up in {srv.startup_seconds:.1f} s, pid {srv.pid()}, {srv.uri}; "
                 f"connection in {srv.connection_file}")
            print(_exports(srv.connection))
            return 0
        srv = Neo4jServer(a.home, fetch=False)
        if a.cmd == "stop":
            pid = srv.pid()
            if srv.stop():
                _log(f"stopped (pid {pid})")
            else:
                _log(f"not running in {srv.home}")
            return 0
        if a.cmd == "status":
            pid = srv.pid()
            if pid is None:
                print(f"stopped ({srv.home})")
                return 3
            conn = srv.saved_connection()
            print(f"running pid={pid} uri={conn.uri if conn else '?'} home={srv.home}")
            return 0
    except Neo4jServerError as e:
        _log(str(e))
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
