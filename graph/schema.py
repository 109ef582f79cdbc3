"""Per-backend schema (DDL): uniqueness constraints and indexes, created idempotently.

DDL is the one place where the two backends speak different Cypher, so it lives here rather than
in ``graph/queries``. No statement takes user input.

Neo4j 5
    Uniqueness constraints (each backed by a range index) on ``City.name``, ``Enterprise.id``,
    ``Dataset.id``, ``Region.name`` and ``Observation.key``; range indexes on ``Observation(city,
    year)``, ``Observation(region, period)`` and on the ``year`` of ``LINKS`` / ``COOPERATES``.
    ``IF NOT EXISTS`` makes every statement idempotent.

FalkorDB
    Range indexes (``CREATE INDEX FOR ...``) on the same node properties and on ``LINKS(year,
    method)`` / ``COOPERATES(year)`` (FalkorDB's planner keeps using Expand Into for the MERGE;
    checked with GRAPH.EXPLAIN), plus ``GRAPH.CONSTRAINT
    CREATE ... UNIQUE`` on the keys (FalkorDB requires the index to exist first). FalkorDB has no
    ``IF NOT EXISTS``: "already indexed" / "constraint already exists" errors are treated as success.
"""

from __future__ import annotations

NEO4J_DDL: list[str] = [
    "CREATE CONSTRAINT city_name IF NOT EXISTS FOR (n:City) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT enterprise_id IF NOT EXISTS FOR (n:Enterprise) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT region_name IF NOT EXISTS FOR (n:Region) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT observation_key IF NOT EXISTS FOR (n:Observation) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX observation_city_year IF NOT EXISTS FOR (n:Observation) ON (n.city, n.year)",
    "CREATE INDEX observation_region_period IF NOT EXISTS FOR (n:Observation) ON (n.region, n.period)",
    # No relationship property indexes on Neo4j (and drop those an older cultnet created): with
    # an index on COOPERATES(year), the planner answers MERGE (a)-[r:COOPERATES {year: row.year}]->(b)
    # with DirectedRelationshipIndexSeek (every relationship of that year) + Filter instead of
    # Expand(Into) between the two matched nodes: quadratic; a 10k-row batch never finished.
    "DROP INDEX links_year IF EXISTS",
    "DROP INDEX links_method IF EXISTS",
    "DROP INDEX cooperates_year IF EXISTS",
]

#: (label, property) pairs that are unique keys: indexed, then constrained.
FALKORDB_UNIQUE: list[tuple[str, str]] = [
    ("City", "name"),
    ("Enterprise", "id"),
    ("Dataset", "id"),
    ("Region", "name"),
    ("Observation", "key"),
]

FALKORDB_INDEXES: list[str] = [
    "CREATE INDEX FOR (n:City) ON (n.name)",
    "CREATE INDEX FOR (n:Enterprise) ON (n.id)",
    "CREATE INDEX FOR (n:Dataset) ON (n.id)",
    "CREATE INDEX FOR (n:Region) ON (n.name)",
    "CREATE INDEX FOR (n:Observation) ON (n.key)",
    "CREATE INDEX FOR (n:Observation) ON (n.city, n.year)",
    "CREATE INDEX FOR (n:Observation) ON (n.region, n.period)",
    "CREATE INDEX FOR ()-[r:LINKS]-() ON (r.year, r.method)",
    "CREATE INDEX FOR ()-[r:COOPERATES]-() ON (r.year)",
]


def falkordb_ddl_already_done(message: str) -> bool:
    """True when a FalkorDB DDL error only says the index / constraint exists already."""
    m = message.lower()
    return "already indexed" in m or "already exists" in m or "already exist" in m
