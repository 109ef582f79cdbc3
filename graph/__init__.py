"""The graph store: Neo4j 5 (Bolt) and an embedded FalkorDB, behind one small interface.

A store holds studies; ``store.study(name)`` is the scoped view every analysis reads from."""

from cultnet.graph.store import GraphStore, QueryResult, Study, open_store

__all__ = ["GraphStore", "QueryResult", "Study", "open_store"]
