"""The Neo4j 5 backend, through the official ``neo4j`` driver (Bolt).

* One driver per store object; the database is named on every session.
* Writes run in managed transactions (``execute_write``) whose functions are idempotent (MERGE on
  uniquely constrained keys), so the driver may retry them on transient errors.
* User queries run in a session with ``default_access_mode=READ`` (the server refuses writes with
  ``Neo.ClientError.Statement.AccessMode``) as ``neo4j.Query(text, timeout=s)``; the client stops
  pulling after ``row_cap`` records and sets ``truncated``.

Loads
    A bundle of at most ``single_tx_max_rows`` rows (default 200,000: the sample, a province) is
    written in ONE transaction: what the dataset wrote before is removed, every row is written
    (statements of ``statement_rows`` rows, default 40,000), and the Dataset is marked
    ``complete``; all or nothing. For a dataset that does
    not exist yet (up to ``parallel_min_rows``) that transaction is the whole load: it starts by
    creating the Dataset node, complete (``neo4j_claim_dataset``, which also finds out whether
    it existed), nothing is committed before it, and a killed load leaves the store as it was.
    Measured on 2 shared cores
    this is also the fastest way up to that size (one commit; docs/design/load-speed.md);
    ``parallel_min_rows`` (default the same 200,000) lets a new dataset of more rows than it take
    the batched path below on a machine with idle cores. Larger bundles are written in
    transactions of ``batch_size`` rows (default 10,000) with the Dataset ``loading`` ->
    ``complete`` / ``failed``: visible when complete (every Study read sees only complete
    datasets' rows and attributes); a failed one is purged, and re-running it loads it again.

    A large load writes with ``writers`` parallel sessions (default 2, env
    ``CULTNET_LOAD_WRITERS``; the server spends one core per writing transaction). Their rows are
    partitioned (graph/_partition.py) so that two writers never lock the same node: enterprise
    nodes by id, ``LOCATED_IN`` by city, cooperation in rounds of a round-robin tournament over
    ``2 * writers`` groups of enterprises with balanced degree sums. Two writers can still meet
    on a relationship record they both relink (the head of a shared chain); Neo4j then reports a
    deadlock, and the managed transaction retries that batch (measured: one retry in three
    1M-edge benchmark loads).

    Relationship ends by elementId: the city and enterprise MERGE statements return their
    nodes' elementIds. A single-transaction load writes ``LOCATED_IN`` and ``COOPERATES`` by
    them (``*_eid``: the MERGE holds the nodes' locks, so the ids stay theirs). A batched load
    keeps them across its transactions (``state["eids"]``) and writes by them with the
    ``*_checked`` statements, which also compare each end's label and key and return how many
    relationships they created: an elementId can be reused once another session deletes its
    node, so a short count rolls the batch back and writes it again by the unique-index seeks
    (``_Moved``; ``last_load_batches_by_key`` counts these). The relationships are always the
    ones the index seeks would create, without a seek per end in the common case.

    Speed (see benchmarks/README.md, docs/design/load-speed.md): enterprises and their
    ``LOCATED_IN`` are written by separate ``UNWIND`` statements (``NEO4J_SPLIT``: fewer Eager
    operators), a new enterprise gets its lists by ``ON CREATE``; cooperation is CREATEd (the
    dataset owns it) from rows sent as lists ordered by source id; the purge runs only when the
    Dataset existed before the load; rows are built from whole DataFrame columns, the
    cooperation rows from its columns (``CoopColumns``: positions into the enterprise keys,
    partitioned as position arrays by ``edge_rounds_index``); the garbage collector is paused
    while a load runs (``graph.store.paused_gc``).

    Every load transaction has an explicit timeout (``load_timeout_s``, default 3600 s, env
    ``CULTNET_LOAD_TIMEOUT``), so the server's ``db.transaction.timeout`` does not cut large loads
    short, and carries the metadata ``{"cultnet_load": <dataset id>}``.

Interrupted loads
    A load refreshes ``Dataset.heartbeat`` when it starts and with every committed batch. When a
    store opens, a Dataset still ``loading`` whose heartbeat is older than ``stale_after_s``
    (default 600 s, env ``CULTNET_LOAD_STALE_AFTER``) and that no running transaction loads
    (``SHOW TRANSACTIONS``, by the metadata above) is marked ``failed`` (:meth:`mark_stale_loads`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as _dt
import logging
import os
import re
import threading
import time
import uuid
from typing import Any, Callable

import neo4j
import numpy as np
import pandas as pd
from neo4j import GraphDatabase, Query
from neo4j import exceptions as nx
from neo4j.graph import Node, Path, Relationship

from cultnet.errors import CultnetError, QueryRejected, QueryTimeout, StoreUnavailable
from cultnet.graph._syntax import syntax_message
from cultnet.model import Bundle
from cultnet.settings import Settings
from cultnet.graph._cypher import (Q, CoopColumns, bundle_steps, dataset_params, now_iso, plain,
                                   result_rows, results_query, written_counts)
from cultnet.graph._partition import edge_rounds_index, split_rows
from cultnet.graph._results import GraphCollector, scalar
from cultnet.graph.schema import NEO4J_DDL, NEO4J_PRE_MIGRATION, SCHEMA_VERSION
from cultnet.graph.store import GraphStore, Progress, QueryResult, fail_load, paused_gc

# The driver logs through the "neo4j" logger (server notifications, "Transaction failed and will
# be retried" after a deadlock). A library handler keeps Python's last-resort handler from
# printing those to a CLI user's terminal; an application that configures logging still sees them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: Default explicit timeout of load transactions (seconds), overriding db.transaction.timeout.
LOAD_TIMEOUT_S = 3600.0
#: A 'loading' Dataset whose heartbeat is older than this (seconds) and that no running transaction
#: loads was interrupted.
STALE_AFTER_S = 600.0
#: A batched load refreshes its Dataset's heartbeat at most this often (seconds).
HEARTBEAT_EVERY_S = 5.0
#: Transaction metadata key naming the Dataset a load transaction writes.
LOAD_META = "cultnet_load"
#: Rows per load transaction of a batched load (docs/design/load-speed.md, "Columnar
#: cooperation": with relationship ends by elementId, 10,000-row transactions took less server
#: CPU than 40,000-row ones at 1M edges).
BATCH_SIZE = 10_000
#: Rows per statement inside a single-transaction load.
STATEMENT_ROWS = 40_000
#: A load of a new dataset with more rows than this is written batched, by parallel writers,
#: visible when complete; at most this many: one transaction. The default equals
#: single_tx_max_rows: on 2 shared cores one transaction took the least server CPU and wall
#: time at every size it fits (docs/design/load-speed.md); lower it for a server with idle cores.
PARALLEL_MIN_ROWS = 200_000
#: A step with fewer rows than this is written by one writer (two would cost more in round
#: trips and round barriers than they save).
PARALLEL_STEP_MIN_ROWS = 2_000

#: Shared statements that Neo4j runs as several (same rows, same $params): see the files.
NEO4J_SPLIT = {"merge_enterprises": ("neo4j_merge_enterprise_nodes", "neo4j_create_located_in"),
               "create_cooperation": ("neo4j_create_cooperation",)}


class _CoopPart:
    """A batched load's share of a cooperation step: positions into the step's
    :class:`CoopColumns` (with the elementId of each enterprise key), sliced into batches as a
    list of rows would be. The statement rows of a batch are built from the columns."""

    __slots__ = ("cols", "idx", "eids")

    def __init__(self, cols: CoopColumns, idx: np.ndarray, eids: np.ndarray):
        self.cols, self.idx, self.eids = cols, idx, eids

    def __len__(self) -> int:
        return len(self.idx)

    def __getitem__(self, part: slice) -> "_CoopPart":
        return _CoopPart(self.cols, self.idx[part], self.eids)


def _coop_lists(rows: _CoopPart) -> list[list[Any]]:
    return rows.cols.lists(rows.idx)


#: Statements whose rows Neo4j gets in another shape than the shared Step rows.
NEO4J_ROWS: dict[str, Callable[[Any], list[Any]]] = {
    "neo4j_create_cooperation": _coop_lists}


#: Steps a single-transaction load writes by elementId (_write_by_element_id).
BY_ELEMENT_ID = ("merge_cities", "merge_enterprises", "reference_enterprises")


def _unknown_cities(rows: list[dict[str, Any]], known: dict[str, str]) -> list[str]:
    """The cities enterprise rows name whose elementIds ``known`` lacks (cities of the study
    this load did not MERGE: ``neo4j_city_eids`` finds them)."""
    return sorted({r["city"] for r in rows if r["city"] is not None} - known.keys())


def _write_by_element_id(tx, query: str, rows: list[dict[str, Any]], ds: str, study: str,
                         eids: dict[str, dict[str, str]]) -> None:
    """One batch of a step of BY_ELEMENT_ID inside a single-transaction load.

    The city and enterprise MERGE statements return each node's elementId (``eids["City"]``,
    ``eids["Enterprise"]``); LOCATED_IN here, and COOPERATES from the cooperation step's
    columns (``_load_one_tx``), then find their ends by elementId, not by
    a locking seek of the unique ``(study, id)`` / ``(study, name)`` index per row: 4x less
    server time for the cooperation statement (docs/design/load-speed.md). The nodes were
    MERGEd, so locked, in this transaction: their elementIds cannot be reused before it ends.
    A city the bundle does not MERGE (an enterprises file of a study whose cities an earlier
    dataset loaded) is looked up by ``neo4j_city_eids``. The relationships are the ones the
    per-row lookup creates: a row whose end is not in the study creates nothing, as a failed
    MATCH does.
    """
    p = {"dataset": ds, "study": study}
    if query == "merge_cities":
        eids["City"].update(_pairs(tx.run(Q["neo4j_merge_city_nodes"], {**p, "rows": rows})))
        return
    if query in ("merge_enterprises", "reference_enterprises"):
        q = ("neo4j_merge_enterprise_nodes" if query == "merge_enterprises"
             else "neo4j_reference_enterprises_eid")
        eids["Enterprise"].update(_pairs(tx.run(Q[q], {**p, "rows": rows})))
        if query == "reference_enterprises":
            return
        cities = eids["City"]
        missing = _unknown_cities(rows, cities)
        if missing:
            cities.update(_pairs(tx.run(Q["neo4j_city_eids"], {"names": missing, "study": study})))
        ents = eids["Enterprise"]
        located = [[ents[r["id"]], cities[r["city"]]] for r in rows
                   if r["city"] in cities and r["id"] in ents]
        if located:
            tx.run(Q["neo4j_create_located_in_eid"], {"rows": located, "dataset": ds}).consume()


#: Batched loads: statements that return the elementIds of the nodes they MERGE (their Step
#: query or NEO4J_SPLIT name -> the statement run instead, and the label of its nodes).
EID_RETURNING = {"merge_cities": ("neo4j_merge_city_nodes", "City"),
                 "neo4j_merge_enterprise_nodes": ("neo4j_merge_enterprise_nodes", "Enterprise"),
                 "reference_enterprises": ("neo4j_reference_enterprises_eid", "Enterprise")}
#: Batched loads: relationship statements written by those elementIds, each end checked to
#: still be the node of its key (_checked_rows); the key-seek statement is the fallback.
CHECKED = {"neo4j_create_located_in": "neo4j_create_located_in_checked",
           "neo4j_create_cooperation": "neo4j_create_cooperation_checked"}


def _checked_rows(name: str, rows: "list[dict[str, Any]] | _CoopPart",
                  eids: dict[str, dict[str, str]]) -> list[list[Any]] | None:
    """The rows of ``CHECKED[name]`` for a batch (Step rows; for cooperation a ``_CoopPart``), or
    None when an end has no known elementId (the batch is then written by key). A LOCATED_IN
    row without a city is left out, as the key-seek statement creates nothing for it."""
    if isinstance(rows, _CoopPart):
        return rows.cols.by_element_id(rows.eids, rows.idx, keys=True)
    ents = eids["Enterprise"]
    out: list[list[Any]] = []
    cities = eids["City"]
    for r in rows:
        city = r["city"]
        if city is None:
            continue
        e, c = ents.get(r["id"]), cities.get(city)
        if e is None or c is None:
            return None
        out.append([e, c, r["id"], city])
    return out


class _Moved(Exception):
    """Raised inside a batched load's transaction when a checked statement created fewer
    relationships than rows: a node this load wrote was deleted or replaced since (its
    elementId is stale). The batch is rolled back and written again by key."""


class _Exists(Exception):
    """Raised inside a small load's transaction when its Dataset exists (rolls it back)."""

    def __init__(self, rows: list[list[Any]]):
        super().__init__("the dataset exists")
        self.rows = rows


def _pairs(result) -> dict[str, str]:
    """The one record ``[keys, elementIds]`` of an ``*_eid(s)`` statement as a dict."""
    keys, eids = result.single(strict=True)
    return dict(zip(keys, eids))


def load_params(name: str, rows: list[dict[str, Any]], ds: str, study: str) -> dict[str, Any]:
    """The parameters of one load statement on a batch of Step rows."""
    shape = NEO4J_ROWS.get(name)
    return {"rows": shape(rows) if shape else rows, "dataset": ds, "study": study}

#: The purge statements (GraphStore._purge) as batched auto-commit statements, and the counter
#: that counts what each removed.
PURGE_BATCHED = {"purge_cooperation": ("neo4j_purge_cooperation_batched", "relationships_deleted"),
                 "purge_located_in": ("neo4j_purge_located_in_batched", "relationships_deleted"),
                 "purge_links": ("neo4j_purge_links_batched", "relationships_deleted"),
                 "purge_observations": ("neo4j_purge_observations_batched", "nodes_deleted"),
                 "purge_nodes": ("neo4j_purge_nodes_batched", "nodes_deleted"),
                 "purge_unshare": ("neo4j_purge_unshare_batched", "nodes_unshared")}

#: Procedures a user query may call (read-only metadata). Everything else is refused, because
#: Neo4j Community has no read-only role: the READ access mode does not stop e.g.
#: ``CALL dbms.listConfig()``, ``CALL db.clearQueryCaches()`` or ``TERMINATE TRANSACTIONS``.
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "dbms.components",
})
#: Plan operators that are never part of a user's read query.
DENIED_OPERATORS = frozenset({"LoadCSV", "TerminateTransactions", "AdministrationCommand",
                              "SystemProcedureCall"})
ALLOWED_SHOW = frozenset({"ShowIndexes", "ShowConstraints"})
#: Transaction metadata key carrying a user query's token (to terminate it at its deadline).
USER_QUERY_META = "cultnet_user_query"
#: The caller of a user query gets an answer at most this long after its time limit (Neo4j checks
#: transaction timeouts every 2 s; then the transaction is terminated from the client).
USER_GRACE_S = 3.0
#: Records pulled per round trip by a user query (the byte limit counts the bytes received).
USER_FETCH_SIZE = 1000


class Neo4jStore(GraphStore):
    backend = "neo4j"

    def __init__(self, settings: Settings | None = None, *, batch_size: int = BATCH_SIZE,
                 statement_rows: int = STATEMENT_ROWS,
                 single_tx_max_rows: int = 200_000, load_timeout_s: float | None = None,
                 stale_after_s: float | None = None, recover: bool = True,
                 writers: int | None = None, parallel_min_rows: int = PARALLEL_MIN_ROWS):
        self.settings = settings or Settings.from_env()
        self.batch_size = batch_size
        self.statement_rows = statement_rows
        self.parallel_min_rows = parallel_min_rows
        self.writers = max(1, int(_setting(writers, self.settings, "load_writers",
                                           "CULTNET_LOAD_WRITERS", 2)))
        self.single_tx_max_rows = single_tx_max_rows
        self.load_timeout_s = _setting(load_timeout_s, self.settings, "load_timeout_s",
                                       "CULTNET_LOAD_TIMEOUT", LOAD_TIMEOUT_S)
        self.stale_after_s = _setting(stale_after_s, self.settings, "load_stale_after_s",
                                      "CULTNET_LOAD_STALE_AFTER", STALE_AFTER_S)
        self.database = self.settings.neo4j_database
        auth = None
        if self.settings.neo4j_password:
            auth = (self.settings.neo4j_user, self.settings.neo4j_password)
        try:
            self._driver = GraphDatabase.driver(self.settings.neo4j_uri, auth=auth,
                                                connection_acquisition_timeout=30,
                                                max_transaction_retry_time=30)
            self._driver.verify_connectivity()
        except Exception as e:  # noqa: BLE001 - translated
            raise _translate(e, where=self.settings.neo4j_uri) from e
        self._schema_done = False
        #: batches of the last batched load written again by key (_Moved): 0 unless another
        #: session replaced a node the load had written
        self.last_load_batches_by_key = 0
        if recover:
            try:
                self.mark_stale_loads()
            except CultnetError:
                pass  # e.g. a user without write rights: recovery is best effort
        self._migrate()

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        try:
            self._driver.close()
        except Exception:  # noqa: BLE001
            pass

    def describe(self) -> dict[str, Any]:
        version = None
        try:
            info = self._driver.get_server_info()
            version = info.agent
        except Exception:  # noqa: BLE001
            pass
        return {"backend": self.backend, "location": self.settings.neo4j_uri,
                "database": self.database, "version": version}

    def _session(self, read: bool = False):
        return self._driver.session(database=self.database,
                                    default_access_mode=neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS)

    def _guard(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except CultnetError:
            raise
        except (nx.Neo4jError, nx.DriverError) as e:
            raise _translate(e, where=self.settings.neo4j_uri) from e

    def ensure_schema(self) -> None:
        def run() -> None:
            with self._session() as s:
                for stmt in NEO4J_DDL:
                    s.run(stmt).consume()
                s.run("CALL db.awaitIndexes(300)").consume()

        self._guard(run)
        self._schema_done = True

    def _migrate(self) -> None:
        """Migrate a store written by an older cultnet (see GraphStore._migrate_steps): the data
        steps in ONE write transaction (all or nothing), then the DDL (``ensure_schema`` drops
        the old constraints and creates the current ones; idempotent, so an interruption
        between the two is finished by the next load). The one old constraint that forbids the
        migrated data (NEO4J_PRE_MIGRATION) is dropped first. Sets ``self.migration``."""
        if not self._needs_migration():
            return

        @neo4j.unit_of_work(timeout=self.load_timeout_s)
        def work(tx):
            row = tx.run(Q["read_meta"]).single()
            version = int(row[0] or 1) if row is not None else 1
            if version == SCHEMA_VERSION:
                return None  # another process migrated it meanwhile
            return self._migrate_steps(version, lambda name, params: [
                list(r.values()) for r in tx.run(Q[name], params)])

        def run():
            with self._session() as s:
                for stmt in NEO4J_PRE_MIGRATION:
                    s.run(stmt).consume()
                return s.execute_write(work)

        self.migration = self._guard(run)
        self.ensure_schema()

    # -- internal reads / writes ------------------------------------------------------------------
    def _read(self, name: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        def work(tx):
            return [list(r.values()) for r in tx.run(Q[name], params or {})]

        def run():
            with self._session(read=True) as s:
                return s.execute_read(work)

        return self._guard(run)

    def _write(self, name: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        def work(tx):
            return [list(r.values()) for r in tx.run(Q[name], params or {})]

        def run():
            with self._session() as s:
                return s.execute_write(work)

        return self._guard(run)

    def _write_many(self, statements: list[tuple[str, dict[str, Any]]]) -> None:
        """Run several internal write statements in ONE transaction (one round trip and commit)."""
        def work(tx):
            for name, params in statements:
                tx.run(Q[name], params).consume()

        def run():
            with self._session() as s:
                s.execute_write(work)

        self._guard(run)

    def _autocommit(self, name: str, params: dict[str, Any] | None = None):
        """For ``CALL { ... } IN TRANSACTIONS`` statements (they need an auto-commit transaction)."""
        def run():
            with self._session() as s:
                return s.run(Q[name], params or {}).consume().counters

        return self._guard(run)

    # -- user queries ------------------------------------------------------------------------------
    def query(self, cypher: str, params: dict[str, Any] | None = None, *, study: str | None = None,
              timeout_s: float | None = None, row_cap: int | None = None,
              max_mb: float | None = None) -> QueryResult:
        """Run a user query read-only, bounded in time, rows and bytes (docs/graph-model.md).

        The query runs in a thread of its own, so that the caller gets its answer or
        :class:`QueryTimeout` at ``timeout_s`` + :data:`USER_GRACE_S` whatever the server does:
        Neo4j's transaction timeout marks the transaction terminated but does not stop an
        expression that is being evaluated (``reduce`` over a long list), and the server sends
        nothing until it finishes. At the deadline the transaction is terminated
        (``TERMINATE TRANSACTIONS``, found by its metadata) and that query's connection shut
        down (the thread then ends; the driver drops the connection from its pool). ``study`` is
        passed as ``$study``.
        """
        if study is not None:
            params = {**(params or {}), "study": study}
        timeout_s = self.settings.query_timeout_s if timeout_s is None else timeout_s
        row_cap = self.settings.row_cap if row_cap is None else row_cap
        max_mb = getattr(self.settings, "result_max_mb", 64.0) if max_mb is None else max_mb
        max_bytes = None if max_mb is None else int(max_mb * (1 << 20))
        p = {str(k): plain(v) for k, v in (params or {}).items()}
        token = uuid.uuid4().hex
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["result"] = _run_user_query(self._driver, self.database, cypher, p, timeout_s,
                                                row_cap, max_bytes, token, box)
            except BaseException as e:  # noqa: BLE001 - handed to the calling thread
                box["error"] = e
            finally:
                done.set()

        worker = threading.Thread(target=work, name="cultnet-user-query", daemon=True)
        worker.start()
        try:
            finished = done.wait(timeout_s + USER_GRACE_S)
        except BaseException:  # Ctrl+C in the CLI: do not leave the transaction behind
            self._abandon(token, box)
            raise
        if not finished:
            self._abandon(token, box)
            raise QueryTimeout(
                f"The query ran longer than its time limit ({timeout_s:g} s) and was stopped "
                "(its transaction was terminated and its connection closed).")
        if "error" in box:
            e = box["error"]
            raise _translate(e, where=self.settings.neo4j_uri) from e
        return box["result"]

    def _abandon(self, token: str, box: dict[str, Any]) -> None:
        """Terminate a user query's transaction and shut its connection down."""
        self.terminate_user_query(token)
        _shutdown_connection(box.get("session"))

    def terminate_user_query(self, token: str) -> list[str]:
        """``TERMINATE TRANSACTIONS`` of the user query ``token`` (its transaction metadata);
        the ids terminated (empty when it is gone, or the user may not terminate)."""
        def run() -> list[str]:
            with self._session() as s:
                ids = [r[0] for r in s.run(Q["neo4j_user_query_transactions"],
                                           {"key": USER_QUERY_META, "token": token})]
                if ids:
                    s.run(Q["neo4j_terminate_transactions"], {"ids": ids}).consume()
                return ids

        try:
            return self._guard(run)
        except CultnetError:
            return []

    # -- loads ---------------------------------------------------------------------------------------
    def _load_tx(self, ds: str):
        """``unit_of_work`` for load transactions: explicit timeout + the dataset as metadata."""
        return neo4j.unit_of_work(timeout=self.load_timeout_s, metadata={LOAD_META: ds})

    def running_loads(self) -> list[str] | None:
        """Dataset ids that running transactions are loading (``None`` when the server does not
        tell, e.g. no right to ``SHOW TRANSACTIONS``)."""
        def run():
            with self._session() as s:
                return [r[0] for r in s.run(Q["neo4j_running_loads"], {"key": LOAD_META})]

        try:
            return self._guard(run)
        except CultnetError:
            return None

    def mark_stale_loads(self) -> list[str]:
        """Mark ``failed`` the Datasets left ``loading`` by an interrupted load: heartbeat older
        than ``stale_after_s`` and no running transaction loading them; purge their rows.
        Returns their ids."""
        running = self.running_loads()
        if running is None:
            return []  # cannot tell whether a load is running: leave everything as it is
        cutoff = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=self.stale_after_s))
        cutoff_s = cutoff.replace(microsecond=0).isoformat()
        rows = self._write("mark_stale_loads", {
            "cutoff": cutoff_s, "running": running,
            "error": f"the load was interrupted (no progress for more than {self.stale_after_s:g} s "
                     "and no load running; process or server stopped)"})
        for ds, study in rows:  # what its committed batches wrote is invisible; purge it
            if study is not None:
                self._purge_batched(ds, study)
        return [r[0] for r in rows]

    def load_bundle(self, bundle: Bundle, progress: Progress | None = None) -> dict[str, Any]:
        with paused_gc():  # (millions of row objects: graph.store.paused_gc)
            return self._load_bundle(bundle, progress)

    def _load_bundle(self, bundle: Bundle, progress: Progress | None) -> dict[str, Any]:
        steps = bundle_steps(bundle)
        total = sum(s.size for s in steps)
        ds, study = bundle.dataset_id, bundle.study
        t0 = time.perf_counter()
        if not self._schema_done:
            self.ensure_schema()
        if total <= min(self.single_tx_max_rows, self.parallel_min_rows):
            # A small load of a dataset that does not exist (the common case: a province) is ONE
            # transaction whose first statement creates the Dataset node (neo4j_claim_dataset):
            # nothing is committed before it, a crash leaves the store as it was, and the fixed
            # cost is one transaction of six statements (docs/design/load-speed.md, "One
            # transaction"). A Dataset that exists rolls it back; its state decides below.
            self._check_loadable(bundle)
            claimed = {"writing": False}
            try:
                rows = self._load_one_tx(bundle, steps, total, progress, purge=False,
                                         claim=claimed)
            except BaseException as e:
                if not claimed["writing"]:
                    raise
                self._failed(bundle, e, one_tx=True, kept=False)
            if rows is None:
                return self._loaded(bundle, t0)
            state = self._state_from(bundle, rows)
        else:
            state = self._load_state(bundle)
        if state == "same":  # the same content is complete already
            return self._unchanged(bundle, t0)
        # One transaction for a small load (fixed costs dominate) and for the replacement of a
        # complete dataset by other content that fits one (a failure then keeps the previous
        # data); everything else is batched, by parallel writers, and visible when complete.
        one_tx = total <= self.single_tx_max_rows and (
            state == "replace" or total <= self.parallel_min_rows)
        kept = state == "replace" and one_tx  # a failed single-transaction reload changes nothing
        begin = [("merge_study", {"study": study, "now": now_iso(), "version": SCHEMA_VERSION})]
        if not kept:
            begin.append(("set_dataset_status", {"id": ds, "study": study, "status": "loading",
                                                 "error": None, "now": now_iso()}))
            if not one_tx:
                begin.append(("merge_dataset", dataset_params(bundle, "loading", now_iso())))
        self._write_many(begin)
        try:
            if one_tx:
                self._load_one_tx(bundle, steps, total, progress, purge=state != "new")
            else:
                if state != "new":
                    self._purge_batched(ds, study)
                self._load_batched(bundle, steps, total, progress)
        except BaseException as e:
            self._failed(bundle, e, one_tx=one_tx, kept=kept)
        return self._loaded(bundle, t0)

    @staticmethod
    def _loaded(bundle: Bundle, t0: float) -> dict[str, Any]:
        out: dict[str, Any] = {"dataset_id": bundle.dataset_id, **written_counts(bundle)}
        out["elapsed_s"] = round(time.perf_counter() - t0, 3)
        return out

    def _failed(self, bundle: Bundle, e: BaseException, *, one_tx: bool, kept: bool) -> None:
        """The end of a failed load: the Dataset marked (failed, or its error noted when it kept
        its previous data), a batched load's committed rows purged, then fail_load raises."""
        ds, study = bundle.dataset_id, bundle.study
        if isinstance(e, QueryTimeout):
            reason = (f"the load transaction was stopped by a time limit (the load timeout is "
                      f"{self.load_timeout_s:g} s: Neo4jStore(load_timeout_s=...) or "
                      f"CULTNET_LOAD_TIMEOUT; Neo4j said: {e.user_message})")
        elif isinstance(e, CultnetError):
            reason = e.user_message
        else:
            reason = f"{type(e).__name__}: {e}"
        if kept:
            mark = lambda r: self._write("set_dataset_error", {"id": ds, "error": r})  # noqa: E731
        else:
            def mark(r: str) -> None:
                # (merge_study: a small new load's transaction, which made them, was rolled back)
                self._write_many([
                    ("merge_study", {"study": study, "now": now_iso(), "version": SCHEMA_VERSION}),
                    ("set_dataset_status", {"id": ds, "study": study, "status": "failed",
                                            "error": r, "now": now_iso()})])
                if not one_tx:  # committed batches: invisible (failed), and purged now
                    self._purge_batched(ds, study)
        fail_load(ds, e, reason, mark, kept=kept)

    def _load_one_tx(self, bundle: Bundle, steps, total: int, progress: Progress | None,
                     purge: bool = True, claim: dict[str, bool] | None = None) -> list[list[Any]] | None:
        """Write the whole bundle in ONE transaction. ``claim`` (a small load's first try):
        the transaction starts with neo4j_claim_dataset and is rolled back when the Dataset
        exists; then its ``read_dataset_status`` row is returned (and ``claim["writing"]``
        stays False), else None."""
        ds = bundle.dataset_id

        @self._load_tx(ds)
        def work(tx):
            if claim is not None:
                params = dataset_params(bundle, "complete", now_iso())
                params["version"] = SCHEMA_VERSION
                created, status, study, sha = tx.run(Q["neo4j_claim_dataset"], params).single(strict=True)
                if not created:
                    raise _Exists([[status, study, sha]])
                claim["writing"] = True
            if purge:
                self._purge(ds, bundle.study,
                            run=lambda q, p: int(tx.run(Q[q], p).single()[0]),
                            read=lambda q, p: [list(r.values()) for r in tx.run(Q[q], p)],
                            write=lambda q, p: tx.run(Q[q], p).consume())
            if claim is None:
                tx.run(Q["merge_dataset"], dataset_params(bundle, "loading", now_iso())).consume()
            done = 0
            if progress:
                progress(0, total, "loading")
            eids: dict[str, dict[str, str]] = {"City": {}, "Enterprise": {}}  # of nodes this tx MERGEd
            for step in steps:
                if step.query == "create_cooperation":
                    cols = step.columns
                    # rows by elementId straight from the columns (every endpoint was MERGEd
                    # by a step before: bundle_steps' reference_enterprises)
                    known = cols.element_ids(eids["Enterprise"])
                    for lo in range(0, len(cols), self.statement_rows):
                        coop = cols.known_rows(known, slice(lo, lo + self.statement_rows))
                        if coop:
                            tx.run(Q["neo4j_create_cooperation_eid"],
                                   {"rows": coop, "dataset": ds}).consume()
                        done += min(self.statement_rows, len(cols) - lo)
                        if progress:
                            progress(done, total, step.label)
                    continue
                for batch in step.batches(self.statement_rows):
                    if step.query in BY_ELEMENT_ID:
                        _write_by_element_id(tx, step.query, batch, ds, bundle.study, eids)
                    else:
                        for name in NEO4J_SPLIT.get(step.query, (step.query,)):
                            tx.run(Q[name], load_params(name, batch, ds, bundle.study)).consume()
                    done += len(batch)
                    if progress:
                        progress(done, total, step.label)
            if claim is None:  # (neo4j_claim_dataset created it complete)
                tx.run(Q["set_dataset_status"],
                       {"id": ds, "study": bundle.study, "status": "complete", "error": None,
                        "now": now_iso()}).consume()

        def run():
            with self._session() as s:
                s.execute_write(work)

        try:
            self._guard(run)
        except _Exists as e:
            return e.rows
        return None

    def _load_batched(self, bundle: Bundle, steps, total: int, progress: Progress | None) -> None:
        ds = bundle.dataset_id
        # elementIds of the nodes this load MERGEd (EID_RETURNING), for the checked
        # relationship statements (CHECKED): no unique-index seek per relationship end
        state = {"done": 0, "beat": time.monotonic(), "by_key": 0,
                 "eids": {"City": {}, "Enterprise": {}}}
        if progress:
            progress(0, total, "loading")
        parallel = self.writers > 1
        # The cooperation rows and their partition (seconds of Python for 1M edges) are built in
        # the background while the server writes cities and enterprises (it then uses the cores).
        rounds: dict[int, concurrent.futures.Future] = {}
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="cultnet-prepare")
        try:
            for step in steps:
                if parallel and step.query == "create_cooperation" and step.size >= PARALLEL_STEP_MIN_ROWS:
                    rounds[id(step)] = pool.submit(self._edge_rounds, step)
            for step in steps:
                self._write_step(ds, step, rounds.get(id(step)), total, progress, state,
                                 study=bundle.study)
        finally:
            for f in rounds.values():
                f.cancel()
            pool.shutdown(wait=True)
            self.last_load_batches_by_key = state["by_key"]
        self._write("set_dataset_status", {"id": ds, "study": bundle.study, "status": "complete",
                                           "error": None, "now": now_iso()})

    def _edge_rounds(self, step) -> list[list[np.ndarray]]:
        """The rounds of a cooperation step's parts (graph._partition): position arrays into
        its columns."""
        cols = step.columns
        return edge_rounds_index(cols.src, cols.dst, len(cols.keys), self.writers)

    def _write_step(self, ds: str, step, rounds: concurrent.futures.Future | None, total: int,
                    progress: Progress | None, state: dict[str, Any], *, study: str) -> None:
        names = NEO4J_SPLIT.get(step.query, (step.query,))
        if step.query == "create_cooperation":
            cols = step.columns
            # batches built from the columns, by the elementIds of the enterprises this load
            # MERGEd (all node steps are done: the array is complete and stays valid)
            known = cols.element_ids(state["eids"]["Enterprise"])
            idx_rounds = rounds.result() if rounds is not None else [[np.arange(len(cols))]]
            for parts in idx_rounds:
                self._write_parallel(ds, names, [_CoopPart(cols, p, known) for p in parts],
                                     total, step.label, progress, state, study=study)
            return
        if step.query == "merge_enterprises":
            # cities of the study that this load did not MERGE: their elementIds, once
            known = state["eids"]["City"]
            missing = _unknown_cities(step.rows, known)
            if missing:
                cities, found = self._read("neo4j_city_eids", {"names": missing, "study": study})[0]
                known.update(zip(cities, found))
        if self.writers > 1 and step.size >= PARALLEL_STEP_MIN_ROWS:
            if step.query == "merge_enterprises":
                # the nodes by id, then LOCATED_IN by city: no two writers share a node
                nodes, located = names
                self._write_parallel(ds, (nodes,), split_rows(step.rows, self.writers, lambda r: r["id"]),
                                     total, step.label, progress, state, count=False, study=study)
                self._write_parallel(ds, (located,), split_rows(step.rows, self.writers, lambda r: r["city"]),
                                     total, step.label, progress, state, study=study)
                return
        self._write_parallel(ds, names, [step.rows], total, step.label, progress, state, study=study)

    def _write_parallel(self, ds: str, names: tuple[str, ...], parts: list[list[dict[str, Any]]],
                        total: int, label: str, progress: Progress | None, state: dict[str, Any],
                        count: bool = True, *, study: str) -> None:
        """Write each part in its own session and thread (one part: this thread), in transactions
        of ``batch_size`` rows. The parts must not share nodes (graph._partition), or the writers
        would wait for each other's locks. The first error stops the other writers after their
        current batch and is raised here; progress callbacks and the Dataset heartbeat run in
        this thread (Streamlit's progress bar must be updated from the script thread)."""
        parts = [p for p in parts if p]
        if not parts:
            return

        eids, eids_lock = state["eids"], threading.Lock()

        @self._load_tx(ds)
        def batch_work(tx, rows, by_key=False):
            for name in names:
                if not by_key and name in CHECKED:
                    crows = _checked_rows(name, rows, eids)
                    if crows is not None:
                        if crows:
                            q = CHECKED[name]
                            created = tx.run(Q[q], {"rows": crows, "dataset": ds, "study": study}
                                             ).single(strict=True)[0]
                            if created != len(crows):
                                raise _Moved()
                        continue
                ret = EID_RETURNING.get(name)
                if ret is not None:
                    # (a rolled-back try leaves elementIds of nodes that do not exist: the
                    # checked statements see that, and the retry replaces them)
                    pairs = _pairs(tx.run(Q[ret[0]], load_params(ret[0], rows, ds, study)))
                    with eids_lock:
                        eids[ret[1]].update(pairs)
                else:
                    tx.run(Q[name], load_params(name, rows, ds, study)).consume()

        lock = threading.Lock()
        stop = threading.Event()
        errors: list[BaseException] = []
        done = [0]

        def writer(part: list[dict[str, Any]], on_batch: Callable[[], None] | None = None) -> None:
            try:
                with self._session() as s:
                    for i in range(0, len(part), self.batch_size):
                        if stop.is_set():
                            return
                        rows = part[i:i + self.batch_size]
                        try:
                            self._guard(lambda: s.execute_write(batch_work, rows))
                        except _Moved:  # rolled back: this batch again, every end by key
                            with lock:
                                state["by_key"] += 1
                            self._guard(lambda: s.execute_write(batch_work, rows, True))
                        with lock:
                            done[0] += len(rows)
                        if on_batch:
                            on_batch()
            except BaseException as e:  # noqa: BLE001 - handed to the calling thread
                with lock:
                    errors.append(e)
                stop.set()

        base = state["done"]
        reported = -1

        def report() -> None:
            nonlocal reported
            n = done[0] if count else 0
            if progress and n != reported:
                reported = n
                progress(base + n, total, label)

        def beat() -> None:
            if time.monotonic() - state["beat"] > HEARTBEAT_EVERY_S and not stop.is_set():
                self._write("touch_dataset", {"id": ds, "now": now_iso()})
                state["beat"] = time.monotonic()

        def after_batch() -> None:  # one writer: it runs in this thread
            report()
            beat()

        if len(parts) == 1:
            writer(parts[0], after_batch)
        else:
            threads = [threading.Thread(target=writer, args=(p,), name=f"cultnet-writer-{k}", daemon=True)
                       for k, p in enumerate(parts)]
            for t in threads:
                t.start()
            try:
                while any(t.is_alive() for t in threads):
                    for t in threads:
                        t.join(timeout=0.25)
                        report()
                    beat()
            except BaseException:
                stop.set()
                for t in threads:
                    t.join()
                raise
        if errors:
            raise errors[0]
        if count:
            state["done"] = base + done[0]
        report()

    def _purge_batched(self, dataset_id: str, study: str) -> dict[str, int]:
        """GraphStore._purge with batched auto-commit statements (bounded memory; re-running
        finishes an interrupted purge)."""
        def run(q: str, p: dict[str, Any]) -> int:
            name, counter = PURGE_BATCHED[q]
            c = self._autocommit(name, p)
            if counter == "nodes_unshared":  # two properties set per node
                return c.properties_set // 2
            return int(getattr(c, counter))

        return self._purge(dataset_id, study, run=run, read=self._read, write=self._write)

    def delete_dataset(self, dataset_id: str) -> dict[str, int]:
        rows = self._read("read_dataset_status", {"id": dataset_id})
        if not rows:
            return {"relationships_deleted": 0, "nodes_deleted": 0, "nodes_kept": 0,
                    "attributes_removed": 0, "datasets_deleted": 0}
        out = self._purge_batched(dataset_id, rows[0][1])
        n = self._write("delete_dataset_node", {"id": dataset_id})
        out["datasets_deleted"] = int(n[0][0]) if n else 0
        return out

    def wipe(self) -> None:
        """Delete every node and relationship (tests; ``cultnet delete-dataset --all``)."""
        self._autocommit("neo4j_wipe_rels_batched")
        self._autocommit("neo4j_wipe_batched")

    def _delete_study(self, name: str) -> None:
        """Batched (bounded memory): mark the Study 'deleting' (reads refuse it), delete its
        relationships, then its nodes, then the Study node. Re-running finishes an interrupted
        delete."""
        p = {"study": name}
        self._write("mark_study_deleting", p)
        self._autocommit("neo4j_delete_study_rels_batched", p)
        self._autocommit("neo4j_delete_study_nodes_batched", p)
        self._write("delete_study_node", p)

    # -- write-back of analysis results ------------------------------------------------------------
    def _write_links(self, study: str, links: pd.DataFrame, *, method: str, run_id: str) -> int:
        if not self._schema_done:
            self.ensure_schema()
        res = self._write("replace_links", self._links_params(study, links, method=method,
                                                              run_id=run_id))
        self._prune_runs(study, lambda d: self._purge_batched(d, study),
                         lambda d: self._write("delete_dataset_node", {"id": d}))
        return int(res[0][0]) if res else 0

    def _write_node_results(self, study: str, level: str, results: pd.DataFrame, *, run_id: str,
                            prefix: str = "") -> int:
        name = results_query(level)
        rows = result_rows(results, run_id=run_id, prefix=prefix)
        if not rows:
            return 0
        res = self._write(name, {"study": study, "rows": rows})
        return int(res[0][0]) if res else 0


class _ByteBudget:
    """Wraps the socket a Bolt connection reads from, counting bytes: past ``max_bytes`` a read
    fails, which stops the driver in the middle of a message (a single huge record included)."""

    def __init__(self, sock, max_bytes: int, inbox=None):
        self._sock = sock
        self._inbox = inbox
        self.max_bytes = max_bytes
        self.nread = 0
        self.exceeded = False

    def remove(self) -> None:
        if self._inbox is not None and getattr(self._inbox, "_socket", None) is self:
            self._inbox._socket = self._sock

    def recv_into(self, buffer, nbytes):
        if self.nread > self.max_bytes:
            self.exceeded = True
            raise OSError(f"the result is larger than {self.max_bytes / (1 << 20):g} MB")
        n = self._sock.recv_into(buffer, nbytes)
        self.nread += n
        return n

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _budget(session, max_bytes: int | None) -> "_ByteBudget | None":
    """Put a :class:`_ByteBudget` under the session's connection (driver internals: when they
    are not where this expects them, only the per-record estimate bounds the result). The
    caller removes it (:meth:`_ByteBudget.remove`) before the connection goes back to the pool."""
    if max_bytes is None:
        return None
    inbox = getattr(getattr(session, "_connection", None), "inbox", None)
    sock = getattr(inbox, "_socket", None)
    if sock is None or not hasattr(sock, "recv_into"):
        return None
    budget = _ByteBudget(sock, max_bytes, inbox)
    inbox._socket = budget
    return budget


def _approx_bytes(v: Any) -> int:
    """Roughly how many bytes a value takes on the wire (for the result size limit)."""
    if isinstance(v, str):
        return len(v) + 1
    if isinstance(v, (bytes, bytearray)):
        return len(v) + 1
    if isinstance(v, (list, tuple)):
        return 1 + sum(_approx_bytes(x) for x in v)
    if isinstance(v, dict):
        return 1 + sum(len(str(k)) + _approx_bytes(x) for k, x in v.items())
    if isinstance(v, Node):
        return 16 + sum(len(lab) for lab in v.labels) + _approx_bytes(dict(v.items()))
    if isinstance(v, Relationship):
        return 32 + len(v.type) + _approx_bytes(dict(v.items()))
    if isinstance(v, Path):
        return sum(_approx_bytes(n) for n in v.nodes) + sum(_approx_bytes(r) for r in v.relationships)
    return 9


def _run_user_query(driver, database: str, cypher: str, params: dict[str, Any], timeout_s: float,
                    row_cap: int | None, max_bytes: int | None, token: str,
                    box: dict[str, Any]) -> QueryResult:
    """The body of :meth:`Neo4jStore.query` (runs in the query's own thread; puts its session in
    ``box["session"]`` so that the caller can shut its connection down at the deadline)."""
    coll = GraphCollector()
    t0 = time.perf_counter()
    fetch = USER_FETCH_SIZE if row_cap is None else max(1, min(row_cap + 1, USER_FETCH_SIZE))
    meta = {USER_QUERY_META: token}
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS,
                        fetch_size=fetch) as s:
        box["session"] = s
        _check_plan(s.run(Query(_explain(cypher), timeout=timeout_s, metadata=meta), params).consume().plan)
        result = s.run(Query(cypher, timeout=timeout_s, metadata=meta), params)
        budget = _budget(s, max_bytes)
        columns = list(result.keys())
        rows: list[dict[str, Any]] = []
        cut_by = None
        size = 0
        try:
            for rec in result:
                if row_cap is not None and len(rows) >= row_cap:
                    cut_by = "rows"
                    break
                values = rec.values()
                size += sum(_approx_bytes(v) for v in values)
                if max_bytes is not None and size > max_bytes:
                    cut_by = "bytes"
                    break
                rows.append({c: _value(v, coll) for c, v in zip(columns, values)})
            if cut_by is None:
                result.consume()
        except (nx.DriverError, OSError):
            if budget is None or not budget.exceeded:
                raise
            cut_by = "bytes"  # the connection was stopped in the middle of a (huge) record
        finally:
            if budget is not None:
                budget.remove()
    return QueryResult(columns=columns, rows=rows, truncated=cut_by is not None,
                       elapsed_ms=(time.perf_counter() - t0) * 1000, graph=coll.graph(),
                       truncated_by=cut_by)


def _shutdown_connection(session) -> None:
    """Shut down the socket under a session's connection (driver internals; from another
    thread: the reader blocked on it gets end-of-file, and the driver drops the connection)."""
    import socket as _socket

    sock = getattr(getattr(getattr(session, "_connection", None), "socket", None), "_socket", None)
    if isinstance(sock, _socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(_socket.SHUT_RDWR)


def _setting(explicit: float | None, settings: Settings, attr: str, env: str, default: float) -> float:
    """An explicit argument, else a Settings attribute (if Settings has it), else the environment
    variable, else the default."""
    if explicit is not None:
        return float(explicit)
    v = getattr(settings, attr, None)
    if v is not None:
        return float(v)
    return float(os.environ.get(env, default))


def _explain(cypher: str) -> str:
    """``EXPLAIN`` + the query (an ``EXPLAIN`` / ``PROFILE`` the user wrote is replaced)."""
    m = re.match(r"\s*(EXPLAIN|PROFILE)\b", cypher, flags=re.IGNORECASE)
    return "EXPLAIN " + (cypher[m.end():] if m else cypher)


def _check_plan(plan: dict | None) -> None:
    """Refuse plans with operators a read-only console must not run (see ALLOWED_PROCEDURES)."""
    if not plan:
        return
    op = str(plan.get("operatorType", "")).split("@")[0]
    details = str((plan.get("args") or {}).get("Details", ""))
    if op in DENIED_OPERATORS or (op.startswith("Show") and op not in ALLOWED_SHOW):
        raise QueryRejected(f"read-only: {op} is not allowed in the query console.")
    if "ProcedureCall" in op:
        m = re.match(r"\s*([\w.]+)\s*\(", details)
        name = m.group(1) if m else details
        if name.lower() not in ALLOWED_PROCEDURES:
            raise QueryRejected(f"read-only: the procedure {name} is not allowed in the query console "
                                f"(allowed: {', '.join(sorted(ALLOWED_PROCEDURES))}).")
    for child in plan.get("children") or []:
        _check_plan(child)


def _translate(e: BaseException, where: str = "") -> CultnetError:
    if isinstance(e, CultnetError):
        return e
    if isinstance(e, nx.AuthError):
        return StoreUnavailable(f"Neo4j at {where} refused the credentials (NEO4J_USER / NEO4J_PASSWORD): "
                                f"{getattr(e, 'message', e)}")
    if isinstance(e, (nx.ServiceUnavailable, nx.SessionExpired, nx.ConnectionAcquisitionTimeoutError)):
        return StoreUnavailable(f"Neo4j is not reachable at {where}: {e}. Is the server running? "
                                "(NEO4J_URI, or --backend embedded)")
    if isinstance(e, nx.ConfigurationError):
        return StoreUnavailable(f"Bad Neo4j configuration ({where}): {e}")
    code = getattr(e, "code", None) or ""
    msg = getattr(e, "message", None) or str(e)
    if "TransactionTimedOut" in code or code.endswith("Transaction.Terminated") and "timeout" in msg.lower():
        return QueryTimeout(f"The query ran longer than its time limit and was stopped ({msg}).")
    if "AccessMode" in code or code.endswith("Security.Forbidden"):
        return QueryRejected(f"read-only: this console only runs read queries; {msg}")
    if "SyntaxError" in code:
        return QueryRejected(syntax_message(msg, prefix="EXPLAIN ") or f"syntax error: {msg}")
    if code.startswith("Neo.ClientError"):
        return QueryRejected(f"query rejected: {msg}")
    if isinstance(e, nx.DatabaseUnavailable) or code.startswith("Neo.TransientError"):
        return StoreUnavailable(f"Neo4j could not run the query right now: {msg}")
    return CultnetError(f"Neo4j error: {msg}")


def _value(v: Any, coll: GraphCollector) -> Any:
    if isinstance(v, Node):
        return coll.node(v.element_id, sorted(v.labels), dict(v.items()))
    if isinstance(v, Relationship):
        return coll.edge(v.element_id, v.type, v.start_node.element_id, v.end_node.element_id, dict(v.items()))
    if isinstance(v, Path):
        return {"nodes": [_value(n, coll) for n in v.nodes],
                "relationships": [_value(r, coll) for r in v.relationships]}
    if isinstance(v, (list, tuple)):
        return [_value(x, coll) for x in v]
    if isinstance(v, dict):
        return {str(k): _value(x, coll) for k, x in v.items()}
    return scalar(v)
