"""The graph store: Neo4j 5 (Bolt) and an embedded FalkorDB, behind one small interface."""

from cultnet.graph.store import GraphStore, QueryResult, open_store

__all__ = ["GraphStore", "QueryResult", "open_store"]
