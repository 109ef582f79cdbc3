"""One settings object, read from the environment (and overridden by CLI flags).

| variable | default | meaning |
|---|---|---|
| ``CULTNET_BACKEND`` | ``embedded`` | ``embedded`` (FalkorDB child process) or ``neo4j`` |
| ``CULTNET_DATA_DIR`` | ``~/.local/share/cultnet`` | where the embedded store keeps its socket and files |
| ``CULTNET_GRAPH`` | ``cultnet`` | graph name inside the embedded store |
| ``CULTNET_STUDY`` | (none) | the study commands read (else the only study in the store); ``load`` writes into it (else ``default``) |
| ``NEO4J_URI`` | ``bolt://localhost:7687`` | ``bolt://``, ``neo4j://`` or ``neo4j+s://`` URI |
| ``NEO4J_USER`` | ``neo4j`` | |
| ``NEO4J_PASSWORD`` | (none) | required for the neo4j backend |
| ``NEO4J_DATABASE`` | ``neo4j`` | database named on every call |
| ``CULTNET_QUERY_TIMEOUT`` | ``10`` | seconds, for user (console / ``cultnet query``) queries |
| ``CULTNET_ROW_CAP`` | ``10000`` | maximum rows returned by a user query |
| ``CULTNET_RESULT_MAX_MB`` | ``64`` | maximum size of a user query's result (MB); larger results are cut |
| ``CULTNET_UI_PASSWORD`` | (none) | the explorer's password (read by ``cultnet.ui.auth``, not kept here) |
| ``CULTNET_EMBEDDED_MAX_MEMORY_MB`` | half the RAM, 2-8 GiB | address-space limit of the embedded server (stops memory-bomb queries) |
| ``CULTNET_MAX_FILE_MB`` | ``100`` | input files above this size are refused before reading |
| ``CULTNET_LOAD_TIMEOUT`` | ``3600`` | seconds a Neo4j load transaction may run |
| ``CULTNET_LOAD_STALE_AFTER`` | ``600`` | seconds without a heartbeat after which a ``loading`` Neo4j dataset with no running load is marked ``failed`` |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

BACKENDS = ("embedded", "neo4j")


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cultnet"


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"
    data_dir: Path = field(default_factory=_default_data_dir)
    graph_name: str = "cultnet"
    neo4j_uri: str = "bolt://localhost:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    query_timeout_s: float = 10.0
    row_cap: int = 10_000
    result_max_mb: float = 64.0
    load_timeout_s: float = 3600.0
    load_stale_after_s: float = 600.0
    load_writers: int = 2
    #: the study to read / load (``CULTNET_STUDY`` or ``--study``); None: resolved by the store
    study: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        e = os.environ if env is None else env
        s = cls(
            backend=e.get("CULTNET_BACKEND", "embedded").strip().lower() or "embedded",
            data_dir=Path(e["CULTNET_DATA_DIR"]) if e.get("CULTNET_DATA_DIR") else _default_data_dir(),
            graph_name=e.get("CULTNET_GRAPH", "cultnet"),
            neo4j_uri=e.get("NEO4J_URI", "bolt://localhost:7687"),
            neo4j_user=e.get("NEO4J_USER", "neo4j"),
            neo4j_password=e.get("NEO4J_PASSWORD") or None,
            neo4j_database=e.get("NEO4J_DATABASE", "neo4j"),
            query_timeout_s=float(e.get("CULTNET_QUERY_TIMEOUT", "10")),
            row_cap=int(e.get("CULTNET_ROW_CAP", "10000")),
            result_max_mb=float(e.get("CULTNET_RESULT_MAX_MB", "64")),
            load_timeout_s=float(e.get("CULTNET_LOAD_TIMEOUT", "3600")),
            load_stale_after_s=float(e.get("CULTNET_LOAD_STALE_AFTER", "600")),
            load_writers=int(e.get("CULTNET_LOAD_WRITERS", "2")),
            study=(e.get("CULTNET_STUDY") or "").strip() or None,
        )
        overrides = {k: v for k, v in overrides.items() if v is not None}
        s = replace(s, **overrides)
        if s.backend not in BACKENDS:
            from cultnet.errors import CultnetError

            raise CultnetError(
                f"Unknown backend {s.backend!r}: choose one of {', '.join(BACKENDS)} "
                "(CULTNET_BACKEND or --backend)."
            )
        if s.study is not None:
            from cultnet.model import check_study_name

            check_study_name(s.study)
        return s
